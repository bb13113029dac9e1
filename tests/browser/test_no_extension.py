"""JupyterLab without our extension (the kernel alone), in Chromium: the kernel runs the cascade itself.

JupyterLab applies `update_display_data` to the output with that display id in any cell, as VS Code
does, so running a cell replaces the outputs of the cells that read it, in their own cells.
"""

from __future__ import annotations

import pytest

from tests.browser.lab import Lab, LabServer, missing_requirements

EXTENSION = "reactive-kernel-labextension"


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory):
    reason = missing_requirements()
    if reason:
        pytest.skip(reason)
    server = LabServer(tmp_path_factory.mktemp("no-extension-lab"), disabled=(EXTENSION,))
    server.start()
    yield server
    server.stop()


def test_running_a_cell_updates_its_readers_outputs_in_their_cells(plain_server, page, notebook_name):
    lab = Lab(plain_server, page)
    try:
        lab.notebook(notebook_name, {"a": "x = 1", "b": "print(x * 10)", "c": "x + 100", "d": "1 / (x - 3)"})
        for cell in "abcd":
            lab.run(cell)
            lab.wait_idle()
        lab.wait_output("b", "10")
        lab.wait_output("c", "101")
        lab.edit("a", "x = 3")
        lab.run("a")
        lab.wait_idle()
        lab.wait_output("b", "30")
        lab.wait_output("c", "103")
        lab.wait_output("d", "ZeroDivisionError", exact=False)  # the failing reader shows its error
        lab.edit("a", "x = 4")
        lab.run("a")
        lab.wait_idle()
        lab.wait_output("d", "1.0")  # and recovers
        lab.wait_output("b", "40")
    finally:
        plain_server.shutdown_sessions(lab.path)


def test_moving_a_slider_updates_its_readers_outputs(plain_server, page, notebook_name):
    pytest.importorskip("ipywidgets")
    lab = Lab(plain_server, page)
    slider = "import ipywidgets as widgets\nslider = widgets.IntSlider(value=10, min=0, max=100)\nslider"
    try:
        lab.notebook(notebook_name, {"a": slider, "b": "print('value', slider.value * 10)"})
        for cell in "ab":
            lab.run(cell)
            lab.wait_idle()
        lab.wait_output("b", "value 100")
        track = lab.cell("a").locator(".noUi-target")
        track.wait_for()
        box = track.bounding_box()
        assert box, "the slider is not on the page"
        track.click(position={"x": box["width"] * 0.75, "y": box["height"] / 2})  # noUiSlider jumps there
        lab.wait_output("b", "value 7", exact=False)  # about 75: 7xx
    finally:
        plain_server.shutdown_sessions(lab.path)
