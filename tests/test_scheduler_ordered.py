"""The `ordered` definitions policy in the pure scheduler: which values are bound, kept, let go, re-made."""

from __future__ import annotations

import pytest

from reactive_kernel.core.scheduler import CellInput, Plan, Scheduler


def notebook(*cells: str, frontend: bool = True, mode: str = "autorun") -> Scheduler:
    """'a: x = 1' -> a code cell with id a, in an ordered notebook."""
    s = Scheduler(mode=mode, frontend=frontend, definitions="ordered")
    s.sync([CellInput(*c.split(": ", 1)) for c in cells])
    return s


def run(s: Scheduler, cell_id: str, outcome: str = "ok") -> tuple[Plan, Plan]:
    """Execute one cell as the kernel would (keeping every value it is told to keep)."""
    before = s.before_run(cell_id, s._cells[cell_id].source)
    assert before.execute, before
    return before, s.after_run(cell_id, outcome, "Boom" if outcome == "error" else "")


def run_all(s: Scheduler) -> None:
    for cell_id in s.cell_ids():
        if s.status(cell_id) != "fresh":
            run(s, cell_id)


def statuses(s: Scheduler) -> str:
    return " ".join(f"{c}={s.status(c)}" for c in s.cell_ids())


def test_a_redefinition_reads_the_definer_above_and_is_no_error():
    s = notebook("a: x = 1", "b: x = x + 1", "c: print(x)")
    assert statuses(s) == "a=unrun b=unrun c=unrun"
    assert s.state("b").origins == (("x", "a"),) and s.state("c").origins == (("x", "b"),)
    _, after = run(s, "a")
    assert after.keep == {("a", "x")} and after.run == ("b", "c")
    before, after = run(s, "b")
    assert before.bind == (("x", "a"),) and before.forget == frozenset()
    assert after.keep == {("b", "x")}
    before, _ = run(s, "c")
    assert before.bind == (("x", "b"),)


def test_re_running_a_redefinition_binds_the_value_from_above_again():
    s = notebook("a: x = 1", "b: x = x + 1", "c: print(x)")
    run_all(s)
    before, after = run(s, "b")
    assert before.forget == {"x"} and before.bind == (("x", "a"),)
    assert after.run == ("c",)


def test_after_a_run_the_global_takes_the_lowest_definers_value():
    s = notebook("a: x = 1", "b: x = x + 1", "c: print(x)")
    run_all(s)
    _, after = run(s, "a")  # the cascade re-runs b; until it does, the global shows b's kept value
    assert ("x", "b") not in after.bind and after.run == ("b", "c")
    s2 = notebook("a: x = 1", "b: x = x + 1", "c: print(x)", mode="lazy")
    run_all(s2)
    _, after = run(s2, "a")
    assert after.bind == () and statuses(s2) == "a=fresh b=stale c=stale"


def test_a_change_in_place_is_a_link_and_re_running_it_re_makes_its_input():
    s = notebook("a: lst = [1]", "b: lst.append(2)", "c: print(lst)")
    assert s.state("c").origins == (("lst", "b"),) and s.state("b").parents == ("a",)
    run_all(s)
    assert s.state("b").warnings == ()  # a link of the chain, not a warning
    plan = s.before_run("b", "lst.append(2)")
    assert not plan.execute and plan.run == ("a", "b")
    assert statuses(s) == "a=queued b=queued c=fresh"


def test_a_reader_between_a_value_and_its_change_in_place_re_makes_the_value():
    s = notebook("a: lst = [1]", "r: print(lst)", "m: lst.append(2)", "p: print(lst)")
    run_all(s)
    plan = s.before_run("r", "print(lst)")
    assert not plan.execute and plan.run == ("a", "r")


def test_a_change_in_place_runs_after_the_other_readers_of_the_value():
    s = notebook("a: lst = [1]", "m: lst.append(2)", "r: print(lst, z)", "z: z = 0")
    s.sync(
        [
            CellInput("a", "lst = [1]"),
            CellInput("r", "print(lst, z)"),
            CellInput("m", "lst.append(2)"),
            CellInput("z", "z = 0"),
        ]
    )
    _, after = run(s, "a")
    assert after.run == ("r", "m") or after.run == ("z", "r", "m")


