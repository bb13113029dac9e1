"""The extension in Notebook 7 (same JupyterLab 4.6 components, another shell): the cascade and marks work."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.browser.lab import KERNELSPEC, NO_NEWS, free_port
from tests.browser.needs import needs_extension

pytestmark = needs_extension()

pytest.importorskip("notebook", reason="Notebook 7 is not installed")

ALL_FRESH = (
    "() => [...document.querySelectorAll('.jp-CodeCell')].every(e => e.dataset.reactiveStatus === 'fresh')"
)


@pytest.fixture
def notebook_server(tmp_path):
    (tmp_path / "nb").mkdir()
    (tmp_path / "settings").mkdir()
    (tmp_path / "settings" / "overrides.json").write_text(json.dumps(NO_NEWS))
    port = free_port()
    args = [
        sys.executable, "-m", "notebook", "--allow-root", "--no-browser", "--ip", "127.0.0.1",
        "--port", str(port), "--ServerApp.port_retries=0", "--ServerApp.token=", "--ServerApp.password=",
        f"--ServerApp.root_dir={tmp_path / 'nb'}",
        f"--JupyterNotebookApp.app_settings_dir={tmp_path / 'settings'}",
    ]  # fmt: skip
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(180):
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    yield url, tmp_path / "nb"
    server.terminate()
    server.wait(timeout=60)


def test_notebook7_runs_the_cascade_and_shows_statuses(notebook_server, chromium):
    url, root = notebook_server
    nb = new_notebook(
        cells=[
            new_code_cell(s, id=i) for i, s in (("a", "x = 1"), ("b", "y = x + 1"), ("c", "print(y * 10)"))
        ]
    )
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nbformat.write(nb, root / "chain.ipynb")
    page = chromium.new_page(viewport={"width": 1200, "height": 800})
    try:
        page.goto(f"{url}/notebooks/chain.ipynb")
        page.wait_for_selector(".jp-CodeCell[data-reactive-status='unrun']", timeout=60_000)
        page.locator(".jp-CodeCell .jp-InputArea-editor").first.click()
        page.keyboard.press("Control+Enter")
        page.wait_for_function(ALL_FRESH, timeout=60_000)
        outputs = page.eval_on_selector_all(
            ".jp-CodeCell .jp-OutputArea-output", "els => els.map(e => e.textContent)"
        )
        assert outputs == ["20\n"]
    finally:
        page.close()
