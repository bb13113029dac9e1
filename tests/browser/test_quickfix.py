"""Quick fixes in JupyterLab: under `unique`, a name two cells define gets buttons on both cells' message;
each fix rewrites the cells (comments kept), the error goes, and Ctrl+Z in a cell's editor undoes it."""

from __future__ import annotations

from tests.browser.lab import TIMEOUT
from tests.browser.needs import expect, needs_extension

pytestmark = needs_extension()


UNIQUE = {"reactive": {"definitions": "unique"}}
CELLS = {"a": "x = 1  # the first x\n", "r": "print(x)  # reads a's x", "b": "x = 2  # the second x"}
CONFLICT = {"a": "error", "r": "blocked", "b": "error"}


def fixes(lab, cell_id: str):
    return lab.cell(cell_id).locator(".jp-reactive-message .jp-reactive-fixes button.jp-reactive-fix")


def fix(lab, cell_id: str, kind: str):
    return lab.cell(cell_id).locator(f".jp-reactive-message button.jp-reactive-fix[data-kind='{kind}']")


def wait_source(lab, cell_id: str, source: str) -> None:
    lab._wait(
        "([id, src]) => window.reactiveTest.source(id) === src",
        [cell_id, source],
        lambda: f"source of {cell_id!r} is {lab.source(cell_id)!r}, wanted {source!r}",
    )


def undo(lab, cell_id: str) -> None:
    """Ctrl+Z in the cell's editor, as a user undoes a change there."""
    lab.editor(cell_id).click()
    lab.page.keyboard.press("Control+z")


def rename_dialog(lab):
    return lab.page.locator(".jp-Dialog")


def test_make_it_private_then_undo(lab, notebook_name):
    lab.notebook(notebook_name, CELLS, metadata=UNIQUE, reactive=True)
    lab.wait_status(CONFLICT)
    expect(fixes(lab, "b")).to_have_count(2, timeout=TIMEOUT)
    expect(fix(lab, "b", "private")).to_have_text("Make x private to this cell")
    expect(fixes(lab, "a")).to_have_count(1)  # r reads a's x: a cannot make it private
    expect(fix(lab, "a", "rename")).to_have_text("Rename x here and in its readers…")
    assert "in this cell and in #2" in fix(lab, "a", "rename").get_attribute("title")
    expect(fixes(lab, "r")).to_have_count(0)

    fix(lab, "b", "private").click()
    wait_source(lab, "b", "_x = 2  # the second x")
    lab.wait_status("unrun")  # the error is gone, and nothing ran
    expect(lab.page.locator(".jp-reactive-fix")).to_have_count(0)
    assert (lab.source("a"), lab.source("r")) == (CELLS["a"], CELLS["r"])

    undo(lab, "b")
    wait_source(lab, "b", CELLS["b"])
    lab.wait_status(CONFLICT)


def test_rename_here_and_in_the_readers_then_run_then_undo(lab, notebook_name):
    lab.notebook(notebook_name, CELLS, metadata=UNIQUE, reactive=True)
    lab.wait_status(CONFLICT)
    fix(lab, "a", "rename").click()
    dialog = rename_dialog(lab)
    expect(dialog).to_be_visible(timeout=TIMEOUT)
    expect(dialog.locator("input")).to_have_value("x_2")
    dialog.locator("input").fill("first")
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    wait_source(lab, "a", "first = 1  # the first x\n")
    wait_source(lab, "r", "print(first)  # reads a's x")
    assert lab.source("b") == CELLS["b"]
    lab.wait_status("unrun")

    lab.run("a")  # and its reader runs next
    lab.wait_status({"a": "fresh", "r": "fresh", "b": "unrun"})
    lab.wait_output("r", "1")

    undo(lab, "a")  # a ran since the fix: undone, it is edited, as after any edit of a cell that ran
    wait_source(lab, "a", CELLS["a"])
    undo(lab, "r")
    wait_source(lab, "r", CELLS["r"])
    lab.wait_status({"a": "edited", "r": "edited", "b": "unrun"})
    lab.run("a")  # what it says now defines x again, as b does
    lab.wait_status({"a": "error", "r": "edited", "b": "error"})  # r ran `print(first)`: edited since


def test_a_fix_the_kernel_refuses_says_why_on_the_cell(lab, notebook_name):
    lab.notebook(notebook_name, CELLS, metadata=UNIQUE, reactive=True)
    lab.wait_status(CONFLICT)
    fix(lab, "b", "rename").click()
    dialog = rename_dialog(lab)
    dialog.locator("input").fill("_hidden")
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    note = lab.cell("b").locator(".jp-reactive-message .jp-reactive-fix-error")
    expect(note).to_contain_text(
        "cannot fix 'x' in cell #3 (x): '_hidden' starts with '_': a cell-private name does not link",
        timeout=TIMEOUT,
    )
    expect(note.locator(".jp-reactive-cell-link[data-cell-id='b']")).to_have_count(1)
    assert lab.source("b") == CELLS["b"]
    fix(lab, "b", "rename").click()  # Cancel changes nothing
    rename_dialog(lab).locator(".jp-Dialog-button.jp-mod-reject").click()
    expect(rename_dialog(lab)).to_have_count(0)
    assert [lab.source(c) for c in CELLS] == list(CELLS.values())
    lab.wait_status(CONFLICT)
