"""Drive a real Voilà app in Debian's Chromium through Python Playwright.

`VoilaServer` is one Voilà process serving one notebook: `voila NOTEBOOK` itself, our
`reactive-kernel app NOTEBOOK`, or a `jupyter server` (with the server extensions installed here:
Voilà's and ours) whose `/voila/render/NOTEBOOK` page is the app, on a free port of 127.0.0.1.
`VoilaApp` is one browser page on it, with what the app tests need: the sliders, the page's text, the
plots' images, and waits that fail with what the page shows.

Voilà renders the page while it runs the notebook (progressive rendering), so a page is opened with
`wait_until="commit"` and then waits for content. Each page load starts its own kernel, which Voilà shuts
down when the page closes.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.browser.lab import IMAGES, ISOLATE_FROM_JUPYTEXT, TIMEOUT, free_port


def missing_voila() -> str | None:
    """Why the Voilà tests cannot run here, or None."""
    if importlib.util.find_spec("voila") is None:
        return "voila is not installed (pip install '.[app]')"
    if importlib.util.find_spec("ipywidgets") is None:
        return "ipywidgets is not installed"
    return None


class VoilaServer:
    """One Voilà serving `notebook` on 127.0.0.1; its log beside the notebook."""

    def __init__(self, notebook: Path, via: str = "voila", extra_args: tuple[str, ...] = ()) -> None:
        """`via`: "voila" runs `python -m voila NOTEBOOK`; "app" runs `python -m reactive_kernel app`;
        "server" runs `python -m jupyter_server` on the notebook's folder, "lab" `python -m jupyterlab`."""
        self.notebook = notebook
        self.via = via
        self.extra_args = list(extra_args)
        self.log = notebook.parent / f"{notebook.name}.voila.log"
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The app's page."""
        if self.via in ("server", "lab"):
            return f"http://127.0.0.1:{self.port}/voila/render/{self.notebook.name}"
        return f"http://127.0.0.1:{self.port}/"

    def command(self) -> list[str]:
        if self.via == "app":
            return [
                sys.executable, "-m", "reactive_kernel", "app", str(self.notebook), "--port", str(self.port),
                "--no-browser", *self.extra_args,
            ]  # fmt: skip
        if self.via in ("server", "lab"):
            module = "jupyter_server" if self.via == "server" else "jupyterlab"
            return [
                sys.executable, "-m", module, "--allow-root", "--no-browser", "--ip=127.0.0.1",
                f"--port={self.port}", "--ServerApp.port_retries=0", "--ServerApp.token=",
                "--ServerApp.password=", f"--ServerApp.root_dir={self.notebook.parent}",
                *ISOLATE_FROM_JUPYTEXT, *self.extra_args,
            ]  # fmt: skip
        return [
            sys.executable, "-m", "voila", str(self.notebook), "--no-browser", f"--port={self.port}",
            "--Voila.port_retries=0", "--Voila.ip=127.0.0.1", *self.extra_args,
        ]  # fmt: skip

    def start(self) -> None:
        for _ in range(3):  # the free port may be taken before Voilà binds it
            self.port = free_port()
            if self._start_once():
                return
        raise RuntimeError(f"Voilà did not start; log:\n{self.log_tail()}")

    def _start_once(self) -> bool:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=self.notebook.parent
            )
        # Only a TCP connection: any page request would run the notebook on a kernel of its own.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
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

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # Voilà shuts its kernels down on SIGTERM
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


# The text the app shows (outputs, widgets' labels and readouts), one block per output area.
PAGE_TEXT = """
() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
  .filter(n => !n.querySelector('.jp-OutputArea-output'))
  .map(n => n.innerText.trim()).filter(Boolean).join('\\n')
"""


