"""JupyterHub for real: a hub on 127.0.0.1 spawns a user's JupyterLab, which opens, runs and saves a `.py`
notebook, and opens one from a course link (`/lab/tree/<path>.py`) clean, on the reactive kernel.

The hub uses the dummy authenticator, the simple local-process spawner (the singleuser server runs from
this Python, so it sees the installed kernel, server extension and lab extension, as on a Hub where the
platform team pip-installed reactive_kernel) and configurable-http-proxy from npm: `.ci/run` installs it
under `.cache/chp`; elsewhere it is looked up on PATH. The single-user servers read the settings the
platform guide documents, deploy/jupyter_server_config.py, from a Jupyter config directory; a test here
checks that docs/jupyterhub.md shows the deploy/ files as they are.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.browser.documents import (
    FIRST_CELL_VISIBLE,
    WATCH_DIALOGS,
    close_tab,
    dialogs,
    document,
    open_link,
    wait_document,
    wait_kernel_filled_in,
)
from tests.browser.lab import (
    ISOLATE_FROM_JUPYTEXT,
    NO_JUPYTEXT_PAGE,
    NO_NEWS,
    ROOT,
    Lab,
    free_port,
)

CHP = ROOT / ".cache" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
GUIDE = ROOT / "docs" / "jupyterhub.md"
SINGLEUSER_CONFIG = ROOT / "deploy" / "jupyter_server_config.py"
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
        # The guide's single-user settings, where a platform puts them: a Jupyter config directory.
        etc = root / "etc-jupyter"
        etc.mkdir()
        shutil.copy(SINGLEUSER_CONFIG, etc / "jupyter_server_config.py")
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
c.Spawner.environment = {{"JUPYTER_CONFIG_PATH": {str(etc)!r}}}
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


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """One hub for the module; each test logs in as its own user."""
    pytest.importorskip("jupyterhub", reason="jupyterhub is not installed")
    if proxy() is None:
        pytest.skip("configurable-http-proxy is not installed (.ci/run installs it under .cache/chp)")
    running = Hub(tmp_path_factory.mktemp("hub"))
    yield running
    running.stop()


def log_in(hub: Hub, page, user: str, next_url: str | None = None) -> None:
    query = f"?next={urllib.parse.quote(next_url)}" if next_url else ""
    page.goto(f"{hub.url}/hub/login{query}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")


def test_a_hub_user_opens_runs_and_saves_a_py_notebook(hub, page):
    home = hub.homes / USER
    home.mkdir(parents=True)
    notebook = home / "analysis.py"
    notebook.write_text(NOTEBOOK)
    log_in(hub, page, USER)
    page.wait_for_url(f"**/user/{USER}/lab**", timeout=120_000)
    lab = Lab(_HubServer(hub, USER), page)
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


def test_a_course_link_opens_a_py_notebook_clean_on_the_reactive_kernel(hub, page):
    """A student's first click on `/lab/tree/<path>.py`: the server starts, then the notebook opens."""
    user = "grace"
    course = hub.homes / user / "course"
    course.mkdir(parents=True)
    (course / "week1.py").write_text(NOTEBOOK)
    (course / "hello.py").write_text("print('hello')\n")  # no `# %%`: a notebook with all_py_notebooks
    before = {p.name: p.read_bytes() for p in course.glob("*.py")}
    page.add_init_script(WATCH_DIALOGS)
    log_in(hub, page, user, next_url="/hub/home")  # logged in, server not started
    page.wait_for_url("**/hub/home**", timeout=60_000)
    link = f"/user/{user}/lab/tree/course/week1.py"
    page.goto(f"{hub.url}/hub/spawn?next={urllib.parse.quote(link)}")  # the "Launch server" button
    page.wait_for_url(f"**/user/{user}/lab**", timeout=120_000)
    lab = Lab(_HubServer(hub, user), page)
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=120_000)
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    lab.follow("course/week1.py")
    wait_kernel_filled_in(lab, "reactive-python")
    lab._wait(FIRST_CELL_VISIBLE, None, lambda: "the first cell is not on screen")
    state = document(lab)
    assert not state["dirty"] and not state["dirtyMark"], f"opened dirty: {state}"
    assert dialogs(lab) == []
    # The guide's settings reached the single-user server: the reactive kernel is its default ...
    assert (
        page.evaluate("() => window.jupyterapp.serviceManager.kernelspecs.specs.default") == "reactive-python"
    )
    # The same link again, on the running server whose workspace has the notebook open: still one tab.
    open_link(lab, f"{hub.url}{link}", "course/week1.py")
    wait_kernel_filled_in(lab, "reactive-python")
    wait_document(lab, "!d.dirty", "the notebook opened dirty the second time")
    close_tab(lab, "course/week1.py")
    # ... and a plain script opens as a notebook too, by the same kind of link, on a running server.
    open_link(lab, f"{hub.url}/user/{user}/lab/tree/course/hello.py", "course/hello.py")
    wait_kernel_filled_in(lab, "reactive-python")
    assert lab.page.evaluate(
        "() => window.reactiveTest.cells().map(c => c.model.sharedModel.getSource())"
    ) == ["print('hello')"]
    wait_document(lab, "!d.dirty", "the script opened dirty")
    close_tab(lab, "course/hello.py")
    assert dialogs(lab) == []
    assert {p.name: p.read_bytes() for p in course.glob("*.py")} == before


def test_the_guide_shows_the_deploy_files_as_they_are():
    """docs/jupyterhub.md shows each deploy/ file in a fenced block after its `<!-- file: deploy/... -->`."""
    shown = dict(re.findall(r"<!-- file: (\S+) -->\n```[^\n]*\n(.*?)```\n", GUIDE.read_text(), re.DOTALL))
    assert set(shown) >= {"deploy/jupyter_server_config.py", "deploy/Dockerfile", "deploy/z2jh-values.yaml"}
    for name, text in shown.items():
        assert text == (ROOT / name).read_text(), f"docs/jupyterhub.md shows an old {name}"


class _HubServer:
    """What `Lab` needs of a server, for a user's server behind the hub's proxy."""

    def __init__(self, hub: Hub, user: str) -> None:
        self.url = f"{hub.url}/user/{user}"
        self.notebooks = hub.homes / user
