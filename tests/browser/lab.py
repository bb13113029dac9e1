"""Drive a real JupyterLab 4.6 in Debian's Chromium through Python Playwright.

`LabServer` is one `jupyter lab` process serving a temporary folder; `Lab` is one browser page on one
notebook of that server, with the few gestures the browser tests need (run, edit, delete, interrupt,
reload, commands) and waits that fail with every cell's reactive status in the message.

Cells are found by their nbformat id. JupyterLab puts no cell id on the DOM (a cell node carries only
`data-windowed-list-index`, its position), so the server runs with `--LabApp.expose_app_in_browser`
(`window.jupyterapp`) and a Playwright selector engine, `cell-id=<id>`, resolves an id to the node
of the cell whose model has that id, each time the locator is used: locators stay right after cells
are deleted, inserted or moved.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KERNELSPEC = {"name": "reactive-python", "display_name": "Python 3 (reactive)", "language": "python"}
TIMEOUT = 60_000  # ms: two cores, a JupyterLab and a kernel per test
# jupytext is a test dependency (format compatibility); its server and lab extensions, which a pip install
# enables, also claim `.py` files. Test servers run without them, as most users' servers do.
ISOLATE_FROM_JUPYTEXT = ["--ServerApp.jpserver_extensions=jupyterlab_jupytext=False"]
NO_JUPYTEXT_PAGE = {"disabledExtensions": {"jupyterlab-jupytext": True}}
NO_NEWS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}

# Installed in every page before JupyterLab's own scripts; everything it reads is looked up on call.
PAGE_HELPERS = """
window.reactiveTest = {
  path: null,
  panel() {
    const app = window.jupyterapp;
    if (!app) return null;
    const all = Array.from(app.shell.widgets('main'))
      .filter(w => w.context && w.content && w.content.widgets);
    return all.find(w => w.context.path === this.path) || (this.path ? null : all[0]) || null;
  },
  cells() { const p = this.panel(); return p ? Array.from(p.content.widgets) : []; },
  cell(id) { return this.cells().find(c => c.model.id === id) || null; },
  node(id) { const c = this.cell(id); return c ? c.node : null; },
  ids() { return this.cells().map(c => c.model.id); },
  source(id) { const c = this.cell(id); return c ? c.model.sharedModel.getSource() : null; },
  output(id) {
    const n = this.node(id);
    const area = n && n.querySelector('.jp-Cell-outputArea');
    return area ? area.innerText.trim() : '';
  },
  statuses() {
    const out = {};
    for (const c of this.cells()) {
      if (c.model.type === 'code') out[c.model.id] = c.node.getAttribute('data-reactive-status');
    }
    return out;
  },
  activeId() {
    const p = this.panel();
    return p && p.content.activeCell ? p.content.activeCell.model.id : null;
  },
  kernel() {
    const p = this.panel();
    const k = p && p.sessionContext.session && p.sessionContext.session.kernel;
    return k ? {name: k.name, status: k.status} : null;
  },
};
"""

# `cell-id=<nbformat id>`: the node of that cell in the notebook the page is on (main world, so it
# sees window.reactiveTest).
CELL_ID_ENGINE = """
{
  query(root, id) {
    const node = window.reactiveTest && window.reactiveTest.node(id);
    return node && (root === document || root.contains(node)) ? node : null;
  },
  queryAll(root, id) { const n = this.query(root, id); return n ? [n] : []; }
}
"""


@contextlib.contextmanager
def lab_in_browser(
    folder: Path, *, timeout: int | None = None, scripts: Sequence[str] = (), **server_options: Any
) -> Iterator[tuple[LabServer, Any]]:
    """A started `LabServer` on `folder` and a Chromium browser context whose pages get the tests' page
    helpers (and `scripts`), closed and stopped on exit: what tests/browser/conftest.py gives a test, for
    benchmarks and scripts that run outside pytest. `timeout` (ms) is the context's default wait."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        pw.selectors.register("cell-id", CELL_ID_ENGINE)
        server = LabServer(folder, **server_options)
        server.start()
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            if timeout:
                context.set_default_timeout(timeout)
            for script in (PAGE_HELPERS, *scripts):
                context.add_init_script(script)
            yield server, context
        finally:
            browser.close()
            server.stop()


