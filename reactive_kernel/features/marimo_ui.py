"""marimo's `mo.ui` elements as live ipywidgets: each element gets one widget, and the two share a value.

JupyterLab cannot draw marimo's `<marimo-slider>` elements, but it draws ipywidgets. So an element is
shown through an ipywidgets widget built from the element's own arguments (start, stop, options...),
and the widget speaks the element's *frontend* value, the JSON value marimo's own page would send
(a slider's number, a dropdown's `[key]`, a button's click count, a date's ISO text). When the widget
changes, the element takes that value through marimo's update method, so `element.value` converts it
exactly as marimo does (a dropdown's value is the option's value, a slider with `steps` gives the step).
A change from the browser also calls the bridge's watchers: the kernel re-runs the cells that read the
global holding the element (see `features/widgets.py`).

This is the one module that touches marimo's internals; `tests/test_marimo_ui.py` pins each of them:
`UIElement._update(frontend_value)` (how marimo's runtime hands an element a value from its page),
`UIElement._value_frontend` (the frontend value now), `UIElement._args` (`args`: the element's
arguments as sent to its page; `label`), `UIElement._on_update_completion()` (what marimo's runtime
calls once the cells a change re-ran have run: a `run_button` turns back to False) and the modules that
define the element classes.

Shown through IPython's display formatter (its documented hook for objects that display themselves),
registered for each covered class by module and class name, so neither marimo nor ipywidgets is
imported until a notebook uses them, and elements not covered here keep whatever display they have.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

UI_ELEMENT = ("marimo._plugins.ui._core.ui_element", "UIElement")  # where marimo defines the base class
_INPUT = "marimo._plugins.ui._impl.input"

Watcher = Callable[[], None]


@dataclass(frozen=True)
class Kind:
    """How one marimo element type maps onto an ipywidgets widget."""

    # (the ipywidgets module, the element's args, its frontend value, its label) -> the widget
    make: Callable[[Any, dict[str, Any], Any, str], Any]
    to_frontend: Callable[[Any], Any]  # the widget's value -> the element's frontend value (None: ignore)


class Bridge:
    """One marimo element and the widget that shows it; whoever watches hears of changes from the browser."""

    def __init__(self, element: Any, widget: Any) -> None:
        # Both live as long as ipywidgets keeps the widget (until it is closed), as a plain widget does:
        # an element shown on the page takes the user's changes (and calls its `on_change`) even when no
        # global holds it.
        self.element = element
        self.widget = widget
        self._watchers: list[Watcher] = []

    def watch(self, watcher: Watcher) -> Callable[[], None]:
        """Call `watcher` after each change the user makes; returns the function that stops it."""
        self._watchers.append(watcher)
        return lambda: self._watchers.remove(watcher) if watcher in self._watchers else None

    def take(self, frontend_value: Any, by_user: bool) -> None:
        """The widget has a new value: hand it to the element as its page would, then tell the watchers."""
        if frontend_value is None:
            return
        try:
            self.element._update(frontend_value)
        except Exception as exc:  # the element refused it (its own validation): keep its value, say why
            name = type(self.element).__name__
            print(f"mo.ui.{name}: could not take the value {frontend_value!r}: {exc}", file=sys.stderr)
            return
        if by_user:
            _updated[id(self)] = self
            for watcher in list(self._watchers):
                watcher()


# id(element) -> its bridge (elements are unhashable: marimo's `Html` has `__eq__`); a bridge holds its
# element, so an id is not reused while it is here
_bridges: dict[int, Bridge] = {}
_updated: dict[int, Bridge] = {}  # changed by the user since the cells that read them last finished


def updates_done() -> None:
    """The cells the user's changes queued have run (nothing is queued): tell those elements, as
    marimo's runtime does after the cells a change re-ran (a `run_button` is True only for those)."""
    while _updated:
        _, made = _updated.popitem()
        made.element._on_update_completion()


def install(shell: Any) -> None:
    """Show marimo UI elements as widgets in this IPython shell (a no-op for notebooks without marimo)."""
    formatter = shell.display_formatter.ipython_display_formatter
    for module, name in (*KINDS, *SHOWN_INSTEAD):
        formatter.for_type_by_name(module, name, _display)


def is_element(obj: object) -> bool:
    """A marimo UI element (marimo is imported once a notebook made one)."""
    module = sys.modules.get(UI_ELEMENT[0])
    return module is not None and isinstance(obj, getattr(module, UI_ELEMENT[1]))


