"""The test tiers (tests/tiers.py): the tier each test gets, `-m` expressions, and the guard on `unit`.

The sample test files run in pytest sessions inside this one (pytester), with the tiers plugin registered
as tests/conftest.py registers it.
"""

from __future__ import annotations

import subprocess

import pytest

from tests import tiers

pytest_plugins = ["pytester"]

CONFTEST = """
import subprocess

import pytest

from tests import tiers


def pytest_configure(config):
    config.pluginmanager.register(tiers, "tiers")


@pytest.fixture
def served():
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
"""

SAMPLE = """
import os
import subprocess

import pytest

from tests.frontend import Frontend


def add(a, b):
    return a + b


def run_true():
    return subprocess.run(["true"])


@pytest.fixture
def kernel():
    frontend = Frontend()
    yield frontend
    frontend.shutdown()


def test_pure():
    assert add(1, 2) == 3


def test_calls_a_helper_that_runs_a_command():
    run_true()


def test_only_builds_a_completed_process():
    assert subprocess.CompletedProcess(["x"], 0).returncode == 0


def test_uses_a_fixture_that_starts_a_kernel(kernel):
    pass


def test_uses_a_conftest_fixture_that_starts_a_process(served):
    pass


def test_imports_subprocess_itself():
    import subprocess as sp

    sp.run(["true"])


def test_calls_os_system():
    os.system("true")


def test_starts_one_in_a_lambda():
    return lambda: run_true()


@pytest.mark.parametrize("make", [run_true, add], ids=["run_true", "add"])
def test_gets_a_helper_as_a_parameter(make):
    pass


@pytest.mark.kernel
def test_marked_kernel():
    assert add(1, 1) == 2


@pytest.mark.unit
def test_marked_unit():
    run_true()
"""

EXPECTED = {
    "test_pure": "unit",
    "test_calls_a_helper_that_runs_a_command": "kernel",
    "test_only_builds_a_completed_process": "unit",
    "test_uses_a_fixture_that_starts_a_kernel": "kernel",
    "test_uses_a_conftest_fixture_that_starts_a_process": "kernel",
    "test_imports_subprocess_itself": "kernel",
    "test_calls_os_system": "kernel",
    "test_starts_one_in_a_lambda": "kernel",
    "test_gets_a_helper_as_a_parameter[run_true]": "kernel",
    "test_gets_a_helper_as_a_parameter[add]": "unit",
    "test_marked_kernel": "kernel",
    "test_marked_unit": "unit",  # a written marker wins over the guess
}


def test_each_test_gets_one_tier_from_what_it_uses(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_sample=SAMPLE)
    items, _ = pytester.inline_genitems()
    got = {item.name: [m.name for m in item.iter_markers() if m.name in tiers.TIERS] for item in items}
    assert got == {name: [tier] for name, tier in EXPECTED.items()}


GUARDED = """
import socket
import subprocess

import pytest

pytestmark = pytest.mark.unit


def test_pure():
    assert 1 + 1 == 2


def test_starts_a_command():
    subprocess.run(["true"])


def test_swallows_the_refusal():
    try:
        subprocess.Popen(["true"])
    except Exception:
        pass


def test_listens():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
"""


@pytest.mark.unit  # it reads subprocess.Popen (the guess says kernel) but starts nothing: the guard refuses
def test_a_unit_test_that_starts_a_process_or_a_server_fails(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_guarded=GUARDED)
    popen = subprocess.Popen.__init__
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    # test_swallows_the_refusal passes its body and fails at teardown: one pass, one error.
    result.assert_outcomes(passed=2, failed=2, errors=1)
    started = "this test is in the unit tier but started"
    for line in (
        f"E *TierViolation: {started} subprocess.Popen(*true*): mark it @pytest.mark.kernel*",
        f"E *TierViolation: {started} socket.listen(*",
        f"{started} subprocess.Popen(*true*): mark it @pytest.mark.kernel*",  # at teardown
    ):
        result.stdout.fnmatch_lines([line])
    assert subprocess.Popen.__init__ is popen  # put back as it was


@pytest.mark.parametrize(
    ("markexpr", "deselected"),
    [
        ("unit", True),
        ("kernel", True),
        ("not browser", True),
        ("unit or kernel", True),
        ("unit and corpus", True),
        ("(kernel or unit) and not corpus", True),
        ("browser", False),
        ("not unit", False),
        ("corpus", False),  # a browser test could be marked corpus too
        ("not (unit or kernel)", False),
        ("", False),
        ("unit and", False),  # not an expression: pytest says so
        ("unit(x=1)", False),  # marker arguments: not read, so not deselected
    ],
)
def test_a_markexpr_deselects_the_browser_folder_only_when_no_browser_test_can_match(markexpr, deselected):
    assert tiers.deselects(markexpr, "browser") is deselected