def missing_requirements() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (Debian's chromium package)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        return "jupyterlab is not installed"
    return None


def labextension_enabled(name: str) -> bool:
    """Whether `jupyter labextension list` (next to this Python) lists `name` as enabled."""
    return any(line.split()[:1] == [name] and " enabled" in line for line in _labextension_list())


@functools.cache  # asked once per session (about 2 s), not once per test module that asks
def _labextension_list() -> list[str]:
    jupyter = Path(sys.executable).with_name("jupyter")
    exe = str(jupyter) if jupyter.exists() else shutil.which("jupyter")
    if not exe:
        return []
    try:
        out = subprocess.run([exe, "labextension", "list"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr).splitlines()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """One `jupyter lab` on 127.0.0.1 serving root/notebooks, its settings and workspaces beside it."""

    def __init__(self, root: Path, disabled: tuple[str, ...] = ()) -> None:
        """`disabled`: lab extensions the page leaves off (docs/screenshot.py: a lab without ours)."""
        self.root = root
        self.disabled = disabled
        self.notebooks = root / "notebooks"
        self.settings = root / "settings"
        self.user_settings = root / "user-settings"  # what a page saves (a theme switch): this server's only
        self.extra_args: list[str] = []  # more `jupyter lab` options
        self.log = root / "server.log"
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.notebooks.mkdir(parents=True, exist_ok=True)
        self.settings.mkdir(parents=True, exist_ok=True)
        (self.settings / "overrides.json").write_text(json.dumps(NO_NEWS))
        off = {**NO_JUPYTEXT_PAGE["disabledExtensions"], **dict.fromkeys(self.disabled, True)}
        page = {"disabledExtensions": off}
        (self.settings / "page_config.json").write_text(json.dumps(page))
        for _ in range(3):  # the free port may be taken before the server binds it
            self.port = free_port()
            if self._start_once():
                return
        raise RuntimeError(f"jupyter lab did not start; log:\n{self.log_tail()}")

    def _start_once(self) -> bool:
        args = [
            sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser", "--ip", "127.0.0.1",
            "--port", str(self.port), "--ServerApp.port_retries=0", "--ServerApp.token=",
            "--ServerApp.password=", f"--ServerApp.root_dir={self.notebooks}",
            f"--LabApp.workspaces_dir={self.root}", f"--LabApp.app_settings_dir={self.settings}",
            f"--LabApp.user_settings_dir={self.user_settings}",
            "--LabApp.expose_app_in_browser=True", *ISOLATE_FROM_JUPYTEXT, *self.extra_args,
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=self.root)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                self.api("GET", "/api/status")
                return True
            except OSError:
                time.sleep(0.3)
        self.stop()
        return False

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def api(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def sessions(self, path: str | None = None) -> list[dict]:
        return [s for s in self.api("GET", "/api/sessions") if path is None or s.get("path") == path]

    def shutdown_sessions(self, path: str | None = None) -> None:
        """Delete the sessions on `path` (every session if None), which shuts their kernels down."""
        try:
            for session in self.sessions(path):
                self.api("DELETE", f"/api/sessions/{session['id']}", timeout=60)
        except (OSError, urllib.error.HTTPError):
            pass

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.shutdown_sessions()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def write_notebook(self, name: str, cells: dict[str, str] | list, metadata: dict | None = None) -> str:
        """Write `<name>.ipynb` on the reactive kernel; returns its path relative to the server root.

        `cells` maps cell id -> source (code cells, in order; a source starting with "md:" is a
        markdown cell), or is a list of nbformat cells that already carry their ids.
        """
        if isinstance(cells, dict):
            made = []
            for cell_id, source in cells.items():
                if source.startswith("md:"):
                    made.append(new_markdown_cell(source[3:], id=cell_id))
                else:
                    made.append(new_code_cell(source, id=cell_id))
            cells = made
        nb = new_notebook(cells=cells)
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        nb.metadata["language_info"] = {"name": "python"}
        nb.metadata.update(metadata or {})
        nbformat.validate(nb)
        path = f"{name}.ipynb"
        nbformat.write(nb, self.notebooks / path)
        return path


class Lab:
    """One Chromium page showing one notebook of a `LabServer`."""

    def __init__(self, server: LabServer, page: Any) -> None:
        self.server = server
        self.page = page
        self.path: str | None = None
        self.code_cells: list[str] = []
        self.comm_opens: list[str] = []  # the kernel websocket frames that opened a reactive_kernel comm
        # (data type, frame bytes) of each comm message the page sent with a typed data (sync, delta, ...)
        self.comm_sent: list[tuple[str, int]] = []
        self.comm_received: list[str] = []  # the `type` of each such comm message the page received
        page.on("dialog", lambda dialog: dialog.accept())  # "leave page?" on reload with unsaved edits
        page.on("websocket", self._watch_websocket)

    def _watch_websocket(self, ws: Any) -> None:
        if "/api/kernels/" not in ws.url:
            return

        def sent(payload: str | bytes) -> None:
            text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            if re.search(r'"msg_type":\s*"comm_open"', text) and '"reactive_kernel"' in text:
                self.comm_opens.append(text)
            kind = _comm_data_type(text)
            if kind:
                self.comm_sent.append((kind, len(payload if isinstance(payload, bytes) else text.encode())))

        def received(payload: str | bytes) -> None:
            kind = _comm_data_type(
                payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            )
            if kind:
                self.comm_received.append(kind)

        ws.on("framesent", sent)
        ws.on("framereceived", received)

    # -- opening --------------------------------------------------------------------------------

    def notebook(
        self, name: str, cells: dict[str, str] | list, metadata: dict | None = None, reactive: bool = False
    ) -> Lab:
        """Write a notebook and open it (see `LabServer.write_notebook` and `open`)."""
        path = self.server.write_notebook(name, cells, metadata)
        return self.open(path, reactive=reactive)

    def open(self, path: str, reactive: bool = False) -> Lab:
        """Open `/lab/tree/<path>?reset`, and wait until its cells are on the page and the kernel idle.

        With `reactive`, also wait until every code cell has a `data-reactive-status` (the extension
        has opened its comm and heard from the kernel).
        """
        self.path = path
        nb = nbformat.read(self.server.notebooks / path, as_version=4)
        self.code_cells = [c.id for c in nb.cells if c.cell_type == "code"]
        self.page.goto(f"{self.server.url}/lab/tree/{urllib.parse.quote(path)}?reset")
        self._wait_loaded([c.id for c in nb.cells], reactive)
        return self

    def double_click(self, name: str, reactive: bool = True) -> Lab:
        """Open `/lab?reset` and double-click `name` in the file browser, as a user opens a file.

        Waits like `open` when it opens as a notebook (cell ids come from the page: a `.py` notebook
        has none on disk).
        """
        page = self.page
        self.home()
        page.locator(".jp-DirListing-item", has_text=name).first.dblclick()
        self.follow(name)
        self._wait(
            "() => { const p = window.reactiveTest.panel(); return !!p && p.context.isReady; }",
            None,
            lambda: f"{name} did not open as a notebook; main area: {self.main_widgets()}",
        )
        self._wait_loaded(self.ids(), reactive)
        self.code_cells = [c for c, status in self.statuses().items() if status is not None or not reactive]
        return self

    def home(self) -> None:
        """Open `/lab?reset` (file browser at the server root, launcher) and wait for JupyterLab."""
        self.page.goto(f"{self.server.url}/lab?reset")
        self.page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=TIMEOUT)
        self.page.wait_for_function("() => !!window.jupyterapp", timeout=TIMEOUT)

    def follow(self, path: str) -> None:
        """From now on, the page helpers and waits look at the document open on `path`."""
        self.path = path
        self.page.evaluate("path => { window.reactiveTest.path = path; }", path)

    def main_widgets(self) -> list[dict[str, str]]:
        """What the main area shows: each widget's class and path."""
        return self.page.evaluate(
            "() => Array.from(window.jupyterapp.shell.widgets('main'))"
            ".map(w => ({kind: w.constructor.name, path: w.context ? w.context.path : ''}))"
        )

    def reload(self, save: bool = True, reactive: bool = False) -> None:
        """Reload the page (saving the notebook first, so outputs survive), and wait as `open` does."""
        ids = self.ids()
        if save:
            self.save()
        self.page.reload()
        self._wait_loaded(ids, reactive)

    def _wait_loaded(self, ids: list[str], reactive: bool) -> None:
        page = self.page
        page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=TIMEOUT)
        page.wait_for_function("() => !!window.jupyterapp", timeout=TIMEOUT)
        page.evaluate("path => { window.reactiveTest.path = path; }", self.path)
        self._wait(
            "ids => JSON.stringify(window.reactiveTest.ids()) === JSON.stringify(ids)",
            ids,
            lambda: f"the notebook's cells are not {ids}: {self.ids()}",
        )
        self._wait(
            "() => { const k = window.reactiveTest.kernel();"
            " return k && k.name === 'reactive-python' && k.status === 'idle'; }",
            None,
            lambda: f"no idle reactive-python kernel: {page.evaluate('window.reactiveTest.kernel()')}",
        )
        page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
            timeout=TIMEOUT
        )
        if reactive:
            self._wait(
                "ids => ids.every(id => { const n = window.reactiveTest.node(id);"
                " return n && n.hasAttribute('data-reactive-status'); })",
                self.code_cells,
                lambda: "some code cells have no data-reactive-status (is the extension loaded?)",
            )

    def _wait(self, predicate: str, arg: Any, message: Any, timeout: float = TIMEOUT) -> None:
        """Wait for a JS predicate; on timeout fail with `message()` and every cell's status."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(predicate, arg=arg, timeout=timeout)
        except PlaywrightTimeout:
            raise AssertionError(f"{message()}\nstatuses: {self.statuses()}") from None

    # -- reading --------------------------------------------------------------------------------

    def cell(self, cell_id: str) -> Any:
        """The Locator of the cell node (`.jp-Cell`) whose nbformat id is `cell_id`."""
        return self.page.locator(f"cell-id={cell_id}")

    def ids(self) -> list[str]:
        return self.page.evaluate("() => window.reactiveTest.ids()")

    def source(self, cell_id: str) -> str | None:
        return self.page.evaluate("id => window.reactiveTest.source(id)", cell_id)

    def output(self, cell_id: str) -> str:
        """The text of the cell's output area, stripped ("" without outputs)."""
        return self.page.evaluate("id => window.reactiveTest.output(id)", cell_id)

    def statuses(self) -> dict[str, str | None]:
        """Every code cell's `data-reactive-status` (None where the attribute is missing)."""
        try:
            return self.page.evaluate("() => window.reactiveTest.statuses()")
        except Exception as error:  # a closed or navigating page still must not hide the real failure
            return {"<unreadable>": str(error)}

    def status(self, cell_id: str) -> str | None:
        return self.statuses().get(cell_id)

    def active_cell(self) -> str | None:
        return self.page.evaluate("() => window.reactiveTest.activeId()")

    def wait_output(self, cell_id: str, text: str, exact: bool = True, timeout: float = TIMEOUT) -> None:
        """Wait until the cell's output text is `text` (or contains it, with `exact=False`)."""
        self._wait(
            "([id, text, exact]) => { const out = window.reactiveTest.output(id);"
            " return exact ? out === text : out.includes(text); }",
            [cell_id, text, exact],
            lambda: (
                f"output of {cell_id!r} is {self.output(cell_id)!r}, wanted "
                f"{'' if exact else 'something containing '}{text!r}"
            ),
            timeout,
        )

    def wait_status(self, expected: dict[str, str] | str, *ids: str, timeout: float = TIMEOUT) -> None:
        """Wait until cells have these `data-reactive-status` values.

        `wait_status({"a": "fresh", "b": "stale"})`, or `wait_status("fresh", "a", "b")`, or
        `wait_status("fresh")` for every code cell.
        """
        if isinstance(expected, str):
            expected = {cell: expected for cell in (ids or self.code_cells)}
        self._wait(
            "want => { const got = window.reactiveTest.statuses();"
            " return Object.entries(want).every(([id, s]) => got[id] === s); }",
            expected,
            lambda: f"wanted statuses {expected}",
            timeout,
        )

    def wait_idle(self) -> None:
        self._wait(
            "() => { const k = window.reactiveTest.kernel(); return k && k.status === 'idle'; }",
            None,
            lambda: f"kernel not idle: {self.page.evaluate('window.reactiveTest.kernel()')}",
        )

    # -- gestures -------------------------------------------------------------------------------

    def editor(self, cell_id: str) -> Any:
        return self.cell(cell_id).locator(".jp-Cell-inputArea .cm-content")

    def run(self, cell_id: str, advance: bool = False) -> None:
        """Click into the cell's editor and press Ctrl+Enter (Shift+Enter with `advance`)."""
        self.editor(cell_id).click()
        self.page.keyboard.press("Shift+Enter" if advance else "Control+Enter")

    def edit(self, cell_id: str, source: str) -> None:
        """Replace the cell's source as a user would: click the editor, select all, type."""
        self.editor(cell_id).click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(source)  # no key events: no auto-closed brackets, no auto-indent
        self._wait(
            "([id, src]) => window.reactiveTest.source(id) === src",
            [cell_id, source],
            lambda: f"source of {cell_id!r} is {self.source(cell_id)!r}, wanted {source!r}",
        )

    def select(self, cell_id: str) -> None:
        """Make the cell active, in command mode (click its prompt, then Escape)."""
        self.cell(cell_id).locator(".jp-InputPrompt").click()
        self.page.keyboard.press("Escape")
        self._wait(
            "id => window.reactiveTest.activeId() === id",
            cell_id,
            lambda: f"active cell is {self.active_cell()!r}, wanted {cell_id!r}",
        )

    def delete(self, cell_id: str) -> None:
        """Delete the cell in command mode with `d d`."""
        self.select(cell_id)
        self.page.keyboard.press("d")
        self.page.keyboard.press("d")
        self._wait(
            "id => window.reactiveTest.panel() && !window.reactiveTest.ids().includes(id)",
            cell_id,
            lambda: f"cell {cell_id!r} still there: {self.ids()}",
        )
        if cell_id in self.code_cells:
            self.code_cells.remove(cell_id)

    def interrupt(self) -> None:
        """Click the notebook toolbar's stop button."""
        self.page.locator(".jp-NotebookPanel-toolbar [data-jp-item-name='interrupt']").click()

    def save(self) -> None:
        self.command("docmanager:save", "Save Notebook")
        self._wait(
            "() => { const p = window.reactiveTest.panel(); return p && !p.context.model.dirty; }",
            None,
            lambda: "the notebook is still dirty after saving",
        )

    def command(self, command_id: str, label: str | None = None, args: dict | None = None) -> None:
        """Run a command by id through `window.jupyterapp` (waiting for the promise it returns); without
        the app, type `label` in the command palette."""
        has_app = self.page.evaluate("() => !!window.jupyterapp")
        if has_app:
            self.page.evaluate(
                "([id, args]) => window.jupyterapp.commands.execute(id, args).then(() => null)",
                [command_id, args or {}],
            )
            return
        if label is None:
            raise AssertionError(f"no window.jupyterapp and no palette label for {command_id!r}")
        self.palette(label)

    def palette(self, label: str) -> None:
        """Run a command as a user would: Ctrl+Shift+C, type its label, Enter on the exact match."""
        self.page.keyboard.press("Control+Shift+c")
        self.page.locator(".lm-CommandPalette-input").fill(label)
        item = self.page.locator(".lm-CommandPalette-item").filter(
            has=self.page.locator(
                ".lm-CommandPalette-itemLabel", has_text=re.compile(f"^{re.escape(label)}$")
            )
        )
        item.first.click()

    def has_command(self, command_id: str) -> bool:
        return self.page.evaluate("id => window.jupyterapp.commands.hasCommand(id)", command_id)

    def screenshot(self, name: str) -> Path | None:
        """Save `docs/images/<name>.png`, only when REACTIVE_SCREENSHOTS=1."""
        if os.environ.get("REACTIVE_SCREENSHOTS") != "1":
            return None
        IMAGES.mkdir(parents=True, exist_ok=True)
        out = IMAGES / f"{name}.png"
        self.page.evaluate("() => window.jupyterapp && window.jupyterapp.shell.collapseLeft()")
        self.page.wait_for_timeout(300)  # let the last style change paint
        self.page.screenshot(path=str(out))
        return out


def _comm_data_type(frame: str) -> str | None:
    """The `type` of a comm message's data in a kernel websocket frame (JupyterLab writes it first)."""
    if not re.search(r'"msg_type":\s*"comm_msg"', frame):
        return None
    found = re.search(r'"data":\s*\{"type":\s*"(\w+)"', frame)
    return found.group(1) if found else None
