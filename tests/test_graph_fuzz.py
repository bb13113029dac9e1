"""Random edit sequences: the graph and scheduler never crash and always agree with a from-scratch rebuild."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reactive_kernel.core.analysis import CellFacts
from reactive_kernel.core.graph import Graph
from reactive_kernel.core.scheduler import STATUSES, CellInput, Scheduler
from tests.fuzzing import examples

NAMES = ["a", "b", "c", "d", "e"]
IDS = [f"c{i}" for i in range(6)]

names = st.frozensets(st.sampled_from(NAMES), max_size=3)
facts = st.builds(lambda d, r: CellFacts(d, r, frozenset(), frozenset(), (), None), names, names)
graph_ops = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.sampled_from(IDS), facts),
        st.tuples(st.just("remove"), st.sampled_from(IDS)),
        st.tuples(st.just("order"), st.permutations(IDS)),
    ),
    max_size=40,
)


def rebuilt(graph: Graph) -> Graph:
    """The same cells added in notebook order to a new graph: incremental updates must match it."""
    fresh = Graph()
    cells = sorted((c for c in IDS if c in graph), key=graph.position)
    for cell in cells:
        fresh.set_cell(cell, graph.facts(cell))
    fresh.set_order(cells)
    return fresh


def reachable(graph: Graph, start: frozenset[str]) -> set[str]:
    seen, stack = set(start), list(start)
    while stack:
        for child in graph.children(stack.pop()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def check(graph: Graph) -> None:
    fresh = rebuilt(graph)
    cells = [c for c in IDS if c in graph]
    for cell in cells:
        assert graph.parents(cell) == fresh.parents(cell)
        assert graph.children(cell) == fresh.children(cell)
        assert graph.error(cell) == fresh.error(cell), cell
        for parent in graph.parents(cell):
            assert cell in graph.children(parent)
    cyclic = {c for c in cells if c in reachable(graph, graph.children(c))}  # brute force
    for cell in cells:
        error = graph.error(cell)
        twice = any(len(graph.definers(n)) > 1 for n in graph.facts(cell).defs)
        expected = "multiple-definition" if twice else ("cycle" if cell in cyclic else None)
        assert (error.kind if error else None) == expected, cell
    order = graph.topological(cells)
    assert sorted(order) == sorted(cells)
    seen: set[str] = set()
    for cell in order:  # parents first, except inside a cycle
        if cell not in cyclic:
            assert (graph.parents(cell) - cyclic) <= seen, (cell, order)
        seen.add(cell)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph_ops)
def test_incremental_graph_matches_a_rebuild(ops):
    graph = Graph()
    for op in ops:
        if op[0] == "set":
            touched = graph.set_cell(op[1], op[2]).touched
            assert op[1] in touched
        elif op[0] == "remove":
            graph.remove_cell(op[1])
        else:
            graph.set_order(op[1])
        check(graph)


sources = st.sampled_from(
    [
        "a = 1",
        "b = a + 1",
        "c = b * 2",
        "print(c)",
        "a = 2",
        "d = e",
        "e = d",
        "x = (",
        "lst.append(1)",
        "lst = []",
        "a = a + 1",
        "def f():\n    return a",
        "print(f())",
    ]
)
scheduler_ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("sync"), st.lists(st.tuples(st.sampled_from(IDS), sources, st.booleans()), max_size=6)
        ),
        st.tuples(st.just("run"), st.sampled_from(IDS), st.sampled_from(["ok", "error", "interrupted"])),
        st.tuples(st.just("mode"), st.sampled_from(["autorun", "lazy"])),
        st.tuples(st.just("frontend"), st.booleans()),
        st.tuples(st.just("run_stale")),
        st.tuples(st.just("definitions"), st.sampled_from(["unique", "ordered"])),
    ),
    max_size=30,
)


@pytest.mark.parametrize("definitions", ["unique", "ordered"])
@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scheduler_ops)
def test_scheduler_never_crashes_and_states_stay_valid(definitions, ops):
    s = Scheduler(frontend=True, definitions=definitions)
    for op in ops:
        if op[0] == "sync":
            unique = {cell_id: (src, off) for cell_id, src, off in op[1]}
            s.sync([CellInput(c, src, "code", off) for c, (src, off) in unique.items()])
        elif op[0] == "run" and op[1] in s.cell_ids():
            plan = s.before_run(op[1], s._cells[op[1]].source)
            if plan.execute:
                s.after_run(op[1], op[2], "boom")
        elif op[0] == "mode":
            s.set_mode(op[1])
        elif op[0] == "frontend":
            s.set_frontend(op[1])
        elif op[0] == "run_stale":
            s.run_stale()
        elif op[0] == "definitions":
            s.set_definitions(op[1])
        for cell_id in s.cell_ids():
            state = s.state(cell_id)
            assert state.status in STATUSES
            assert state.status != "running"  # nothing runs between steps
        assert set(s.pending()) <= set(s.cell_ids())
        assert all(s.status(c) == "queued" for c in s.pending() if s.status(c) not in ("edited",))
