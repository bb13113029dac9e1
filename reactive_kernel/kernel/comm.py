"""The `reactive_kernel` comm: accepts frontends, hands their messages to the kernel, sends ours back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reactive_kernel.core.errors import DeltaMismatch, ProtocolError
from reactive_kernel.kernel import protocol_in, protocol_out

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Viewer:
    comm: Any
    session: str | None  # `header.session` of the comm_open: the kernel connection it came through


class FrontendLink:
    """Every open comm gets state; a `run` list goes to the viewer whose request caused it.

    Each kernel connection (a browser tab, each collaborator's page) sends its messages with its own
    client session id in `header.session`, and a comm belongs to the connection that opened it. A run
    list goes to the newest comm of the session whose shell request is being handled (the execution,
    the sync, the widget change), so its cells run, with their outputs, where the user started the
    cascade. Views of one notebook in one page share a connection: the newest of them runs it. A
    request from a connection without a comm (a console, a client without the extension) hands the
    list to the newest comm. A stop (`run: []`) goes to every comm: the kernel dropped the whole
    cascade, whoever was running it.

    Each comm's `sync` and `delta` messages are numbered (`rev`); a delta must build on the last one
    the kernel took from that comm, else it is refused with `resync` and the comm must send the whole
    notebook before its next delta counts.
    """

    def __init__(
        self,
        comm_manager: Any,
        on_message: Callable[[protocol_in.Message], None],
        on_attach: Callable[[bool], None],
        greeting: Callable[[], dict[str, Any]],
        parent: Callable[[], dict[str, Any]] = dict,
    ) -> None:
        """`parent()` is the shell request being handled (ipykernel's `get_parent("shell")`)."""
        self._viewers: list[_Viewer] = []
        self._observers: set[str | None] = set()  # sessions of clients that only describe the notebook
        self._on_message = on_message
        self._on_attach = on_attach
        self._greeting = greeting
        self._parent = parent
        self._revs: dict[Any, int] = {}  # comm -> number of its last message taken: deltas build on it
        self._asking: Any = None  # the comm whose message is being handled: `reply` answers it
        comm_manager.register_target(protocol_out.COMM_TARGET, self._open)

    @property
    def attached(self) -> bool:
        return bool(self._viewers)

    @property
    def observed(self) -> bool:
        """Whether a client that runs every cell itself (a headless run) described the notebook."""
        return bool(self._observers)

    def speaks_for_notebook(self, parent: dict[str, Any]) -> bool:
        """Whether a request came from a notebook's own connection: one with a comm (a viewer, a headless
        run), or any connection while no comm is open (a frontend without the extension). A console on
        the same kernel sends cell ids too, but its cells are not the notebook's."""
        if not self._viewers and not self._observers:
            return True
        session = _session(parent)
        return session in self._observers or any(v.session == session for v in self._viewers)

    def displays(self, parent: dict[str, Any]) -> bool:
        """Whether the connection that sent a request has a viewer comm, which shows cells' states (and
        so a cell's error) on the cells themselves."""
        session = _session(parent)
        return session is not None and any(v.session == session for v in self._viewers)

    @property
    def comms(self) -> list[Any]:
        """The open viewer comms, oldest first."""
        return [viewer.comm for viewer in self._viewers]

    def reply(self, payload: dict[str, Any]) -> None:
        """Answer the comm whose message is being handled (a `quick_fix`'s `rewrite` is for it alone)."""
        if self._asking is not None:
            self._asking.send(payload)

    def broadcast(self, payload: dict[str, Any]) -> None:
        for viewer in list(self._viewers):
            viewer.comm.send(payload)

    def to_runner(self, payload: dict[str, Any]) -> None:
        if not payload.get("cells"):
            self.broadcast(payload)
            return
        runner = self._runner(_session(self._parent()))
        if runner is not None:
            runner.comm.send(payload)

    def _runner(self, session: str | None) -> _Viewer | None:
        """The newest comm of `session`; without one, the newest comm of all."""
        for viewer in reversed(self._viewers):
            if session is not None and viewer.session == session:
                return viewer
        return self._viewers[-1] if self._viewers else None

    def _open(self, comm: Any, msg: dict[str, Any]) -> None:
        data = msg.get("content", {}).get("data")
        if isinstance(data, dict) and data.get("observer") is True:
            # A client that runs no cells (a headless run) telling the kernel the notebook: not a viewer.
            comm.on_msg(lambda m, comm=comm: self._receive(m, comm))
            self._observers.add(_session(msg))
            self._on_attach(self.attached)  # the kernel no longer runs cascades itself
            self._receive({"content": {"data": data}}, comm)
            return
        self._viewers.append(_Viewer(comm, _session(msg)))
        comm.on_msg(lambda m, comm=comm: self._receive(m, comm))
        comm.on_close(lambda _msg, comm=comm: self._close(comm))
        comm.send(self._greeting())
        self._on_attach(True)
        data = msg.get("content", {}).get("data")
        if data:  # a frontend may put its first sync in the open message
            self._receive({"content": {"data": data}}, comm)
        self._on_message(protocol_in.RequestState())  # a new viewer needs every state, changed or not

    def _close(self, comm: Any) -> None:
        self._viewers = [v for v in self._viewers if v.comm is not comm]
        self._revs.pop(comm, None)
        self._on_attach(bool(self._viewers))

    def _receive(self, msg: dict[str, Any], comm: Any) -> None:
        """Never lets a bad message reach the kernel's loop: it is answered with an error message, or, for
        a delta that does not fit, with `resync`."""
        rev = None
        try:
            data = msg.get("content", {}).get("data") if isinstance(msg, dict) else None
            message = protocol_in.parse(data)
            if isinstance(message, protocol_in.DeltaSync):
                rev = message.rev
                self._check_base(comm, message.base)
            self._asking = comm
            try:
                self._on_message(message)
            finally:
                self._asking = None
            if isinstance(message, (protocol_in.Sync, protocol_in.DeltaSync)) and message.rev is not None:
                self._revs[comm] = message.rev
            elif isinstance(message, protocol_in.Sync):
                self._revs.pop(comm, None)
        except DeltaMismatch as exc:
            self._revs.pop(comm, None)  # until its whole notebook arrives, no delta of this comm fits
            comm.send(protocol_out.resync(rev, exc.reason))
        except ProtocolError as exc:
            self._revs.pop(comm, None)
            self._reply_error(str(exc), comm)
        except Exception as exc:  # a kernel bug must not kill the kernel or the comm
            log.exception("reactive_kernel: failed to handle a comm message")
            self._revs.pop(comm, None)
            self._reply_error(f"internal error handling message: {exc!r}", comm)

    def _check_base(self, comm: Any, base: int) -> None:
        """A delta applies to the notebook this comm's message `base` left, and to no other."""
        last = self._revs.get(comm)
        if last is None:
            raise DeltaMismatch(
                f"it builds on message {base}, but no whole notebook came on this comm since it opened "
                "or since the kernel last asked for one"
            )
        if last != base:
            raise DeltaMismatch(
                f"it builds on message {base}, but the last message taken on this comm was {last}"
            )

    def _reply_error(self, message: str, comm: Any) -> None:
        comm.send(protocol_out.error(message))


def _session(msg: object) -> str | None:
    """The client session id in a message's header, or None when it has none."""
    header = msg.get("header") if isinstance(msg, dict) else None
    session = header.get("session") if isinstance(header, dict) else None
    return session if isinstance(session, str) and session else None
