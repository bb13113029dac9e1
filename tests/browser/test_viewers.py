"""Two browser tabs on one notebook and one kernel, and the status bar after Run All.

Each tab is its own page, with its own kernel connection (its own client session id): a cascade runs
in the tab that started it, both show the same statuses, and outputs land only in the tab that ran
them (without real-time collaboration the tabs hold two copies of the notebook).
"""

from __future__ import annotations

import re

from tests.browser.lab import TIMEOUT, Lab
from tests.browser.needs import expect, needs_extension

pytestmark = needs_extension()


NUMBERS = {"a": "n = 3", "b": "m = n * 2", "c": "print(m)"}


def comm_sessions(lab: Lab) -> set[str]:
    """The client session ids (`header.session`) of the page's reactive_kernel comm_open frames."""
    return {re.search(r'"session":\s*"([^"]+)"', frame).group(1) for frame in lab.comm_opens}


def prompt(lab: Lab, cell_id: str) -> str:
    return lab.cell(cell_id).locator(".jp-InputPrompt").inner_text()


def test_a_cascade_runs_in_the_tab_that_started_it(lab, notebook_name):
    lab.notebook(notebook_name, NUMBERS, reactive=True)
    lab.run("a")
    lab.wait_output("c", "6")
    lab.wait_status("fresh")
    lab.save()  # the second tab reads the notebook from disk: with these outputs
    other = Lab(lab.server, lab.page.context.new_page())  # a second tab, opened last: the newest comm
    other.open(lab.path, reactive=True)
    other.wait_status("fresh")
    other.wait_output("c", "6")
    before = {cell: prompt(other, cell) for cell in NUMBERS}

    lab.page.bring_to_front()
    lab.edit("a", "n = 4")
    lab.run("a")
    lab.wait_output("c", "8")  # the dependents ran here, with their outputs
    lab.wait_status("fresh")
    other.wait_status("fresh")  # the other tab shows the same statuses...
    other.wait_idle()
    assert other.output("c") == "6", "...but no output of a run it did not ask for"
    assert {cell: prompt(other, cell) for cell in NUMBERS} == before
    # What the kernel tells the pages apart by: each page's kernel connection has its own session id.
    assert len(comm_sessions(lab)) == len(comm_sessions(other)) == 1
    assert comm_sessions(lab) != comm_sessions(other)


def test_run_all_leaves_the_status_bar_idle(lab, notebook_name):
    chain = {"a": "x = 1", "b": "y = x + 1", "c": "z = y + 1", "d": "print(z)"}
    lab.notebook(notebook_name, chain, reactive=True)
    statusbar = lab.page.locator(".jp-reactive-statusbar")
    expect(statusbar).to_have_text("reactive: autorun · ordered", timeout=TIMEOUT)  # mode, policy
    lab.command("notebook:run-all-cells")
    lab.wait_output("d", "3")
    lab.wait_status("fresh")
    lab.wait_idle()
    expect(statusbar).to_have_text("reactive: autorun · ordered", timeout=TIMEOUT)  # mode, policy
