"""The reactive rules without a kernel: sync, run, cascade, block, interrupt, delete, as status tables."""

from __future__ import annotations

import pytest

from reactive_kernel.core.scheduler import CellInput, Plan, Scheduler


def notebook(*cells: str, frontend: bool = True, mode: str = "autorun") -> Scheduler:
    """'a: x = 1' -> a code cell with id a."""
    s = Scheduler(mode=mode, frontend=frontend)
    s.sync([CellInput(*c.split(": ", 1)) for c in cells])
    return s


def run(s: Scheduler, cell_id: str, outcome: str = "ok", source: str | None = None) -> tuple[str, ...] | None:
    """Execute one cell as the kernel would; returns the run list the frontend gets (None: unchanged)."""
    src = source if source is not None else s._cells[cell_id].source
    plan = s.before_run(cell_id, src)
    assert plan.execute, plan
    return s.after_run(cell_id, outcome, "Boom: failed" if outcome == "error" else "").run


def statuses(s: Scheduler) -> str:
    return " ".join(f"{c}={s.status(c)}" for c in s.cell_ids())


CHAIN = ("a: x = 1", "b: y = x + 1", "c: print(y)")


def test_unrun_cells_report_their_graph():
    s = notebook(*CHAIN)
    assert statuses(s) == "a=unrun b=unrun c=unrun"
    state = s.state("b")
    assert (state.defs, state.refs, state.parents, state.children) == (("y",), ("x",), ("a",), ("c",))


# (name, mode, frontend, run list after running a, statuses after)
AFTER_RUNNING_A = [
    ("autorun queues descendants", "autorun", True, ("b", "c"), "a=fresh b=queued c=queued"),
    ("lazy leaves unrun cells unrun", "lazy", True, None, "a=fresh b=unrun c=unrun"),
    ("no frontend degrades to lazy", "autorun", False, None, "a=fresh b=unrun c=unrun"),
]


@pytest.mark.parametrize(
    "name,mode,frontend,run_list,expected", AFTER_RUNNING_A, ids=[r[0] for r in AFTER_RUNNING_A]
)
def test_after_a_run(name, mode, frontend, run_list, expected):
    s = notebook(*CHAIN, mode=mode, frontend=frontend)
    assert run(s, "a") == run_list
    assert statuses(s) == expected


def test_lazy_marks_ran_descendants_stale_and_run_stale_queues_them():
    s = notebook(*CHAIN)
    for c in "abc":
        run(s, c)
    s.set_mode("lazy")
    run(s, "a", source="x = 2")
    assert statuses(s) == "a=fresh b=stale c=stale"
    assert s.run_stale().run == ("b", "c")


def test_stale_ancestors_run_first():
    s = notebook(*CHAIN, mode="lazy")
    plan = s.before_run("c", "print(y)")
    assert not plan.execute and plan.run == ("a", "b", "c")
    assert statuses(s) == "a=queued b=queued c=queued"


def test_error_blocks_descendants_and_drops_them_from_the_run_list():
    s = notebook("a: x = 1", "b: y = x", "c: print(y)", "d: print(x)")
    assert run(s, "a") == ("b", "c", "d")
    assert run(s, "b", "error") == ("d",)
    assert statuses(s) == "a=fresh b=error c=blocked d=queued"
    assert s.state("b").error == "Boom: failed"


@pytest.mark.parametrize("frontend", [True, False])
def test_a_cell_that_stops_itself_is_fresh_and_blocks_its_descendants_naming_it(frontend):
    # marimo's mo.stop: no error, its output shown, its descendants not run until it runs to its end
    s = notebook("a: x = 1", "b: y = x", "c: print(y)", "d: print(x)", frontend=frontend)
    run(s, "a")
    for cell in ("b", "c", "d") if not frontend else ():
        run(s, cell)
    assert run(s, "b", "stopped") == (("d",) if frontend else None)
    assert statuses(s) == f"a=fresh b=fresh c=blocked d={'queued' if frontend else 'fresh'}"
    assert s.state("c").error == "cell [[cell:b]] stopped with mo.stop" and not s.state("c").raised
    assert s.state("b").error is None
    assert run(s, "b") == (("c", "d") if frontend else None)  # it ran to its end: they run again


