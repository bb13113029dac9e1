"""The reactive kernel as a real process, driven over its comm like the JupyterLab extension drives it."""

from __future__ import annotations

import os
import threading
import time

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from tests.frontend import Frontend


@pytest.fixture
def fe():
    frontend = Frontend()
    yield frontend
    frontend.shutdown()


def chain(fe: Frontend) -> None:
    fe.cells.update({"a": "x = 1", "b": "y = x + 1", "c": "print(y * 10)"})
    fe.sync()


def test_kernelspec_is_installed_with_the_package():
    spec = KernelSpecManager().get_kernel_spec("reactive-python")
    assert spec.display_name == "Python 3 (reactive)"
    assert spec.argv[1:3] == ["-m", "reactive_kernel.launch"]


def test_comm_open_says_hello_with_version_and_mode(fe):
    assert fe.messages[0] == {
        "type": "hello",
        "version": 1,
        "capabilities": ["delta"],
        "mode": "autorun",
        "definitions": "ordered",
    }


def test_sync_reports_defs_refs_parents_children(fe):
    chain(fe)
    assert fe.statuses() == {"a": "unrun", "b": "unrun", "c": "unrun"}
    b = fe.states["b"]
    assert (b["defs"], b["refs"], b["parents"], b["children"]) == (["y"], ["x"], ["a"], ["c"])


def test_autorun_runs_descendants_in_order(fe):
    chain(fe)
    results = fe.run("a")
    assert fe.executed == ["a", "b", "c"]
    assert results["c"].stdout == "20\n"
    assert fe.statuses() == {"a": "fresh", "b": "fresh", "c": "fresh"}
    fe.cells["a"] = "x = 5"
    fe.sync()
    assert fe.statuses() == {"a": "edited", "b": "fresh", "c": "fresh"}
    results = fe.run("a")
    assert results["c"].stdout == "60\n"
    assert fe.executed[3:] == ["a", "b", "c"]


def test_cells_written_out_of_order_run_in_dependency_order(fe):
    fe.cells.update({"c": "print(y)", "b": "y = x * 2", "a": "x = 21"})
    fe.sync()
    results = fe.run("a")
    assert fe.executed == ["a", "b", "c"]
    assert results["c"].stdout == "42\n"


def test_lazy_mode_marks_stale_and_run_stale_clears_it(fe):
    chain(fe)
    fe.run("a")
    fe.send({"type": "set_mode", "mode": "lazy"})
    assert fe.last("mode") == {"type": "mode", "mode": "lazy"}
    fe.cells["a"] = "x = 2"
    fe.run("a")
    assert fe.executed == ["a", "b", "c", "a"]
    assert fe.statuses() == {"a": "fresh", "b": "stale", "c": "stale"}
    fe.send({"type": "run_stale"})
    assert fe.run_list == ["b", "c"]
    results = {c: fe.execute(c, fe.cells[c]) for c in fe.run_list}
    assert results["c"].stdout == "30\n"
    assert fe.statuses() == {"a": "fresh", "b": "fresh", "c": "fresh"}


def test_reactive_magic_switches_mode_and_describes_the_cell(fe):
    chain(fe)
    fe.run("a")
    fe.execute("m", "%reactive lazy")
    assert fe.last("mode")["mode"] == "lazy"
    out = fe.execute("b", fe.cells["b"] + "\n%reactive").stdout
    assert "defs: y" in out and "refs: x" in out and "parents: #1 (x)" in out and "children: #3" in out
    assert "cell: #2 (y)" in out
    assert "mode: lazy" in out


def test_running_a_cell_runs_stale_ancestors_first(fe):
    chain(fe)
    fe.run("a")
    fe.send({"type": "set_mode", "mode": "lazy"})
    fe.cells["a"] = "x = 3"
    fe.run("a")
    results = fe.run("c")
    assert results["c"].stdout == "40\n"  # the second execution of c, after b re-ran with x = 3
    assert fe.executed[-3:] == ["c", "b", "c"]
    assert fe.statuses() == {"a": "fresh", "b": "fresh", "c": "fresh"}


def test_running_a_cell_runs_never_run_ancestors_first(fe):
    chain(fe)
    first = fe.execute("c", fe.cells["c"])
    assert "running 2 stale ancestor cells first (#1 (x), #2 (y)); then this cell" in first.stdout
    assert fe.run_list == ["a", "b", "c"]
    fe.run_list.clear()
    for cell in ("a", "b", "c"):
        last = fe.execute(cell, fe.cells[cell])
    assert last.stdout == "20\n"


