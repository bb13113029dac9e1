"""Interrupts never leave a lie on screen: an interrupt injected at every step of an execution.

Timing an interrupt against a real cell only ever hits user code. Here the kernel is patched (by a plain,
id-less execution) to raise SIGINT in itself at one chosen step of the next execution: inside the
scheduler's bookkeeping, in the middle of a state broadcast, in ipykernel's prologue and epilogue, at
IPython's run-cell events, in the user code. Whatever the step, every request gets its reply, no cell is
left `running` or `queued` while the kernel is idle, a cell whose code did not complete is not `fresh`,
and the notebook runs normally afterwards.
"""

from __future__ import annotations

import threading

import pytest

from tests import frontend
from tests.frontend import Frontend

CELLS = {
    "a": "x = 1\nprint('a done')",
    "b": "y = x + 1\nprint('b', y)",
    "c": "print('c', y)",
}

# step -> code run in the kernel that makes the next cell execution raise SIGINT at that step, once
_WRAP = """
import signal as _signal
_k = get_ipython().kernel
def _once(owner, attr, when):
    original = getattr(owner, attr)
    def wrapper(*args, **kwargs):
        setattr(owner, attr, original)
        if when == "enter":
            _signal.raise_signal(_signal.SIGINT)
        result = original(*args, **kwargs)
        if when == "exit":
            _signal.raise_signal(_signal.SIGINT)
        return result
    setattr(owner, attr, wrapper)
"""
_EVENT = """
import signal as _signal
def _fire(*args):
    get_ipython().events.unregister({event!r}, _fire)
    _signal.raise_signal(_signal.SIGINT)
get_ipython().events.register({event!r}, _fire)
"""
_BROADCAST = """
import signal as _signal
_link = get_ipython().kernel.link
_original = _link.broadcast
def _half(payload):
    _link.broadcast = _original
    for comm in _link.comms[:1]:
        comm.send(payload)
    _signal.raise_signal(_signal.SIGINT)
    _original(payload)
_link.broadcast = _half
"""
STEPS = {
    "scheduler.before_run enter": _WRAP + "_once(_k.scheduler, 'before_run', 'enter')",
    "scheduler.before_run exit": _WRAP + "_once(_k.scheduler, 'before_run', 'exit')",
    "kernel._apply enter": _WRAP + "_once(_k, '_apply', 'enter')",
    "kernel._apply exit": _WRAP + "_once(_k, '_apply', 'exit')",
    "state broadcast, half sent": _BROADCAST,
    "ipykernel prologue (_forward_input)": _WRAP + "_once(_k, '_forward_input', 'enter')",
    "ipykernel publishes execute_input": _WRAP + "_once(_k, '_publish_execute_input', 'exit')",
    "IPython pre_run_cell": _EVENT.format(event="pre_run_cell"),
    "IPython post_run_cell": _EVENT.format(event="post_run_cell"),
    "ipykernel epilogue (_restore_input)": _WRAP + "_once(_k, '_restore_input', 'exit')",
    "widgets.bind": _WRAP + "_once(_k.widgets, 'bind', 'enter')",
    "scheduler.after_run enter": _WRAP + "_once(_k.scheduler, 'after_run', 'enter')",
    "scheduler.after_run exit": _WRAP + "_once(_k.scheduler, 'after_run', 'exit')",
    "ipykernel finish_metadata": _WRAP + "_once(_k, 'finish_metadata', 'enter')",
}


@pytest.fixture
def fe(monkeypatch):
    monkeypatch.setattr(frontend, "TIMEOUT", 20)  # a lost reply fails in 20 s, not 60
    fe = Frontend()
    fe.cells.update(CELLS)
    fe.sync()
    assert all(e.status == "ok" for e in fe.run("a").values())
    yield fe
    fe.shutdown()


def _settled_statuses(fe: Frontend) -> dict[str, str]:
    fe.send({"type": "request_state"})
    return fe.statuses()


@pytest.mark.parametrize("step", list(STEPS))
def test_an_interrupt_at_any_step_leaves_no_lie(fe, step):
    patch = fe.execute(None, STEPS[step])
    assert patch.status == "ok", patch.text
    results = fe.run("a")  # raises TimeoutError if any request gets no reply
    a = results["a"]
    completed = "a done" in a.stdout
    statuses = _settled_statuses(fe)
    assert not {"running", "queued"} & set(statuses.values()), statuses
    if not completed:
        assert a.status == "error" and a.reply["ename"] == "KeyboardInterrupt", a.reply
    for cell, execution in results.items():  # a cell whose code did not run to its end is not fresh
        if f"{cell} " not in execution.stdout and "done" not in execution.stdout:
            assert statuses[cell] != "fresh", (cell, statuses)
    # A fresh cell's globals exist: its reader runs without a NameError.
    if statuses["a"] == "fresh":
        assert fe.execute("b", CELLS["b"]).status == "ok"
    # And the notebook runs normally afterwards.
    again = fe.run("a")
    assert [e.status for e in again.values()] == ["ok", "ok", "ok"], {c: e.text for c, e in again.items()}
    assert again["c"].stdout == "c 2\n"
    assert set(_settled_statuses(fe).values()) == {"fresh"}


@pytest.mark.parametrize("step", ["scheduler.admit enter", "kernel._apply enter"])
def test_an_interrupt_while_admitting_a_cell_sent_ahead(fe, step):
    code = _WRAP + (
        "_once(_k.scheduler, 'admit', 'enter')"
        if step.startswith("scheduler")
        else "_once(_k, '_apply', 'enter')"
    )
    assert fe.execute(None, code).status == "ok"
    fe.run_ahead("a")  # raises TimeoutError if any request gets no reply
    statuses = _settled_statuses(fe)
    assert not {"running", "queued"} & set(statuses.values()), statuses
    again = fe.run("a")
    assert again["c"].stdout == "c 2\n"


def test_an_interrupted_top_level_await_is_interrupted_not_an_error(fe):
    # (ipykernel's cancellation lands when the event loop wakes up: sleep in short steps)
    fe.cells["a"] = (
        "import asyncio\nprint('a done')\nfor _ in range(300):\n    await asyncio.sleep(0.1)\nx = 1"
    )
    fe.sync()
    timer = threading.Timer(3.0, fe.km.interrupt_kernel)
    timer.start()
    results = fe.run("a")
    timer.join()
    assert results["a"].reply["ename"] == "CancelledError"  # what ipykernel reports for a cancelled await
    assert _settled_statuses(fe) == {"a": "stale", "b": "fresh", "c": "fresh"}
