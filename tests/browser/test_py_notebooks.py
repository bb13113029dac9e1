"""`.py` notebooks in a real JupyterLab: double-click opens them on the reactive kernel; saving keeps the
format.

The server's contents manager (reactive_kernel/contents.py, enabled by the installed server config)
lists a `.py` file with a percent header, `# %%` markers or a marimo app as a notebook.
"""

from __future__ import annotations

import pytest

from tests.browser.lab import labextension_enabled

pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
if not labextension_enabled("reactive-kernel-labextension"):
    pytestmark = pytest.mark.skip(reason="reactive-kernel-labextension is not installed and enabled")

CHAIN = """\
# %%
x = 1

# %% [markdown]
# The next cell follows *x*.

# %%
print("y is", x + 1)
"""


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
