"""`.py` notebooks in a real JupyterLab (and Notebook 7): a double-click or a `/lab/tree/<file>.py` link opens
them as notebooks on their kernel, clean until edited; saving keeps the format.

The server's contents manager (reactive_kernel/server/contents.py, enabled by the installed server config)
lists a `.py` file with a percent header, `# %%` markers or a marimo app as a notebook.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

from tests.browser.documents import (
    FIRST_CELL_VISIBLE,
    WATCH_DIALOGS,
    close_tab,
    dialogs,
    document,
    open_link,
    unchanged,
    wait_document,
    wait_kernel_filled_in,
)
from tests.browser.lab import NO_NEWS, TIMEOUT, Lab, LabServer
from tests.browser.needs import needs_extension
from tests.browser.test_notebook7 import notebook_server  # noqa: F401  (a fixture, used below)

pytestmark = needs_extension()


CHAIN = """\
# %%
x = 1

# %% [markdown]
# The next cell follows *x*.

# %%
print("y is", x + 1)
"""
PYTHON3_HEADER = """\
# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

"""
DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"


class TunedLabServer(LabServer):
    """A `LabServer` started with more JupyterLab settings overrides (read once, when the server starts)."""

    def __init__(self, root, overrides: dict) -> None:
        super().__init__(root)
        self.overrides = overrides

    def _start_once(self) -> bool:
        (self.settings / "overrides.json").write_text(json.dumps({**NO_NEWS, **self.overrides}))
        return super()._start_once()


@pytest.fixture(scope="module")
def tuned_server(lab_server, tmp_path_factory):
    """Autosave every second, and every `.py` opens as a Reactive Notebook (Document Manager settings)."""
    server = TunedLabServer(
        tmp_path_factory.mktemp("tuned-lab"),
        {
            DOCMANAGER: {
                "autosave": True,
                "autosaveInterval": 1,
                "defaultViewers": {"python": "Reactive Notebook"},
            }
        },
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tuned_lab(tuned_server, page):
    driver = Lab(tuned_server, page)
    yield driver
    page.close()
    if driver.path:
        tuned_server.shutdown_sessions(driver.path)


def test_double_click_opens_a_percent_file_as_a_notebook_that_runs_and_saves(lab, notebook_name):
    path = lab.server.notebooks / f"{notebook_name}.py"
    path.write_text(CHAIN)
    lab.double_click(path.name)
    assert lab.page.evaluate("() => window.reactiveTest.kernel().name") == "reactive-python"
    first, last = lab.code_cells
    lab.wait_status("unrun")
    lab.run(first)
    lab.wait_output(last, "y is 2")
    lab.edit(first, "x = 41")
    lab.run(first)
    lab.wait_output(last, "y is 42")
    lab.save()
    text = path.read_text()
    assert "# %%\nx = 41\n" in text and '# %%\nprint("y is", x + 1)\n' in text
    assert "# %% [markdown]\n# The next cell follows *x*.\n" in text
    assert "y is 42" not in text, "outputs are not written into the .py file"


def test_a_plain_script_opens_in_the_editor_and_with_open_with_as_a_notebook(lab, notebook_name):
    path = lab.server.notebooks / f"{notebook_name}.py"
    path.write_text("print('just a script')\n")
    page = lab.page
    lab.home()
    page.locator(".jp-DirListing-item", has_text=path.name).first.dblclick()
    page.wait_for_function(
        "name => Array.from(window.jupyterapp.shell.widgets('main')).some("
        "w => w.context && w.context.path === name && !w.content.widgets)",
        arg=path.name,
    )
    lab.command("docmanager:open", args={"path": path.name, "factory": "Reactive Notebook"})
    lab.follow(path.name)
    page.wait_for_function(
        "() => { const p = window.reactiveTest.panel(); return !!p && p.context.isReady; }"
    )
    assert lab.page.evaluate(
        "() => window.reactiveTest.cells().map(c => c.model.sharedModel.getSource())"
    ) == ["print('just a script')"]


def test_the_launcher_item_creates_a_py_notebook_on_the_reactive_kernel(lab):
    page = lab.page
    lab.home()
    card = page.locator(".jp-LauncherCard", has_text="Reactive Notebook (.py)")
    card.first.click()
    page.wait_for_function(
        "() => Array.from(window.jupyterapp.shell.widgets('main')).some("
        "w => w.context && w.context.path.endsWith('.py') && w.content && w.content.widgets)"
    )
    name = page.evaluate(
        "() => Array.from(window.jupyterapp.shell.widgets('main'))"
        ".find(w => w.context && w.context.path.endsWith('.py')).context.path"
    )
    lab.follow(name)
    page.wait_for_function(
        "() => { const k = window.reactiveTest.kernel(); return k && k.name === 'reactive-python'; }"
    )
    text = (lab.server.notebooks / name).read_text()
    assert "name: reactive-python" in text


@pytest.mark.parametrize(
    ("header", "kernel"),
    [("", "reactive-python"), (PYTHON3_HEADER, "python3")],
    ids=["no_kernelspec", "python3_header"],
)
def test_a_link_to_a_py_notebook_opens_it_clean_on_its_kernel(lab, notebook_name, header, kernel):
    """`/lab/tree/<file>.py`, the link course sites and nbgitpuller hand out, in a fresh page."""
    path = lab.server.notebooks / f"{notebook_name}.py"
    path.write_text(header + CHAIN)
    page = lab.page
    page.add_init_script(WATCH_DIALOGS)
    with unchanged(path):
        open_link(lab, f"{lab.server.url}/lab/tree/{urllib.parse.quote(path.name)}?reset", path.name)
        wait_kernel_filled_in(lab, kernel)
        lab._wait(FIRST_CELL_VISIBLE, None, lambda: "the first cell is not on screen")
        state = document(lab)
        assert not state["dirty"] and not state["dirtyMark"], f"opened dirty: {state}"
        assert dialogs(lab) == []
        assert lab.page.evaluate(
            "() => window.reactiveTest.cells().map(c => c.model.sharedModel.getSource())"
        ) == [
            "x = 1",
            "The next cell follows *x*.",
            'print("y is", x + 1)',
        ]
        close_tab(lab, path.name)


def test_a_link_to_a_plain_script_opens_it_in_the_editor(lab, notebook_name):
    path = lab.server.notebooks / f"{notebook_name}.py"
    path.write_text("print('just a script')\n")
    open_link(lab, f"{lab.server.url}/lab/tree/{urllib.parse.quote(path.name)}?reset", path.name)
    wait_document(lab, "d.count === 1 && !d.notebook", f"{path.name} did not open in the editor")


def test_an_unedited_py_notebook_stays_clean_through_autosave(tuned_lab, notebook_name):
    lab = tuned_lab  # autosave every second
    path = lab.server.notebooks / f"{notebook_name}.py"
    path.write_text(CHAIN)
    lab.page.add_init_script(WATCH_DIALOGS)
    with unchanged(path):
        lab.double_click(path.name)
        wait_kernel_filled_in(lab, "reactive-python")
        lab.page.wait_for_timeout(4000)  # four autosave intervals: a dirty document would have been saved
        state = document(lab)
        assert not state["dirty"] and not state["dirtyMark"], f"dirty without an edit: {state}"
    # The autosave is live: an edit is written without pressing save.
    first = lab.ids()[0]
    lab.edit(first, "x = 41")
    wait_document(lab, "!d.dirty", "the autosave did not save the edited notebook")
    assert path.read_text() == CHAIN.replace("x = 1\n", "x = 41\n")
    assert dialogs(lab) == []


def test_closing_an_unedited_py_notebook_asks_nothing_and_an_edit_saves_the_new_text(lab, notebook_name):
    path = lab.server.notebooks / f"{notebook_name}.py"
    path.write_text(CHAIN)
    lab.page.add_init_script(WATCH_DIALOGS)
    with unchanged(path):
        lab.double_click(path.name)
        wait_kernel_filled_in(lab, "reactive-python")
        close_tab(lab, path.name)
    lab.page.locator(".jp-DirListing-item", has_text=path.name).first.dblclick()
    wait_kernel_filled_in(lab, "reactive-python")
    first = lab.ids()[0]
    lab.edit(first, "x = 41")
    wait_document(lab, "d.dirty && d.dirtyMark", "an edit did not make the notebook dirty")
    lab.save()
    assert path.read_text() == CHAIN.replace("x = 1\n", "x = 41\n")
    close_tab(lab, path.name)


def test_widget_extensions_for_notebooks_also_extend_py_notebooks(lab, notebook_name):
    """`addWidgetExtension('Notebook', ...)`: JupyterLab's cell toolbar, and one registered from the page."""
    ipynb = lab.server.write_notebook(f"{notebook_name}_ipynb", {"a": "x = 1"})
    py = lab.server.notebooks / f"{notebook_name}.py"
    py.write_text(CHAIN)
    page = lab.page
    lab.home()
    page.evaluate(
        "() => { window.jupyterapp.docRegistry.addWidgetExtension('Notebook', "
        "{ createNew(panel) { panel.node.dataset.reactiveProbe = 'extended'; } }); }"
    )
    for name in (ipynb, py.name):
        page.locator(".jp-DirListing-item", has_text=name).first.dblclick()
        lab.follow(name)
        wait_document(lab, "d.notebook && d.ready", f"{name} did not open as a notebook")
        lab.select(lab.ids()[0])
        lab._wait(
            "() => { const p = window.reactiveTest.panel();"
            " return p.node.dataset.reactiveProbe === 'extended'"
            " && !!p.content.activeCell.node.querySelector('.jp-cell-toolbar'); }",
            None,
            lambda name=name: f"{name}: the Notebook widget extensions (probe, cell toolbar) are missing",
        )


