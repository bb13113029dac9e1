"""Server extension: put the `.py` notebook behaviour over the server's contents manager at startup."""

from __future__ import annotations

from typing import Any

from reactive_kernel.contents import ReactiveContents, reactive_contents_manager


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Replace the server's contents manager by a `.py`-aware subclass of its own class.

    The new manager takes the old one's configuration (same parent, same config). Servers configured
    with `ServerApp.contents_manager_class = "reactive_kernel.contents.ReactiveContentsManager"` (or a
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
