"""A marimo notebook in JupyterLab: its markdown cells render as markdown, and mo.stop's descendants show
that they are blocked and which cell stopped them."""

from __future__ import annotations

import pytest

from tests.browser.lab import labextension_enabled

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
pytest.importorskip("marimo")
expect = sync_api.expect

EXTENSION = "reactive-kernel-labextension"
if not labextension_enabled(EXTENSION):
    pytestmark = pytest.mark.skip(reason=f"{EXTENSION} is not installed and enabled in JupyterLab")
TIMEOUT = 60_000

NOTEBOOK = '''import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo
    return (mo,)


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Gate

    Set *ready* to continue.
    """)
    return


@app.cell
def _():
    ready = False
    return (ready,)


@app.cell
def gate(mo, ready):
    mo.stop(not ready, mo.md("**Not ready yet.**"))
    level = 2
    return (level,)


@app.cell
def _(level):
    print("level", level)
    return


if __name__ == "__main__":
    app.run()
'''


def test_markdown_renders_and_mo_stop_blocks_its_descendants_naming_it(lab, notebook_name):
    (lab.server.notebooks / f"{notebook_name}.py").write_text(NOTEBOOK)
    lab.double_click(f"{notebook_name}.py")
    imports, markdown, flag, gate, below = lab.ids()
    heading = lab.cell(markdown).locator(".jp-RenderedMarkdown h1")
    expect(heading).to_contain_text("Gate", timeout=TIMEOUT)  # rendered, not hidden
    lab.run(flag)
    lab.run(imports)
    lab.wait_status({imports: "fresh", flag: "fresh", gate: "fresh", below: "blocked"})
    expect(lab.cell(gate).locator(".jp-OutputArea-output strong")).to_have_text("Not ready yet.")
    message = lab.cell(below).locator(".jp-reactive-message")
    expect(message).to_contain_text("#4 (gate) stopped with mo.stop", timeout=TIMEOUT)
    lab.screenshot("marimo-stop")
    lab.edit(flag, "ready = True")
    lab.run(flag)
    lab.wait_status("fresh", gate, below)
    lab.wait_output(below, "level 2")
