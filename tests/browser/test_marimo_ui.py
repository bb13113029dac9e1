"""marimo notebooks in a real JupyterLab: a `mo.ui` element shows as a live widget and drives its readers.

Each test writes a marimo file (`@app.cell` functions), opens it by double-click as a user does, and uses
the element with the mouse: a `mo.ui.slider` drives a cell, a `mo.ui.dropdown` drives a matplotlib plot.
"""

from __future__ import annotations

import pytest

from tests.browser.lab import labextension_enabled

pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
pytest.importorskip("ipywidgets", reason="ipywidgets is not installed")
pytest.importorskip("marimo", reason="marimo is not installed")

for extension in ("reactive-kernel-labextension", "@jupyter-widgets/jupyterlab-manager"):
    if not labextension_enabled(extension):
        pytestmark = pytest.mark.skip(reason=f"{extension} is not installed and enabled in JupyterLab")


def open_marimo(lab, name: str, source: str) -> list[str]:
    """Write and double-click a marimo file; returns its cells' ids (the page gives them)."""
    (lab.server.notebooks / f"{name}.py").write_text(source)
    lab.double_click(f"{name}.py")
    return lab.ids()


def prompt(lab, cell_id: str) -> str:
    return lab.cell(cell_id).locator(".jp-InputPrompt").inner_text()


SLIDER = """import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo
    return (mo,)


@app.cell
def _(mo):
    size = mo.ui.slider(1, 20, value=3, label="size")
    size
    return (size,)


@app.cell
def _(size):
    print("#" * size.value, size.value)
    return


@app.cell
def _():
    print("does not read the slider")
    return


if __name__ == "__main__":
    app.run()
"""


def test_a_marimo_slider_drives_the_cell_that_reads_it(lab):
    # (named for the README's picture; the other tests' files are named after them)
    imports, make, read, other = open_marimo(lab, "marimo_slider", SLIDER)
    lab.run(imports)  # the rest read `mo`: they run after it
    lab.wait_output(read, "### 3")
    lab.run(other)
    lab.wait_status("fresh")
    assert "<marimo" not in lab.cell(make).inner_html(), "the element shows as marimo's own tag"
    before = {cell: prompt(lab, cell) for cell in (imports, make, other)}

    track = lab.cell(make).locator(".noUi-target")
    box = track.bounding_box()
    assert box, "the slider is not on the page"
    track.click(position={"x": box["width"] * 0.75, "y": box["height"] / 2})  # noUiSlider jumps there
    value = int(lab.cell(make).locator(".widget-readout").inner_text())
    assert value != 3, "the click did not move the slider"
    lab.wait_output(read, f"{'#' * value} {value}")
    lab.wait_status("fresh")
    assert {cell: prompt(lab, cell) for cell in before} == before, "only the reader re-runs"
    lab.screenshot("marimo-slider")


PLOT = """import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    return mo, np, plt


@app.cell
def _(mo, np):
    wave = mo.ui.dropdown({"sine": np.sin, "cosine": np.cos}, value="sine", label="wave")
    wave
    return (wave,)


@app.cell
def _(np, plt, wave):
    t = np.linspace(0, 2 * np.pi, 200)
    fig, ax = plt.subplots(figsize=(6, 2.4))
    ax.plot(t, wave.value(t))
    ax.set_title(wave.selected_key)
    print(wave.selected_key, wave.value.__name__)
    plt.show()
    return


if __name__ == "__main__":
    app.run()
"""


def test_a_marimo_dropdown_redraws_a_plot_that_reads_it(lab, notebook_name):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    imports, make, plot = open_marimo(lab, notebook_name, PLOT)
    lab.run(imports)
    lab.wait_output(plot, "sine sin", exact=False)
    lab.wait_status("fresh")
    image = lab.cell(plot).locator(".jp-OutputArea-output img")
    first = image.get_attribute("src")
    before = prompt(lab, make)

    lab.cell(make).locator("select").select_option(label="cosine")
    lab.wait_output(plot, "cosine cos", exact=False)  # the dropdown's value is the option's value: np.cos
    lab.wait_status("fresh")
    assert image.get_attribute("src") != first, "the plot was not redrawn"
    assert prompt(lab, make) == before, "the cell that made the dropdown must not re-run"
