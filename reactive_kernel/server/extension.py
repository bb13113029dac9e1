"""Server extension: at load, serve `.py` notebooks through the server's contents manager, kernel
websockets without delay, and make the server's Voilà (its `/voila/render/` pages) a live app.

All are installed when the server loads its extensions, the first moment when every configuration
(files, command line, other extensions' links) has been applied and each setting has its final value.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

from reactive_kernel.server import voila_cells
from reactive_kernel.server.contents import ReactiveContents, reactive_contents_manager
from reactive_kernel.server.kernel_websocket import NoDelayWebsocketConnection


def _load_jupyter_server_extension(serverapp: Any) -> None:
    _install_contents_manager(serverapp)
    _install_kernel_websocket_connection(serverapp)
    _configure_voila(serverapp)


def _install_contents_manager(serverapp: Any) -> None:
    """Replace the server's contents manager by a `.py`-aware subclass of its own class.

    The new manager takes the old one's configuration (same parent, same config). Servers configured
    with `ServerApp.contents_manager_class = "reactive_kernel.server.contents.ReactiveContentsManager"` (or a
    class built with `reactive_contents_manager`) are left as they are.

    jupyter_server has no hook to extend whatever class is configured: `ServerApp.contents_manager_class`
    is instantiated before extensions load, and a class set there at link time would be undone by a
    configured one when another extension re-applies the server's configuration, and would change how
    it stacks with extensions that wrap the manager at load (jupytext). So, as jupytext's server
    extension does, the manager is replaced in the three places jupyter_server hands it out (the app,
    its session manager, the web app's settings); tests/test_host_pins.py checks that those are all.
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


def _install_kernel_websocket_connection(serverapp: Any) -> None:
    """Open kernel websockets with `NoDelayWebsocketConnection`, unless a connection class is configured.

    `ServerApp.kernel_websocket_connection_class` is jupyter_server's configurable class for the object
    that bridges one kernel websocket to the kernel. A class the user configured (even jupyter_server's
    own) is kept, and so is any default other than the plain one (a gateway server's connection); the
    handler reads the class from the web app's settings, which are built before extensions load.
    """
    name = "kernel_websocket_connection_class"
    configured = any(name in serverapp.config.get(section, {}) for section in serverapp.section_names())
    current = getattr(serverapp, name)
    if configured or current is not ZMQChannelsWebsocketConnection:
        serverapp.log.info("reactive_kernel: kernel websockets keep the configured %s", current.__name__)
        return
    setattr(serverapp, name, NoDelayWebsocketConnection)
    serverapp.web_app.settings[name] = NoDelayWebsocketConnection


def _configure_voila(serverapp: Any) -> None:
    """Give Voilà's server extension the configuration `reactive-kernel app` gives standalone Voilà.

    Voilà inside a Jupyter server reads no `voila.py` for its executor: it runs pages with the server's
    own configuration (`ServerApp.config`, which its render handler keeps by reference) and kernel
    manager, and makes its `VoilaConfiguration` a child of the server when it loads. jupyter_server loads
    extensions in alphabetical order, so `reactive_kernel` comes before `voila`, and merging in place
    into the configuration object reaches all three: execute requests name their cells
    (`voila_cells.config()`, which only acts while Voilà's executor runs a cell, so kernels JupyterLab
    starts are unaffected), and `.py` pages are rendered (Voilà redirects files whose extension it does
    not map to their raw text) from what our contents manager serves. A `.py` mapping the user set stays,
    and so does a mapping configured by `.update(...)` (a lazy value, applied later: left as it is).
    """
    config = voila_cells.config()
    mapping = serverapp.config.get("VoilaConfiguration", {}).get("extension_language_mapping", {})
    if isinstance(mapping, dict) and ".py" not in mapping:
        config.VoilaConfiguration.extension_language_mapping = {**mapping, ".py": "python"}
    for target in {id(c): c for c in (serverapp.config, serverapp.kernel_manager.config)}.values():
        target.merge(config)
