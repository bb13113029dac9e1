"""The reactive JupyterLab extension in a real browser, against docs/frontend.md and docs/protocol.md.

Skipped until `jupyter labextension list` shows `reactive-kernel-labextension` enabled. Each test
writes a fresh notebook whose cells have the ids a, b, c, ... and opens it on its own kernel.
"""

from __future__ import annotations

import re

from tests.browser.lab import TIMEOUT
from tests.browser.needs import expect, needs_extension

pytestmark = needs_extension()


CHAIN = {"a": "x = 1", "b": "y = x + 1", "c": "print(y * 10)"}
UNIQUE = {"reactive": {"definitions": "unique"}}  # marimo's rule: one definition per global
LAZY = {"reactive": {"mode": "lazy"}}


def message(lab, cell_id):
    return lab.cell(cell_id).locator(".jp-reactive-message")


def link(lab, cell_id, other):
    return message(lab, cell_id).locator(f".jp-reactive-cell-link[data-cell-id='{other}']")


def prompts(lab, *ids):
    return {cell: lab.cell(cell).locator(".jp-InputPrompt").inner_text() for cell in ids}


def run_by_hand(lab, *ids):
    """Run cells one at a time, each after the previous one is fresh (lazy mode: no cascade)."""
    for cell in ids:
        lab.run(cell)
        lab.wait_status("fresh", cell)


# a. ------------------------------------------------------------------------------------------------


def test_autorun_runs_descendants_and_an_edit_marks_the_cell_edited(lab, notebook_name):
    lab.notebook(notebook_name, CHAIN, reactive=True)
    lab.wait_status("unrun")
    lab.run("a")
    lab.wait_output("c", "20")
    lab.wait_status("fresh")
    lab.edit("a", "x = 5")
    lab.wait_status({"a": "edited", "b": "fresh", "c": "fresh"})
    assert lab.output("c") == "20", "an edit alone must not run anything"
    lab.run("a")
    lab.wait_output("c", "60")
    lab.wait_status("fresh")


# b. ------------------------------------------------------------------------------------------------


def test_lazy_mode_marks_descendants_stale_and_run_stale_runs_them(lab, notebook_name):
    lab.notebook(notebook_name, CHAIN, metadata=LAZY, reactive=True)
    run_by_hand(lab, "a", "b", "c")
    lab.wait_output("c", "20")
    lab.edit("a", "x = 5")
    lab.run("a")
    lab.wait_status({"a": "fresh", "b": "stale", "c": "stale"})
    lab.wait_idle()
    assert lab.output("c") == "20", "lazy mode must not run the stale cells"
    lab.command("reactive:run-stale", "Run Stale Cells")
    lab.wait_output("c", "60")
    lab.wait_status("fresh")


# c. ------------------------------------------------------------------------------------------------


def test_running_a_cell_runs_its_stale_and_unrun_ancestors_first(lab, notebook_name):
    lab.notebook(notebook_name, CHAIN, metadata=LAZY, reactive=True)
    lab.run("c")  # a and b never ran: the kernel has them run first
    lab.wait_output("c", "20")
    lab.wait_status("fresh")
    lab.edit("a", "x = 5")
    lab.run("a")
    lab.wait_status({"a": "fresh", "b": "stale", "c": "stale"})
    lab.run("c")
    lab.wait_output("c", "60")
    lab.wait_status("fresh")
    lab.edit("a", "x = 7")
    lab.run("a")
    lab.wait_status({"a": "fresh", "b": "stale", "c": "stale"})
    lab.select("c")
    lab.command("reactive:run-with-ancestors", "Run Cell with Stale Ancestors")
    lab.wait_output("c", "80")
    lab.wait_status("fresh")


# d. ------------------------------------------------------------------------------------------------


