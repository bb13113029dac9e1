"""Kernel websockets that send each message at once: jupyter_server's connection class with Nagle off.

A cascade is a chain of small messages (a widget's update, the run list, the cell's execute request, its
output); with Nagle's algorithm on (tornado leaves it on), the server held a cell's output for ~40 ms
waiting for the browser's delayed ACK, which more than doubled the time from a slider move to the
dependent output (benchmarks/bench_widgets.py). jupyter_server makes one connection object per kernel
websocket, of the configurable class `ServerApp.kernel_websocket_connection_class`; the server extension
installs this one unless that setting is configured.
"""

from __future__ import annotations

from collections.abc import Awaitable

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayWebsocketConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's default kernel websocket connection, with TCP_NODELAY on its socket."""

    def connect(self) -> Awaitable[None] | None:
        # The handler calls connect() from open(), once the handshake is done and the websocket has its
        # stream: the first moment the socket can be tuned, before any kernel message goes out.
        self.websocket_handler.set_nodelay(True)
        return super().connect()
