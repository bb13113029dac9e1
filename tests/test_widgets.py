"""Widgets bound to globals, on a real kernel: a value change from the browser re-runs the readers.

The browser's side is played by the scripted frontend: it sends the ipywidgets `update` message a
widget view sends when the user moves it, on the widget's own comm.
"""

from __future__ import annotations

import pytest

from tests.frontend import Frontend

pytest.importorskip("ipywidgets")

SLIDER = "import ipywidgets as widgets\nslider = widgets.IntSlider(value=1, max=100)"
READER = "y = slider.value * 10\nprint(y)"


@pytest.fixture
def fe():
    frontend = Frontend()
    yield frontend
    frontend.shutdown()


def model_id(fe: Frontend, name: str) -> str:
    """The comm id of the widget in global `name` (an execution outside the graph, like a console)."""
    return fe.execute(None, f"print({name}.model_id)").stdout.strip()


def move(fe: Frontend, widget: str, **state: object) -> None:
    """What a widget view sends when the user changes it in the browser."""
    content = {"comm_id": widget, "data": {"method": "update", "state": state, "buffer_paths": []}}
    fe._request("comm_msg", content)


def run_list_after(fe: Frontend, action) -> list[str]:
    """The run list the kernel sends in answer to `action` ([] if it sends none)."""
    fe.run_list = []
    action()
    return list(fe.run_list)


def slider_notebook(fe: Frontend, **more: str) -> str:
    fe.cells.update({"a": SLIDER, "b": READER, **more})
    fe.sync()
    fe.run("a")
    return model_id(fe, "slider")


def test_moving_a_slider_reruns_its_readers_not_the_cell_that_made_it(fe):
    slider = slider_notebook(fe, c="print(y + 1)", d="print('unrelated')")
    assert run_list_after(fe, lambda: move(fe, slider, value=5)) == ["b", "c"]
    assert fe.statuses()["a"] == "fresh" and fe.status("b") == "queued"
    assert fe.execute("b", READER).stdout == "50\n"


def test_a_burst_of_changes_queues_one_cascade_and_the_newest_value_wins(fe):
    slider = slider_notebook(fe)
    assert run_list_after(fe, lambda: move(fe, slider, value=5)) == ["b"]
    for value in (6, 7, 8):
        assert run_list_after(fe, lambda v=value: move(fe, slider, value=v)) == []  # already queued
    assert fe.execute("b", READER).stdout == "80\n"
    assert run_list_after(fe, lambda: move(fe, slider, value=9)) == ["b"]  # b ran: the next change queues it


def test_a_change_made_by_code_does_not_cascade(fe):
    # (in ordered mode `slider.value = ...` in another cell changes it in place: a link of the chain)
    fe.send({"type": "set_definitions", "definitions": "unique"})  # the rule under test
    bump = "slider.value = slider.value + 1"
    slider_notebook(fe, c=bump)
    assert run_list_after(fe, lambda: fe.execute("c", bump)) == []
    assert fe.status("b") == "fresh"
    assert fe.execute(None, "print(slider.value)").stdout == "3\n"  # c ran twice: it did change it


def test_a_replaced_widget_no_longer_drives_its_readers(fe):
    old = slider_notebook(fe)
    fe.run("a")  # a new IntSlider in `slider`; b re-ran with it
    assert run_list_after(fe, lambda: move(fe, old, value=5)) == []
    assert run_list_after(fe, lambda: move(fe, model_id(fe, "slider"), value=5)) == ["b"]


def test_in_lazy_mode_the_readers_turn_stale(fe):
    slider = slider_notebook(fe)
    fe.send({"type": "set_mode", "mode": "lazy"})
    assert run_list_after(fe, lambda: move(fe, slider, value=5)) == []
    assert fe.status("b") == "stale"


def test_any_widget_with_a_value_trait(fe):
    dropdown = "import ipywidgets as widgets\nchoice = widgets.Dropdown(options=['a', 'b'], value='a')"
    fe.cells.update({"a": dropdown, "b": "print(choice.value * 3)"})
    fe.sync()
    fe.run("a")
    assert run_list_after(fe, lambda: move(fe, model_id(fe, "choice"), index=1, value="b")) == ["b"]
    assert fe.execute("b", fe.cells["b"]).stdout == "bbb\n"


def test_a_dropdown_changed_as_a_browser_does_it(fe):
    # ipywidgets' selection widgets sync `index` only: the browser never sends `value`
    dropdown = "import ipywidgets as widgets\nchoice = widgets.Dropdown(options=['a', 'b'], value='a')"
    fe.cells.update({"a": dropdown, "b": "print(choice.value * 3)"})
    fe.sync()
    fe.run("a")
    assert run_list_after(fe, lambda: move(fe, model_id(fe, "choice"), index=1)) == ["b"]
    assert fe.execute("b", fe.cells["b"]).stdout == "bbb\n"


def test_an_anywidget_drives_its_readers_through_its_own_traits():
    pytest.importorskip("anywidget")
    fe = Frontend()
    try:
        counter = (
            "import anywidget, traitlets\n"
            "class Counter(anywidget.AnyWidget):\n"
            "    _esm = 'export default { render() {} }'\n"
            "    count = traitlets.Int(0).tag(sync=True)\n"
            "clicks = Counter()"
        )
        fe.cells.update({"a": counter, "b": "print(clicks.count + 100)"})
        fe.sync()
        fe.run("a")
        assert run_list_after(fe, lambda: move(fe, model_id(fe, "clicks"), count=3)) == ["b"]
        assert fe.execute("b", fe.cells["b"]).stdout == "103\n"
    finally:
        fe.shutdown()