def test_multiple_definition_is_an_error_on_both_cells_linking_each_other(lab, notebook_name):
    filler = "md:" + "\n\n".join(f"filler paragraph {i}" for i in range(80))  # b starts out of view
    lab.notebook(notebook_name, {"a": "x = 1", "m": filler, "b": "x = 2"}, metadata=UNIQUE, reactive=True)
    lab.run("b")
    lab.wait_status({"a": "error", "b": "error"})
    expect(message(lab, "b")).to_contain_text("defines a global that other cells define too", timeout=TIMEOUT)
    lab.wait_idle()
    assert lab.output("b") == "", "the message shows the refusal: no red copy of it in the outputs"
    expect(link(lab, "a", "b")).to_have_count(1, timeout=TIMEOUT)
    expect(link(lab, "b", "a")).to_have_count(1, timeout=TIMEOUT)
    lab.cell("a").scroll_into_view_if_needed()
    expect(lab.cell("b")).not_to_be_in_viewport(timeout=TIMEOUT)
    link(lab, "a", "b").click()
    expect(lab.cell("b")).to_be_in_viewport(timeout=TIMEOUT)
    assert lab.active_cell() == "b", "clicking the link must activate the cell it names"
    link(lab, "b", "a").click()
    expect(lab.cell("a")).to_be_in_viewport(timeout=TIMEOUT)
    assert lab.active_cell() == "a"


def test_a_mutation_warning_sits_on_the_cell_naming_the_owner_and_the_fix(lab, notebook_name):
    cells = {"a": "items = [1, 2]", "b": "items.append(3)\nprint(len(items))", "c": "print(sum(items))"}
    lab.notebook(notebook_name, cells, metadata=UNIQUE, reactive=True)  # (ordered: a link, no warning)
    lab.run("a")  # b and c read items: they run next, and b mutates it
    lab.wait_status("fresh")
    warning = message(lab, "b").locator(".jp-reactive-warning")
    expect(warning).to_have_count(1, timeout=TIMEOUT)
    text = warning.inner_text()
    assert "`items.append(...)` mutates 'items'" in text and "move this change into" in text, text
    expect(warning.locator(".jp-reactive-cell-link[data-cell-id='a']")).to_have_count(2, timeout=TIMEOUT)
    assert lab.status("c") == "fresh", "a mutation is not tracked: the reader does not re-run"
    lab.screenshot("mutation-warning")
    warning.locator(".jp-reactive-cell-link").first.click()
    assert lab.active_cell() == "a", "the owner's link must take the user to it"
    expect(message(lab, "a")).to_have_count(0, timeout=TIMEOUT)  # the owner itself is fine
    lab.edit("b", "print(len(items + [3]))")  # the suggested fix: build a new value
    lab.run("a")  # a fresh list, and b's new source runs after it
    lab.wait_output("b", "3")
    expect(message(lab, "b")).to_have_count(0, timeout=TIMEOUT)


def test_a_cycle_is_an_error_on_every_cell_in_it(lab, notebook_name):
    lab.notebook(notebook_name, {"a": "x = y + 1", "b": "y = x"}, reactive=True)
    lab.run("a")
    lab.wait_status({"a": "error", "b": "error"})
    for cell, other in (("a", "b"), ("b", "a")):
        expect(message(lab, cell)).to_contain_text("cycle", timeout=TIMEOUT)
        expect(link(lab, cell, other).first).to_be_visible(timeout=TIMEOUT)  # the path names it twice
    lab.wait_idle()
    assert lab.output("a") == "", "the message shows the cycle: no red copy of it in the outputs"


# e. ------------------------------------------------------------------------------------------------


def test_deleting_a_cell_reruns_its_readers_with_a_nameerror_naming_it(lab, notebook_name):
    lab.notebook(notebook_name, CHAIN, reactive=True)
    lab.run("a")
    lab.wait_output("c", "20")
    lab.wait_status("fresh")
    lab.delete("a")
    lab.wait_status({"b": "error", "c": "blocked"})
    lab.wait_output("b", "NameError", exact=False)
    assert "cell #1 (x), which was deleted" in lab.output("b")


