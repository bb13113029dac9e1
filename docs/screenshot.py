"""Take the README's picture: a real JupyterLab running a notebook on the reactive kernel, in Chromium.

    python docs/screenshot.py [--out docs/images/kernel.png]

Needs JupyterLab (`pip install ".[lab]"`), Python Playwright and Debian's /usr/bin/chromium. Not part
of the test suite: it makes a picture, it checks nothing.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CELLS = [
    new_markdown_cell("Each cell's defs and refs are tracked by **Python 3 (reactive)**."),
    new_code_cell("n = 10"),
    new_code_cell("squares = [i * i for i in range(n)]\ntotal = sum(squares)\n%reactive"),
    new_code_cell("print(f'sum of {n} squares: {total}')"),
    new_code_cell("n = 3  # a second definition of n"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(root: Path, port: int) -> subprocess.Popen:
    """JupyterLab serving root/notebooks, with its settings and workspaces beside it, out of view."""
    settings = root / "settings"
    settings.mkdir()
    news = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}
    (settings / "overrides.json").write_text(json.dumps(news))
    args = [
        sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser", "--ip", "127.0.0.1",
        "--port", str(port), "--ServerApp.port_retries=0", "--ServerApp.token=", "--ServerApp.password=",
        f"--ServerApp.root_dir={root / 'notebooks'}", f"--LabApp.workspaces_dir={root}",
        f"--LabApp.app_settings_dir={settings}",
    ]  # fmt: skip
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=1)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("jupyter lab did not start")


def shoot(url: str, out: Path) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 760})
        page.goto(url)
        page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        page.click("text=Run", timeout=30_000)
        page.click("text=Run All Cells", timeout=30_000)
        page.wait_for_selector("text=MultipleDefinitionError", timeout=60_000)
        page.wait_for_timeout(1000)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "images" / "kernel.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        nb = new_notebook(cells=CELLS)
        nb.metadata["kernelspec"] = {"name": "reactive-python", "display_name": "Python 3 (reactive)"}
        (root / "notebooks").mkdir()
        nbformat.write(nb, root / "notebooks" / "reactive.ipynb")
        port = free_port()
        server = start_lab(root, port)
        try:
            shoot(f"http://127.0.0.1:{port}/lab/tree/reactive.ipynb?reset", args.out)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
