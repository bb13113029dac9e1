"""Shared fixtures and the test tiers.

Every test is marked with one tier (see tests/tiers.py): `unit` (pure, in-process), `kernel` (starts a
kernel, a server or another process) or `browser` (Chromium). `python -m pytest -m unit` runs the fast
tier, with a quarter of the Hypothesis examples the full suite tries (tests/fuzzing.py). The
contents-manager tests share one real jupyter server per module and a folder per test.
"""

from __future__ import annotations

import re

import pytest

from tests import fuzzing, tiers
from tests.contents_server import Server


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(tiers, "tiers")  # marks tiers, guards `unit` (see tests/tiers.py)
    if config.getoption("markexpr", "") == "unit" and config.getoption("hypothesis_profile", None) is None:
        fuzzing.quick()  # the fast tier fuzzes with fewer examples


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    """A real `jupyter server` with the reactive contents manager, for one test module."""
    root = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]) / "root"
    root.mkdir()
    running = Server(root)
    yield running
    running.stop()


@pytest.fixture
def files(server, request):
    """A fresh folder in the server's root, named after the test; returns (its path on disk, its API path)."""
    folder = server.root / re.sub(r"[^\w.-]+", "-", request.node.name)
    folder.mkdir()
    return folder, folder.name
