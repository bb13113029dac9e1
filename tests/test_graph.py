"""Graph cases as a table: cells are 'id: defs <- refs' strings, in notebook order."""

from __future__ import annotations

import pytest

from reactive_kernel.core.analysis import CellFacts
from reactive_kernel.core.graph import Graph


def facts(defs: str = "", refs: str = "") -> CellFacts:
    return CellFacts(frozenset(defs.split()), frozenset(refs.split()), frozenset(), frozenset(), (), None)


def build(spec: list[str]) -> Graph:
    """'a: x y <- z' means cell a defines x and y and reads z."""
    graph = Graph()
    for line in spec:
        cell_id, rest = line.split(":", 1)
        defs, _, refs = rest.partition("<-")
        graph.set_cell(cell_id.strip(), facts(defs, refs))
    return graph


# (name, cells, cell to ask about, parents, children)
RELATIONS = [
    ("single", ["a: x"], "a", "", ""),
    ("chain parent", ["a: x", "b: y <- x", "c: <- y"], "b", "a", "c"),
    ("chain head", ["a: x", "b: y <- x", "c: <- y"], "a", "", "b"),
    ("unknown ref is no edge", ["a: <- nowhere"], "a", "", ""),
    ("fan out", ["a: x", "b: <- x", "c: <- x"], "a", "", "b c"),
    ("fan in", ["a: x", "b: y", "c: <- x y"], "c", "a b", ""),
    ("self read is no edge", ["a: x <- x"], "a", "", ""),
    ("reader above definer", ["b: <- x", "a: x"], "a", "", "b"),
    ("two defs one edge", ["a: x y", "b: <- x y"], "b", "a", ""),
    ("multiple definers both parents", ["a: x", "b: x", "c: <- x"], "c", "a b", ""),
    ("diamond bottom", ["a: x", "b: y <- x", "c: z <- x", "d: <- y z"], "d", "b c", ""),
]


@pytest.mark.parametrize("name,spec,cell,parents,children", RELATIONS, ids=[r[0] for r in RELATIONS])
def test_relations(name, spec, cell, parents, children):
    graph = build(spec)
    assert graph.parents(cell) == frozenset(parents.split())
    assert graph.children(cell) == frozenset(children.split())


# (name, cells, roots, descendants in run order)
DESCENDANTS = [
    ("chain", ["a: x", "b: y <- x", "c: <- y"], "a", "b c"),
    ("none", ["a: x", "b: y"], "a", ""),
    ("position breaks ties", ["a: x", "c: <- x", "b: <- x"], "a", "c b"),
    ("parents before children", ["a: x", "c: <- y", "b: y <- x"], "a", "b c"),
    ("diamond", ["a: x", "b: y <- x", "c: z <- x", "d: <- y z"], "a", "b c d"),
    ("two roots", ["a: x", "b: y", "c: <- x", "d: <- y"], "a b", "c d"),
    ("cycle members go last", ["a: x", "b: y <- x z", "c: z <- y", "d: <- x"], "a", "d b c"),
]


@pytest.mark.parametrize("name,spec,roots,expected", DESCENDANTS, ids=[r[0] for r in DESCENDANTS])
def test_descendants(name, spec, roots, expected):
    assert build(spec).descendants(roots.split()) == expected.split()


# (name, cells, cell, ancestors in run order)
ANCESTORS = [
    ("chain", ["a: x", "b: y <- x", "c: <- y"], "c", "a b"),
    ("root", ["a: x", "b: <- x"], "a", ""),
    ("written out of order", ["c: <- y", "b: y <- x", "a: x"], "c", "a b"),
]


@pytest.mark.parametrize("name,spec,cell,expected", ANCESTORS, ids=[r[0] for r in ANCESTORS])
def test_ancestors(name, spec, cell, expected):
    assert build(spec).ancestors(cell) == expected.split()


