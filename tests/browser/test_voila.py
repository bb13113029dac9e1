"""Notebooks served as apps by a real Voilà, in a real Chromium: widgets drive the cells that read them.

The notebooks hold no `observe` and no callback: a cell that reads `slider.value` re-runs when the slider
moves because the reactive kernel runs the cells that read it, and their new outputs replace the old ones
in the page. Each test starts its own Voilà (`voila NOTEBOOK` or `reactive-kernel app NOTEBOOK`) on a
free port, and each page load gets its own kernel.
"""

from __future__ import annotations

import textwrap

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.browser.lab import KERNELSPEC
from tests.browser.voila import VoilaApp, VoilaServer, missing_voila

pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
if missing_voila():
    pytestmark = pytest.mark.skip(reason=missing_voila())

SLIDER = (
    "import ipywidgets as widgets\n\nn = widgets.IntSlider(value={value}, min=0, max=9, description='n')\nn"
)
PLOT = (
    "import matplotlib.pyplot as plt\n\n"
    "fig, ax = plt.subplots(figsize=(5, 2.5))\n"
    "ax.plot(range(10), [i ** n.value for i in range(10)])\n"
    "ax.set_title(f'i ** {n.value}')\n"
    "plt.show()"
)
SQUARE = "print(f'n squared is {n.value ** 2}')"
RATIO = "ratio = 10 / n.value\nprint(f'ten over n is {ratio:g}')"
DOUBLED = "print(f'doubled: {ratio * 2:g}')"