def bridge(obj: object) -> Bridge | None:
    """The bridge of a marimo element that has a live widget here (made on first use), else None."""
    if not is_element(obj):
        return None
    found = _bridges.get(id(obj))
    if found is not None:
        return found
    kind = _find(type(obj), KINDS)
    if kind is None:
        return None
    import ipywidgets

    from reactive_kernel.features.widgets import from_browser  # (widgets imports this module)

    frontend = obj._value_frontend
    widget = kind.make(ipywidgets, dict(obj._args.args), frontend, obj._args.label or "")
    made = Bridge(obj, widget)
    if isinstance(widget, ipywidgets.Button):
        _count_clicks(made, widget, frontend)
    else:
        to_frontend = kind.to_frontend
        widget.observe(lambda change: made.take(to_frontend(change["new"]), from_browser(widget)), "value")
    _bridges[id(obj)] = made
    return made


def watch(obj: object, watcher: Watcher) -> Callable[[], None] | None:
    """Watch a marimo element held in a global (None: not a marimo element with a live widget)."""
    made = bridge(obj)
    return None if made is None else made.watch(watcher)


def _count_clicks(made: Bridge, widget: Any, clicks: Any) -> None:
    """marimo's button page sends its click count; the element turns a count into `on_click`'s result."""
    count = [clicks if isinstance(clicks, int) else 0]

    def clicked(_: Any) -> None:
        count[0] += 1
        made.take(count[0], by_user=True)  # ipywidgets runs click handlers only for the browser's message

    widget.on_click(clicked)


def _display(element: Any) -> None:
    from IPython.display import display

    made = bridge(element)
    if made is not None:
        display(made.widget)
        return
    show = _find(type(element), SHOWN_INSTEAD)
    if show is not None:
        display(show(element))


def _find(cls: type, table: dict[tuple[str, str], Any]) -> Any:
    """The entry for `cls` or the nearest of its bases (a subclass of `mo.ui.slider` is a slider)."""
    for klass in cls.__mro__:
        found = table.get((klass.__module__, klass.__name__))
        if found is not None:
            return found
    return None


# ---- the kinds ----------------------------------------------------------------------------------------


def _common(args: dict[str, Any], label: str) -> dict[str, Any]:
    return {
        "description": label,
        "disabled": bool(args.get("disabled")),
        "style": {"description_width": "initial"},
    }


def _integral(*numbers: Any) -> bool:
    return all(n is None or (isinstance(n, int) and not isinstance(n, bool)) for n in numbers)


