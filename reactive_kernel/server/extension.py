"""Server extension: put the `.py` notebook behaviour over the server's contents manager at startup."""

from __future__ import annotations

import functools
from typing import Any

from reactive_kernel.server.contents import ReactiveContents, reactive_contents_manager


def _load_jupyter_server_extension(serverapp: Any) -> None:
    _install_contents_manager(serverapp)
    _send_kernel_messages_without_delay()


def _install_contents_manager(serverapp: Any) -> None:
    """Replace the server's contents manager by a `.py`-aware subclass of its own class.

    The new manager takes the old one's configuration (same parent, same config). Servers configured
    with `ServerApp.contents_manager_class = "reactive_kernel.server.contents.ReactiveContentsManager"` (or a
    class built with `reactive_contents_manager`) are left as they are.
    """
    current = serverapp.contents_manager
    if isinstance(current, ReactiveContents):
        return
    cls = reactive_contents_manager(type(current))
    manager = cls(parent=serverapp, log=serverapp.log, root_dir=serverapp.root_dir)
    serverapp.contents_manager = manager
    serverapp.session_manager.contents_manager = manager
    serverapp.web_app.settings["contents_manager"] = manager
    serverapp.log.info("reactive_kernel: .py notebooks are served as notebooks (%s)", cls.__name__)


def _send_kernel_messages_without_delay() -> None:
    """Turn off Nagle's algorithm on kernel websockets (tornado leaves it on).

    A cascade is a chain of small messages (a widget's update, the run list, the cell's execute
    request, its output); with Nagle on, the server held a cell's output for ~40 ms waiting for the
    browser's delayed ACK, which more than doubled the time from a slider move to the dependent
    output (benchmarks/bench_widgets.py). Every kernel's websocket gets the same setting.
    """
    try:
        from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
    except ImportError:  # a jupyter_server without this handler: nothing to tune
        return
    opened = KernelWebsocketHandler.open
    if getattr(opened, "_reactive_no_delay", False):
        return

    @functools.wraps(opened)
    async def open_without_delay(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.set_nodelay(True)
        return await opened(self, *args, **kwargs)

    open_without_delay._reactive_no_delay = True  # type: ignore[attr-defined]
    KernelWebsocketHandler.open = open_without_delay