def test_values_nobody_reads_again_are_spare():
    s = notebook("a: x = 1", "b: x = x + 1", "c: x = x + 1", "d: print(x)")
    run(s, "a")
    _, after = run(s, "b")
    assert after.spare == {("a", "x")}  # b was its only reader and has run
    s.release(after.spare)  # the kernel let it go (too big to keep)
    run(s, "c")
    run(s, "d")
    plan = s.before_run("b", "x = x + 1")  # b needs a's value again: a re-runs first
    assert not plan.execute and plan.run == ("a", "b")


def test_the_lowest_definers_value_is_never_spare():
    s = notebook("a: x = 1", "b: x = x + 1", "c: print(x)")
    run_all(s)
    _, after = run(s, "c")
    assert after.spare == frozenset()


def test_queued_and_stale_cells_let_go_of_their_values():
    s = notebook("a: x = 1", "b: x = x + 1", "c: print(x)")
    run_all(s)
    _, after = run(s, "a")
    assert ("b", "x") in after.drop  # queued: it makes a new one


def test_inserting_a_definer_above_a_fresh_reader_makes_it_stale():
    s = notebook("a: x = 1", "c: print(x)")
    run_all(s)
    plan = s.sync([CellInput("a", "x = 1"), CellInput("b", "x = 2"), CellInput("c", "print(x)")])
    assert statuses(s) == "a=fresh b=unrun c=stale" and "c" in plan.changed
    assert s.state("c").origins == (("x", "b"),)


def test_moving_a_definer_below_a_reader_makes_the_reader_stale():
    s = notebook("a: x = 1", "b: x = 2", "c: print(x)")
    run_all(s)
    s.sync([CellInput("a", "x = 1"), CellInput("c", "print(x)"), CellInput("b", "x = 2")])
    assert statuses(s) == "a=fresh c=stale b=fresh"
    assert s.state("c").origins == (("x", "a"),)


def test_deleting_the_nearest_definer_re_runs_its_readers_with_the_one_above():
    s = notebook("a: x = 1", "b: x = 2", "c: print(x)")
    run_all(s)
    plan = s.sync([CellInput("a", "x = 1"), CellInput("c", "print(x)")])
    assert plan.forget == {"x"} and plan.bind == (("x", "a"),) and plan.run == ("c",)
    before, _ = run(s, "c")
    assert before.bind == (("x", "a"),)


def test_several_definers_below_and_none_above_is_an_error():
    s = notebook("r: print(x)", "a: x = 1", "b: x = 2")
    refusal = s.before_run("r", "print(x)").refusal
    assert refusal.ename == "AmbiguousDefinitionError"
    assert "defined only below it, by cells [[cell:a]], [[cell:b]]" in refusal.message
    assert statuses(s) == "r=error a=unrun b=unrun"


def test_a_single_definer_below_is_fine():
    s = notebook("r: print(x)", "a: x = 1")
    assert s.state("r").origins == (("x", "a"),)
    plan = s.before_run("r", "print(x)")
    assert not plan.execute and plan.run == ("a", "r")


def test_a_call_reads_what_the_function_reads_at_the_callers_place():
    s = notebook("a: x = 1", "f: def f():\n    return x", "c: print(f())", "b: x = 2", "d: print(f())")
    assert s.state("c").origins == (("f", "f"), ("x", "a"))
    assert s.state("d").origins == (("f", "f"), ("x", "b"))
    assert s.state("f").refs == ()
    run_all(s)
    _, after = run(s, "b")
    assert after.run == ("d",)  # editing the later x re-runs only the call below it


@pytest.mark.parametrize("policy, error", [("unique", "MultipleDefinitionError"), ("ordered", None)])
def test_switching_the_policy(policy, error):
    s = notebook("a: x = 1", "b: x = 2", "c: print(x)")
    s.set_definitions("unique")
    s.set_definitions(policy)
    refusal = s.before_run("b", "x = 2").refusal
    assert (refusal.ename if refusal else None) == error
