"""marimo UI elements on a real kernel: shown as widgets, and a change from the browser re-runs the readers.

The browser's side is played by the scripted frontend: it reads the widget's model id from the cell's
output (as JupyterLab's widget renderer does) and sends the ipywidgets message a widget view sends when
the user changes it, on the widget's own comm.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.frontend import Execution, Frontend

pytest.importorskip("marimo")
pytest.importorskip("ipywidgets")

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def fe():
    frontend = Frontend()
    frontend.send({"type": "set_definitions", "definitions": "unique"})  # marimo's rule
    frontend.cells["imports"] = "import marimo as mo"
    frontend.sync()
    frontend.run("imports")
    yield frontend
    frontend.shutdown()


def shown_widget(execution: Execution) -> str:
    """The model id of the widget a cell's output shows (the one widget view among its outputs)."""
    views = [
        o["data"][WIDGET_VIEW]["model_id"] for o in execution.outputs if WIDGET_VIEW in o.get("data", {})
    ]
    assert len(views) == 1, execution.outputs
    return views[0]


def change(fe: Frontend, widget: str, **state: Any) -> None:
    """What a widget view sends when the user changes it in the browser."""
    content = {"comm_id": widget, "data": {"method": "update", "state": state, "buffer_paths": []}}
    fe._request("comm_msg", content)


def click(fe: Frontend, widget: str) -> None:
    """What a button's view sends when the user clicks it."""
    content = {"comm_id": widget, "data": {"method": "custom", "content": {"event": "click"}}}
    fe._request("comm_msg", content)


def run_list_after(fe: Frontend, action) -> list[str]:
    fe.run_list = []
    action()
    return list(fe.run_list)


def element_notebook(fe: Frontend, key: str, make: str, read: str) -> str:
    """Cells `<key>-make` (the element in global `el_<key>`, shown) and `<key>-read` (prints `read`);
    runs the first and returns the shown widget's model id."""
    name = f"el_{key}"
    fe.cells[f"{key}-make"] = f"{name} = {make}\n{name}"
    fe.cells[f"{key}-read"] = f"print(repr({read.format(el=name)}))"
    fe.sync()
    made = fe.run(f"{key}-make")
    return shown_widget(made[f"{key}-make"])


# key, the element, the state a browser sends, what marimo's `.value` is then
ELEMENTS = [
    ("slider", "mo.ui.slider(1, 10)", {"value": 7}, 7),
    ("slider_steps", "mo.ui.slider(steps=[1, 10, 100])", {"index": 2}, 100),
    ("float_slider", "mo.ui.slider(0.0, 1.0, 0.25)", {"value": 0.75}, 0.75),
    ("range_slider", "mo.ui.range_slider(1, 10)", {"value": [3, 6]}, [3, 6]),
    ("number", "mo.ui.number(1, 10, 1)", {"value": 4}, 4),
    ("text", "mo.ui.text()", {"value": "hello"}, "hello"),
    ("text_area", "mo.ui.text_area()", {"value": "two\nlines"}, "two\nlines"),
    ("checkbox", "mo.ui.checkbox()", {"value": True}, True),
    ("switch", "mo.ui.switch()", {"value": True}, True),
    ("dropdown", "mo.ui.dropdown({'one': 1, 'two': 2}, value='one')", {"index": 1}, 2),
    ("radio", "mo.ui.radio({'one': 1, 'two': 2}, value='one')", {"index": 1}, 2),
    ("multiselect", "mo.ui.multiselect({'one': 1, 'two': 2})", {"index": [0, 1]}, [1, 2]),
    (
        "date",
        "mo.ui.date(start='2024-01-01', stop='2024-12-31')",
        {"value": {"year": 2024, "month": 2, "date": 3}},  # ipywidgets' JSON date: months count from 0
        dt.date(2024, 3, 3),
    ),
]


@pytest.mark.parametrize(("key", "make", "state", "value"), ELEMENTS, ids=[e[0] for e in ELEMENTS])
def test_a_change_in_the_browser_reruns_the_readers_with_the_chosen_value(fe, key, make, state, value):
    widget = element_notebook(fe, key, make, "({el}.value, type({el}.value).__name__)")
    assert run_list_after(fe, lambda: change(fe, widget, **state)) == [f"{key}-read"]
    assert fe.status(f"{key}-read") == "queued"
    read = fe.execute(f"{key}-read", fe.cells[f"{key}-read"])
    assert read.stdout == f"{(value, type(value).__name__)!r}\n"
    assert fe.status(f"{key}-make") == "fresh"  # the element was not made again


