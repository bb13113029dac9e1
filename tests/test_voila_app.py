"""`ReactiveVoila`: Voilà's own app, reading notebooks through our contents manager.

Pins the Voilà internal `server/voila_app.py` relies on: `Voila.init_settings` builds the contents
manager the web app's handlers use (`settings["contents_manager"]`), so replacing it there is what makes
a `.py` notebook a notebook in the app. In-process: no server listens and no kernel starts; the browser
tests (tests/browser/test_voila.py) serve real apps.
"""

from __future__ import annotations

import asyncio
import signal

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

pytest.importorskip("voila", reason="voila is not installed (pip install '.[app]')")

from reactive_kernel import KERNELSPEC
from reactive_kernel.server.voila_app import AppContentsManager, ReactiveVoila

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
    model = asyncio.run(manager.get(name))  # as Voilà's handler asks: no type
    assert model["type"] == "notebook"
    assert [cell.cell_type for cell in model["content"].cells] == cells
    assert dict(model["content"].metadata["kernelspec"]) == KERNELSPEC


def test_a_python_script_stays_a_file(tmp_path, settings):
    """Only notebooks change: a plain script next to the app is still a file (Voilà shows it as one)."""
    (tmp_path / "app.py").write_text(PERCENT)
    (tmp_path / "helper.py").write_text("def f():\n    return 1\n")
    manager = settings("app.py")["contents_manager"]
    assert asyncio.run(manager.get("helper.py"))["type"] == "file"
