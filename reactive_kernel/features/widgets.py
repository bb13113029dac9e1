"""Widgets held in globals: when the browser changes one, the kernel hears of it, without user callbacks.

After a cell runs, `WidgetWatch.bind` looks at the globals it defined. An ipywidgets widget with a
`value` trait is watched on `value`; an anywidget widget on the traits its own class syncs. When such a
trait changes *from the browser*, `on_change(name)` is called with the global's name, and the kernel
re-runs the cells that read that global. A marimo UI element (`mo.ui.slider(...)`) is watched through the
widget that shows it (`features/marimo_ui.py`). Changes made by code (a cell setting `slider.value = 3`) are
ignored, so a cell that moves a slider does not re-run itself in a loop.

Neither ipywidgets nor anywidget is imported here: a widget can only exist once its library is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from reactive_kernel.features import marimo_ui


class WidgetWatch:
    """The widgets bound to globals, each observed on the traits that stand for its value."""

    def __init__(self, on_change: Callable[[str], None]) -> None:
        self._on_change = on_change
        self._watched: dict[str, Callable[[], None]] = {}  # global -> what stops watching its widget

    def bind(self, names: Iterable[str], namespace: Mapping[str, Any]) -> None:
        """A cell defined these globals: watch the widgets among them (and stop watching what they held)."""
        for name in names:
            self.forget(name)
            value = namespace.get(name)
            stop = marimo_ui.watch(value, lambda name=name: self._on_change(name))
            if stop is None:
                stop = _observe(name, value, self._on_change)
            if stop is not None:
                self._watched[name] = stop

    def forget(self, name: str) -> None:
        """The global is gone or rebound: its old widget no longer drives anything."""
        stop = self._watched.pop(name, None)
        if stop is not None:
            stop()

    def names(self) -> list[str]:
        return sorted(self._watched)


def value_traits(obj: object) -> list[str]:
    """The traits that stand for a widget's value: `value`, or an anywidget's own synced traits."""
    ipywidgets = sys.modules.get("ipywidgets")
    if ipywidgets is None or not isinstance(obj, ipywidgets.Widget):
        return []
    if obj.has_trait("value"):
        return ["value"]
    anywidget = sys.modules.get("anywidget")
    if anywidget is not None and isinstance(obj, anywidget.AnyWidget):
        base = set(anywidget.AnyWidget.class_traits(sync=True))
        return sorted(n for n in obj.traits(sync=True) if n not in base and not n.startswith("_"))
    return []


def _observe(name: str, widget: Any, on_change: Callable[[str], None]) -> Callable[[], None] | None:
    """Observe a widget's value traits for global `name`; returns what stops it (None: not a widget)."""
    traits = value_traits(widget)
    if not traits:
        return None

    def changed(change: dict[str, Any]) -> None:
        if from_browser(widget):
            on_change(name)

    def stop() -> None:
        try:
            widget.unobserve(changed, names=traits)
        except ValueError:  # traitlets: the handler was already removed (e.g. the widget was closed)
            pass

    widget.observe(changed, names=traits)
    return stop


def from_browser(widget: Any) -> bool:
    """ipywidgets applies a browser's update with the traits it carries in `_property_lock` (so they are
    not echoed back); observers run inside that lock. A selection widget's browser sends only `index`,
    and `value` follows from it inside the lock, so any locked trait counts. Code never holds it."""
    lock = getattr(widget, "_property_lock", None)
    return isinstance(lock, dict) and bool(lock)