def write_ipynb(folder, name: str, cells: list, kernelspec: dict | None = None):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(kernelspec or KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def serve(tmp_path, page):
    """`serve(notebook, via=...)` starts a Voilà on it and returns a `VoilaApp` on the page, loaded."""
    servers = []

    def start(notebook, via: str = "voila", sliders: int = 1) -> VoilaApp:
        server = VoilaServer(notebook, via=via)
        servers.append(server)
        server.start()
        return VoilaApp(server, page).open(sliders)

    yield start
    page.close()  # Voilà shuts the page's kernel down when its websocket closes
    for server in servers:
        server.stop()


def test_voila_serves_an_ipynb_where_a_slider_drives_a_plot_and_a_text_cell(tmp_path, serve):
    notebook = write_ipynb(
        tmp_path,
        "plot",
        [
            new_markdown_cell("# Powers\nMove the slider: the plot and the text follow."),
            new_code_cell(SLIDER.format(value=3)),
            new_code_cell(PLOT),
            new_code_cell(SQUARE),
            new_code_cell("print('I read no widget')"),
        ],
    )
    app = serve(notebook)
    app.wait_text("n squared is 9")
    first = app.wait_images(1)
    assert "n.value ** 2" not in app.page.inner_text("body"), "the app must not show code"

    assert app.press("ArrowRight") == "4"
    app.wait_text("n squared is 16", gone="n squared is 9")
    second = app.wait_images(1, other_than=first)  # a new figure, in place of the old one
    app.screenshot("voila-app")  # the README's picture

    assert app.press("Home") == "0"
    app.wait_text("n squared is 0", gone="n squared is 16")
    app.wait_images(1, other_than=first + second)
    assert app.text().count("I read no widget") == 1


def test_an_error_in_a_reader_shows_in_the_app_and_recovers_when_the_slider_moves_back(tmp_path, serve):
    notebook = write_ipynb(
        tmp_path,
        "ratio",
        [new_code_cell(source) for source in (SLIDER.format(value=2), RATIO, DOUBLED, SQUARE)],
    )
    app = serve(notebook)
    app.wait_text("ten over n is 5")
    app.wait_text("doubled: 10")

    assert app.press("Home") == "0"
    app.wait_text("ZeroDivisionError", gone="ten over n is 5")  # the traceback quotes the f-string
    app.wait_text("n squared is 0")  # a reader that does not read the failing cell still runs
    app.wait_text("doubled: 10")  # the failing cell's reader is blocked: it keeps what it showed

    assert app.press("End") == "9"
    app.wait_text("ten over n is 1.11111", gone="ZeroDivisionError")
    app.wait_text("doubled: 2.22222")
    app.wait_text("n squared is 81")


PERCENT = textwrap.dedent(
    """\
    # %% [markdown]
    # # A percent notebook as an app

    # %%
    {slider}

    # %%
    {square}
    """
)


MARIMO = textwrap.dedent(
    """\
    import marimo

    __generated_with = "0.25.2"
    app = marimo.App()


    @app.cell
    def _():
        import ipywidgets as widgets

        n = widgets.IntSlider(value=5, min=0, max=9, description="n")
        n
        return (n,)


    @app.cell
    def _(n):
        print(f"n squared is {n.value ** 2}")
        return


    if __name__ == "__main__":
        app.run()
    """
)


@pytest.mark.parametrize("fmt", ["percent", "marimo"])
def test_reactive_kernel_app_serves_a_py_notebook(tmp_path, serve, fmt):
    notebook = tmp_path / "squares.py"
    if fmt == "percent":
        text = PERCENT.format(slider=SLIDER.format(value=5), square=SQUARE)
    else:
        text = MARIMO
    notebook.write_text(text, encoding="utf-8")
    app = serve(notebook, via="app")
    app.wait_text("n squared is 25")
    if fmt == "percent":
        assert "A percent notebook as an app" in app.page.inner_text("body")
    assert "n.value ** 2" not in app.page.inner_text("body"), "the app must not show code"

    assert app.press("ArrowRight") == "6"
    app.wait_text("n squared is 36", gone="n squared is 25")


@pytest.mark.parametrize("via", ["server", "lab"])
@pytest.mark.parametrize("suffix", [".ipynb", ".py"])
def test_voila_inside_a_jupyter_server_serves_a_live_app(tmp_path, serve, suffix, via):
    """`/voila/render/` of a `jupyter server` or `jupyter lab` (the pages JupyterHub users and JupyterLab's
    Voilà preview open): our server extension hands Voilà's the cell-naming configuration and the `.py`
    mapping."""
    if suffix == ".ipynb":
        cells = [new_code_cell(SLIDER.format(value=5)), new_code_cell(SQUARE)]
        notebook = write_ipynb(tmp_path, "squares", cells)
    else:
        notebook = tmp_path / "squares.py"
        notebook.write_text(PERCENT.format(slider=SLIDER.format(value=5), square=SQUARE), encoding="utf-8")
    app = serve(notebook, via=via)
    app.wait_text("n squared is 25")
    assert "n.value ** 2" not in app.page.inner_text("body"), "the app must not show code"

    assert app.press("ArrowRight") == "6"
    app.wait_text("n squared is 36", gone="n squared is 25")


def test_reactive_kernel_app_runs_an_ipykernel_notebook_on_the_reactive_kernel(tmp_path, serve):
    """A notebook saved with "Python 3 (ipykernel)" is still an app: the page runs on the reactive kernel."""
    python3 = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    kernel = "print('kernel:', type(get_ipython().kernel).__module__)"
    notebook = write_ipynb(
        tmp_path,
        "plain",
        [new_code_cell(SLIDER.format(value=1)), new_code_cell(SQUARE), new_code_cell(kernel)],
        kernelspec=python3,
    )
    app = serve(notebook, via="app")
    app.wait_text("n squared is 1")
    app.wait_text("kernel: reactive_kernel.")
    assert app.press("End") == "9"
    app.wait_text("n squared is 81")


def test_choosing_from_a_dropdown_reruns_the_cell_that_reads_it(tmp_path, serve):
    dropdown = (
        "word = widgets.Dropdown(options=['one', 'two', 'three'], value='one', description='word')\nword"
    )
    notebook = write_ipynb(
        tmp_path,
        "words",
        [
            new_code_cell(SLIDER.format(value=1)),
            new_code_cell(dropdown),
            new_code_cell("print(word.value.upper())"),
        ],
    )
    app = serve(notebook)
    app.wait_text("ONE")
    app.page.locator("select").select_option("three")
    app.wait_text("THREE", gone="ONE")
