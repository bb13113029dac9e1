"""What a browser test sees of one document open in JupyterLab: notebook or not, kernel, dirty state, the
dialogs the page showed, whether the first cell is on screen; and the gestures that open and close it.

Shared by the `.py` notebook tests in JupyterLab (test_py_notebooks.py) and on a Hub (test_jupyterhub.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser.lab import TIMEOUT, Lab

# Every `.jp-Dialog` the page shows, recorded as it appears (a dialog may be dismissed or replaced later).
WATCH_DIALOGS = """
window.reactiveDialogs = [];
new MutationObserver(() => {
  for (const d of document.querySelectorAll('.jp-Dialog')) {
    if (!d.reactiveSeen) { d.reactiveSeen = true; window.reactiveDialogs.push(d.innerText.slice(0, 300)); }
  }
}).observe(document, {childList: true, subtree: true});
"""

# The document open on `window.reactiveTest.path`: a notebook (with its state) or another widget.
DOCUMENT = """() => {
  const path = window.reactiveTest.path;
  const docs = Array.from(window.jupyterapp.shell.widgets('main'))
    .filter(w => w.context && w.context.path === path);
  if (docs.length !== 1) return {count: docs.length};
  const w = docs[0];
  const notebook = !!(w.content && w.content.widgets);
  const k = w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  const info = w.context.model.getMetadata ? w.context.model.getMetadata('language_info') : null;
  return {
    count: 1, notebook, ready: w.context.isReady, dirty: w.context.model.dirty,
    dirtyMark: w.title.className.includes('jp-mod-dirty'),
    kernel: k ? k.name : null, status: k ? k.status : null,
    language: info ? info.name : null,
  };
}"""

# Whether the first cell's input is on screen: inside the notebook's visible area, not hidden.
FIRST_CELL_VISIBLE = """() => {
  const p = window.reactiveTest.panel();
  const cell = p && p.content.widgets[0];
  if (!cell || !cell.node.checkVisibility()) return false;
  const view = p.content.node.getBoundingClientRect();
  const input = cell.node.querySelector('.jp-Cell-inputWrapper').getBoundingClientRect();
  return input.height > 0 && input.top >= view.top && input.bottom <= view.bottom;
}"""


def document(lab: Lab) -> dict:
    return lab.page.evaluate(DOCUMENT)


def dialogs(lab: Lab) -> list[str]:
    return lab.page.evaluate("() => window.reactiveDialogs || []")


def wait_document(lab: Lab, predicate: str, what: str) -> None:
    """Wait until `predicate` (JS over the DOCUMENT state `d`) holds; fail with the state and dialogs."""
    lab._wait(
        f"() => {{ const d = ({DOCUMENT})(); return !!({predicate}); }}",
        None,
        lambda: f"{what}: {document(lab)}; dialogs: {dialogs(lab)}",
    )


def wait_kernel_filled_in(lab: Lab, kernel: str) -> None:
    """Wait until the notebook is on `kernel`, idle, and JupyterLab has copied the kernel's language_info into
    the notebook metadata (the change that used to make every `.py` dirty)."""
    wait_document(
        lab,
        f"d.notebook && d.ready && d.kernel === {kernel!r} && d.status === 'idle' && d.language === 'python'",
        f"no idle {kernel} notebook with the kernel's language_info",
    )


def close_tab(lab: Lab, path: str) -> None:
    """Close the document's tab with its close icon, as a user does; fail if anything asks first."""
    name = os.path.basename(path)
    tab = lab.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab").filter(has_text=name)
    tab.first.locator(".lm-TabBar-tabCloseIcon").click()
    wait_document(lab, "d.count === 0", f"{path} is still open after closing its tab")
    assert dialogs(lab) == [], f"closing {path} asked something"


@contextmanager
def unchanged(path: Path) -> Iterator[None]:
    """The file's bytes and modification time are the same after the block."""
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    yield
    assert path.read_bytes() == before, f"{path.name} was rewritten:\n{path.read_text()}"
    assert path.stat().st_mtime_ns == mtime, f"{path.name} was saved again (same bytes)"


def open_link(lab: Lab, url: str, path: str) -> None:
    """Go to `url` (a document link) in the page, and follow the document at `path` once JupyterLab is up."""
    lab.page.goto(url)
    lab.page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=TIMEOUT)
    lab.page.wait_for_function("() => !!window.jupyterapp", timeout=TIMEOUT)
    lab.follow(path)
