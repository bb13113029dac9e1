"""A real `jupyter server` for the contents tests, and its REST API.

The server is started with no reactive_kernel configuration at all: the server extension must be
enabled by the package's installed `jupyter_server_config.d` file, as after `pip install`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from tests.browser.lab import ISOLATE_FROM_JUPYTEXT, free_port


class ApiError(Exception):
    """An HTTP error answer: its status and the server's message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class Server:
    """One `jupyter server` on 127.0.0.1 serving `root`, and its REST API."""

    def __init__(self, root: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.port = free_port()
        self.log = root.parent / f"server-{self.port}.log"
        cmd = [
            sys.executable, "-m", "jupyter_server", "--allow-root", "--no-browser", "--ip", "127.0.0.1",
            "--port", str(self.port), "--ServerApp.port_retries=0", "--IdentityProvider.token=",
            "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root}",
            *ISOLATE_FROM_JUPYTEXT, *args,
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.api("GET", "/api/status")
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"jupyter server did not start:\n{self.log.read_text()}") from None
                time.sleep(0.3)

    def api(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        """Call the REST API; an HTTP error answer raises ApiError, no answer in `timeout` s an OSError."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise ApiError(exc.code, json.loads(exc.read() or b"{}").get("message", "")) from None
        return json.loads(raw) if raw else None

    def get(self, path: str, timeout: float = 30, **query: Any) -> dict[str, Any]:
        url = f"/api/contents/{urllib.parse.quote(path)}?{urllib.parse.urlencode(query)}"
        return self.api("GET", url, timeout=timeout)

    def put(self, path: str, model: dict[str, Any], timeout: float = 30) -> dict[str, Any]:
        return self.api("PUT", f"/api/contents/{urllib.parse.quote(path)}", model, timeout=timeout)

    def error(self, method: str, path: str, body: Any = None) -> tuple[int, str]:
        """Call an API expected to fail; returns the HTTP status and the server's message."""
        try:
            answer = self.api(method, path, body)
        except ApiError as exc:
            return exc.status, exc.message
        raise AssertionError(f"{method} {path} succeeded: {answer!r}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def sources(model: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["cell_type"], c["source"]) for c in model["content"]["cells"]]
