"""JupyterHub for real: a hub on 127.0.0.1 spawns a user's JupyterLab, which opens, runs and saves a `.py`
notebook.

The hub uses the dummy authenticator, the simple local-process spawner (the singleuser server runs from
this Python, so it sees the installed kernel, server extension and lab extension, as on a Hub where the
platform team pip-installed reactive_kernel) and configurable-http-proxy from npm: `.ci/run` installs it
under `.cache/chp`; elsewhere it is looked up on PATH.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.lab import (
    ISOLATE_FROM_JUPYTEXT,
    NO_JUPYTEXT_PAGE,
    NO_NEWS,
    ROOT,
    Lab,
    free_port,
)

pytest.importorskip("jupyterhub", reason="jupyterhub is not installed")
pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

CHP = ROOT / ".cache" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
USER = "ada"
PASSWORD = "reactive"
NOTEBOOK = """\
# %%
x = 20

# %%
print("answer", x * 2 + 2)
"""


def proxy() -> str | None:
    return str(CHP) if CHP.exists() else shutil.which("configurable-http-proxy")


class Hub:
    """A JupyterHub process with its proxy, database and users' homes under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.homes = root / "home"
        settings = root / "lab-settings"
        settings.mkdir(parents=True)
        (settings / "overrides.json").write_text(json.dumps(NO_NEWS))
        (settings / "page_config.json").write_text(json.dumps(NO_JUPYTEXT_PAGE))
        singleuser = Path(sys.executable).with_name("jupyterhub-singleuser")
        args = ["--allow-root", f"--LabApp.app_settings_dir={settings}", *ISOLATE_FROM_JUPYTEXT]
        args.append("--LabApp.expose_app_in_browser=True")  # window.jupyterapp, for the Lab driver
        config = f"""
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {self.port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = "{PASSWORD}"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.JupyterHub.db_url = "sqlite:///{root / "hub.sqlite"}"
c.JupyterHub.cookie_secret_file = "{root / "cookie_secret"}"
c.JupyterHub.pid_file = "{root / "hub.pid"}"
c.ConfigurableHTTPProxy.command = [{proxy()!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.pid_file = "{root / "proxy.pid"}"
c.SimpleLocalProcessSpawner.home_dir_template = "{self.homes}/{{username}}"
c.Spawner.cmd = [{str(singleuser)!r}]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
"""
        (root / "jupyterhub_config.py").write_text(config)
        self.log = root / "hub.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(root / "jupyterhub_config.py")],
                cwd=root,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/hub/api", timeout=5).read()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"JupyterHub did not start:\n{self.log.read_text()[-4000:]}") from None
                time.sleep(0.5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()  # the hub stops the proxy and the users' servers
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def hub(tmp_path):
    if proxy() is None:
        pytest.skip("configurable-http-proxy is not installed (.ci/run installs it under .cache/chp)")
    running = Hub(tmp_path)
    yield running
    running.stop()


def test_a_hub_user_opens_runs_and_saves_a_py_notebook(hub, page):
    home = hub.homes / USER
    home.mkdir(parents=True)
    notebook = home / "analysis.py"
    notebook.write_text(NOTEBOOK)
    page.goto(f"{hub.url}/hub/login")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"**/user/{USER}/lab**", timeout=120_000)
    lab = Lab(_HubServer(hub), page)
    lab.double_click(notebook.name)
    assert page.evaluate("() => window.reactiveTest.kernel().name") == "reactive-python"
    first, last = lab.code_cells
    lab.run(first)
    lab.wait_output(last, "answer 42")
    lab.edit(first, "x = 50")
    lab.run(first)
    lab.wait_output(last, "answer 102")
    lab.save()
    assert notebook.read_text() == NOTEBOOK.replace("x = 20", "x = 50")


class _HubServer:
    """What `Lab` needs of a server, for a user's server behind the hub's proxy."""

    def __init__(self, hub: Hub) -> None:
        self.url = f"{hub.url}/user/{USER}"
        self.notebooks = hub.homes / USER
