"""Record what one execution publishes on IOPub, and publish it again: the outputs of a cached cell.
Or divert it: the outputs of a cell the kernel shows in a replaceable place (kernel/cell_places.py).

Every output a kernel publishes (streams from `sys.stdout`, `display()`, the displayhook's result)
goes through the kernel's one `Session.send`; while recording, a wrapper on that instance keeps a copy
of each output message whose parent is the execution being recorded.

This module is the one place in the package that replaces a host's method, because no supported hook
sees all of a cell's outputs: ipykernel's display publisher, displayhook and output streams each have
`register_hook`, but a stream's hooks are thread-local and its output is flushed from the IOPub thread,
so a hook registered while the cell runs never sees its prints (and three hooks would lose the order
between kinds). The wrapper is an attribute of the kernel's own Session instance, for the duration of
one recording only. tests/test_host_pins.py pins what it relies on: `Session.send`'s parameters and
return value, and ipykernel publishing every kind of output through the kernel's session.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

OUTPUT_TYPES = ("stream", "display_data", "execute_result", "update_display_data", "clear_output")
DIVERTED_TYPES = ("stream", "display_data", "execute_result", "error", "clear_output", "update_display_data")
Outputs = list[tuple[str, dict[str, Any]]]
Send = Callable[..., Any]


@contextmanager
def recording(session: Any, parent_id: str) -> Iterator[Outputs]:
    """Collect (msg_type, content) of the outputs published for request `parent_id` inside the block."""
    records: Outputs = []
    original = session.send

    def send(
        stream: Any, msg_or_type: Any, content: Any = None, parent: Any = None, *args: Any, **kw: Any
    ) -> Any:
        msg = original(stream, msg_or_type, content, parent, *args, **kw)
        if isinstance(msg, dict) and msg.get("parent_header", {}).get("msg_id") == parent_id:
            kind = msg.get("header", {}).get("msg_type")
            if kind in OUTPUT_TYPES:
                records.append((kind, copy.deepcopy(msg["content"])))
        return msg

    with _wrapped(session, send):
        yield records


@contextmanager
def diverting(session: Any, parent_id: str, take: Callable[[str, dict[str, Any]], bool]) -> Iterator[Send]:
    """Hand each output published for request `parent_id` inside the block to `take(msg_type, content)`
    instead of publishing it; an output `take` answers False with is published as usual.

    Yields the session's own `send`, which publishes past the diversion (what shows the outputs taken).
    Outputs may be published from the IOPub thread (streams), so `take` may be called there.

    While an `ipywidgets.Output` captures the request's outputs (`with out:` in the cell: the widget
    syncs `msg_id`, the request's id, and the frontend routes that request's outputs into it), they are
    published as usual, so they reach the widget.
    """
    original = session.send
    captors: set[object] = set()  # comm ids of Output widgets whose msg_id is this request's

    def send(
        stream: Any, msg_or_type: Any, content: Any = None, parent: Any = None, *args: Any, **kw: Any
    ) -> Any:
        msg = msg_or_type
        if not isinstance(msg, dict):
            msg = session.msg(msg_or_type, content=content, parent=parent)
        kind = msg.get("header", {}).get("msg_type")
        if kind == "comm_msg":
            _note_captor(msg.get("content", {}), parent_id, captors)
        elif (
            kind in DIVERTED_TYPES and msg.get("parent_header", {}).get("msg_id") == parent_id and not captors
        ):
            if take(kind, copy.deepcopy(msg["content"])):
                return msg  # what Session.send returns: the message, here never sent
        return original(stream, msg_or_type, content, parent, *args, **kw)

    with _wrapped(session, send):
        yield original


def _note_captor(content: dict[str, Any], parent_id: str, captors: set[object]) -> None:
    """A widget state update that sets `msg_id` (an ipywidgets Output entering or leaving `with`)."""
    data = content.get("data")
    state = data.get("state") if isinstance(data, dict) and data.get("method") == "update" else None
    if isinstance(state, dict) and "msg_id" in state:
        if state["msg_id"] == parent_id:
            captors.add(content.get("comm_id"))
        else:
            captors.discard(content.get("comm_id"))


@contextmanager
def _wrapped(session: Any, send: Send) -> Iterator[None]:
    """Shadow `session.send` with an instance attribute for the block, then put back what was there
    (a diversion and a recording may nest)."""
    outer = session.__dict__.get("send")
    session.send = send
    try:
        yield
    finally:
        if outer is None:
            del session.send
        else:
            session.send = outer


def replay(session: Any, socket: Any, outputs: Outputs, parent: dict[str, Any], count: int) -> None:
    """Publish recorded outputs again, as children of `parent`; a result gets the new execution count."""
    for kind, content in outputs:
        if kind == "execute_result":
            content = {**content, "execution_count": count}
        session.send(socket, kind, content, parent=parent, ident=kind.encode())
