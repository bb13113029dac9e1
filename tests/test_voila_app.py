"""`ReactiveVoila`: Voilà's own app, reading notebooks through our contents manager.

Pins the Voilà internal `server/voila_app.py` relies on: `Voila.init_settings` builds the contents
manager the web app's handlers use (`settings["contents_manager"]`), so replacing it there is what makes
a `.py` notebook a notebook in the app. In-process: no server listens and no kernel starts; the browser
tests (tests/browser/test_voila.py) serve real apps.
"""

from __future__ import annotations

import signal
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

pytest.importorskip("voila", reason="voila is not installed (pip install '.[app]')")

from reactive_kernel import KERNELSPEC
from reactive_kernel.server.voila_app import AppContentsManager, ReactiveVoila
from tests import aio

PERCENT = "# %% [markdown]\n# Title\n\n# %%\nx = 1\n\n# %%\nprint(x)\n"
PYTHON3 = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


@pytest.fixture
def settings(tmp_path):
    """What `ReactiveVoila` hands its handlers for a notebook in tmp_path (nothing listens)."""

    def make(name: str) -> dict:
        handler = signal.getsignal(signal.SIGTERM)  # Voilà installs its own; give pytest's back
        app = ReactiveVoila()
        try:
            app.initialize([str(tmp_path / name)])
            settings = app.init_settings()
            # Voilà's handler renders only .ipynb and the extensions in this mapping (the rest: raw file)
            assert app.voila_configuration.extension_language_mapping[".py"] == "python"
            return settings
        finally:
            signal.signal(signal.SIGTERM, handler)
            ReactiveVoila.clear_instance()

    return make


@pytest.mark.parametrize(
    ("name", "write", "cells"),
    [
        ("app.py", lambda path: path.write_text(PERCENT), ["markdown", "code", "code"]),
        (
            "app.ipynb",
            lambda path: nbformat.write(
                new_notebook(cells=[new_code_cell("x = 1")], metadata={"kernelspec": PYTHON3}), path
            ),
            ["code"],
        ),
    ],
    ids=["percent-py", "ipynb-on-ipykernel"],
)
def test_the_app_reads_notebooks_through_our_contents_manager_on_the_reactive_kernel(
    tmp_path, settings, name, write, cells
):
    write(tmp_path / name)
    manager = settings(name)["contents_manager"]
    assert isinstance(manager, AppContentsManager)
    model = aio.run(manager.get(name))  # as Voilà's handler asks: no type
    assert model["type"] == "notebook"
    assert [cell.cell_type for cell in model["content"].cells] == cells
    assert dict(model["content"].metadata["kernelspec"]) == KERNELSPEC


def test_a_python_script_stays_a_file(tmp_path, settings):
    """Only notebooks change: a plain script next to the app is still a file (Voilà shows it as one)."""
    (tmp_path / "app.py").write_text(PERCENT)
    (tmp_path / "helper.py").write_text("def f():\n    return 1\n")
    manager = settings("app.py")["contents_manager"]
    assert aio.run(manager.get("helper.py"))["type"] == "file"


# -- execute requests that name their cells (server/voila_cells.py) ---------------------------------------


def test_the_shipped_voila_config_file_makes_kernel_clients_that_name_cells_and_executors_that_say_which():
    """What Voilà does with its configuration: kernel managers (jupyter_server's, a subclass of
    AsyncKernelManager) build clients from `client_class`; its executor (nbclient) calls the hooks."""
    from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
    from nbformat.v4 import new_notebook
    from traitlets.config.loader import PyFileConfigLoader
    from voila.execute import VoilaExecutor

    from reactive_kernel.server import voila_cells

    shipped = Path(__file__).resolve().parents[1] / "jupyter-config" / "voila"
    config = PyFileConfigLoader("voila.py", path=str(shipped)).load_config()
    manager = ServerKernelManager(config=config)
    assert manager.client_factory is voila_cells.CellNamingClient
    executor = VoilaExecutor(new_notebook(), config=config)
    assert executor.on_cell_execute is voila_cells.cell_starts
    assert executor.on_cell_executed is voila_cells.cell_done


@pytest.mark.parametrize(
    ("cell", "index", "metadata"),
    [
        ({"id": "abc", "source": "x = 1"}, 3, {"cellId": "abc"}),
        ({"source": "x = 1"}, 3, {"cellId": "cell-3"}),
    ],
    ids=["nbformat-id", "no-id"],
)
def test_a_request_sent_while_a_cell_runs_names_it_and_others_name_none(cell, index, metadata):
    from reactive_kernel.server import voila_cells

    client = voila_cells.CellNamingClient()
    sent = []
    client.shell_channel.send = sent.append  # the message as it would go on the wire, not sent

    def request(code: str, **kwargs) -> dict:
        client.execute(code, **kwargs)
        return sent.pop()

    async def page_load() -> list[dict]:
        first = request("import os")  # Voilà's own code before the first cell
        voila_cells.cell_starts(cell, index)
        ran = request(cell["source"], store_history=False)
        quiet = request("1", silent=True)
        voila_cells.cell_done(cell, index, execute_reply={})
        return [first, ran, quiet, request("2")]

    try:
        first, ran, quiet, after = aio.run(page_load())
    finally:  # the channel made a socket (never connected): close it, or the process waits at exit
        client.shell_channel.close()
        client.context.destroy(linger=0)
    assert ran["metadata"] == metadata
    assert ran["content"]["code"] == "x = 1" and ran["content"]["store_history"] is False
    assert [m["metadata"] for m in (first, quiet, after)] == [{}, {}, {}]
