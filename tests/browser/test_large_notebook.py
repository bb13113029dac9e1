"""A large notebook in JupyterLab: after the whole notebook at open, the page tells the kernel only what
changed (a `delta`, docs/protocol.md), so a one-cell edit is a small message; the cascade, the statuses,
the status bar counts and the cell links stay right. The page's comm messages are read off its kernel
websocket (tests/browser/lab.py). The notebook (2,000 cells) is generated; benchmarks/bench_large_notebook.py
times the same things."""

from __future__ import annotations

from tests.browser.lab import TIMEOUT
from tests.browser.needs import expect, needs_extension

pytestmark = needs_extension()


CELLS = 2_000


def notebook() -> dict[str, str]:
    """The chain a -> b -> c at the top, the last cell z reading b (off-screen), filler between."""
    cells = {"a": "x = 1", "b": "y = x + 1", "c": "print(y)"}
    cells.update({f"f{i:04d}": f"v{i} = {i} * len('{'filler ' * 4}')" for i in range(CELLS - 4)})
    cells["z"] = "z = y * 10"
    return cells


def sent_since(lab, start: int) -> list[tuple[str, int]]:
    return lab.comm_sent[start:]


def poll(lab, read, done, tries: int = 100):
    """`read()` once `done` says so, or after `tries` tenths of a second: a websocket event may reach the
    test a moment after the page shows its effect (waiting on the page lets Playwright deliver it)."""
    value = read()
    for _ in range(tries):
        if done(value):
            break
        lab.page.wait_for_timeout(100)
        value = read()
    return value


def test_a_one_cell_edit_in_a_large_notebook_sends_a_small_delta(lab, notebook_name):
    lab.notebook(notebook_name, notebook(), reactive=True)
    whole = len(lab.comm_opens[-1].encode())  # the comm opens with the whole notebook
    statusbar = lab.page.locator(".jp-reactive-statusbar")
    expect(statusbar).to_have_text("reactive: autorun · ordered", timeout=TIMEOUT)
    lab.wait_status("unrun")  # every cell of the 2,000
    lab.run("a")
    lab.wait_output("c", "2")
    lab.wait_status("fresh", "a", "b", "c", "z")

    start = len(lab.comm_sent)
    lab.edit("a", "x = 5")
    lab.wait_status({"a": "edited", "b": "fresh", "c": "fresh", "z": "fresh"})
    sent = sent_since(lab, start)
    assert [kind for kind, _ in sent] == ["delta"], sent
    assert sent[0][1] < 2_000 and sent[0][1] * 20 < whole, (sent, whole)
    lab.run("a")
    lab.wait_output("c", "6")
    lab.wait_status("fresh", "a", "b", "c", "z")

    lab.edit("b", "y = x + missing")
    lab.run("b")
    lab.wait_status({"b": "error", "c": "blocked", "z": "blocked"})
    expect(statusbar).to_have_text("reactive: autorun · ordered · 1 error, 2 blocked", timeout=TIMEOUT)
    link = lab.cell("c").locator(".jp-reactive-message .jp-reactive-cell-link[data-cell-id='b']")
    expect(link).to_have_text("#2 (y)", timeout=TIMEOUT)

    start = len(lab.comm_sent)
    count = len(lab.ids())
    lab.select("a")
    lab.command("notebook:insert-cell-above")
    lab.page.wait_for_function("n => window.reactiveTest.ids().length === n", arg=count + 1, timeout=TIMEOUT)
    expect(link).to_have_text("#3 (y)", timeout=TIMEOUT)  # b moved down one: the link in c says so
    lab.edit("b", "y = x + 1")
    lab.run("b")
    lab.wait_output("c", "6")
    lab.wait_status("fresh", "a", "b", "c", "z")
    expect(statusbar).to_have_text("reactive: autorun · ordered", timeout=TIMEOUT)
    sent = sent_since(lab, start)
    assert sent and {kind for kind, _ in sent} == {"delta"} and max(size for _, size in sent) < 2_000, sent
    assert "resync" not in lab.comm_received


def test_when_a_delta_does_not_fit_the_page_sends_the_whole_notebook(lab, notebook_name):
    lab.notebook(notebook_name, {"a": "x = 1", "b": "y = x + 1", "c": "print(y)"}, reactive=True)
    lab.run("a")
    lab.wait_output("c", "2")
    # Something else on the page's kernel connection runs a cell the notebook does not have: the kernel's
    # notebook gains a cell, so the page's next delta leaves another order than the kernel's.
    lab.page.evaluate(
        "() => window.reactiveTest.panel().sessionContext.session.kernel"
        ".requestExecute({code: 'z = 0'}, true, {cellId: 'stranger'}).done.then(() => null)"
    )
    start = len(lab.comm_sent)
    lab.edit("c", "print(y, 'edited')")
    # c turns edited from the whole notebook the page sends when the kernel refuses its delta
    lab.wait_status({"a": "fresh", "b": "fresh", "c": "edited"})
    kinds = poll(
        lab, lambda: [kind for kind, _ in sent_since(lab, start)], lambda k: k[:2] == ["delta", "sync"]
    )
    assert kinds[:2] == ["delta", "sync"], kinds
    assert poll(lab, lambda: lab.comm_received, lambda r: "resync" in r)
    lab.run("c")
    lab.wait_output("c", "2 edited")
    lab.wait_status("fresh", "a", "b", "c")
