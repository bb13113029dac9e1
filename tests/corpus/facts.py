"""Static facts about a corpus notebook, from the project's own analysis (no execution)."""

from __future__ import annotations

from collections import defaultdict

import nbformat

from reactive_kernel.core.analysis import analyze


def defined_twice(nb: nbformat.NotebookNode) -> dict[str, list[int]]:
    """Globals bound by more than one code cell, with the 1-based positions of those cells."""
    definers: dict[str, list[int]] = defaultdict(list)
    for position, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code":
            for name in analyze(cell.source).defs:
                definers[name].append(position)
    return {name: cells for name, cells in definers.items() if len(cells) > 1}
