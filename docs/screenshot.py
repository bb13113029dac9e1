"""Take the README's picture of %reactive and a multiple definition in JupyterLab, without our extension.

    python docs/screenshot.py [--out docs/images/kernel.png]

Uses the browser tests' harness (tests/browser/lab.py: a real jupyter lab, Debian's Chromium through
Python Playwright). The extension's pictures come from the browser tests themselves
(`REACTIVE_SCREENSHOTS=1 python -m pytest tests/browser`). Not part of the test suite: it checks nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.lab import CHROMIUM, CHROMIUM_ARGS, LabServer

CELLS = [
    new_markdown_cell("Each cell's defs and refs are tracked by **Python 3 (reactive)**.", id="intro"),
    new_code_cell("# marimo's rule: one definition per global\n%reactive unique", id="rule"),
    new_code_cell("n = 10", id="n"),
    new_code_cell("squares = [i * i for i in range(n)]\ntotal = sum(squares)\n%reactive", id="squares"),
    new_code_cell("print(f'sum of {n} squares: {total}')", id="show"),
    new_code_cell("n = 3  # a second definition of n", id="again"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "images" / "kernel.png")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        server = LabServer(Path(tmp), disabled=("reactive-kernel-labextension",))  # the kernel alone
        server.start()
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            path = server.write_notebook("reactive", CELLS)
            page = browser.new_page(viewport={"width": 1100, "height": 760})
            page.goto(f"{server.url}/lab/tree/{path}?reset")
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            page.wait_for_selector("text=Python 3 (reactive) | Idle", timeout=60_000)  # its session is up
            page.click("text=Run", timeout=30_000)
            page.click("text=Run All Cells", timeout=30_000)
            page.wait_for_selector("text=MultipleDefinitionError", timeout=60_000)
            page.wait_for_timeout(1000)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
        finally:
            browser.close()
            server.stop()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
