"""A whole notebook -> the order to run its code cells in, and why any of them cannot run: for headless runs.

Headless clients (`reactive-kernel run`, the nbconvert preprocessor) run every cell once, so they need
the graph's topological order up front and must refuse, before anything runs, a notebook with a syntax
error, a cycle, or under its definitions policy a global defined twice (`unique`) or read before an
ambiguous definition (`ordered`). Cells are keyed by their index in `nb.cells`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reactive_kernel.core.analysis import analyze
from reactive_kernel.core.cells import cell_source
from reactive_kernel.core.graph import POLICIES, Graph, Policy
from reactive_kernel.core.naming import cell_label, cell_name, title_of


@dataclass(frozen=True)
class Problem:
    """Why one code cell cannot run whatever its inputs are."""

    index: int  # the cell's index in the notebook
    kind: str  # "syntax-error", "multiple-definition", "ambiguous" or "cycle"
    detail: str  # the syntax error; the names defined twice or read ambiguously; empty for a cycle
    others: tuple[int, ...]  # the other cells involved (definers of the same names, or the whole cycle)


@dataclass(frozen=True)
class RunOrder:
    """The code cells of a notebook in the order to run them, parents first, ties by notebook position."""

    order: tuple[int, ...]  # cells to run, excluding empty, disabled and disabled-descendant cells
    disabled: tuple[int, ...]  # cells that do not run: disabled in metadata, or downstream of one
    problems: tuple[Problem, ...]  # in notebook order; when not empty, nothing should run
    parents: Mapping[int, frozenset[int]]  # the cells each cell in `order` reads from


def definitions(metadata: Mapping[str, Any], marimo: bool = False) -> Policy:
    """A notebook's definitions policy: its metadata `reactive.definitions`, else `unique` for a marimo
    file (its format needs one definition per name), else `ordered`."""
    reactive = metadata.get("reactive")
    chosen = reactive.get("definitions") if isinstance(reactive, Mapping) else None
    if chosen in POLICIES:
        return chosen
    return "unique" if marimo else "ordered"


def plan(cells: Sequence[Mapping[str, Any]], policy: Policy = "unique") -> RunOrder:
    """The run order for nbformat-like cells (`cell_type`, `source`, optional `metadata.disabled`)."""
    graph = Graph(policy)
    for index, cell in enumerate(cells):
        if cell.get("cell_type") == "code" and cell_source(cell).strip():
            graph.set_cell(str(index), analyze(cell_source(cell)))
    everything = graph.topological(str(i) for i in range(len(cells)) if str(i) in graph)
    problems = sorted(filter(None, (_problem(graph, c) for c in everything)), key=lambda p: p.index)
    off: set[str] = set()
    for cell_id in everything:
        meta = cells[int(cell_id)].get("metadata") or {}
        if meta.get("disabled") is True or graph.parents(cell_id) & off:
            off.add(cell_id)
    runnable = [c for c in everything if c not in off]
    return RunOrder(
        order=tuple(int(c) for c in runnable),
        disabled=tuple(sorted(int(c) for c in off)),
        problems=tuple(problems),
        parents={int(c): frozenset(int(p) for p in graph.parents(c)) for c in runnable},
    )


def _problem(graph: Graph, cell_id: str) -> Problem | None:
    index = int(cell_id)
    error = graph.facts(cell_id).error
    if error:
        return Problem(index, "syntax-error", error, ())
    clash = graph.error(cell_id)
    if clash is None:
        return None
    others = tuple(int(c) for c in clash.cells if c != cell_id)
    return Problem(index, clash.kind, ", ".join(clash.names), others)


def describe(cells: Sequence[Mapping[str, Any]], index: int) -> str:
    """`cell #3 (load)`: how messages name a cell (core.naming), from its index in `cells`."""
    cell = cells[index]
    facts = analyze(cell_source(cell)) if cell.get("cell_type") == "code" else None
    return f"cell {cell_label(index + 1, cell_name(title_of(cell.get('metadata')), facts))}"


def explain(cells: Sequence[Mapping[str, Any]], problem: Problem) -> str:
    """One line saying why a cell cannot run, naming the cells involved."""
    here = describe(cells, problem.index)
    others = ", ".join(describe(cells, i) for i in problem.others)
    if problem.kind == "syntax-error":
        return f"{here}: {problem.detail}"
    if problem.kind == "multiple-definition":
        return f"{here}: {problem.detail} is also defined by {others}; define each global in exactly one cell"
    if problem.kind == "ambiguous":
        return (
            f"{here}: reads {problem.detail}, which no cell above defines and {others} define below; "
            "define it above, or keep one definition below"
        )
    return f"{here}: is in a dependency cycle with {others}; move what one of them reads out of the loop"