# (name, cells, cell, error kind or None, cells named, names named)
ERRORS = [
    ("no error", ["a: x", "b: <- x"], "a", None, "", ""),
    ("multiple definition", ["a: x", "b: x"], "a", "multiple-definition", "b", "x"),
    ("multiple definition other side", ["a: x", "b: x"], "b", "multiple-definition", "a", "x"),
    ("three definers", ["a: x", "b: x", "c: x"], "b", "multiple-definition", "a c", "x"),
    ("two names", ["a: x y", "b: x", "c: y"], "a", "multiple-definition", "b c", "x y"),
    ("reader not in error", ["a: x", "b: x", "c: <- x"], "c", None, "", ""),
    ("two-cycle", ["a: x <- y", "b: y <- x"], "a", "cycle", "a b", ""),
    ("three-cycle middle", ["a: x <- z", "b: y <- x", "c: z <- y"], "b", "cycle", "a b c", ""),
    ("outside the cycle", ["a: x <- y", "b: y <- x", "c: <- x"], "c", None, "", ""),
    ("forward chain has no cycle", ["a: x", "b: y <- x", "c: z <- y"], "c", None, "", ""),
    ("backward edge without cycle", ["c: <- y", "b: y <- x", "a: x"], "c", None, "", ""),
]


@pytest.mark.parametrize("name,spec,cell,kind,cells,names", ERRORS, ids=[r[0] for r in ERRORS])
def test_errors(name, spec, cell, kind, cells, names):
    error = build(spec).error(cell)
    if kind is None:
        assert error is None
    else:
        assert (error.kind, error.cells, error.names) == (kind, tuple(cells.split()), tuple(names.split()))


def test_update_reports_the_cells_it_touches():
    graph = build(["a: x", "b: y <- x", "c: <- y", "d: w"])
    touched = graph.set_cell("b", facts("y2", "x")).touched
    assert {"b", "c", "a"} <= touched and "d" not in touched
    assert graph.children("b") == frozenset()


def test_same_names_new_source_touches_only_the_cell():
    graph = build(["a: x", "b: y <- x"])
    assert graph.set_cell("b", facts("y", "x")).touched == frozenset({"b"})


def test_removing_a_definer_clears_the_multiple_definition():
    graph = build(["a: x", "b: x", "c: <- x"])
    touched = graph.remove_cell("b").touched
    assert "a" in touched and graph.error("a") is None
    assert graph.parents("c") == frozenset({"a"})


def test_breaking_a_cycle_touches_every_former_member():
    graph = build(["a: x <- z", "b: y <- x", "c: z <- y"])
    touched = graph.set_cell("c", facts("z")).touched
    assert {"a", "b", "c"} <= touched
    assert all(graph.error(c) is None for c in "abc")


def test_closing_a_cycle_far_away_reports_every_member():
    graph = build(["a: x <- d", "b: y <- x", "c: z <- y", "e: q"])
    touched = graph.set_cell("d", facts("d", "z")).touched
    assert {"a", "b", "c", "d"} <= touched
    assert graph.error("b").kind == "cycle" and graph.error("e") is None


def test_set_order_changes_tie_breaks_and_keeps_unknown_cells():
    graph = build(["a: x", "b: <- x", "c: <- x"])
    graph.set_order(["a", "c", "b", "not-a-cell"])
    assert graph.descendants(["a"]) == ["c", "b"]
    graph.set_cell("d", facts("", "x"))
    assert graph.descendants(["a"]) == ["c", "b", "d"]


def test_new_cell_after_removal_gets_its_own_position():
    graph = build(["a: x", "b: <- x", "c: <- x"])
    graph.remove_cell("b")
    graph.set_cell("d", facts("", "x"))
    assert graph.descendants(["a"]) == ["c", "d"]


def test_long_chain_has_no_recursion_limit():
    n = 5000
    graph = build(["c0: v0"] + [f"c{i}: v{i} <- v{i - 1}" for i in range(1, n)])
    assert len(graph.descendants(["c0"])) == n - 1
    graph.set_cell("c0", facts("v0", f"v{n - 1}"))  # close a 5000-cell cycle
    assert graph.error("c2500").kind == "cycle"
