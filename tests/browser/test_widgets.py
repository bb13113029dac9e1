"""Widgets in a real JupyterLab: dragging a slider re-runs the cells that read it, and only those."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jupyter_core.paths import jupyter_path

from tests.browser.lab import Lab, LabServer
from tests.browser.needs import REACTIVE, needs_extension

pytest.importorskip("ipywidgets", reason="ipywidgets is not installed")

WIDGETS = "@jupyter-widgets/jupyterlab-manager"
pytestmark = needs_extension(REACTIVE, WIDGETS)

NOTEBOOK = {
    "a": "import ipywidgets as widgets\nslider = widgets.IntSlider(value=10, min=0, max=100)\nslider",
    "b": "print(slider.value * 10)",
    "c": "print('independent')",
}


def prompt(lab, cell_id: str) -> str:
    return lab.cell(cell_id).locator(".jp-InputPrompt").inner_text()


def drag(lab, fraction: float) -> None:
    """Press the slider's handle and drag it to `fraction` of the track, in small steps, as a hand does."""
    track = lab.cell("a").locator(".noUi-target")
    handle = lab.cell("a").locator(".noUi-handle")
    box, grip = track.bounding_box(), handle.bounding_box()
    assert box and grip, "the slider is not on the page"
    y = grip["y"] + grip["height"] / 2
    lab.page.mouse.move(grip["x"] + grip["width"] / 2, y)
    lab.page.mouse.down()
    lab.page.mouse.move(box["x"] + box["width"] * fraction, y, steps=15)
    lab.page.mouse.up()


def readout(lab) -> int:
    return int(lab.cell("a").locator(".widget-readout").inner_text())


def test_dragging_a_slider_reruns_the_cell_that_reads_it(lab, notebook_name):
    lab.notebook(notebook_name, NOTEBOOK, reactive=True)
    lab.run("a")
    lab.wait_output("b", "100")
    lab.run("c")
    lab.wait_status("fresh")
    before = {cell: prompt(lab, cell) for cell in "abc"}

    drag(lab, 0.8)
    value = readout(lab)
    assert value not in (10, 0), f"the drag did not move the slider (readout {value})"
    lab.wait_output("b", str(value * 10))
    lab.wait_status("fresh")
    assert prompt(lab, "a") == before["a"], "the cell that made the slider must not re-run"
    assert prompt(lab, "c") == before["c"], "a cell that does not read the slider must not re-run"
    assert prompt(lab, "b") != before["b"]

    drag(lab, 0.2)  # and back: the newest value wins
    value = readout(lab)
    lab.wait_output("b", str(value * 10))


PLOT = {
    "md": "md:### A slider-driven plot\nDrag the slider: the plot reads `freq`, so it re-runs. No callbacks.",
    "a": "import ipywidgets as widgets\nfreq = widgets.FloatSlider(value=1.0, min=0.5, max=5.0, step=0.5,"
    " description='freq')\nfreq",
    "b": "import matplotlib.pyplot as plt\nimport numpy as np\n\nt = np.linspace(0, 2 * np.pi, 400)",
    "c": "fig, ax = plt.subplots(figsize=(7, 2.6))\nax.plot(t, np.sin(freq.value * t))"
    "\nax.set_title(f'sin({freq.value:g} t)')\nplt.show()",
}


def test_dragging_a_slider_redraws_a_plot_that_reads_it(lab, notebook_name):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    lab.notebook(notebook_name, PLOT, reactive=True)
    lab.run("a")
    lab.run("b")  # c reads freq and t: it runs after b
    image = lab.cell("c").locator(".jp-OutputArea-output img")
    image.wait_for()
    first = image.get_attribute("src")
    prompt_b = prompt(lab, "b")

    track = lab.cell("a").locator(".noUi-target")
    box = track.bounding_box()
    assert box, "the slider is not on the page"
    track.click(position={"x": box["width"] * 0.75, "y": box["height"] / 2})  # noUiSlider jumps there
    value = float(lab.cell("a").locator(".widget-readout").inner_text())
    assert value != 1.0, "the click did not move the slider"
    lab.wait_status("fresh")
    lab.page.wait_for_function(
        "([id, before]) => { const n = window.reactiveTest.node(id);"
        " const img = n && n.querySelector('.jp-OutputArea-output img');"
        " return img && img.getAttribute('src') !== before; }",
        arg=["c", first],
    )
    assert prompt(lab, "b") == prompt_b, "the cell that does not read the slider must not re-run"
    lab.screenshot("slider-plot")


# -- ipywidgets installed while the page was open: the README says to reload the page ---------------------


def labextension_folder(name: str) -> Path:
    """Where this environment installed the lab extension `name` (share/jupyter/labextensions/<name>)."""
    for folder in jupyter_path("labextensions"):
        if (Path(folder) / name / "package.json").exists():
            return Path(folder) / name
    raise AssertionError(f"{name} is not installed")


@pytest.fixture(scope="module")
def late_server(lab_server, tmp_path_factory):
    """A JupyterLab whose lab extensions are read from one folder that holds ours only at first: copying
    ipywidgets' extension there is what `pip install ipywidgets` does to a running server."""
    server = LabServer(tmp_path_factory.mktemp("late-widgets-lab"))
    server.extensions = server.root / "labextensions"
    shutil.copytree(labextension_folder(REACTIVE), server.extensions / REACTIVE)
    server.extra_args = [f"--LabApp.labextensions_path={server.extensions}"]
    server.start()
    yield server
    server.stop()


def test_widgets_installed_while_the_page_was_open_work_after_a_reload_and_a_run(
    late_server, page, notebook_name
):
    """What the README says to do: reload the page, run the widget's cell again; no server or kernel restart.

    (The run is needed: the page without the extension closed the widget's connection, as JupyterLab
    closes any comm it has no handler for, so the old slider would show after the reload but drive nothing.)
    """
    lab = Lab(late_server, page)
    try:
        lab.notebook(notebook_name, PLOT, reactive=True)
        lab.run("a")
        lab.run("b")
        lab.cell("c").locator(".jp-OutputArea-output img").wait_for()  # the plot ran
        lab.wait_output("a", "FloatSlider(value=1.0", exact=False)  # the page cannot draw it: its text
        lab.wait_status("fresh")
        lab.wait_idle()
        kernel = lab.server.sessions(lab.path)[0]["kernel"]["id"]

        shutil.copytree(labextension_folder(WIDGETS), late_server.extensions / WIDGETS)  # "pip install"
        lab.reload(reactive=True)
        lab.wait_status("fresh")
        lab.run("a")  # a new slider, drawn; c reads it, so it runs too
        track = lab.cell("a").locator(".noUi-target")
        track.wait_for(timeout=60_000)
        lab.wait_status("fresh")
        lab.wait_idle()
        before = {cell: prompt(lab, cell) for cell in "abc"}

        box = track.bounding_box()
        assert box, "the slider is not on the page"
        track.click(position={"x": box["width"] * 0.75, "y": box["height"] / 2})
        value = float(lab.cell("a").locator(".widget-readout").inner_text())
        assert value != 1.0, "the click did not move the slider"
        lab.page.wait_for_function(
            "([id, before]) => { const n = window.reactiveTest.node(id);"
            " const p = n && n.querySelector('.jp-InputPrompt'); return p && p.innerText !== before; }",
            arg=["c", before["c"]],
        )
        assert prompt(lab, "b") == before["b"], "the cell that does not read the slider must not re-run"
        assert lab.server.sessions(lab.path)[0]["kernel"]["id"] == kernel, "the same kernel all along"
    finally:
        page.close()
        if lab.path:
            late_server.shutdown_sessions(lab.path)