def test_rerunning_a_cell_deletes_what_it_defined_before(fe):
    fe.cells.update({"a": "x = 1\nold = 2", "d": "print(old)"})
    fe.sync()
    fe.run("a")
    fe.cells["a"] = "x = 1"
    results = fe.run("a")
    assert "old" not in fe.execute(None, "print(sorted(k for k in globals() if k in ('x', 'old')))").stdout
    assert results["d"].reply["ename"] == "NameError"
    assert "cell #1 (x) no longer defines it" in results["d"].reply["evalue"]
    assert fe.status("d") == "error"


def test_deleting_a_cell_reruns_dependents_with_a_nameerror_naming_it(fe):
    chain(fe)
    fe.run("a")
    del fe.cells["a"]
    fe.sync()
    assert fe.run_list == ["b", "c"]
    execution = fe.execute("b", fe.cells["b"])
    assert execution.reply["ename"] == "NameError"
    assert "defined by cell #1 (x), which was deleted" in execution.reply["evalue"]
    assert fe.statuses() == {"b": "error", "c": "blocked"}
    assert "x" not in fe.execute(None, "print('x' in globals())").stdout.replace("False", "")


def test_deleted_cells_metadata_deletes_before_executing(fe):
    chain(fe)
    fe.cells["z"] = "z = 0"
    fe.sync()
    fe.run("a")
    fe.send({"type": "set_mode", "mode": "lazy"})
    del fe.cells["a"]
    fe.execute("z", "z = 0", deleted=["a"])
    assert fe.status("b") == "stale"
    assert fe.execute(None, "print('x' in globals())").stdout == "False\n"


def test_an_exception_blocks_descendants_but_not_unrelated_cells(fe):
    fe.cells.update({"a": "x = 1", "b": "y = x / 0", "c": "print(y)", "d": "print(x + 1)"})
    fe.sync()
    results = fe.run("a")
    assert fe.executed == ["a", "b", "d"]
    assert results["b"].reply["ename"] == "ZeroDivisionError"
    assert results["d"].stdout == "2\n"
    assert fe.statuses() == {"a": "fresh", "b": "error", "c": "blocked", "d": "fresh"}
    assert fe.shown(fe.states["c"]["error"]) == "cell #2 (y) raised an exception"
    fe.cells["b"] = "y = x / 1"
    results = fe.run("b")
    assert results["c"].stdout == "1.0\n"
    assert fe.statuses()["c"] == "fresh"


def test_multiple_definition_is_an_error_on_both_cells(fe):
    fe.send({"type": "set_definitions", "definitions": "unique"})  # the rule under test
    fe.cells.update({"a": "x = 1", "b": "x = 2", "c": "print(x)"})
    fe.sync()
    reply = fe.execute("b", fe.cells["b"]).reply
    assert reply["status"] == "error" and reply["ename"] == "MultipleDefinitionError"
    assert "cell #1 (x)" in reply["evalue"] and "exactly one cell" in reply["evalue"]
    assert fe.statuses() == {"a": "error", "b": "error", "c": "blocked"}
    assert fe.execute("a", fe.cells["a"]).reply["ename"] == "MultipleDefinitionError"
    fe.cells["b"] = "w = 2"
    fe.sync()
    fe.run("b")
    results = fe.run("a")
    assert results["c"].stdout == "1\n"
    assert fe.statuses() == {"a": "fresh", "b": "fresh", "c": "fresh"}


def test_cycle_is_an_error_naming_every_cell(fe):
    fe.cells.update({"a": "x = y + 1", "b": "y = z + 1", "c": "z = x + 1"})
    fe.sync()
    reply = fe.execute("b", fe.cells["b"]).reply
    assert reply["ename"] == "CycleError"
    assert "#1 (x) -> #2 (y) -> #3 (z) -> #1 (x)" in reply["evalue"]
    assert fe.statuses() == {"a": "error", "b": "error", "c": "error"}


def test_interrupt_stops_the_cascade_and_leaves_the_rest_stale(fe):
    fe.cells.update({"a": "x = 1", "b": "import time\ntime.sleep(30)\ny = x", "c": "print(y)"})
    fe.sync()
    timer = threading.Timer(3.0, fe.km.interrupt_kernel)
    timer.start()
    results = fe.run("a")
    timer.join()
    assert results["b"].reply["ename"] == "KeyboardInterrupt"
    assert fe.executed == ["a", "b"]
    assert fe.run_list == []
    assert fe.statuses() == {"a": "fresh", "b": "stale", "c": "unrun"}


