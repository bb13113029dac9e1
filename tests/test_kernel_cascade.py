"""Cascades the kernel runs itself, for frontends without the extension, on a real kernel.

The client is tests/display_client.py: it opens no `reactive_kernel` comm, sends cell ids as VS Code
does, and applies `update_display_data` by display id to the outputs of any cell, as VS Code does. The
kernel shows each graph cell's outputs in one display it can replace, and re-runs the dependents of a
cell that ran, or of a widget that moved, updating their displays in place.
"""

from __future__ import annotations

import time

import pytest

from tests.display_client import WIDGET_VIEW, DisplayClient

NOTEBOOK = {
    "a": "x = 1",
    "b": "y = 10 / x\nprint(y)",
    "c": "print('c sees', y + 1)",
    "d": "print('unrelated')",
}


@pytest.fixture
def client():
    running = DisplayClient()
    yield running
    running.shutdown()


def run_all(client: DisplayClient, cells: dict[str, str]) -> None:
    for cell_id, code in cells.items():
        assert client.run(cell_id, code)["status"] == "ok", client.shown(cell_id)


def test_running_an_upstream_cell_updates_its_dependents_outputs_in_place(client):
    run_all(client, NOTEBOOK)
    assert client.shown("b") == "10.0\n" and client.shown("c") == "c sees 11.0\n"
    reply = client.run("a", "x = 4")
    assert reply["status"] == "ok"
    assert client.shown("b") == "2.5\n" and client.shown("c") == "c sees 3.5\n"
    assert client.shown("d") == "unrelated\n"
    assert client.shown("a") == "", "the cell the client ran shows its own outputs only"
    (place,) = client.outputs["b"]
    assert place["display_id"] == "reactive_kernel:b", "a cell's outputs are one display named after it"


PLOT = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n_ = ax.plot([0, x])"  # shown as it ends


def test_results_displays_and_figures_of_a_dependent_are_replaced_too(client):
    html = "from IPython.display import HTML\nHTML(f'<b>{x}</b>')"
    run_all(client, {"a": "x = 1", "b": "x * 100", "c": html, "p": PLOT})
    (figure,) = client.outputs["p"]
    client.run("a", "x = 2")
    assert client.shown("b") == "200"
    assert client.outputs["c"][0]["data"]["text/html"] == "<b>2</b>"
    (place,) = client.outputs["p"]
    assert place is figure and "image/png" in place["data"]


def test_a_failing_dependent_shows_its_error_blocks_its_readers_and_recovers(client):
    run_all(client, NOTEBOOK)
    assert client.run("a", "x = 0")["status"] == "ok"
    assert "ZeroDivisionError" in client.shown("b")
    assert client.shown("c") == "c sees 11.0\n", "a blocked cell does not run: its outputs stay"
    client.run("a", "x = 5")
    assert client.shown("b") == "2.0\n" and client.shown("c") == "c sees 3.0\n"


def test_a_dependent_with_stale_ancestors_of_its_own_runs_them_first(client):
    run_all(client, NOTEBOOK)
    client.console("%reactive lazy")
    client.run("a", "x = 2")
    client.console("%reactive autorun")
    reply = client.run("c", NOTEBOOK["c"])
    assert reply["status"] == "ok"
    assert client.shown("b") == "5.0\n", "the stale ancestor ran first, in its own place"
    assert client.shown("c").endswith("c sees 6.0\n")


def test_in_lazy_mode_the_dependents_turn_stale_and_keep_their_outputs(client):
    run_all(client, NOTEBOOK)
    client.console("%reactive lazy")
    client.run("a", "x = 2")
    assert client.shown("b") == "10.0\n" and client.shown("c") == "c sees 11.0\n"
    status = "print(get_ipython().kernel.scheduler.status('b'), get_ipython().kernel.scheduler.status('c'))"
    assert client.console(status) == "stale stale\n"
    assert client.outputs["b"][0]["display_id"] == "reactive_kernel:b", "a later autorun can replace them"


SLOW = "import time\nfor _ in range(600 if x == 2 else 0):\n    time.sleep(0.1)\nz = x\nprint('done')"


