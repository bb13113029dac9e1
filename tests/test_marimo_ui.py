"""marimo UI elements bridged to ipywidgets, in process: the widget each gets, and the value it gives.

A browser's change is played by ipywidgets' own `set_state` (what a widget's comm message calls), so the
`_property_lock` it holds is the real one. The first test pins the marimo internals that
`features/marimo_ui.py` relies on.
"""

from __future__ import annotations

import datetime as dt

import pytest

from reactive_kernel.features import marimo_ui

mo = pytest.importorskip("marimo")
ipywidgets = pytest.importorskip("ipywidgets")


def test_the_marimo_internals_the_bridge_relies_on():
    from marimo._plugins.ui._core.ui_element import UIElement

    assert (UIElement.__module__, UIElement.__name__) == marimo_ui.UI_ELEMENT
    for module, name in (*marimo_ui.KINDS, *marimo_ui.SHOWN_INSTEAD):  # registered by these names
        assert (getattr(mo.ui, name).__module__, getattr(mo.ui, name).__name__) == (module, name)
    slider = mo.ui.slider(steps=[1, 10, 100], value=10, label="size")
    # `_args`: the arguments the element's page gets, and its label
    assert slider._args.args["steps"] == [1, 10, 100] and slider._args.label == "size"
    assert slider._value_frontend == 1  # `_value_frontend`: what the page holds (here an index)
    slider._update(2)  # `_update`: a value from the page, converted and calling on_change
    assert (slider.value, slider._value_frontend) == (100, 2)
    seen = []
    dropdown = mo.ui.dropdown({"one": 1, "two": 2}, value="one", on_change=seen.append)
    dropdown._update(["two"])
    assert dropdown.value == 2 and seen == [2]
    run = mo.ui.run_button()
    run._update(1)  # its page's click count
    assert run.value is True
    run._on_update_completion()  # `_on_update_completion`: marimo's runtime, after the cells ran
    assert run.value is False
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"size": [1]})
    assert mo.ui.dataframe(frame)._data is frame  # `_data`: the frame a dataframe element shows


# element, the widget class it gets, the state a browser sends, the element's value after it
CASES = [
    (lambda: mo.ui.slider(1, 10), "IntSlider", {"value": 5}, 5),
    (lambda: mo.ui.slider(0.0, 1.0, 0.25), "FloatSlider", {"value": 0.5}, 0.5),
    (lambda: mo.ui.slider(steps=[1, 10, 100]), "SelectionSlider", {"index": 2}, 100),
    (lambda: mo.ui.range_slider(1, 10), "IntRangeSlider", {"value": [2, 4]}, [2, 4]),
    (lambda: mo.ui.range_slider(0.0, 1.0, 0.5), "FloatRangeSlider", {"value": [0.0, 0.5]}, [0.0, 0.5]),
    (lambda: mo.ui.number(1, 10, 1), "BoundedIntText", {"value": 4}, 4),
    (lambda: mo.ui.number(0, 1), "BoundedFloatText", {"value": 0.5}, 0.5),
    (lambda: mo.ui.number(), "FloatText", {"value": 3.0}, 3),  # JSON has one number type: marimo gets 3
    (lambda: mo.ui.text(), "Text", {"value": "hi"}, "hi"),
    (lambda: mo.ui.text_area(), "Textarea", {"value": "a\nb"}, "a\nb"),
    (lambda: mo.ui.checkbox(), "Checkbox", {"value": True}, True),
    (lambda: mo.ui.switch(), "Checkbox", {"value": True}, True),
    (lambda: mo.ui.dropdown({"one": 1, "two": 2}, value="one"), "Dropdown", {"index": 1}, 2),
    (lambda: mo.ui.dropdown(["a", "b"]), "Dropdown", {"index": 2}, "b"),  # index 0 is "--": none
    (lambda: mo.ui.dropdown(["a"], value="a", allow_select_none=True), "Dropdown", {"index": 0}, None),
    (lambda: mo.ui.radio({"one": 1, "two": 2}), "RadioButtons", {"index": 1}, 2),
    (lambda: mo.ui.multiselect({"one": 1, "two": 2}), "SelectMultiple", {"index": [0, 1]}, [1, 2]),
    (
        lambda: mo.ui.date(start="2024-01-01", stop="2024-12-31"),
        "DatePicker",
        {"value": {"year": 2024, "month": 2, "date": 3}},  # ipywidgets' JSON date: months count from 0
        dt.date(2024, 3, 3),
    ),
]