def test_deleting_a_cell_in_lazy_mode_makes_its_readers_stale(lab, notebook_name):
    lab.notebook(notebook_name, CHAIN, metadata=LAZY, reactive=True)
    run_by_hand(lab, "a", "b", "c")
    lab.wait_output("c", "20")
    lab.delete("a")
    lab.wait_status({"b": "stale"})
    lab.wait_idle()
    assert lab.output("c") == "20" and lab.output("b") == "", "lazy mode must not re-run b or c"


# f. ------------------------------------------------------------------------------------------------


def test_an_exception_blocks_descendants_but_unrelated_cells_run(lab, notebook_name):
    cells = {"a": "x = 1", "b": "y = x / 0", "c": "print(y)", "d": "print(x + 1)"}
    lab.notebook(notebook_name, cells, reactive=True)
    lab.run("a")
    lab.wait_status({"a": "fresh", "b": "error", "c": "blocked", "d": "fresh"})
    lab.wait_output("d", "2")
    assert "ZeroDivisionError" in lab.output("b")
    assert lab.output("c") == "", "a blocked cell must not run"
    expect(link(lab, "c", "b")).to_have_count(1, timeout=TIMEOUT)
    lab.screenshot("reactive-statuses")
    lab.edit("b", "y = x / 1")
    lab.run("b")
    lab.wait_output("c", "1.0")
    lab.wait_status("fresh")


def test_a_blocked_cells_message_is_shown_once_and_its_cell_link_is_a_link(lab, notebook_name):
    filler = "md:" + "\n\n".join(f"filler paragraph {i}" for i in range(80))  # b is out of c's view
    cells = {"t": "md:# Intro", "a": "x = 1", "b": "y = x / 0", "m": filler, "c": "print(y)"}
    lab.notebook(notebook_name, cells, reactive=True)
    lab.run("a")
    lab.wait_status({"a": "fresh", "b": "error", "c": "blocked"})
    lab.wait_output("b", "ZeroDivisionError", exact=False)
    lab.wait_idle()
    expect(message(lab, "b")).to_have_count(0, timeout=TIMEOUT)  # its traceback is the one display

    box = message(lab, "c")
    expect(box).to_have_count(1, timeout=TIMEOUT)
    expect(box).to_have_text("cell #3 (y) raised an exception", timeout=TIMEOUT)  # by position and name
    assert box.locator(":scope > div").count() == 1, "the blocked cell's message shows once"
    assert lab.output("c") == "", "a blocked cell has no output saying it again"
    to_b = link(lab, "c", "b")
    expect(to_b).to_have_text("#3 (y)", timeout=TIMEOUT)
    expect(to_b).to_have_attribute("role", "link")
    expect(to_b).to_have_attribute("tabindex", "0")
    expect(to_b).to_have_attribute("title", "Go to cell #3 (y)")
    looks = to_b.evaluate(
        "a => { const s = getComputedStyle(a), p = getComputedStyle(a.parentElement);"
        " return [s.textDecorationLine, s.cursor, s.color !== p.color]; }"
    )
    assert looks == ["underline", "pointer", True], f"a cell link must look like a link: {looks}"

    lab.select("c")  # command mode, where Enter would edit the active cell
    lab.cell("c").scroll_into_view_if_needed()
    expect(lab.cell("b")).not_to_be_in_viewport(timeout=TIMEOUT)
    for _ in range(10):  # from the cell, Tab reaches the link in its message (after the cell's toolbar)
        lab.page.keyboard.press("Tab")
        if to_b.evaluate("a => document.activeElement === a"):
            break
    expect(to_b).to_be_focused(timeout=TIMEOUT)
    lab.page.keyboard.press("Enter")
    expect(lab.cell("b")).to_be_in_viewport(timeout=TIMEOUT)
    assert lab.active_cell() == "b", "Enter on the link must go to the cell it names"
    mode = lab.page.evaluate("() => window.reactiveTest.panel().content.mode")
    assert mode == "command", "the link takes Enter: JupyterLab must not also start editing a cell"

    lab.cell("c").scroll_into_view_if_needed()
    expect(lab.cell("b")).not_to_be_in_viewport(timeout=TIMEOUT)
    to_b.click()
    expect(lab.cell("b")).to_be_in_viewport(timeout=TIMEOUT)
    assert lab.active_cell() == "b", "clicking the link must go to the cell it names"