def test_an_interrupt_stops_the_cascade_and_the_kernel_carries_on(client):
    run_all(client, {"a": "x = 1", "s": SLOW, "t": "print('after', z)"})
    msg_id = client.start("a", "x = 2")
    (place,) = client.outputs["s"]
    place["data"] = {"text/plain": "old"}  # the cascade empties it as `s` starts: then interrupt
    deadline = time.monotonic() + 60
    while place["data"].get("text/plain") == "old":
        assert time.monotonic() < deadline, "the cascade did not start `s`"
        client.next(msg_id)
    client.km.interrupt_kernel()
    client.wait(msg_id)
    assert "KeyboardInterrupt" in client.shown("s")
    assert client.shown("t") == "after 1\n", "the cascade stopped: `t` did not run"
    status = "print(get_ipython().kernel.scheduler.status('s'), get_ipython().kernel.scheduler.status('t'))"
    assert client.console(status) == "stale stale\n"
    client.run("a", "x = 3")  # the kernel lives, and the next cascade runs
    assert client.shown("s") == "done\n" and client.shown("t") == "after 3\n"


def test_moving_a_widget_reruns_its_readers_in_place(client):
    pytest.importorskip("ipywidgets")
    slider = "import ipywidgets as widgets\nslider = widgets.IntSlider(value=1, max=100)\nslider"
    run_all(client, {"s": slider, "r": "print(slider.value * 10)", "q": "print('unrelated')"})
    (view,) = client.outputs["s"]
    assert WIDGET_VIEW in view["data"], "the slider cell shows its widget, in its place"
    client.move(view["data"][WIDGET_VIEW]["model_id"], value=5)
    assert client.shown("r") == "50\n" and client.shown("q") == "unrelated\n"


def test_an_output_widget_a_cell_writes_into_still_gets_what_it_captures(client):
    pytest.importorskip("ipywidgets")
    out = "import ipywidgets as widgets\nout = widgets.Output()\nout"
    run_all(client, {"a": "x = 1", "o": out, "w": "with out:\n    print('in the widget', x)"})
    client.run("a", "x = 2")
    # A frontend routes the outputs of the request an Output widget captures into it: so they must be
    # published as usual (here: as streams of the request that ran `w`, the client's, then the kernel's).
    shown = [o for outputs in client.outputs.values() for o in outputs]
    streams = sorted(o["text"] for o in shown if o["output_type"] == "stream")
    assert streams == ["in the widget 1\n", "in the widget 2\n"]
    assert not any("in the widget" in o.get("data", {}).get("text/plain", "") for o in shown)


def test_in_voila_each_cell_shows_its_outputs_in_an_output_widget_that_runs_update():
    pytest.importorskip("ipywidgets")
    client = DisplayClient(env={"REACTIVE_KERNEL_CASCADE": "widget"})
    try:
        slider = "import ipywidgets as widgets\nslider = widgets.IntSlider(value=1, max=100)\ndisplay(slider)"
        run_all(client, {"s": slider, "r": "print(slider.value * 10)", "e": "print(1 / (slider.value - 5))"})
        assert client.widget_outputs("r") == [{"output_type": "stream", "name": "stdout", "text": "10\n"}]
        (slider_view,) = client.widget_outputs("s")
        client.move(slider_view["data"][WIDGET_VIEW]["model_id"], value=5)
        assert client.widget_outputs("r") == [{"output_type": "stream", "name": "stdout", "text": "50\n"}]
        (error,) = client.widget_outputs("e")
        assert error["output_type"] == "error" and error["ename"] == "ZeroDivisionError"
        client.move(slider_view["data"][WIDGET_VIEW]["model_id"], value=7)
        assert client.shown("e") == "0.5\n", "the failing reader recovered"
    finally:
        client.shutdown()


def test_a_kernel_voila_started_picks_output_widgets():
    pytest.importorskip("ipywidgets")
    client = DisplayClient(env={"VOILA_PREHEAT": "False", "SERVER_SOFTWARE": "voila/0.5.8"})
    try:
        client.run("a", "print('hi')")
        assert client.widget_outputs("a")[0]["text"] == "hi\n"
    finally:
        client.shutdown()


def test_kernel_cascade_off_keeps_plain_outputs_and_marks_stale():
    client = DisplayClient(env={"REACTIVE_KERNEL_CASCADE": "off"})
    try:
        run_all(client, {"a": "x = 1", "b": "print(x)"})
        assert client.outputs["b"][0]["output_type"] == "stream"
        client.run("a", "x = 2")
        assert client.shown("b") == "1\n"
    finally:
        client.shutdown()
