"""The `ordered` definitions policy in the pure graph: where each read resolves, as a table, plus updates."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reactive_kernel.core.analysis import CellFacts, FunctionFacts
from reactive_kernel.core.graph import Graph
from tests.fuzzing import examples


def facts(defs: str = "", reads: str = "", mutates: str = "", functions: str = "") -> CellFacts:
    """`functions` is "f:y,z g:w": the functions the cell defines and the globals their bodies read."""
    fns = tuple(
        FunctionFacts(name, frozenset(filter(None, body.split(","))), frozenset())
        for name, body in (item.split(":") for item in functions.split())
    )
    mut = frozenset(mutates.split())
    return CellFacts(
        frozenset(defs.split()),
        frozenset(reads.split()),
        frozenset(),
        frozenset(),
        (),
        None,
        reads=frozenset(reads.split()) | mut,
        mutates=mut,
        functions=fns,
    )


def parse(spec: str) -> tuple[str, CellFacts]:
    """ "id: defs <- reads ! mutates @ f:y,z" (every part but the id optional)."""
    cell_id, rest = spec.split(":", 1)
    rest, _, functions = rest.partition("@")
    rest, _, mutates = rest.partition("!")
    defs, _, reads = rest.partition("<-")
    return cell_id.strip(), facts(defs, reads, mutates, functions)


def build(specs: list[str]) -> Graph:
    graph = Graph("ordered")
    for spec in specs:
        graph.set_cell(*parse(spec))
    return graph


def origins(graph: Graph, cell: str) -> dict[str, str]:
    return {name: "".join(sorted(found)) for name, found in graph.origins(cell).items()}


# (name, cells, the cell asked about, {name: where it resolves})
RESOLUTION = [
    ("nearest above", ["a: x", "b: x", "c: <- x"], "c", {"x": "b"}),
    ("redefinition reads the one above", ["a: x", "b: x <- x", "c: <- x"], "b", {"x": "a"}),
    ("below the redefinition", ["a: x", "b: x <- x", "c: <- x"], "c", {"x": "b"}),
    ("skips definers of other names", ["a: x", "b: y", "c: <- x y"], "c", {"x": "a", "y": "b"}),
    ("only definer below", ["a: <- x", "b: x"], "a", {"x": "b"}),
    ("above wins over below", ["a: x", "b: <- x", "c: x"], "b", {"x": "a"}),
    ("own read with nothing above", ["a: x <- x", "b: x"], "a", {"x": "b"}),
    ("own read alone", ["a: x <- x"], "a", {}),
    ("undefined", ["a: <- nowhere"], "a", {}),
    ("a change in place links the chain", ["a: lst", "b: ! lst", "c: <- lst"], "c", {"lst": "b"}),
    ("the change reads the one above", ["a: lst", "b: ! lst", "c: <- lst"], "b", {"lst": "a"}),
    (
        "a call reads what the body reads, here",
        ["a: y", "b: f @ f:y", "c: y", "d: <- f"],
        "d",
        {"f": "b", "y": "c"},
    ),
    ("a call above the later definer", ["a: y", "b: f @ f:y", "c: <- f", "d: y"], "c", {"f": "b", "y": "a"}),
    (
        "a call through two functions",
        ["a: g @ g:z", "b: f @ f:g", "c: z", "d: <- f"],
        "d",
        {"f": "b", "g": "a", "z": "c"},
    ),
    ("defining a function reads nothing", ["a: y", "b: f @ f:y"], "b", {}),
]


@pytest.mark.parametrize("name, specs, cell, expected", RESOLUTION, ids=[r[0] for r in RESOLUTION])
def test_resolution(name, specs, cell, expected):
    assert origins(build(specs), cell) == expected


# (name, cells, cell, error kind, other cells, names)
ERRORS = [
    ("redefinition is normal", ["a: x", "b: x"], "a", None, "", ""),
    ("several definers below", ["a: <- x", "b: x", "c: x"], "a", "ambiguous", "b c", "x"),
    ("one of them above is fine", ["a: x", "b: <- x", "c: x", "d: x"], "b", None, "", ""),
    ("cycle through a definer below", ["a: x <- y", "b: y <- x"], "a", "cycle", "a b", ""),
    ("no cycle when it reads the one above", ["a: x", "b: y <- x", "c: x <- y"], "c", None, "", ""),
]


@pytest.mark.parametrize("name, specs, cell, kind, cells, names", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, specs, cell, kind, cells, names):
    error = build(specs).error(cell)
    if kind is None:
        assert error is None
    else:
        assert (error.kind, error.cells, error.names) == (kind, tuple(cells.split()), tuple(names.split()))


def test_moving_a_definer_rewires_its_readers():
    graph = build(["a: x", "b: <- x", "c: x", "d: <- x"])
    assert origins(graph, "d") == {"x": "c"}
    change = graph.set_order(["a", "b", "d", "c"])  # move c below d
    assert origins(graph, "d") == {"x": "a"} and origins(graph, "b") == {"x": "a"}
    assert change.rewired == {"d"}
    assert graph.children("c") == frozenset() and graph.children("a") == {"b", "d"}


def test_moving_a_reader_rewires_only_it():
    graph = build(["a: x", "b: x", "c: <- x", "d: <- x"])
    change = graph.set_order(["a", "c", "b", "d"])
    assert origins(graph, "c") == {"x": "a"} and change.rewired == {"c"}


def test_inserting_a_definer_between_rewires_the_readers_below_it():
    graph = build(["a: x", "c: <- x", "d: <- x"])
    graph.set_cell("b", facts("x"))
    change = graph.set_order(["a", "b", "c", "d"])
    assert origins(graph, "c") == {"x": "b"} and origins(graph, "d") == {"x": "b"}
    assert change.rewired == {"c", "d"}


def test_deleting_the_nearest_definer_falls_back_to_the_one_above():
    graph = build(["a: x", "b: x <- x", "c: <- x"])
    change = graph.remove_cell("b")
    assert origins(graph, "c") == {"x": "a"} and change.rewired == {"c"}


def test_redefining_a_function_rewires_its_callers_reads():
    graph = build(["a: y", "b: z", "c: f @ f:y", "d: <- f"])
    assert origins(graph, "d") == {"f": "c", "y": "a"}
    graph.set_cell("c", facts("f", functions="f:z"))
    assert origins(graph, "d") == {"f": "c", "z": "b"}
    assert graph.children("a") == frozenset() and graph.children("b") == {"d"}


def test_a_change_in_place_waits_for_the_other_readers_of_the_value():
    graph = build(["a: lst", "m: ! lst", "r: <- lst z", "z: z"])
    graph.set_order(["a", "r", "m", "z"])  # r reads a's lst and z, defined below everything
    assert graph.topological(["a", "m", "r", "z"]) == ["a", "z", "r", "m"]


def test_last_definer_and_readers_of_a_definer():
    graph = build(["a: x", "b: <- x", "c: x", "d: <- x", "e: <- x"])
    assert graph.last_definer("x") == "c"
    assert graph.readers_of("a", "x") == {"b"} and graph.readers_of("c", "x") == {"d", "e"}


def test_switching_policy_resolves_everything_again():
    graph = build(["a: x", "b: x", "c: <- x"])
    assert graph.error("a") is None
    graph.set_policy("unique")
    assert graph.error("a").kind == "multiple-definition" and graph.parents("c") == {"a", "b"}
    graph.set_policy("ordered")
    assert graph.error("a") is None and graph.parents("c") == {"b"}


# ---- the incremental graph against a rebuild from scratch ------------------------------------------

NAMES = ["a", "b", "c", "d"]
IDS = [f"c{i}" for i in range(6)]
subsets = st.frozensets(st.sampled_from(NAMES), max_size=2)


@st.composite
def cell_facts(draw):
    defs, reads, mutates = draw(subsets), draw(subsets), draw(subsets)
    functions = tuple(
        FunctionFacts(name, draw(subsets), frozenset()) for name in sorted(defs) if draw(st.booleans())
    )
    return CellFacts(
        defs,
        reads,
        frozenset(),
        frozenset(),
        (),
        None,
        reads=reads | mutates,
        mutates=mutates,
        functions=functions,
    )


ops = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.sampled_from(IDS), cell_facts()),
        st.tuples(st.just("remove"), st.sampled_from(IDS)),
        st.tuples(st.just("order"), st.permutations(IDS)),
        st.tuples(st.just("policy"), st.sampled_from(["ordered", "unique"])),
    ),
    max_size=30,
)


def rebuilt(graph: Graph) -> Graph:
    fresh = Graph(graph.policy)
    cells = sorted((c for c in IDS if c in graph), key=graph.position)
    for cell in cells:
        fresh.set_cell(cell, graph.facts(cell))
    fresh.set_order(cells)
    return fresh


@settings(max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_incremental_ordered_graph_matches_a_rebuild(ops):
    graph = Graph("ordered")
    for op in ops:
        before = {c: dict(graph.origins(c)) for c in IDS if c in graph}
        if op[0] == "set":
            change = graph.set_cell(op[1], op[2])
        elif op[0] == "remove":
            change = graph.remove_cell(op[1])
        elif op[0] == "order":
            change = graph.set_order(op[1])
        else:
            change = graph.set_policy(op[1])
        fresh = rebuilt(graph)
        for cell in (c for c in IDS if c in graph):
            assert graph.origins(cell) == fresh.origins(cell), (cell, op)
            assert graph.parents(cell) == fresh.parents(cell)
            assert graph.children(cell) == fresh.children(cell)
            assert graph.refs(cell) == fresh.refs(cell)
            assert graph.error(cell) == fresh.error(cell), cell
            if op[0] != "set" or cell != op[1]:  # a re-resolved cell is reported
                if cell in before and dict(graph.origins(cell)) != before[cell]:
                    assert cell in change.touched, (cell, op)
                    if op[0] != "policy":
                        assert cell in change.rewired, (cell, op)
        assert graph._backward == fresh._backward