class VoilaApp:
    """One Chromium page on a `VoilaServer`."""

    def __init__(self, server: VoilaServer, page: Any) -> None:
        self.server = server
        self.page = page
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))

    def open(self, sliders: int = 1) -> VoilaApp:
        """Load the app and wait until its `sliders` widget sliders are drawn."""
        self.page.goto(self.server.url, wait_until="commit")
        self._wait(
            "n => document.querySelectorAll('.noUi-handle').length >= n",
            sliders,
            lambda: f"{sliders} slider(s) did not show",
            2 * TIMEOUT,  # the whole notebook runs before the page is complete, on a new kernel
        )
        return self

    def text(self) -> str:
        """What the outputs say (widgets and errors included), as a viewer reads it."""
        try:
            return self.page.evaluate(PAGE_TEXT)
        except Exception as error:  # a navigating page must not hide the real failure
            return f"<unreadable: {error}>"

    def wait_text(self, text: str, gone: str | None = None, timeout: float = TIMEOUT) -> None:
        """Wait until the outputs say `text` (and no longer say `gone`)."""
        self._wait(
            f"([want, gone]) => {{ const t = ({PAGE_TEXT})();"
            " return t.includes(want) && (gone === null || !t.includes(gone)); }",
            [text, gone],
            lambda: f"wanted {text!r}" + (f" without {gone!r}" if gone else ""),
            timeout,
        )

    def images(self) -> list[str]:
        """The `src` of every image in the outputs (matplotlib figures), in page order."""
        return self.page.evaluate(
            "() => Array.from(document.querySelectorAll('.jp-OutputArea-output img')).map(i => i.src)"
        )

    def wait_images(self, count: int, other_than: list[str] | None = None) -> list[str]:
        """Wait until the outputs hold `count` images, none of them one of `other_than`; returns them."""
        self._wait(
            "([count, old]) => { const srcs = Array.from("
            "document.querySelectorAll('.jp-OutputArea-output img')).map(i => i.src);"
            " return srcs.length === count && srcs.every(s => !old.includes(s)); }",
            [count, other_than or []],
            lambda: f"wanted {count} new image(s); have {len(self.images())}",
        )
        return self.images()

    def slider(self, index: int = 0) -> Any:
        return self.page.locator(".noUi-handle").nth(index)

    def readout(self, index: int = 0) -> str:
        return self.page.locator(".widget-readout").nth(index).inner_text().strip()

    def press(self, key: str, index: int = 0) -> str:
        """Focus slider `index`'s handle, press `key` (ArrowRight, Home, End ...); returns the new readout."""
        before = self.readout(index)
        self.slider(index).focus()
        self.page.keyboard.press(key)
        self._wait(
            "([i, before]) => document.querySelectorAll('.widget-readout')[i].innerText.trim() !== before",
            [index, before],
            lambda: f"slider {index} did not move from {before} on {key}",
        )
        return self.readout(index)

    def _wait(self, predicate: str, arg: Any, message: Any, timeout: float = TIMEOUT) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(predicate, arg=arg, timeout=timeout)
        except PlaywrightTimeout:
            raise AssertionError(
                f"{message()}\nthe app shows:\n{self.text()}\nconsole: {self.console[-10:]}\n"
                f"Voilà log:\n{self.server.log_tail()}"
            ) from None

    def screenshot(self, name: str) -> Path | None:
        """Save `docs/images/<name>.png`, only when REACTIVE_SCREENSHOTS=1 (as `Lab.screenshot`)."""
        if os.environ.get("REACTIVE_SCREENSHOTS") != "1":
            return None
        IMAGES.mkdir(parents=True, exist_ok=True)
        out = IMAGES / f"{name}.png"
        self.page.wait_for_timeout(300)  # let the last style change paint
        # The app's content, not the empty page to its right and below it.
        box = self.page.evaluate(
            "() => { let right = 0, bottom = 0;"  # cells and text blocks are page-wide: not their width
            " for (const n of document.querySelectorAll('.jp-Cell')) {"
            "   const r = n.getBoundingClientRect(); if (r.height) bottom = Math.max(bottom, r.bottom); }"
            " for (const n of document.querySelectorAll('img, .widget-readout')) {"
            "   right = Math.max(right, n.getBoundingClientRect().right); }"
            " return {x: 0, y: 0, width: Math.ceil(right) + 40, height: Math.ceil(bottom) + 20}; }"
        )
        self.page.screenshot(path=str(out), clip=box if box["height"] > 20 else None, full_page=True)
        return out