def test_stop_message_drops_the_cascade(fe):
    chain(fe)
    fe.run("a")
    fe.execute("a", fe.cells["a"])
    assert fe.run_list == ["b", "c"]
    fe.send({"type": "stop"})
    assert fe.run_list == []
    assert fe.statuses() == {"a": "fresh", "b": "stale", "c": "stale"}


def test_private_names_are_neither_defs_nor_refs(fe):
    fe.cells.update({"a": "_tmp = 5\nx = _tmp", "b": "_tmp = 6\nprint(_tmp)"})
    fe.sync()
    assert fe.run("a")["a"].status == "ok"
    assert fe.run("b")["b"].stdout == "6\n"
    assert fe.states["a"]["defs"] == ["x"] and fe.states["b"]["defs"] == []


def test_mutating_another_cells_global_warns_naming_the_owner(fe):
    fe.send({"type": "set_definitions", "definitions": "unique"})  # the rule under test
    fe.cells.update({"a": "lst = []", "b": "lst.append(1)"})
    fe.sync()
    fe.run("a")
    execution = fe.execute("b", fe.cells["b"])
    assert fe.states["b"]["warnings"] and "which cell #1 (lst) defines" in fe.shown(
        fe.states["b"]["warnings"][0]
    )
    assert execution.stderr == "", "the frontend shows the warning on the cell: no copy in the output"


def test_without_a_frontend_the_mutation_warning_is_in_the_cells_outputs():
    fe = Frontend(open_comm=False)
    try:
        fe.execute(None, "%reactive unique")  # in ordered mode the change is a link of the chain
        count = fe.execute("a", "lst = []").reply["execution_count"]
        execution = fe.execute("b", "lst.append(1)")
        assert "mutates 'lst'" in execution.text and f"cell In[{count}] (lst)" in execution.text
    finally:
        fe.shutdown()


def test_executions_without_a_cell_id_run_outside_the_graph(fe):
    chain(fe)
    fe.run("a")
    before = len(fe.messages)
    assert fe.execute(None, "x = 100\nprint(x)").stdout == "100\n"
    assert len(fe.messages) == before
    assert "no cell id" in fe.execute(None, "%reactive").stdout


def test_malformed_messages_get_an_error_and_the_kernel_carries_on(fe):
    bad = [
        ("junk", "JSON object"),
        ({"type": "nope"}, "'type'"),
        ({"type": "sync", "cells": "x"}, "'cells'"),
        ({"type": "sync", "cells": [{"id": 1, "source": ""}]}, "'cells[0].id'"),
        ({"type": "sync", "cells": [{"id": "a", "source": None}]}, "'cells[0].source'"),
        ({"type": "set_mode", "mode": "eager"}, "'mode'"),
    ]
    for data, field in bad:
        fe.send(data)
        assert field in fe.last("error")["message"], data
    chain(fe)
    assert fe.run("a")["c"].stdout == "20\n"


def test_malformed_execute_metadata_runs_the_code_outside_the_graph(fe):
    chain(fe)
    fe.run("a")
    before = len(fe.messages)
    execution = fe.execute(None, "print(x)", cellId=123, deletedCells="a")
    assert execution.status == "ok" and execution.stdout == "1\n"
    execution = fe.execute("b", "y = x + 1", deletedCells=[None, 5, {"id": "a"}])
    assert execution.status == "ok" and fe.status("a") == "fresh"
    assert len(fe.messages) > before


def test_disabled_cells_and_their_descendants_do_not_run(fe):
    chain(fe)
    fe.disabled.add("b")
    fe.sync()
    assert fe.statuses() == {"a": "unrun", "b": "disabled", "c": "disabled"}
    fe.run("a")
    assert fe.executed == ["a"]
    assert fe.execute("c", fe.cells["c"]).reply["ename"] == "CellDisabled"


def test_a_new_comm_gets_the_whole_state_as_after_a_reload(fe):
    chain(fe)
    fe.run("a")
    fe.close_comm()
    fe.states.clear()
    fe.open_comm()
    assert fe.last("hello")["version"] == 1
    assert fe.statuses() == {"a": "fresh", "b": "fresh", "c": "fresh"}


def test_a_comm_opened_with_an_unchanged_sync_still_gets_every_state(fe):
    chain(fe)
    fe.run("a")
    fe.close_comm()
    fe.states.clear()
    cells = [{"id": i, "source": s, "cell_type": "code"} for i, s in fe.cells.items()]
    fe.open_comm({"type": "sync", "cells": cells})
    assert fe.statuses() == {"a": "fresh", "b": "fresh", "c": "fresh"}


