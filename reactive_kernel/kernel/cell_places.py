"""Where a cell's outputs are shown when the kernel runs cells itself (no `reactive_kernel` comm attached).

A frontend without the extension shows each execution's outputs under the cell it ran, and nothing
puts later outputs into another cell, so the kernel gives every graph cell one *place* whose content it
can replace, and shows each run's outputs there (docs/protocol.md, "Without the extension"):

- `DisplayPlaces`: one display per cell, with display id `reactive_kernel:` + the cell id. The run a
  client asked for publishes it as `display_data` in that cell; a run by the kernel sends
  `update_display_data`, which frontends that apply display updates (VS Code) show in that cell.
  A display holds one mime bundle, so several outputs are merged into one (`bundle`).
- `WidgetPlaces`: one `ipywidgets.Output` per cell, displayed by the run a client asked for; every run
  sets its `outputs`, which a page where only widgets are live (Voilà) shows.

`choose` picks one from the `kernel_cascade` setting and the kernel's environment.
"""

from __future__ import annotations

import html
import importlib.util
import logging
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol

log = logging.getLogger(__name__)
Send = Callable[..., Any]
Kind = Literal["display", "widget"]
SETTINGS = ("auto", "display", "widget", "off")
ENV = "REACTIVE_KERNEL_CASCADE"  # the kernel's `kernel_cascade` default (`reactive-kernel app` may set it)
DISPLAY_PREFIX = "reactive_kernel:"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_IMAGES = ("image/png", "image/jpeg", "image/gif")


def choose(setting: str, environ: Mapping[str, str]) -> Kind | None:
    """The kind of place for `setting` (one of SETTINGS); None: the kernel runs no cascade itself.

    `auto` is `widget` in a kernel Voilà started (it sets VOILA_PREHEAT for every kernel it starts, and
    SERVER_SOFTWARE=voila/<version> for those started by a page request), else `display`.
    """
    if setting == "off":
        return None
    if setting == "display":
        return "display"
    if setting == "widget":
        return "widget"
    voila = "VOILA_PREHEAT" in environ or environ.get("SERVER_SOFTWARE", "").startswith("voila/")
    return "widget" if voila else "display"


def display_id(cell_id: str) -> str:
    """The display id of a cell's place: derived from its id, so a later run finds it."""
    return DISPLAY_PREFIX + cell_id


def output(kind: str, content: Mapping[str, Any]) -> dict[str, Any]:
    """An IOPub output message's content as an nbformat output."""
    if kind == "stream":
        name, text = content.get("name", "stdout"), content.get("text", "")
        return {"output_type": "stream", "name": name, "text": text}
    if kind == "error":
        return {
            "output_type": "error",
            "ename": content.get("ename", ""),
            "evalue": content.get("evalue", ""),
            "traceback": list(content.get("traceback", [])),
        }
    data, metadata = dict(content.get("data", {})), dict(content.get("metadata", {}))
    out = {"output_type": kind, "data": data, "metadata": metadata}
    if kind == "execute_result":
        out["execution_count"] = content.get("execution_count")
    return out


