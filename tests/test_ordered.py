"""Ordered definitions on a real kernel: redefinitions run, with no hidden state.

Scenarios for each rule over the comm (as the JupyterLab extension drives it), then the invariant as a
hypothesis test: after random edits, moves, deletes and runs, every fresh cell shows what a fresh
top-to-bottom run of the current notebook shows.
"""

from __future__ import annotations

import contextlib
import io
import uuid

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.frontend import Frontend
from tests.fuzzing import examples


@pytest.fixture
def fe():
    frontend = Frontend()
    yield frontend
    frontend.shutdown()


def test_the_kernel_starts_ordered(fe):
    assert fe.messages[0]["definitions"] == "ordered"


def test_re_running_x_equals_x_plus_one_gives_the_same_x(fe):
    fe.cells.update({"a": "x = 1", "b": "x = x + 1", "c": "print(x)"})
    fe.sync()
    assert fe.run("a")["c"].stdout == "2\n"
    for _ in range(3):
        results = fe.run("b")
        assert results["c"].stdout == "2\n"
    assert set(fe.statuses().values()) == {"fresh"}
    assert fe.states["b"]["origins"] == {"x": "a"} and fe.states["c"]["origins"] == {"x": "b"}


def test_a_console_sees_the_value_of_the_lowest_definer(fe):
    fe.cells.update({"a": "x = 1", "b": "x = x + 1", "c": "print(x)"})
    fe.sync()
    fe.run("a")
    fe.send({"type": "set_mode", "mode": "lazy"})
    fe.run("b")  # b re-ran: x is b's again, not the value a binds for it
    assert fe.execute(None, "print(x)").stdout == "2\n"


def test_a_change_in_place_re_runs_the_cell_that_made_its_input(fe):
    fe.cells.update({"a": "lst = [1]", "b": "lst.append(2)", "c": "print(lst)"})
    fe.sync()
    assert fe.run("a")["c"].stdout == "[1, 2]\n"
    results = fe.run("b")
    assert list(results) == ["b", "a", "c"] or fe.executed[-3:] == ["a", "b", "c"]
    assert results["c"].stdout == "[1, 2]\n"  # never [1, 2, 2]
    assert fe.states["b"]["warnings"] == []


def test_a_reader_above_the_change_in_place_sees_the_value_before_it(fe):
    fe.cells.update({"a": "lst = [1]", "r": "print(lst)", "m": "lst.append(2)", "p": "print(lst)"})
    fe.sync()
    results = fe.run("a")
    assert (results["r"].stdout, results["p"].stdout) == ("[1]\n", "[1, 2]\n")
    results = fe.run("r")
    assert results["r"].stdout == "[1]\n" and results["p"].stdout == "[1, 2]\n"


def test_augmented_assignment_on_an_array_is_a_change_in_place(fe):
    fe.cells.update({"a": "import numpy as np\na = np.zeros(2)", "b": "a += 1", "c": "print(a)"})
    fe.sync()
    assert fe.run("a")["c"].stdout == "[1. 1.]\n"
    assert fe.run("b")["c"].stdout == "[1. 1.]\n"


def test_a_function_reads_globals_at_the_callers_place(fe):
    fe.cells.update(
        {
            "d": "df = [1, 2, 3]",
            "f": "def show():\n    print(len(df))",
            "c1": "show()",
            "r": "df = df[:1]",
            "c2": "show()",
        }
    )
    fe.sync()
    results = fe.run("d")
    assert (results["c1"].stdout, results["c2"].stdout) == ("3\n", "1\n")
    assert fe.run("c1")["c1"].stdout == "3\n"  # not 1: the later df is below it
    results = fe.run("r")
    assert "c1" not in results and results["c2"].stdout == "1\n"


def test_deleting_the_nearest_definer_re_runs_readers_with_the_one_above(fe):
    fe.cells.update({"a": "x = 1", "b": "x = 2", "c": "print(x)"})
    fe.sync()
    fe.run("a")
    fe.run("b")
    del fe.cells["b"]
    fe.sync()
    assert fe.run_list == ["c"]
    assert fe.execute("c", fe.cells["c"]).stdout == "1\n"


