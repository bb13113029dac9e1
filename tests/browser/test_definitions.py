"""Definitions policies in JupyterLab: redefinitions run under `ordered`, the policy is switched from the
status bar and the palette, each read says where its value comes from, marimo files open as `unique`."""

from __future__ import annotations

from tests.browser.lab import TIMEOUT
from tests.browser.needs import expect, needs_extension

pytestmark = needs_extension()


REDEFINED = {"a": "x = 1", "b": "x = x + 1", "c": "print(x)"}


def statusbar(lab):
    return lab.page.locator(".jp-reactive-statusbar")


def metadata(lab) -> dict:
    return lab.page.evaluate("() => window.reactiveTest.panel().model.getMetadata('reactive') || {}")


def test_redefinitions_run_and_each_read_says_where_it_comes_from(lab, notebook_name):
    lab.notebook(notebook_name, REDEFINED, reactive=True)
    expect(statusbar(lab)).to_contain_text("reactive: autorun · ordered", timeout=TIMEOUT)
    lab.run("a")
    lab.wait_status("fresh")
    lab.wait_output("c", "2")
    for _ in range(2):  # re-running x = x + 1 reads a's x again: never 3, 4, ...
        lab.run("b")
        lab.wait_status("fresh")
        lab.wait_output("c", "2")
    badge = lab.cell("c").locator(".jp-reactive-badge")
    title = badge.get_attribute("title")
    assert "reads: x from #2 (x)" in title, title
    assert "reads: x from #1 (x)" in lab.cell("b").locator(".jp-reactive-badge").get_attribute("title")


def test_the_status_bar_switches_the_policy_and_the_notebook_keeps_it(lab, notebook_name):
    lab.notebook(notebook_name, REDEFINED, reactive=True)
    policy = statusbar(lab).locator("[data-part='definitions']")
    expect(policy).to_have_text("ordered", timeout=TIMEOUT)
    policy.click()
    expect(policy).to_have_text("unique", timeout=TIMEOUT)
    lab.run("b")
    lab.wait_status({"a": "error", "b": "error", "c": "blocked"})
    assert metadata(lab).get("definitions") == "unique"
    lab.command("reactive:toggle-definitions", "Reactive: Toggle Definitions Ordered/Unique")
    expect(policy).to_have_text("ordered", timeout=TIMEOUT)
    lab.run("b")
    lab.wait_status("fresh")
    assert metadata(lab).get("definitions") == "ordered"


def test_a_notebook_that_says_unique_opens_unique(lab, notebook_name):
    lab.notebook(notebook_name, REDEFINED, metadata={"reactive": {"definitions": "unique"}}, reactive=True)
    expect(statusbar(lab)).to_contain_text("reactive: autorun · unique", timeout=TIMEOUT)
    lab.run("a")
    lab.wait_status({"a": "error", "b": "error", "c": "blocked"})


def test_a_marimo_file_opens_unique(lab, notebook_name):
    source = (
        'import marimo\n\n__generated_with = "0.25.2"\napp = marimo.App()\n\n\n'
        "@app.cell\ndef _():\n    x = 1\n    return (x,)\n\n\n"
        "@app.cell\ndef _(x):\n    print(x)\n    return\n\n\n"
        'if __name__ == "__main__":\n    app.run()\n'
    )
    (lab.server.notebooks / f"{notebook_name}.py").write_text(source)
    lab.double_click(f"{notebook_name}.py")
    expect(statusbar(lab)).to_contain_text("reactive: autorun · unique", timeout=TIMEOUT)
