"""Several viewers of one notebook on one kernel: a cascade runs in the viewer whose request started it.

Each viewer is a scripted frontend with its own client (its own `header.session`, as each browser tab's
kernel connection has) and its own comm; `same_session` plays two views of one notebook in one page,
which share a kernel connection.
"""

from __future__ import annotations

import pytest

from tests.frontend import Frontend

CHAIN = {"a": "x = 1", "b": "y = x + 1", "c": "print(y * 10)"}


@pytest.fixture
def tabs():
    """Two browser tabs on one notebook: A opened first, B second (B's comm is the newest)."""
    a = Frontend()
    b = Frontend(share=a)
    for tab in (a, b):
        tab.cells.update(CHAIN)
    a.sync()
    b.sync()
    yield a, b
    b.shutdown()
    a.shutdown()


def test_each_tab_has_its_own_client_session():
    a = Frontend(open_comm=False)
    other = Frontend(share=a, open_comm=False)
    same = Frontend(share=a, open_comm=False, same_session=True)
    try:
        assert other.session_id != a.session_id
        assert same.session_id == a.session_id
    finally:
        for frontend in (same, other, a):
            frontend.shutdown()


def test_a_cascade_runs_in_the_tab_that_started_it(tabs):
    a, b = tabs
    results = a.run("a")
    assert a.executed == ["a", "b", "c"], "the dependents must run in the tab that ran `a`"
    assert results["c"].stdout == "20\n"
    b.catch_up()
    assert b.runs() == [], "the other tab must not be asked to run anything"
    assert b.statuses() == a.statuses() == {"a": "fresh", "b": "fresh", "c": "fresh"}


def test_the_older_tab_starting_a_cascade_does_not_hand_it_to_the_newer(tabs):
    a, b = tabs
    b.run("a")
    assert b.executed == ["a", "b", "c"]
    a.cells["a"] = b.cells["a"] = "x = 4"
    a.sync()
    results = a.run("a")
    assert a.executed == ["a", "b", "c"]
    assert results["c"].stdout == "50\n"
    b.catch_up()
    assert b.runs() == [["b", "c"]], "only the cascade b started itself"
    assert b.statuses() == a.statuses() == {"a": "fresh", "b": "fresh", "c": "fresh"}


def test_cells_sent_ahead_run_in_the_tab_that_sent_them(tabs):
    a, b = tabs
    results = a.run_ahead("a")
    assert [e.started for e in results["b"] + results["c"]] == [True, True]
    assert results["c"][-1].stdout == "20\n"
    b.catch_up()
    assert b.runs() == []


def test_ancestors_a_run_needs_first_run_in_that_tab(tabs):
    a, b = tabs
    results = a.run("c")  # a and b never ran: the kernel asks the tab that ran c to run them first
    assert a.executed == ["c", "a", "b", "c"]
    assert results["c"].stdout == "20\n"
    b.catch_up()
    assert b.runs() == []


def test_run_stale_from_one_tab_runs_there(tabs):
    a, b = tabs
    a.run("a")
    a.send({"type": "set_mode", "mode": "lazy"})
    a.run("a")
    b.catch_up()
    assert b.statuses() == {"a": "fresh", "b": "stale", "c": "stale"}
    b.send({"type": "run_stale"})
    assert b.run_list == ["b", "c"]
    a.catch_up()
    assert a.runs() == [["b", "c"]], "a's only list is its own first cascade"


def test_stop_reaches_every_tab(tabs):
    a, b = tabs
    a.run("a")
    a.execute("a", a.cells["a"])  # a's cascade is queued, not run
    assert a.run_list == ["b", "c"]
    b.send({"type": "stop"})
    a.catch_up()
    assert a.run_list == [], "the tab running the cascade must hear that it stopped"
    assert b.runs()[-1:] == [[]]


def test_two_views_in_one_page_share_a_connection_and_the_newest_view_runs():
    view1 = Frontend()
    view2 = Frontend(share=view1, same_session=True)  # "New View for Notebook"
    tab = Frontend(share=view1)  # another tab, opened last
    try:
        for frontend in (view1, view2, tab):
            frontend.cells.update(CHAIN)
        view1.sync()
        view1.execute("a", view1.cells["a"])
        for frontend in (view2, tab, view1):
            frontend.catch_up()
        assert view2.run_list == ["b", "c"], "the page that ran `a` runs the cascade, in its newest view"
        assert view1.runs() == [], "one view of the page runs it, not both"
        assert tab.runs() == []
    finally:
        for frontend in (tab, view2, view1):
            frontend.shutdown()


def test_a_request_from_a_client_without_the_comm_runs_in_the_newest_tab(tabs):
    a, b = tabs
    console = Frontend(share=a, open_comm=False)  # e.g. a client without the extension on this kernel
    try:
        console.execute("a", "x = 3")
        b.catch_up()
        a.catch_up()
        assert b.run_list == ["b", "c"]
        assert a.runs() == []
    finally:
        console.shutdown()


def test_a_tab_that_opens_during_a_cascade_gets_the_states(tabs):
    a, _b = tabs
    a.execute("a", a.cells["a"])
    assert a.run_list == ["b", "c"]
    c = Frontend(share=a)
    try:
        assert {cell: state["status"] for cell, state in c.states.items()} == {
            "a": "fresh",
            "b": "queued",
            "c": "queued",
        }
    finally:
        c.shutdown()


def test_a_widget_moved_in_one_tab_reruns_its_readers_in_that_tab(tabs):
    pytest.importorskip("ipywidgets")
    a, b = tabs
    slider = "import ipywidgets as widgets\nslider = widgets.IntSlider(value=1)"
    for tab in (a, b):
        tab.cells = {"s": slider, "r": "print(slider.value * 10)"}
    b.sync()
    b.run("s")
    model_id = b.execute(None, "print(slider.model_id)").stdout.strip()
    update = {"method": "update", "state": {"value": 5}, "buffer_paths": []}
    a._request("comm_msg", {"comm_id": model_id, "data": update})  # the slider moved in the older tab
    assert a.run_list == ["r"]
    assert a.execute("r", a.cells["r"]).stdout == "50\n"
    b.catch_up()
    assert b.runs() == [["r"]], "b's only list is the one its own run of `s` caused"


def test_a_console_on_the_notebooks_kernel_runs_outside_the_graph(tabs):
    """JupyterLab's console sends its own cell ids; what it defines must survive the notebook's sync."""
    a, _ = tabs
    console = Frontend(share=a, open_comm=False)
    try:
        console.execute("console-1", "z = 5")
        a.sync()
        assert console.execute("console-2", "print(z)").stdout == "5\n"
        a.send({"type": "request_state"})
        assert "console-1" not in a.states and a.run_list == []
    finally:
        console.shutdown()
