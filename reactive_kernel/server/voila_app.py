"""Voilà serving one notebook as an app on the reactive kernel: what `reactive-kernel app` starts.

Standalone Voilà 0.5 reads notebooks through a plain `LargeFileManager` that `Voila.init_settings`
creates (there is no configurable class for it), so on its own it serves a `.py` notebook as a raw file,
or, with `.py` in its `extension_language_mapping`, as a one-cell script on whichever Python kernel sorts
first. `ReactiveVoila` swaps that manager, where Voilà hands it out (the app and the web app's
settings), for `AppContentsManager`: our `.py`-aware contents manager (`server.contents`) that also puts
every notebook it serves on the reactive kernel, so an `.ipynb` saved with "Python 3 (ipykernel)" still
runs reactively; and it maps `.py` to Python, so Voilà renders what the manager says is a notebook.

Its execute requests name their cells (`server.voila_cells`), as in any Voilà with our `voila.py`.
tests/test_voila_app.py pins these internals.

Voilà's own defaults already suit an app: the `lab` template shows outputs only (code is stripped,
`VoilaConfiguration.strip_sources`), and a viewer's websocket may only send widget messages, never code.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import nbformat
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from voila.app import Voila

from reactive_kernel import KERNELSPEC
from reactive_kernel.server import voila_cells
from reactive_kernel.server.contents import reactive_contents_manager


class AppContentsManager(reactive_contents_manager(AsyncLargeFileManager)):  # type: ignore[misc]
    """`.py` notebooks served as notebooks, and every notebook on the reactive kernel."""

    async def get(self, path: str, content: bool = True, type: str | None = None, **kwargs: Any) -> dict:
        model = await super().get(path, content=content, type=type, **kwargs)
        if model.get("type") == "notebook" and model.get("content") is not None:
            model["content"].metadata["kernelspec"] = nbformat.NotebookNode(KERNELSPEC)
        return model


class ReactiveVoila(Voila):
    """Voilà with `AppContentsManager` in place of the `LargeFileManager` it builds for itself."""

    name = "reactive-kernel-app"

    def initialize(self, argv: Any = None) -> None:
        super().initialize(argv)
        # Voilà serves only `.ipynb` and the extensions this maps (it redirects anything else to the raw
        # file); what a `.py` is, notebook or script, is the contents manager's to say.
        mapping = self.voila_configuration.extension_language_mapping
        if ".py" not in mapping:
            self.voila_configuration.extension_language_mapping = {**mapping, ".py": "python"}
        self.update_config(voila_cells.config())  # also what our voila.py gives any Voilà

    def init_settings(self) -> dict[str, Any]:
        settings = super().init_settings()
        manager = AppContentsManager(parent=self, log=self.log, root_dir=self.root_dir)
        self.contents_manager = manager
        settings["contents_manager"] = manager
        return settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run Voilà with `argv` (Voilà's own options and one notebook) until it is stopped."""
    try:
        ReactiveVoila.launch_instance(argv=list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # Voilà exits this way when it cannot listen, and after --help
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    finally:
        ReactiveVoila.clear_instance()
    return 0


if __name__ == "__main__":
    sys.exit(main())
