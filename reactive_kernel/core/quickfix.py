"""Quick fixes for a global two cells define (`unique` policy): which a cell gets, and the sources they make.

- `private`: rename `x` to `_x` in the cell, so it stops defining the global (names starting with one
  underscore are local to their cell, core.analysis). Offered only when no cell reads this cell's `x`.
- `rename`: rename `x` to a new name (`x_2`, or one the user gives) in the cell and in its readers.

Under `unique` every reader of a name defined twice depends on both definers, so which cells read *this*
cell's `x` is decided as a top-to-bottom run would: a cell reads the `x` of the nearest definer above it
(a definer that reads `x` before defining it, `x = x + 1`, reads the one above too). Readers above every
definer read no one's in particular and are left alone. core.rewrite makes each cell's edit.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from reactive_kernel.core.analysis import BUILTIN_NAMES
from reactive_kernel.core.errors import QuickFixError, RewriteRefused
from reactive_kernel.core.graph import Graph
from reactive_kernel.core.naming import mentions

KINDS = ("private", "rename")
_WORD = re.compile(r"\w+")
Source = Callable[[str], str]  # cell id -> the cell's current source


@dataclass(frozen=True)
class Fix:
    """One quick fix offered on a cell in a multiple definition."""

    kind: str  # "private" or "rename"
    name: str  # the global several cells define
    to: str  # the name it becomes (a suggestion: free in the notebook and in these cells)
    cells: tuple[str, ...]  # the cells it rewrites: this one, then its readers in notebook order


def offered(graph: Graph, cell_id: str, source: Source) -> tuple[Fix, ...]:
    """The fixes for each name the cell defines that another cell defines too (none outside `unique`)."""
    problem = graph.error(cell_id) if graph.policy == "unique" and cell_id in graph else None
    if problem is None or problem.kind != "multiple-definition":
        return ()
    fixes = []
    for name in problem.names:
        cells = (cell_id, *readers(graph, cell_id, name))
        taken = _words(source(c) for c in cells)
        if len(cells) == 1:
            fixes.append(Fix("private", name, _free(graph, _private_names(name), taken), cells))
        fixes.append(Fix("rename", name, _free(graph, _public_names(name), taken), cells))
    return tuple(fixes)


def readers(graph: Graph, cell_id: str, name: str) -> tuple[str, ...]:
    """The cells whose reads of `name` a top-to-bottom run takes from `cell_id`, in notebook order."""
    definers = graph.definers(name)
    candidates = set(graph.readers(name)) | {d for d in definers if name in graph.facts(d).refs}
    found = []
    for cell in candidates - {cell_id}:
        here = graph.position(cell)
        above = [d for d in definers if graph.position(d) < here]
        if above and max(above, key=graph.position) == cell_id:
            found.append(cell)
    return graph.in_order(found)


def plan(graph: Graph, source: Source, cell_id: str, name: str, kind: str, to: str | None = None) -> dict:
    """The new source of each cell the fix changes, by id (the cell first); raises QuickFixError."""
    if kind not in KINDS:
        raise QuickFixError(cell_id, name, f"there is no quick fix called {kind!r}")
    if cell_id not in graph:
        raise QuickFixError(cell_id, name, "the kernel has no such code cell (was it deleted?)")
    fix = next((f for f in offered(graph, cell_id, source) if f.name == name and f.kind == kind), None)
    if fix is None:
        raise QuickFixError(cell_id, name, _why_not(graph, cell_id, name, kind))
    new = fix.to if to is None else _checked(graph, cell_id, name, kind, to)
    from reactive_kernel.core.rewrite import rename  # libcst loads only when a fix is asked for

    changed = {}
    for cell in fix.cells:
        part = "own" if cell == cell_id else "incoming"
        try:
            text = rename(source(cell), name, new, part)
        except RewriteRefused as exc:
            raise QuickFixError(cell, name, exc.reason) from None
        if text != source(cell):
            changed[cell] = text
    return changed


def _why_not(graph: Graph, cell_id: str, name: str, kind: str) -> str:
    if graph.policy != "unique":
        return "quick fixes are for the unique definitions policy, where a global has one definer"
    if cell_id not in graph or name not in graph.facts(cell_id).defs or len(graph.definers(name)) < 2:
        return "no other cell defines it, so there is nothing to fix"
    cells = readers(graph, cell_id, name)
    verb = "read" if len(cells) > 1 else "reads"
    return f"{mentions(cells)} {verb} its '{name}', so it cannot be private; rename it instead"


def _checked(graph: Graph, cell_id: str, name: str, kind: str, to: str) -> str:
    """A name the user gave: one Python allows, of the kind the fix makes, and used by no other cell."""
    if not to.isidentifier() or keyword.iskeyword(to):
        raise QuickFixError(cell_id, name, f"'{to}' is not a name Python allows")
    private = to.startswith("_") and not to.startswith("__")
    if kind == "private" and not private:
        raise QuickFixError(cell_id, name, f"'{to}' does not start with one '_', so it would not be private")
    if kind == "rename" and to.startswith("_"):
        raise QuickFixError(
            cell_id, name, f"'{to}' starts with '_': a cell-private name does not link the cells that read it"
        )
    if to in BUILTIN_NAMES or graph.definers(to) or graph.readers(to):
        raise QuickFixError(cell_id, name, f"'{to}' is already a name in this notebook or a builtin")
    return to


def _private_names(name: str) -> Iterable[str]:
    yield f"_{name}"
    for n in range(2, 1000):
        yield f"_{name}_{n}"


def _public_names(name: str) -> Iterable[str]:
    for n in range(2, 1000):
        yield f"{name}_{n}"


def _free(graph: Graph, candidates: Iterable[str], taken: set[str]) -> str:
    """The first candidate no cell defines or reads, no builtin has, and the cells do not write."""
    return next(
        c
        for c in candidates
        if c not in taken and c not in BUILTIN_NAMES and not graph.definers(c) and not graph.readers(c)
    )


def _words(sources: Iterable[str]) -> set[str]:
    """Every word the cells write, strings and comments included: a suggestion never collides."""
    return {word for text in sources for word in _WORD.findall(text)}