def test_default_viewers_can_open_every_py_as_a_notebook(tuned_lab, notebook_name):
    lab = tuned_lab  # defaultViewers: {"python": "Reactive Notebook"}
    path = lab.server.notebooks / f"{notebook_name}.py"
    path.write_text("print('just a script')\n")
    lab.double_click(path.name, reactive=False)
    assert lab.page.evaluate(
        "() => window.reactiveTest.cells().map(c => c.model.sharedModel.getSource())"
    ) == ["print('just a script')"]


def test_notebook7_opens_a_linked_py_notebook_as_a_notebook(notebook_server, chromium):  # noqa: F811
    """Notebook 7's `/notebooks/<file>.py` page has no file listing to learn from; the link alone must do."""
    url, root = notebook_server
    (root / "chain.py").write_text(CHAIN)
    page = chromium.new_page(viewport={"width": 1200, "height": 800})
    try:
        page.goto(f"{url}/notebooks/chain.py")
        page.wait_for_selector(".jp-CodeCell[data-reactive-status='unrun']", timeout=TIMEOUT)
        sources = page.eval_on_selector_all(
            ".jp-CodeCell .jp-InputArea-editor .cm-content", "els => els.map(e => e.innerText)"
        )
        assert sources == ["x = 1", 'print("y is", x + 1)']
        assert page.locator(".jp-FileEditor").count() == 0
    finally:
        page.close()