def test_a_value_changed_by_a_cell_reruns_its_other_readers_only():
    # marimo's mo.state: the cell that called the setter is not re-run (it reads the getter too)
    s = notebook(
        "a: get, put = make()", "b: put(get() + 1)", "c: print(get())", "d: x = get()", "e: print(x)"
    )
    run(s, "a")
    for cell in ("b", "c", "d", "e"):
        run(s, cell)
    assert s.value_changed("get", but="b").run == ("c", "d", "e")
    assert statuses(s) == "a=fresh b=fresh c=queued d=queued e=queued"


def test_interrupt_stops_everything_queued():
    s = notebook(*CHAIN)
    run(s, "a")
    assert run(s, "b", "interrupted") == ()
    assert statuses(s) == "a=fresh b=stale c=unrun"


def test_edit_marks_edited_until_it_runs():
    s = notebook(*CHAIN)
    run(s, "a")
    s.sync([CellInput("a", "x = 5"), CellInput("b", "y = x + 1"), CellInput("c", "print(y)")])
    assert s.status("a") == "edited"
    s.sync([CellInput("a", "x = 1"), CellInput("b", "y = x + 1"), CellInput("c", "print(y)")])
    assert s.status("a") == "fresh"


def test_editing_an_unrun_cell_moves_the_graph_editing_a_ran_cell_does_not():
    s = notebook("a: x = 1", "b: print(x)")
    s.sync([CellInput("a", "z = 1"), CellInput("b", "print(x)")])
    assert s.state("b").parents == ()
    run(s, "a", source="z = 1")
    s.sync([CellInput("a", "x = 1"), CellInput("b", "print(x)")])
    assert s.state("b").parents == () and s.status("a") == "edited"


def test_rerun_forgets_previous_globals_and_requeues_readers_of_vanished_names():
    s = notebook("a: x = 1\nold = 2", "b: print(old)")
    run(s, "a")
    run(s, "b")
    plan = s.before_run("a", "x = 1")
    assert plan.forget == {"x", "old"}
    assert s.after_run("a", "ok").run == ("b",)
    assert s.gone["old"] == "cell [[cell:a]] no longer defines it"


def test_delete_forgets_globals_and_cascades_to_orphans():
    s = notebook(*CHAIN)
    for c in "abc":
        run(s, c)
    plan = s.sync([CellInput("b", "y = x + 1"), CellInput("c", "print(y)")])
    assert plan.forget == {"x"} and plan.run == ("b", "c")
    assert "deleted" in s.gone["x"]


def test_multiple_definition_refuses_both_and_blocks_readers():
    s = notebook("a: x = 1", "b: x = 2", "c: print(x)")
    refusal = s.before_run("b", "x = 2").refusal
    assert refusal.ename == "MultipleDefinitionError" and "[[cell:a]]" in refusal.message
    assert statuses(s) == "a=error b=error c=blocked"
    s.sync([CellInput("a", "x = 1"), CellInput("c", "print(x)")])
    assert statuses(s) == "a=unrun c=unrun"


def test_cycle_refuses_every_member():
    s = notebook("a: x = y", "b: y = x")
    assert s.before_run("a", "x = y").refusal.ename == "CycleError"
    assert statuses(s) == "a=error b=error"


def test_disabled_propagates_to_descendants_and_refuses():
    s = Scheduler(frontend=True)
    s.sync([CellInput("a", "x = 1"), CellInput("b", "y = x", disabled=True), CellInput("c", "print(y)")])
    assert statuses(s) == "a=unrun b=disabled c=disabled"
    assert run(s, "a") is None
    assert s.before_run("c", "print(y)").refusal.ename == "CellDisabled"