def test_a_cell_sent_ahead_then_blocked_keeps_its_last_output(lab, notebook_name):
    cells = {"a": "x = 1", "b": "y = 10 / x", "c": "print(y)"}
    lab.notebook(notebook_name, cells, reactive=True)
    lab.run("a")
    lab.wait_output("c", "10.0")
    lab.wait_status("fresh")
    before = prompts(lab, "c")
    lab.edit("a", "x = 0")
    lab.run("a")  # b and c go to the kernel at once; c's turn comes after b failed
    lab.wait_status({"a": "fresh", "b": "error", "c": "blocked"})
    lab.wait_idle()
    assert lab.output("c") == "10.0" and prompts(lab, "c") == before, "the skipped cell keeps its output"


# g. ------------------------------------------------------------------------------------------------


def test_interrupt_stops_the_cascade_and_leaves_the_rest_stale(lab, notebook_name):
    cells = {"a": "x = 0", "b": "import time\ntime.sleep(x)\ny = x", "c": "print(y)"}
    lab.notebook(notebook_name, cells, reactive=True)
    lab.run("a")
    lab.wait_output("c", "0")
    lab.wait_status("fresh")
    before = prompts(lab, "c")
    lab.edit("a", "x = 60")
    lab.run("a")
    lab.wait_status({"b": "running"})
    lab.interrupt()
    lab.wait_status({"a": "fresh", "b": "stale", "c": "stale"})
    lab.wait_idle()
    assert lab.output("c") == "0" and prompts(lab, "c") == before, "c must not run after the interrupt"
    assert "KeyboardInterrupt" in lab.output("b")
    expect(message(lab, "b")).to_have_count(0, timeout=TIMEOUT)  # the traceback says it: shown once


# h. ------------------------------------------------------------------------------------------------


def test_reload_restores_the_statuses_without_running_anything(lab, notebook_name):
    lab.notebook(notebook_name, CHAIN, reactive=True)
    lab.run("a")
    lab.wait_output("c", "20")
    lab.wait_status("fresh")
    lab.wait_idle()
    before = prompts(lab, "a", "b", "c")
    lab.reload(reactive=True)
    lab.wait_status("fresh")
    lab.wait_idle()
    assert prompts(lab, "a", "b", "c") == before, "a reload must not run cells"
    assert lab.output("c") == "20"


# i. ------------------------------------------------------------------------------------------------