@pytest.mark.parametrize(("make", "widget_class", "state", "value"), CASES)
def test_a_browser_change_reaches_the_element_and_its_watchers(make, widget_class, state, value):
    element = make()
    bridge = marimo_ui.bridge(element)
    assert type(bridge.widget).__name__ == widget_class
    heard = []
    bridge.watch(lambda: heard.append(1))
    bridge.widget.set_state(state)
    assert element.value == value and type(element.value) is type(value)
    assert heard == [1]


def test_the_widget_starts_at_the_elements_value():
    assert marimo_ui.bridge(mo.ui.slider(1, 10, value=7)).widget.value == 7
    assert marimo_ui.bridge(mo.ui.dropdown({"one": 1, "two": 2}, value="two")).widget.value == "two"
    assert marimo_ui.bridge(mo.ui.range_slider(1, 10, value=[2, 3])).widget.value == (2, 3)
    assert marimo_ui.bridge(mo.ui.text(value="x")).widget.value == "x"
    assert marimo_ui.bridge(mo.ui.date(value="2024-05-06")).widget.value == dt.date(2024, 5, 6)


def test_one_widget_per_element():
    slider = mo.ui.slider(1, 10)
    assert marimo_ui.bridge(slider) is marimo_ui.bridge(slider)
    assert marimo_ui.bridge(mo.ui.slider(1, 10)) is not marimo_ui.bridge(slider)


def test_a_change_made_by_code_is_taken_but_not_heard():
    slider = mo.ui.slider(1, 10)
    bridge = marimo_ui.bridge(slider)
    heard = []
    bridge.watch(lambda: heard.append(1))
    bridge.widget.value = 7
    assert slider.value == 7 and heard == []


def test_a_button_click_counts_and_calls_on_click():
    counter = mo.ui.button(value=0, on_click=lambda n: n + 1)
    plain = mo.ui.button()
    heard = []
    for button in (counter, plain):
        bridge = marimo_ui.bridge(button)
        assert type(bridge.widget).__name__ == "Button"
        bridge.watch(lambda: heard.append(1))
        for _ in range(3):
            bridge.widget._handle_button_msg(None, {"event": "click"}, [])  # the browser's click message
    assert counter.value == 3 and plain.value is None  # marimo: a plain button's value stays None
    assert heard == [1] * 6  # every click re-runs the readers, even when the value stays the same


def test_a_value_the_element_refuses_is_reported_and_not_heard(capsys):
    radio = mo.ui.radio(["a", "b"], value="a")
    bridge = marimo_ui.bridge(radio)
    heard = []
    bridge.watch(lambda: heard.append(1))
    bridge.take("c", by_user=True)
    assert (
        radio.value == "a"
        and heard == []
        and "mo.ui.radio: could not take the value 'c'" in capsys.readouterr().err
    )


def test_stopping_a_watch():
    slider = mo.ui.slider(1, 10)
    bridge = marimo_ui.bridge(slider)
    heard = []
    stop = bridge.watch(lambda: heard.append(1))
    bridge.widget.set_state({"value": 2})
    stop()
    bridge.widget.set_state({"value": 3})
    assert slider.value == 3 and heard == [1]


def test_elements_without_a_widget():
    assert marimo_ui.bridge(mo.ui.file()) is None  # not covered: shown as a note
    assert marimo_ui.bridge(mo.ui.table([{"a": 1}])) is None  # display only
    assert marimo_ui.bridge(ipywidgets.IntSlider()) is None and marimo_ui.bridge(3) is None


def test_on_change_hears_the_users_value():
    seen = []
    slider = mo.ui.slider(1, 10, on_change=seen.append)
    marimo_ui.bridge(slider).widget.set_state({"value": 4})
    assert seen == [4]


def test_a_run_button_is_true_until_the_cells_it_queued_have_run():
    run = mo.ui.run_button()
    bridge = marimo_ui.bridge(run)
    assert type(bridge.widget).__name__ == "Button" and bridge.widget.description == "click to run"
    bridge.widget._handle_button_msg(None, {"event": "click"}, [])
    assert run.value is True
    marimo_ui.updates_done()
    assert run.value is False
    marimo_ui.updates_done()  # nothing changed since: nothing to tell
    assert run.value is False
