"""Fixtures for the browser tests: one JupyterLab and one Chromium for the session, a page per test.

Everything skips (with the reason) when Debian's /usr/bin/chromium, the playwright package or
JupyterLab is missing.
"""

from __future__ import annotations

import itertools
import re

import pytest

from tests.browser.lab import CELL_ID_ENGINE, CHROMIUM, CHROMIUM_ARGS, PAGE_HELPERS, TIMEOUT, Lab, LabServer
from tests.browser.lab import missing_requirements as _missing

_names = itertools.count()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    reason = _missing()
    if reason:
        pytest.skip(reason)
    server = LabServer(tmp_path_factory.mktemp("lab"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance():
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        pw.selectors.register("cell-id", CELL_ID_ENGINE)
        yield pw


@pytest.fixture(scope="session")
def chromium(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(PAGE_HELPERS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def notebook_name(request):
    """A name no other test uses: the test's name plus a counter."""
    return f"{re.sub(r'[^A-Za-z0-9_]+', '_', request.node.name)[:60]}_{next(_names)}"


@pytest.fixture
def lab(lab_server, page):
    """A `Lab` on a fresh page; its notebook's kernel is shut down at teardown."""
    driver = Lab(lab_server, page)
    yield driver
    page.close()
    if driver.path:
        lab_server.shutdown_sessions(driver.path)
