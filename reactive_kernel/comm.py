"""The `reactive_kernel` comm: accepts frontends, hands their messages to the kernel, sends ours back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from reactive_kernel import protocol_in, protocol_out
from reactive_kernel.errors import ProtocolError

log = logging.getLogger(__name__)


class FrontendLink:
    """Every open comm gets state; only the newest one gets `run` lists, so no cell runs twice.

    A page reload or a second viewer opens another comm; when the newest closes, the one opened
    before it takes over running cells.
    """

    def __init__(
        self,
        comm_manager: Any,
        on_message: Callable[[protocol_in.Message], None],
        on_attach: Callable[[bool], None],
        greeting: Callable[[], dict[str, Any]],
    ) -> None:
        self._comms: list[Any] = []
        self._on_message = on_message
        self._on_attach = on_attach
        self._greeting = greeting
        comm_manager.register_target(protocol_out.COMM_TARGET, self._open)

    @property
    def attached(self) -> bool:
        return bool(self._comms)

    def broadcast(self, payload: dict[str, Any]) -> None:
        for comm in list(self._comms):
            comm.send(payload)

    def to_runner(self, payload: dict[str, Any]) -> None:
        if self._comms:
            self._comms[-1].send(payload)

    def _open(self, comm: Any, msg: dict[str, Any]) -> None:
        data = msg.get("content", {}).get("data")
        if isinstance(data, dict) and data.get("observer") is True:
            # A client that runs no cells (a headless run) telling the kernel the notebook: not a viewer.
            comm.on_msg(lambda m, comm=comm: self._receive(m, comm))
            self._receive({"content": {"data": data}}, comm)
            return
        self._comms.append(comm)
        comm.on_msg(lambda m, comm=comm: self._receive(m, comm))
        comm.on_close(lambda _msg, comm=comm: self._close(comm))
        comm.send(self._greeting())
        self._on_attach(True)
        data = msg.get("content", {}).get("data")
        if data:  # a frontend may put its first sync in the open message
            self._receive({"content": {"data": data}}, comm)
        self._on_message(protocol_in.RequestState())  # a new viewer needs every state, changed or not

    def _close(self, comm: Any) -> None:
        if comm in self._comms:
            self._comms.remove(comm)
        self._on_attach(bool(self._comms))

    def _receive(self, msg: dict[str, Any], comm: Any) -> None:
        """Never lets a bad message reach the kernel's loop: it is answered with an error message."""
        try:
            data = msg.get("content", {}).get("data") if isinstance(msg, dict) else None
            self._on_message(protocol_in.parse(data))
        except ProtocolError as exc:
            self._reply_error(str(exc), comm)
        except Exception as exc:  # a kernel bug must not kill the kernel or the comm
            log.exception("reactive_kernel: failed to handle a comm message")
            self._reply_error(f"internal error handling message: {exc!r}", comm)

    def _reply_error(self, message: str, comm: Any) -> None:
        comm.send(protocol_out.error(message))