def test_several_definers_below_is_an_error_naming_them(fe):
    fe.cells.update({"r": "print(x)", "a": "x = 1", "b": "x = 2"})
    fe.sync()
    reply = fe.execute("r", fe.cells["r"]).reply
    assert reply["ename"] == "AmbiguousDefinitionError"
    assert "'x' is defined only below it, by cells #2 (x), #3 (x)" in reply["evalue"]


def test_unique_and_back(fe):
    fe.cells.update({"a": "x = 1", "b": "x = 2", "c": "print(x)"})
    fe.sync()
    assert fe.execute(None, "%reactive unique").stdout == "reactive definitions: unique\n"
    assert fe.last("definitions") == {"type": "definitions", "definitions": "unique"}
    assert fe.execute("b", "x = 2").reply["ename"] == "MultipleDefinitionError"
    fe.send({"type": "set_definitions", "definitions": "ordered"})
    assert fe.statuses() == {"a": "unrun", "b": "unrun", "c": "unrun"}  # the refusal is gone
    assert fe.run("b")["c"].stdout == "2\n"


def test_a_value_let_go_is_made_again_when_read(tmp_path):
    fe = Frontend(extra_arguments=["--ReactiveKernel.keep_shadowed_bytes=0"])
    try:
        fe.cells.update({"a": "x = [0] * 10\nprint('made')", "b": "x = x + [1]", "c": "print(len(x))"})
        fe.sync()
        assert fe.run("a")["c"].stdout == "11\n"
        results = fe.run("b")  # a's list was let go once b had read it: a runs again first
        assert results["a"].stdout == "made\n" and results["c"].stdout == "11\n"
    finally:
        fe.shutdown()


def test_small_values_are_kept_for_quick_re_runs(fe):
    fe.cells.update({"a": "x = [0] * 10\nprint('made')", "b": "x = x + [1]", "c": "print(len(x))"})
    fe.sync()
    fe.run("a")
    results = fe.run("b")
    assert "a" not in results and results["c"].stdout == "11\n"


# ---- the invariant: every fresh cell shows what a top-to-bottom run shows --------------------------

TEMPLATES = [
    "x = {k}",
    "x = x + {k}",
    "y = x * {k}",
    "y = y + x",
    "lst = [{k}]",
    "lst.append(x)",
    "lst = lst + [y]",
    "def f():\n    return x + {k}",
    "print('f', f())",
    "x += {k}",
]


def source(template: str, k: int, tag: str) -> str:
    return f"{template.format(k=k)}\nprint('{tag}', {', '.join(_names(template))})"


def _names(template: str) -> list[str]:
    found = [n for n in ("x", "y", "lst") if n in template.replace("print", "")]
    return found or ["'-'"]


REFUSALS = ("AmbiguousDefinitionError", "CycleError", "MultipleDefinitionError")


def reference(cells: list[tuple[str, str]]) -> dict[str, str]:
    """Each cell's output in a fresh top-to-bottom run (an error shows as its name).

    A fresh cell, and a cell that raised, must show exactly this.
    """
    namespace: dict = {}
    shown = {}
    for cell_id, code in cells:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                exec(code, namespace)
            except Exception as exc:
                print(type(exc).__name__)
        shown[cell_id] = out.getvalue()
    return shown


ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 8), st.sampled_from(TEMPLATES), st.integers(1, 3)),
        st.tuples(st.just("edit"), st.integers(0, 8), st.sampled_from(TEMPLATES), st.integers(1, 3)),
        st.tuples(st.just("move"), st.integers(0, 8), st.integers(0, 8)),
        st.tuples(st.just("delete"), st.integers(0, 8)),
        st.tuples(st.just("run"), st.integers(0, 8)),
    ),
    min_size=3,
    max_size=14,
)


