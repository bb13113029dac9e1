"""The pure layers: cell source -> facts, facts -> graph, the reactive rules, headless order. No Jupyter."""