def test_frontend_leaving_turns_the_queue_stale():
    s = notebook(*CHAIN)
    for c in "abc":
        run(s, c)
    run(s, "a")
    assert s.set_frontend(False).run == ()
    assert statuses(s) == "a=fresh b=stale c=stale"


def test_mutation_warning_names_the_owner():
    s = notebook("a: lst = []", "b: lst.append(1)")
    run(s, "a")
    run(s, "b")
    (warning,) = s.state("b").warnings
    assert "mutates 'lst'" in warning and "cell [[cell:a]]" in warning


def test_a_queued_cell_that_becomes_a_multiple_definition_leaves_the_run_list():
    s = notebook("c1: a = 1")
    run(s, "c1", "interrupted")
    assert s.run_stale().run == ("c1",)
    plan = s.sync([CellInput("c0", "a = 1"), CellInput("c1", "a = 1")])
    assert plan.run == () and "c1" in plan.changed
    assert statuses(s) == "c0=error c1=error"


def test_a_new_graph_error_reports_blocked_grandchildren():
    s = notebook("a: x = 1", "b: y = x", "c: z = y", "d: print(z)")
    plan = s.sync(
        [CellInput(*c.split(": ")) for c in ("a: x = 1", "b: y = x", "c: z = y", "d: print(z)", "e: x = 2")]
    )
    assert {"c", "d"} <= plan.changed
    assert statuses(s) == "a=error b=blocked c=blocked d=blocked e=error"


def test_stop_between_cells_turns_the_queue_stale():
    s = notebook(*CHAIN)
    for c in "abc":
        run(s, c)
    run(s, "a")
    assert s.stop().run == ()
    assert statuses(s) == "a=fresh b=stale c=stale"
    assert s.stop() == Plan()


def test_a_deferral_always_answers_with_the_run_list_even_when_nothing_new_is_queued():
    s = notebook(*CHAIN)
    run(s, "a")  # queues b and c
    first = s.before_run("c", "print(y)")
    assert not first.execute and first.run == ("b", "c") and {"b", "c"} <= first.changed
    again = s.before_run("c", "print(y)")
    assert not again.execute and again.run == ("b", "c") and "c" in again.changed


def _admit_case(setup: str) -> Scheduler:
    """Build the situation each `admit` row names."""
    s = notebook(*CHAIN, "d: z = 5")
    for c in "abcd":
        run(s, c)
    if setup == "queued, parents fresh":
        run(s, "a")  # queues b, c
    elif setup == "queued behind a queued parent":
        run(s, "a")
    elif setup == "not queued":
        pass
    elif setup == "blocked by an error":
        run(s, "a")
        run(s, "b", "error")
    elif setup == "parent stale, not queued":
        s.set_mode("lazy")
        run(s, "a")  # b, c stale
        s.set_mode("autorun")
        s._pending = ["c"]  # as if c alone was listed
    return s


# (setup, cell, executes, run list sent, statuses after)
ADMIT = [
    ("queued, parents fresh", "b", True, None, "a=fresh b=queued c=queued d=fresh"),
    ("queued behind a queued parent", "c", False, None, "a=fresh b=queued c=queued d=fresh"),
    ("not queued", "b", False, None, "a=fresh b=fresh c=fresh d=fresh"),
    ("blocked by an error", "c", False, None, "a=fresh b=error c=blocked d=fresh"),
    ("parent stale, not queued", "c", False, ("b", "c"), "a=fresh b=queued c=queued d=fresh"),
]


@pytest.mark.parametrize("setup,cell,executes,run_list,expected", ADMIT, ids=[r[0] for r in ADMIT])
def test_admit_a_request_sent_ahead(setup, cell, executes, run_list, expected):
    s = _admit_case(setup)
    plan = s.admit(cell)
    assert (plan.execute, plan.run) == (executes, run_list)
    assert statuses(s) == expected