@pytest.fixture(scope="module")
def shared():
    frontend = Frontend()
    yield frontend
    frontend.shutdown()


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops)
@example([("add", 0, "x = {k}", 2), ("add", 1, "x = x + {k}", 1), ("run", 1), ("edit", 0, "x = {k}", 1)])
def test_fresh_cells_show_what_a_top_to_bottom_run_shows(shared, ops):
    fe = shared
    fe.cells = {}
    fe.sync()
    fe.execute(None, "%reset -f")
    shown: dict[str, str] = {}
    ran: dict[str, str] = {}  # each cell's source as it last ran
    for op in ops:
        ids = list(fe.cells)
        if op[0] == "add":
            tag = uuid.uuid4().hex[:6]
            items = list(fe.cells.items())
            items.insert(op[1] % (len(items) + 1), (tag, source(op[2], op[3], tag)))
            fe.cells = dict(items)
            fe.sync()
        elif not ids:
            continue
        elif op[0] == "edit":
            tag = ids[op[1] % len(ids)]
            fe.cells[tag] = source(op[2], op[3], tag)
            fe.sync()
        elif op[0] == "move":
            items = list(fe.cells.items())
            item = items.pop(op[1] % len(items))
            items.insert(op[2] % (len(items) + 1), item)
            fe.cells = dict(items)
            fe.sync()
        elif op[0] == "delete":
            del fe.cells[ids[op[1] % len(ids)]]
            fe.sync()
            shown = {c: v for c, v in shown.items() if c in fe.cells}
            for cell in list(fe.run_list):  # autorun: re-run what the delete scheduled
                if fe.states.get(cell, {}).get("status") == "queued":
                    shown.update(_run(fe, cell, ran))
        else:
            shown.update(_run(fe, ids[op[1] % len(ids)], ran))
    fe.send({"type": "request_state"})
    # A cell edited since it ran says so (`edited`), and the kernel holds what its last run made: the
    # cells below it show what a run of the notebook as it last ran shows.
    as_ran = [(c, ran[c] if fe.states[c]["status"] == "edited" else code) for c, code in fe.cells.items()]
    expected = reference(as_ran)
    order = list(fe.cells)
    for cell, state in fe.states.items():
        if cell not in fe.cells or cell not in shown or state["status"] not in ("fresh", "error"):
            continue
        last_line = shown[cell].rstrip().rsplit("\n", 1)[-1]
        if state["status"] == "error" and (last_line in REFUSALS or not last_line.endswith("Error")):
            continue  # the kernel refuses to run it (its last run may be from before): nothing to compare
        if _reads_from_below(fe, cell, order):
            continue  # it reads a name defined only below it: a top-to-bottom run cannot show that
        assert shown[cell] == expected[cell], (cell, fe.cells, shown, expected, fe.statuses())


def _reads_from_below(fe: Frontend, cell: str, order: list[str]) -> bool:
    """Whether the cell, or any cell it reads from, reads a name defined only below it."""
    stack, seen = [cell], set()
    while stack:
        reader = stack.pop()
        for origin in fe.states[reader]["origins"].values():
            if order.index(origin) > order.index(reader):
                return True
            if origin not in seen:
                seen.add(origin)
                stack.append(origin)
    return False


def _run(fe: Frontend, cell: str, ran: dict[str, str]) -> dict[str, str]:
    found = {}
    for cell_id, execution in fe.run(cell).items():  # a cell run for its stale inputs shows up last
        ran[cell_id] = fe.cells[cell_id]
        text = execution.stdout
        if execution.status == "error":
            text += execution.reply["ename"] + "\n"
        found[cell_id] = text
    return found


def test_a_cached_redefinition_is_keyed_on_the_value_from_above(fe):
    fe.cells.update({"a": "x = 1", "b": "x = x + 1\nprint('ran')", "c": "print(x)"})
    fe.cache["b"] = "memory"
    fe.sync()
    assert fe.run("a")["c"].stdout == "2\n"
    results = fe.run("a")  # the same x from above: b's results come back from its cache
    assert results["c"].stdout == "2\n" and fe.states["b"]["cached"] is True
    fe.cells["a"] = "x = 5"
    results = fe.run("a")
    assert results["c"].stdout == "6\n" and fe.states["b"]["cached"] is False
