"""Real-time collaboration (jupyter-collaboration): two users, each in their own browser, on one notebook.

Run by `.ci/check-collaboration` in a venv with jupyter-collaboration installed; skipped elsewhere, since
installing it changes how every JupyterLab in the environment opens documents. One user runs a cell:
the cascade runs once, in that user's page, and both see its outputs once (the notebook, outputs
included, is one shared document). Edits from both survive saves, and a `.py` notebook on disk is never
overwritten with stale content (the failure modes of text notebooks under collaboration in jupytext
#1432 and #1648: a `.py` opened as a notebook that does not collaborate, and a file on disk replaced by a
view that did not see the latest change).
"""

from __future__ import annotations

import time

import pytest

from tests.browser.lab import PAGE_HELPERS, TIMEOUT, Lab
from tests.browser.needs import needs_extension

pytestmark = needs_extension()

pytest.importorskip(
    "jupyter_collaboration",
    reason="jupyter-collaboration is not installed here (.ci/check-collaboration runs these tests with it)",
)


CHAIN = {"a": "x = 1", "b": "y = x + 1", "c": "print(y * 10)"}
PERCENT = "# %%\nx = 1\n\n# %%\ny = x + 1\n\n# %%\nprint(y * 10)\n"
DISK_WAIT = 30  # s: the room saves a second after the last change (jupyter-collaboration's default)


@pytest.fixture
def other(lab_server, chromium):
    """A second user: a browser context of its own (its own cookies, storage and kernel connection)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(PAGE_HELPERS)
    yield Lab(lab_server, context.new_page())
    context.close()


def outputs(lab: Lab, cell_id: str) -> int:
    """How many outputs the cell shows."""
    return lab.cell(cell_id).locator(".jp-OutputArea-child").count()


def prompt(lab: Lab, cell_id: str) -> str:
    return lab.cell(cell_id).locator(".jp-InputPrompt").inner_text()


def wait_source(lab: Lab, cell_id: str, source: str) -> None:
    lab._wait(
        "([id, src]) => window.reactiveTest.source(id) === src",
        [cell_id, source],
        lambda: f"source of {cell_id!r} is {lab.source(cell_id)!r} in this page, wanted {source!r}",
    )


def save(lab: Lab) -> None:
    """Save as a user does (Ctrl+S), failing on a dialog instead of waiting for an answer forever."""
    lab.page.evaluate("() => { window.jupyterapp.commands.execute('docmanager:save'); }")
    lab._wait(
        "() => { const p = window.reactiveTest.panel();"
        " return (p && !p.context.model.dirty) || !!document.querySelector('.jp-Dialog'); }",
        None,
        lambda: "the notebook is still dirty after saving",
    )
    dialog = lab.page.locator(".jp-Dialog")
    assert dialog.count() == 0, f"saving asked: {dialog.inner_text()}"


def wait_disk(path, *wanted: str, absent: tuple[str, ...] = ()) -> str:
    """Wait until the file holds every `wanted` text and none of `absent`; returns its text."""
    deadline = time.monotonic() + DISK_WAIT
    while True:
        text = path.read_text()
        if all(w in text for w in wanted) and not any(a in text for a in absent):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} on disk is:\n{text}\nwanted {wanted}, not {absent}")
        time.sleep(0.3)


def test_one_user_runs_both_see_the_outputs_once(lab, other, notebook_name):
    lab.notebook(notebook_name, CHAIN, reactive=True)
    other.open(lab.path, reactive=True)
    lab.run("a")
    for view in (lab, other):
        view.wait_output("c", "20")  # exactly once: not "20\n20"
        view.wait_status("fresh")
        assert outputs(view, "c") == 1
    assert prompt(lab, "c") == prompt(other, "c"), "one run: the same execution count in both pages"

    other.edit("a", "x = 5")
    wait_source(lab, "a", "x = 5")
    other.run("a")
    for view in (lab, other):
        view.wait_output("c", "60")
        view.wait_status("fresh")
        assert outputs(view, "c") == 1
    assert prompt(lab, "c") == prompt(other, "c")


def test_a_py_notebook_is_shared_and_disk_holds_every_users_edits(lab, other, lab_server):
    name = f"shared_{time.monotonic_ns()}.py"
    path = lab_server.notebooks / name
    path.write_text(PERCENT)
    lab.double_click(name)
    other.double_click(name)
    a, b, c = lab.ids()
    assert other.ids() == [a, b, c], "both users must see one document, with the same cells"

    other.edit(a, "x = 5")  # an edit in B...
    wait_source(lab, a, "x = 5")  # ...shows in A
    save(lab)  # ...and a save from A writes it
    wait_disk(path, "x = 5\n", absent=("x = 1\n",))

    lab.run(a)
    for view in (lab, other):
        view.wait_output(c, "60")
        view.wait_status("fresh")
        assert outputs(view, c) == 1

    lab.edit(b, "y = x + 2")  # both edit, then one saves
    other.edit(c, "print(y * 100)")
    wait_source(lab, c, "print(y * 100)")
    wait_source(other, b, "y = x + 2")
    save(lab)
    text = wait_disk(path, "x = 5\n", "y = x + 2\n", "print(y * 100)\n")
    assert text.count("# %%") == 3, text


def test_a_change_on_disk_reaches_both_users_and_is_never_overwritten(lab, other, lab_server):
    name = f"external_{time.monotonic_ns()}.py"
    path = lab_server.notebooks / name
    path.write_text(PERCENT)
    lab.double_click(name)
    other.double_click(name)

    path.write_text(PERCENT.replace("x = 1", "x = 7"))  # e.g. `git pull`, or another editor
    for view in (lab, other):
        view._wait(
            "() => window.reactiveTest.ids().some(id => window.reactiveTest.source(id) === 'x = 7')",
            None,
            lambda view=view: f"the change on disk did not reach the page: {view.ids()}",
        )
    a, b, c = lab.ids()
    other.edit(b, "y = x + 3")
    wait_source(lab, b, "y = x + 3")  # the room saves it: no one presses Save
    wait_disk(path, "x = 7\n", "y = x + 3\n", absent=("x = 1\n",))
    lab.run(a)
    for view in (lab, other):
        view.wait_output(c, "100")
        assert outputs(view, c) == 1
    wait_disk(path, "x = 7\n", "y = x + 3\n", absent=("x = 1\n",))