def test_status_bar_and_graph_view_show_every_code_cell(lab, notebook_name):
    cells = {"t": "md:# graph", "a": "x = 1", "b": "y = x / 0", "c": "print(y)", "d": "print(x + 1)"}
    lab.notebook(notebook_name, cells, reactive=True)
    statusbar = lab.page.locator(".jp-reactive-statusbar")
    expect(statusbar).to_contain_text("reactive: autorun", timeout=TIMEOUT)
    lab.run("a")
    lab.wait_status({"a": "fresh", "b": "error", "c": "blocked", "d": "fresh"})
    expect(statusbar).to_contain_text("1 error", timeout=TIMEOUT)

    lab.command("reactive:show-graph", "Show Reactive Graph")
    graph = lab.page.locator("#jp-reactive-graph")
    expect(graph).to_be_visible(timeout=TIMEOUT)
    nodes = graph.locator("g.jp-reactive-graph-node")
    expect(nodes).to_have_count(4, timeout=TIMEOUT)
    for cell, status in lab.statuses().items():
        node = graph.locator(f"g.jp-reactive-graph-node[data-cell-id='{cell}']")
        expect(node).to_have_attribute("data-reactive-status", status, timeout=TIMEOUT)
    graph.locator("g.jp-reactive-graph-node[data-cell-id='d']").click()
    expect(lab.cell("d")).to_be_in_viewport(timeout=TIMEOUT)
    assert lab.active_cell() == "d", "clicking a graph node must go to its cell"

    lab.command("reactive:toggle-mode", "Toggle Reactive Mode")
    expect(statusbar).to_contain_text("reactive: lazy", timeout=TIMEOUT)
    mode = lab.page.evaluate("() => window.reactiveTest.panel().context.model.getMetadata('reactive')")
    assert mode == {"mode": "lazy"} or (mode or {}).get("mode") == "lazy", mode
    lab.edit("a", "x = 2")
    lab.run("a")
    lab.wait_status({"a": "fresh", "d": "stale"})
    expect(statusbar).to_contain_text(re.compile(r"\d+ stale"), timeout=TIMEOUT)
    expect(graph.locator("g.jp-reactive-graph-node[data-cell-id='d']")).to_have_attribute(
        "data-reactive-status", "stale", timeout=TIMEOUT
    )


# Further contract checks (docs/frontend.md) ----------------------------------------------------


def test_highlight_marks_the_active_cells_parents_and_children(lab, notebook_name):
    lab.notebook(notebook_name, CHAIN, reactive=True)
    lab.run("a")
    lab.wait_status("fresh")
    lab.select("b")
    lab.command("reactive:toggle-highlight", "Toggle Reactive Highlight")
    expect(lab.cell("a")).to_have_attribute("data-reactive-relation", "parent", timeout=TIMEOUT)
    expect(lab.cell("c")).to_have_attribute("data-reactive-relation", "child", timeout=TIMEOUT)
    assert lab.cell("b").get_attribute("data-reactive-relation") is None


def test_badge_lists_defs_refs_parents_and_children(lab, notebook_name):
    lab.notebook(notebook_name, CHAIN, reactive=True)
    badge = lab.cell("b").locator(".jp-reactive-badge")
    expect(badge).to_have_count(1, timeout=TIMEOUT)
    expect(badge).to_have_attribute("title", re.compile(r"\S"), timeout=TIMEOUT)
    title = badge.get_attribute("title")
    assert {"x", "y"} <= set(re.findall(r"\w+", title)), f"badge title: {title!r}"
    assert re.search(r"parents?\W+\S", title) and re.search(r"children\W+\S", title), (
        f"badge title: {title!r}"
    )


def test_a_notebook_opens_one_comm_per_page(lab, notebook_name):
    lab.notebook(notebook_name, CHAIN, reactive=True)
    lab.wait_idle()
    opened = len(lab.comm_opens)
    assert opened == 1, f"one page load sent {opened} reactive_kernel comm_open messages"
    lab.reload(reactive=False)
    lab.wait_idle()
    opened = len(lab.comm_opens) - opened
    assert opened == 1, f"the reload sent {opened} reactive_kernel comm_open messages"


def test_after_a_kernel_restart_the_extension_reconnects_and_cascades_again(lab, notebook_name):
    lab.notebook(notebook_name, CHAIN, reactive=True)
    lab.run("a")
    lab.wait_output("c", "20")
    opens = len(lab.comm_opens)
    lab.page.evaluate("() => window.reactiveTest.panel().sessionContext.restartKernel()")
    lab.wait_status("unrun")  # a new kernel knows the cells (synced again) but ran none of them
    assert len(lab.comm_opens) > opens, "the extension must open a comm on the new kernel"
    lab.edit("a", "x = 4")
    lab.run("a")
    lab.wait_output("c", "50")
    lab.wait_status("fresh")