def _json_number(value: Any) -> Any:
    """A number as marimo's page sends it: JSON has one number type, so 5.0 arrives as 5."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _slider_numbers(args: dict[str, Any], *values: Any) -> tuple[Any, Any, Any, bool]:
    start, stop, step = args["start"], args["stop"], args.get("step")
    integral = _integral(start, stop, step, *values)
    if step is None:
        step = 1 if integral else (stop - start) / 100
    return start, stop, step, integral


def _make_slider(w: Any, args: dict[str, Any], value: Any, label: str) -> Any:
    steps = args.get("steps") or []
    if steps:  # the page moves over indexes into `steps`; show the steps themselves
        options = [(str(s), i) for i, s in enumerate(steps)]
        return w.SelectionSlider(options=options, value=value, **_common(args, label))
    start, stop, step, integral = _slider_numbers(args, value)
    cls = w.IntSlider if integral else w.FloatSlider
    return cls(value=value, min=start, max=stop, step=step, **_common(args, label))


def _make_range_slider(w: Any, args: dict[str, Any], value: Any, label: str) -> Any:
    steps = args.get("steps") or []
    if steps:  # indexes, as for `slider`; ipywidgets has no selection range slider showing numbers and
        # positions both, so the labels are the steps
        options = [(str(s), i) for i, s in enumerate(steps)]
        return w.SelectionRangeSlider(options=options, index=tuple(value), **_common(args, label))
    start, stop, step, integral = _slider_numbers(args, *value)
    cls = w.IntRangeSlider if integral else w.FloatRangeSlider
    return cls(value=tuple(value), min=start, max=stop, step=step, **_common(args, label))


def _make_number(w: Any, args: dict[str, Any], value: Any, label: str) -> Any:
    start, stop, step = args.get("start"), args.get("stop"), args.get("step")
    integral = _integral(start, stop, step, value) and step is not None
    shown = 0 if value is None else value  # ipywidgets has no empty number box
    options: dict[str, Any] = {"value": shown, **_common(args, label)}
    if step is not None:
        options["step"] = step
    if start is None and stop is None:
        return (w.IntText if integral else w.FloatText)(**options)
    big = 2**53  # the page's numbers are JavaScript's: beyond this they are not exact anyway
    options.update(min=-big if start is None else start, max=big if stop is None else stop)
    return (w.BoundedIntText if integral else w.BoundedFloatText)(**options)


def _make_text(cls: Any, args: dict[str, Any], value: Any, label: str) -> Any:
    # sent when the user presses Enter or leaves the box, not on each key (which would re-run the readers
    # once per key)
    placeholder = args.get("placeholder") or ""
    return cls(value=value, placeholder=placeholder, continuous_update=False, **_common(args, label))


def _make_dropdown(w: Any, args: dict[str, Any], value: Any, label: str) -> Any:
    options: list[tuple[str, Any]] = [(key, key) for key in args["options"]]
    if args.get("allow-select-none"):
        options.insert(0, ("--", None))  # marimo reserves "--" for "nothing selected"
    return w.Dropdown(options=options, value=value[0] if value else None, **_common(args, label))


SLIDER = Kind(_make_slider, _json_number)
RANGE_SLIDER = Kind(_make_range_slider, lambda v: [_json_number(n) for n in v])
NUMBER = Kind(_make_number, _json_number)
TEXT = Kind(lambda w, args, value, label: _make_text(w.Text, args, value, label), str)
TEXT_AREA = Kind(lambda w, args, value, label: _make_text(w.Textarea, args, value, label), str)
CHECKBOX = Kind(lambda w, args, value, label: w.Checkbox(value=bool(value), **_common(args, label)), bool)
DROPDOWN = Kind(_make_dropdown, lambda key: [] if key is None else [key])
RADIO = Kind(
    lambda w, args, value, label: w.RadioButtons(
        options=list(args["options"]), value=value, **_common(args, label)
    ),
    lambda key: key,
)
MULTISELECT = Kind(
    lambda w, args, value, label: w.SelectMultiple(
        options=list(args["options"]), value=tuple(value), **_common(args, label)
    ),
    list,
)
BUTTON = Kind(
    lambda w, args, value, label: w.Button(
        description=label or "click here",
        disabled=bool(args.get("disabled")),
        tooltip=args.get("tooltip") or "",
        button_style={"success": "success", "warn": "warning", "danger": "danger"}.get(args.get("kind"), ""),
    ),
    lambda count: count,
)
DATE = Kind(
    lambda w, args, value, label: w.DatePicker(
        value=dt.date.fromisoformat(value),
        min=dt.date.fromisoformat(args["start"]),
        max=dt.date.fromisoformat(args["stop"]),
        **_common(args, label),
    ),
    lambda day: None if day is None else day.isoformat(),
)

# marimo's classes by (module, name), as `type(mo.ui.slider(...))` gives them
KINDS: dict[tuple[str, str], Kind] = {
    (_INPUT, "slider"): SLIDER,
    (_INPUT, "range_slider"): RANGE_SLIDER,
    (_INPUT, "number"): NUMBER,
    (_INPUT, "text"): TEXT,
    (_INPUT, "text_area"): TEXT_AREA,
    (_INPUT, "checkbox"): CHECKBOX,
    ("marimo._plugins.ui._impl.switch", "switch"): CHECKBOX,
    (_INPUT, "dropdown"): DROPDOWN,
    (_INPUT, "radio"): RADIO,
    (_INPUT, "multiselect"): MULTISELECT,
    (_INPUT, "button"): BUTTON,
    ("marimo._plugins.ui._impl.run_button", "run_button"): BUTTON,  # marimo's button page, its own value
    ("marimo._plugins.ui._impl.dates", "date"): DATE,
}

# Elements shown, not live: what they show instead (their value stays marimo's initial one)
SHOWN_INSTEAD: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("marimo._plugins.ui._impl.table", "table"): lambda table: table.data,
    # `_data`, the frame as given: `.value` raises in the cell that made the element under marimo's
    # runtime context (features/marimo_runtime.py), as in marimo, and with no transforms they are the same
    ("marimo._plugins.ui._impl.dataframes.dataframe", "dataframe"): lambda frame: frame._data,
}