def bundle(outputs: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One display's (data, metadata) showing a run's outputs.

    One rich output keeps every representation it has. Otherwise the outputs are merged: `text/plain`
    joins their text, and, when any is more than text, `text/html` joins their HTML (their own HTML, an
    image, or their text in a <pre>); a kind that has neither (a widget, JavaScript) shows its text.
    """
    if len(outputs) == 1 and "data" in outputs[0]:
        return dict(outputs[0]["data"]), dict(outputs[0].get("metadata", {}))
    texts = [_text(o) for o in outputs]
    data: dict[str, Any] = {"text/plain": "".join(t if t.endswith("\n") else t + "\n" for t in texts if t)}
    if any("data" in o or o["output_type"] == "error" for o in outputs):
        data["text/html"] = "".join(_html(o, t) for o, t in zip(outputs, texts, strict=True))
    if not outputs:
        data["text/plain"] = ""
    return data, {}


def _text(o: Mapping[str, Any]) -> str:
    if o["output_type"] == "stream":
        return _overwritten(str(o["text"]))
    if o["output_type"] == "error":
        return "\n".join(o["traceback"]) or f"{o['ename']}: {o['evalue']}"
    return _joined(o["data"].get("text/plain", ""))


def _html(o: Mapping[str, Any], text: str) -> str:
    data = o.get("data", {})
    if "text/html" in data:
        return f"<div>{_joined(data['text/html'])}</div>"
    if "image/svg+xml" in data:
        return f"<div>{_joined(data['image/svg+xml'])}</div>"
    for mime in _IMAGES:
        if mime in data:
            return f'<div><img src="data:{mime};base64,{_joined(data[mime]).strip()}"></div>'
    style = ' style="color: var(--vscode-errorForeground, #c00)"' if o["output_type"] == "error" else ""
    return f"<pre{style}>{html.escape(_ANSI.sub('', text))}</pre>" if text else ""


def _overwritten(text: str) -> str:
    """A stream's text as a terminal shows it: a carriage return goes back to the line's start (progress
    bars), which a frontend does for stream outputs but not for text in a display."""
    if "\r" not in text:
        return text
    lines = text.split("\n")
    return "\n".join(next((p for p in reversed(line.split("\r")) if p), "") for line in lines)


def _joined(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


class CellOutputs:
    """One run's outputs, shown again in the cell's place after each change.

    `take` is what output_tap.diverting calls; it may be called from the IOPub thread (streams), so
    the list and the showing are under one lock, which keeps what is shown in publishing order.
    """

    def __init__(self, show: Callable[[list[dict[str, Any]]], None]) -> None:
        self._show = show
        self._outputs: list[dict[str, Any]] = []
        self._ids: list[str | None] = []  # the display id each output was published with, if any
        self._lock = threading.Lock()

    def take(self, kind: str, content: dict[str, Any]) -> bool:
        with self._lock:
            if kind == "update_display_data":  # the cell updating its own display: replace that output
                target = content.get("transient", {}).get("display_id")
                if target not in self._ids:
                    return False  # a display elsewhere: the update goes out as published
                for i, shown in enumerate(self._ids):
                    if shown == target:
                        self._outputs[i] = {**self._outputs[i], **output("display_data", content)}
                        self._outputs[i]["output_type"] = "display_data"
            elif kind == "clear_output":
                self._outputs.clear()
                self._ids.clear()
            elif kind == "stream" and self._outputs and self._outputs[-1].get("name") == content.get("name"):
                last = self._outputs[-1]
                self._outputs[-1] = {**last, "text": last["text"] + content.get("text", "")}
            else:
                self._outputs.append(output(kind, content))
                self._ids.append(content.get("transient", {}).get("display_id"))
            self._show(list(self._outputs))
        return True

    def show_now(self) -> None:
        """Show what the run published so far (nothing, at its start: the old outputs go)."""
        with self._lock:
            self._show(list(self._outputs))


class Places(Protocol):
    def open(self, cell_id: str, parent: dict[str, Any], send: Send, here: bool) -> CellOutputs:
        """Start showing a run of the cell: in a new place in the requesting cell's outputs (`here`,
        the run a client asked for) or in the place it has (a run by the kernel)."""
        ...

    def forget(self, cell_id: str) -> None:
        """The cell left the notebook."""
        ...


class DisplayPlaces:
    """One display per cell, replaced by `update_display_data` (frontends that apply display updates)."""

    def __init__(self, socket: Any) -> None:
        self._socket = socket

    def open(self, cell_id: str, parent: dict[str, Any], send: Send, here: bool) -> CellOutputs:
        transient = {"display_id": display_id(cell_id)}

        def publish(kind: str, outputs: list[dict[str, Any]]) -> None:
            data, metadata = bundle(outputs)
            content = {"data": data, "metadata": metadata, "transient": transient}
            send(self._socket, kind, content, parent=parent, ident=kind.encode())

        if here:
            publish("display_data", [])
        return CellOutputs(lambda outputs: publish("update_display_data", outputs))

    def forget(self, cell_id: str) -> None:
        pass  # a display is the frontend's: nothing to let go of here


class WidgetPlaces:
    """One `ipywidgets.Output` per cell, whose `outputs` each run sets (pages where widgets are live)."""

    def __init__(self, socket: Any) -> None:
        self._socket = socket
        self._widgets: dict[str, Any] = {}

    def open(self, cell_id: str, parent: dict[str, Any], send: Send, here: bool) -> CellOutputs:
        import ipywidgets  # only a kernel told to use widget places needs it

        widget = self._widgets.get(cell_id)
        if here or widget is None:
            if widget is not None:
                widget.close()  # its view was in outputs the client has replaced
            widget = self._widgets[cell_id] = ipywidgets.Output()
        if here:
            content = {"data": widget._repr_mimebundle_(), "metadata": {}, "transient": {}}
            send(self._socket, "display_data", content, parent=parent, ident=b"display_data")

        def show(outputs: list[dict[str, Any]]) -> None:
            widget.outputs = tuple(outputs)

        return CellOutputs(show)

    def forget(self, cell_id: str) -> None:
        widget = self._widgets.pop(cell_id, None)
        if widget is not None:
            widget.close()


def places(kind: Kind, socket: Any) -> Places:
    """The places of `kind`; widget places need ipywidgets, without it cells get display places."""
    if kind == "widget" and importlib.util.find_spec("ipywidgets") is None:
        log.warning("reactive_kernel: widget places need ipywidgets, which is not installed: using displays")
        kind = "display"
    return WidgetPlaces(socket) if kind == "widget" else DisplayPlaces(socket)