def test_a_button_click_reruns_the_readers_and_counts(fe):
    widget = element_notebook(fe, "button", "mo.ui.button(value=0, on_click=lambda n: n + 1)", "{el}.value")
    assert run_list_after(fe, lambda: click(fe, widget)) == ["button-read"]
    assert run_list_after(fe, lambda: click(fe, widget)) == []  # already queued: one cascade
    assert fe.execute("button-read", fe.cells["button-read"]).stdout == "2\n"  # both clicks counted


def test_a_run_button_is_true_for_the_cells_its_click_queued(fe):
    widget = element_notebook(fe, "run", "mo.ui.run_button()", "{el}.value")
    fe.cells["run-after"] = "print('after', run_read_seen)"
    fe.cells["run-read"] = "run_read_seen = el_run.value\nprint(run_read_seen)"
    fe.sync()
    fe.run("run-read")
    assert run_list_after(fe, lambda: click(fe, widget)) == ["run-read", "run-after"]
    assert fe.execute("run-read", fe.cells["run-read"]).stdout == "True\n"
    assert fe.execute(None, "print(el_run.value)").stdout == "True\n"  # its cascade is not done yet
    assert fe.execute("run-after", fe.cells["run-after"]).stdout == "after True\n"
    assert fe.execute(None, "print(el_run.value)").stdout == "False\n"  # as in marimo, after the run
    assert fe.execute("run-read", fe.cells["run-read"]).stdout == "False\n"


def test_a_burst_of_changes_queues_one_cascade_and_the_newest_value_wins(fe):
    widget = element_notebook(fe, "burst", "mo.ui.slider(1, 100)", "{el}.value")
    assert run_list_after(fe, lambda: change(fe, widget, value=5)) == ["burst-read"]
    for value in (6, 7, 8):
        assert run_list_after(fe, lambda v=value: change(fe, widget, value=v)) == []  # already queued
    assert fe.execute("burst-read", fe.cells["burst-read"]).stdout == "8\n"
    assert run_list_after(fe, lambda: change(fe, widget, value=9)) == ["burst-read"]


def test_remaking_an_element_shows_a_new_widget_and_the_old_one_drives_nothing(fe):
    old = element_notebook(fe, "remake", "mo.ui.slider(1, 10, value=3)", "{el}.value")
    remade = fe.run("remake-make")  # a new element at its initial value; its readers re-run once
    assert list(remade) == ["remake-make", "remake-read"] and remade["remake-read"].stdout == "3\n"
    assert fe.run_list == []
    assert run_list_after(fe, lambda: change(fe, old, value=5)) == []
    new = shown_widget(remade["remake-make"])
    assert new != old
    assert run_list_after(fe, lambda: change(fe, new, value=5)) == ["remake-read"]


def test_a_value_set_by_code_is_taken_and_does_not_cascade(fe):
    element_notebook(fe, "bycode", "mo.ui.slider(1, 10)", "{el}.value")
    fe.cells["bycode-set"] = (
        "from reactive_kernel.features import marimo_ui\nmarimo_ui.bridge(el_bycode).widget.value = 9"
    )
    fe.sync()
    assert run_list_after(fe, lambda: fe.execute("bycode-set", fe.cells["bycode-set"])) == []
    assert fe.status("bycode-read") == "fresh"
    assert fe.execute(None, "print(el_bycode.value)").stdout == "9\n"


def test_an_element_shown_in_a_later_cell_is_the_same_live_widget(fe):
    fe.cells["later-make"] = "el_later = mo.ui.slider(1, 10)"
    fe.cells["later-show"] = "el_later"
    fe.cells["later-read"] = "print(el_later.value * 100)"
    fe.sync()
    fe.run("later-make")
    widget = shown_widget(fe.execute("later-show", "el_later"))
    assert run_list_after(fe, lambda: change(fe, widget, value=4)) == ["later-show", "later-read"]
    assert fe.execute("later-read", fe.cells["later-read"]).stdout == "400\n"


def test_a_table_shows_its_data_a_dataframe_its_frame_and_others_keep_their_display(fe):
    pytest.importorskip("pandas")
    shown = fe.execute(
        None, "import marimo as mo, pandas as pd\nmo.ui.table(pd.DataFrame({'colour': ['teal', 'ochre']}))"
    )
    assert (
        "<table" in shown.outputs[-1]["data"]["text/html"]
        and "ochre" in shown.outputs[-1]["data"]["text/html"]
    )
    shown = fe.execute(None, "mo.ui.dataframe(pd.DataFrame({'size': [11, 12]}))")
    assert (
        "<table" in shown.outputs[-1]["data"]["text/html"]
        and "size" in shown.outputs[-1]["data"]["text/html"]
    )


def test_an_element_not_covered_keeps_its_own_display(fe):
    shown = fe.execute(None, "import marimo as mo\nmo.ui.file()")
    assert "marimo-file" in shown.outputs[-1]["data"]["text/html"]
