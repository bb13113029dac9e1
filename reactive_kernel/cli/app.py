"""`reactive-kernel app`: serve a notebook as a web app through Voilà, on the reactive kernel.

The notebook is checked here, before Voilà starts, so a missing file, a file that is not a notebook, or a
missing Voilà is one clear line rather than a server that starts and then fails on the first page load.
"""

from __future__ import annotations

import importlib.util
import os

from reactive_kernel import formats
from reactive_kernel.core.errors import MissingExtraError, NotebookFileError
from reactive_kernel.headless import notebook_io as files

DEFAULT_PORT = 8866  # Voilà's
# How the kernel shows a cell's new outputs when it re-runs cells itself (docs/protocol.md): in Voilà only
# widgets are live, so an `ipywidgets.Output` per cell. Kernels inherit it from the server's environment.
CASCADE_ENV, CASCADE = "REACTIVE_KERNEL_CASCADE", "widget"


def app(path: str, port: int | None, open_browser: bool) -> int:
    """Serve `path` with Voilà until stopped (Ctrl+C); `port` None is Voilà's, moving on if it is taken."""
    check_notebook(path)
    if importlib.util.find_spec("voila") is None:
        raise MissingExtraError("Voilà", "app")
    from reactive_kernel.server import voila_app  # imports Voilà: only once the checks passed

    os.environ.setdefault(CASCADE_ENV, CASCADE)  # a setting the user exported wins
    return voila_app.main(voila_arguments(path, port, open_browser))


def check_notebook(path: str) -> None:
    """Raise `NotebookFileError` unless `path` is an `.ipynb` or a `.py` that is a notebook (not a script)."""
    files.read_notebook(path)  # missing, not a file, not UTF-8, unknown extension, does not parse
    if path.lower().endswith(".py"):
        with open(path, encoding="utf-8") as f:
            if formats.detect(f.read()) is None:
                raise NotebookFileError(
                    path,
                    "a Python script, not a notebook: a .py notebook has `# %%` cell markers (percent "
                    "format) or is a marimo app (`reactive-kernel convert` writes one)",
                )


def voila_arguments(path: str, port: int | None, open_browser: bool) -> list[str]:
    """Voilà's command line for the app. A port that was asked for is that port or an error."""
    words = [os.path.abspath(path), f"--port={DEFAULT_PORT if port is None else port}"]
    if port is not None:
        words.append("--Voila.port_retries=0")
    if not open_browser:
        words.append("--no-browser")
    return words