def test_without_a_frontend_the_kernel_runs_the_descendants_itself(fe):
    fe.close_comm()
    chain(fe)
    for cell in ("a", "b", "c"):
        fe.execute(cell, fe.cells[cell])
    fe.execute("a", "x = 7")
    fe.open_comm()
    assert fe.statuses() == {"a": "fresh", "b": "fresh", "c": "fresh"}
    assert fe.execute(None, "print(y)").stdout == "8\n"


def test_without_a_frontend_and_kernel_cascades_off_descendants_turn_stale():
    fe = Frontend(env={**os.environ, "REACTIVE_KERNEL_CASCADE": "off"})
    try:
        fe.close_comm()
        chain(fe)
        for cell in ("a", "b", "c"):
            fe.execute(cell, fe.cells[cell])
        fe.execute("a", "x = 7")
        fe.open_comm()
        assert fe.statuses() == {"a": "fresh", "b": "stale", "c": "stale"}
    finally:
        fe.shutdown()


def test_a_syntax_error_is_an_error_status(fe):
    fe.cells.update({"a": "x = (", "b": "print(1)"})
    fe.sync()
    assert fe.execute("a", fe.cells["a"]).reply["ename"] == "SyntaxError"
    assert fe.status("a") == "error"


def test_ipython_syntax_reads_globals(fe):
    fe.cells.update({"a": "word = 'hello'", "b": "!echo {word}"})
    fe.sync()
    results = fe.run("a")
    assert fe.states["b"]["refs"] == ["word"]
    assert "hello" in results["b"].stdout


# ---- requests sent ahead (docs/protocol.md: "Sending a run list ahead") -----------------------------


def ran(results: dict, cell_id: str) -> list:
    return [e for e in results.get(cell_id, []) if e.started]


def test_a_run_list_sent_ahead_runs_in_order_once_each(fe):
    fe.cells.update(
        {"a": "x = 1"} | {f"c{i}": f"x{i} = {'x' if i == 0 else f'x{i - 1}'} + 1" for i in range(8)}
    )
    fe.cells["end"] = "print('end', x7)"
    fe.sync()
    results = fe.run_ahead("a")
    assert fe.executed == ["a", *[f"c{i}" for i in range(8)], "end"]
    assert ran(results, "end")[0].stdout == "end 9\n"
    assert set(fe.statuses().values()) == {"fresh"}


def test_cells_sent_ahead_below_an_error_are_skipped_without_output(fe):
    fe.cells.update({"a": "x = 1", "b": "y = x / 0", "c": "print('c ran', y)", "d": "print('d ran', x)"})
    fe.sync()
    results = fe.run_ahead("a")
    assert results["b"][0].reply["ename"] == "ZeroDivisionError"
    skipped = results["c"][0]
    assert skipped.status == "aborted" and not skipped.started and skipped.outputs == []
    assert ran(results, "d")[0].stdout == "d ran 1\n"  # unrelated to the error: still runs
    assert fe.statuses() == {"a": "fresh", "b": "error", "c": "blocked", "d": "fresh"}


def test_a_request_sent_ahead_for_a_cell_no_longer_queued_does_not_run(fe):
    chain(fe)
    fe.run("a")
    execution = fe.execute("c", fe.cells["c"], reactiveScheduled=True)
    assert execution.status == "aborted" and execution.outputs == []
    assert fe.status("c") == "fresh"


def test_an_interrupt_between_cells_sent_ahead_stops_the_cascade(fe):
    chain(fe)
    fe.run("a")
    interrupted = []

    def interrupt_first(due: list[str]) -> None:
        if not interrupted:  # the kernel is idle here: no KeyboardInterrupt can reach a cell
            interrupted.append(due)
            fe.km.interrupt_kernel()
            time.sleep(1)

    results = fe.run_ahead("a", before_sending=interrupt_first)
    assert interrupted == [["b", "c"]]
    assert not ran(results, "b") and not ran(results, "c")
    assert fe.run_list == []
    assert fe.statuses() == {"a": "fresh", "b": "stale", "c": "stale"}
    assert fe.run("a")["c"].stdout == "20\n"  # the next run is not stopped by the old interrupt


def test_a_cell_sent_ahead_of_its_queued_ancestor_waits_for_it(fe):
    chain(fe)
    fe.run("a")
    fe.execute("a", fe.cells["a"])  # queues b and c
    assert fe.run_list == ["b", "c"]
    early = fe.execute("c", fe.cells["c"], reactiveScheduled=True)
    assert early.status == "aborted" and early.outputs == []
    assert fe.status("c") == "queued" and fe.run_list == ["b", "c"]
