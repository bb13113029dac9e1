"""core.quickfix and the scheduler's side of it: which fixes a cell in a multiple definition gets, the
sources a fix makes, and a graph that follows the edits of cells that cannot run (unique policy)."""

from __future__ import annotations

import pytest

from reactive_kernel.core.errors import QuickFixError
from reactive_kernel.core.quickfix import Fix, plan
from reactive_kernel.core.scheduler import CellInput, Scheduler


def notebook(*cells: str, definitions: str = "unique") -> Scheduler:
    """'a: x = 1' -> a code cell with id a, in this order."""
    s = Scheduler(frontend=True, definitions=definitions)
    s.sync([CellInput(*c.split(": ", 1)) for c in cells])
    return s


def run(s: Scheduler, cell_id: str) -> None:
    plan_ = s.before_run(cell_id, s.source(cell_id))
    assert plan_.execute, plan_
    s.after_run(cell_id, "ok")


def statuses(s: Scheduler) -> str:
    return " ".join(f"{c}={s.status(c)}" for c in s.cell_ids())


# (case, notebook, cell, the fixes its state offers)
OFFERED = [
    ("no reader: private and rename", ("a: x = 1", "b: x = 2"), "a",
     (Fix("private", "x", "_x", ("a",)), Fix("rename", "x", "x_2", ("a",)))),
    ("a reader below: rename only", ("a: x = 1", "r: print(x)", "b: x = 2"), "a",
     (Fix("rename", "x", "x_2", ("a", "r")),)),
    ("the reader belongs to the nearest definer above it", ("a: x = 1", "r: print(x)", "b: x = 2"), "b",
     (Fix("private", "x", "_x", ("b",)), Fix("rename", "x", "x_2", ("b",)))),
    ("x = x + 1 reads the definer above", ("a: x = 1", "b: x = x + 1", "r: print(x)"), "a",
     (Fix("rename", "x", "x_2", ("a", "b")),)),
    ("and defines its own", ("a: x = 1", "b: x = x + 1", "r: print(x)"), "b",
     (Fix("rename", "x", "x_2", ("b", "r")),)),
    ("readers above every definer are no one's", ("r: print(x)", "a: x = 1", "b: x = 2"), "a",
     (Fix("private", "x", "_x", ("a",)), Fix("rename", "x", "x_2", ("a",)))),
    ("a suggestion is free in the notebook and in the cells",
     ("a: x = 1\nx_2 = 0\n_x = 3", "b: x = 2", "c: y = x_3"), "a",
     (Fix("private", "x", "_x_2", ("a",)), Fix("rename", "x", "x_4", ("a",)))),
    ("one set per name defined twice", ("a: x = y = 1", "b: x = 2", "c: y = 3"), "a",
     (Fix("private", "x", "_x", ("a",)), Fix("rename", "x", "x_2", ("a",)),
      Fix("private", "y", "_y", ("a",)), Fix("rename", "y", "y_2", ("a",)))),
    ("nothing without a multiple definition", ("a: x = 1", "b: print(x)"), "a", ()),
]  # fmt: skip


@pytest.mark.parametrize(("case", "cells", "cell", "fixes"), OFFERED, ids=[o[0] for o in OFFERED])
def test_the_state_offers_fixes(case, cells, cell, fixes):
    s = notebook(*cells)
    assert s.state(cell).fixes == fixes


def test_the_ordered_policy_offers_none():
    s = notebook("a: x = 1", "b: x = 2", definitions="ordered")
    assert s.state("a").fixes == s.state("b").fixes == ()


# (case, notebook, (cell, name, kind, to), the sources it changes)
PLANS = [
    ("make it private", ("a: x = 1  # keep me\nprint(x)", "b: x = 2"), ("a", "x", "private", None),
     {"a": "_x = 1  # keep me\nprint(_x)"}),
    ("rename here and in the readers",
     ("a: x = load()  # raw\n", "r: y = x + 1\n!echo {x}", "b: x = 2", "s: print(x)"),
     ("a", "x", "rename", None),
     {"a": "x_2 = load()  # raw\n", "r": "y = x_2 + 1\n!echo {x_2}"}),
    ("a name the user gives", ("a: x = 1", "r: print(x)", "b: x = 2"), ("a", "x", "rename", "total"),
     {"a": "total = 1", "r": "print(total)"}),
    ("df = df.dropna(): rename the second", ("a: df = load()", "b: df = df.dropna()", "r: df.plot()"),
     ("b", "df", "rename", None), {"b": "df_2 = df.dropna()", "r": "df_2.plot()"}),
    ("df = df.dropna(): rename the first", ("a: df = load()", "b: df = df.dropna()", "r: df.plot()"),
     ("a", "df", "rename", None), {"a": "df_2 = load()", "b": "df = df_2.dropna()"}),
    ("a private name of the user's", ("a: x = 1", "b: x = 2"), ("a", "x", "private", "_mine"),
     {"a": "_mine = 1"}),
]  # fmt: skip