def test_admit_without_a_frontend_runs_nothing_ahead():
    s = notebook(*CHAIN, frontend=False)
    assert s.admit("a") == Plan()


def test_ancestors_run_first_even_through_cells_that_cannot_run():
    """a reads m from c (in a cycle with d), c reads k from b: b must come before a, or a frontend
    following the run lists asks for a forever (found on a real notebook)."""
    s = notebook("a: print(m)", "b: k = 1", "c: m = k + n", "d: n = m")
    plan = s.before_run("a", "print(m)")
    assert plan.run == ("b", "a")


def test_stale_ancestors_below_run_before_the_cell_above_that_needs_them():
    s = notebook("r: print(y)", "a: x = 1", "b: y = x")
    for cell in ("a", "b", "r"):
        run(s, cell)
    s.set_mode("lazy")
    run(s, "a")  # b and r turn stale
    plan = s.before_run("r", "print(y)")
    assert plan.run == ("b", "r")


# What a cell's state says about its error: the text (cells as core.naming mentions) and whether the
# cell's own run raised it (its traceback shows it; a frontend need not show it again).
ERRORS = [
    # (name, cells, steps: (cell, outcome), cell to look at, error, raised)
    ("its own exception", CHAIN, [("a", "ok"), ("b", "error")], "b", "Boom: failed", True),
    (
        "blocked below it",
        CHAIN,
        [("a", "ok"), ("b", "error")],
        "c",
        "cell [[cell:b]] raised an exception",
        False,
    ),
    ("interrupted", CHAIN, [("a", "ok"), ("b", "interrupted")], "b", "interrupted", True),
    ("fixed", CHAIN, [("a", "ok"), ("b", "error"), ("b", "ok")], "b", None, False),
]


@pytest.mark.parametrize(
    ("name", "cells", "steps", "cell", "error", "raised"), ERRORS, ids=[e[0] for e in ERRORS]
)
def test_state_says_whether_the_error_is_what_the_cell_raised(name, cells, steps, cell, error, raised):
    s = notebook(*cells)
    for cell_id, outcome in steps:
        run(s, cell_id, outcome)
    assert (s.state(cell).error, s.state(cell).raised) == (error, raised)


def test_a_refusal_is_not_raised_and_names_the_other_cells_by_mention():
    s = Scheduler(frontend=True, definitions="unique")
    s.sync([CellInput("a", "x = 1"), CellInput("b", "x = 2")])
    assert s.before_run("b", "x = 2").refusal is not None
    state = s.state("b")
    assert state.raised is False and "'x' is also defined by cell [[cell:a]]" in state.error


NAMED = [
    # (title, source, name in the state)
    ("Load data", "df = 1", "Load data"),
    (None, "import pandas as pd\ndf = pd.DataFrame()", "df"),
    (None, "print(1)", None),
]


@pytest.mark.parametrize(("title", "source", "name"), NAMED)
def test_state_carries_the_cells_name(title, source, name):
    s = Scheduler(frontend=True)
    s.sync([CellInput("a", source, title=title)])
    assert s.state("a").name == name


def test_a_new_title_is_a_changed_state():
    s = Scheduler(frontend=True)
    s.sync([CellInput("a", "x = 1"), CellInput("b", "y = 2")])
    plan = s.sync([CellInput("a", "x = 1", title="setup"), CellInput("b", "y = 2")])
    assert plan.changed == {"a"} and s.state("a").name == "setup"


def test_a_cell_blocked_by_a_graph_error_names_the_cells_that_cannot_run():
    s = Scheduler(frontend=True, definitions="unique")
    s.sync([CellInput("a", "x = 1"), CellInput("b", "x = 2"), CellInput("c", "print(x)")])
    assert s.status("c") == "blocked"
    assert s.state("c").error == (
        "it reads from cells [[cell:a]], [[cell:b]], which cannot run (a multiple definition, an ambiguous "
        "read or a cycle): fix that first"
    )