@pytest.mark.parametrize(("case", "cells", "ask", "changed"), PLANS, ids=[p[0] for p in PLANS])
def test_plan(case, cells, ask, changed):
    s = notebook(*cells)
    assert plan(s.graph, s.source, *ask) == changed


# (case, notebook, (cell, name, kind, to), the cell the refusal names, a fragment of it)
REFUSED = [
    ("private with a reader", ("a: x = 1", "r: print(x)", "b: x = 2"), ("a", "x", "private", None), "a",
     "cell [[cell:r]] reads its 'x', so it cannot be private; rename it instead"),
    ("not defined twice", ("a: x = 1", "b: print(x)"), ("a", "x", "rename", None), "a",
     "no other cell defines it"),
    ("a reader that cannot be rewritten", ("a: x = 1", "r: del x", "b: x = 2"), ("a", "x", "rename", None),
     "r", "line 1: it deletes 'x'"),
    ("a name in use", ("a: x = 1", "b: x = 2", "c: y = 3"), ("a", "x", "rename", "y"), "a",
     "'y' is already a name in this notebook or a builtin"),
    ("a builtin", ("a: x = 1", "b: x = 2"), ("a", "x", "rename", "list"), "a", "builtin"),
    ("a private name to rename", ("a: x = 1", "b: x = 2"), ("a", "x", "rename", "_y"), "a",
     "does not link the cells that read it"),
    ("a public name to make private", ("a: x = 1", "b: x = 2"), ("a", "x", "private", "y"), "a",
     "would not be private"),
    ("not a name", ("a: x = 1", "b: x = 2"), ("a", "x", "rename", "1x"), "a", "not a name Python allows"),
    ("a local of a reader", ("a: x = 1", "r: def f(y):\n    return x + y", "b: x = 2"),
     ("a", "x", "rename", "y"), "r", "it already uses the name 'y'"),
    ("an unknown fix", ("a: x = 1", "b: x = 2"), ("a", "x", "inline", None), "a",
     "no quick fix called 'inline'"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "cells", "ask", "cell", "fragment"), REFUSED, ids=[r[0] for r in REFUSED])
def test_plan_refuses_naming_the_cell(case, cells, ask, cell, fragment):
    s = notebook(*cells)
    with pytest.raises(QuickFixError) as info:
        plan(s.graph, s.source, *ask)
    assert info.value.cell_id == cell
    assert str(info.value).startswith(f"cannot fix '{ask[1]}' in cell [[cell:{cell}]]: ")
    assert fragment in str(info.value)


def sync(s: Scheduler, **sources: str) -> None:
    s.sync([CellInput(c, sources.get(c, s.source(c))) for c in s.cell_ids()])


def conflict(*cells: str) -> Scheduler:
    """A notebook whose code cells all ran, then cell b (`x = 2`) added after a and run: refused."""
    s = notebook(*cells)
    for cell in s.cell_ids():
        run(s, cell)
    s.sync([*(CellInput(c, s.source(c)) for c in s.cell_ids()[:1]), CellInput("b", "x = 2"),
            *(CellInput(c, s.source(c)) for c in s.cell_ids()[1:] if c != "b")])  # fmt: skip
    assert s.before_run("b", "x = 2").refusal is not None
    return s


def test_editing_a_ran_cell_out_of_its_multiple_definition_clears_the_error_and_undo_brings_it_back():
    s = conflict("a: x = 1", "r: print(x)")
    assert statuses(s) == "a=error b=error r=blocked"
    sync(s, a="_x = 1")  # the fix: a ran, but cannot run as it is, so the graph takes its edit
    assert statuses(s) == "a=edited b=unrun r=stale"
    assert s.state("r").parents == ("b",)
    sync(s, a="_x = 10")  # typed on: the graph still follows a, until it runs
    assert statuses(s) == "a=edited b=unrun r=stale"
    sync(s, a="x = 1")  # undone: a defines x again
    assert statuses(s) == "a=error b=error r=blocked"


def test_a_blocked_reader_follows_its_edits_too():
    s = conflict("a: x = 1", "r: print(x)")
    sync(s, a="x_2 = 1", r="print(x_2)")  # rename here and in the readers
    assert statuses(s) == "a=edited b=unrun r=edited"
    assert s.state("r").parents == ("a",)
    assert s.before_run("a", "x_2 = 1").execute  # running a runs r next (it reads x_2 now)
    assert s.after_run("a", "ok").run == ("r",)


def test_a_cell_run_after_the_fix_keeps_the_value_another_cell_made_since():
    s = conflict("a: x = 1")
    sync(s, a="_x = 1")
    run(s, "b")  # b now makes x
    assert s.before_run("a", "_x = 1").forget == frozenset()  # a's old x is b's now: not deleted
    s.after_run("a", "ok")
    assert s.sync([CellInput("b", "x = 2")]).forget == frozenset()  # deleting a leaves b's x too


def test_a_cell_deleted_while_another_defines_its_name_still_deletes_its_own_value():
    s = conflict("a: x = 1")  # b defines x too, and never ran: the x the kernel holds is a's
    assert s.sync([CellInput("b", "x = 2")]).forget == {"x"}
