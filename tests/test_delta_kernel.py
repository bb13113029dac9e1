"""Deltas on a real kernel: a one-cell edit costs the same bytes at any notebook size and leaves what a full
sync leaves; a delta that does not fit is refused with `resync`, and the whole notebook repairs it."""

from __future__ import annotations

import json

import pytest

from tests.frontend import Frontend

SIZE = 1_000


def filler(n: int, start: int = 0) -> dict[str, str]:
    """Cells that read and define names of their own: `v7 = v3 + 7`."""
    return {f"f{i:04d}": f"v{i} = {f'v{i // 2} + ' if i else ''}{i}" for i in range(start, n)}


def size(message: dict) -> int:
    return len(json.dumps(message))


def resyncs(fe: Frontend) -> list[dict]:
    return [m for m in fe.messages if m.get("type") == "resync"]


@pytest.fixture
def pair():
    """Two kernels: one told of every change by deltas, one by whole syncs, as an old frontend does."""
    by_delta, by_sync = Frontend(), Frontend()
    yield by_delta, by_sync
    by_delta.shutdown()
    by_sync.shutdown()


def test_a_one_cell_edit_costs_the_same_bytes_at_any_size_and_leaves_the_states_of_a_full_sync(pair):
    by_delta, by_sync = pair
    chain = {"a": "x = 1", "b": "y = x + 1", "c": "print(y * 10)"}
    by_delta.cells.update({**chain, **filler(10)})
    by_delta.sync(numbered=True)
    by_delta.run("a")
    by_delta.cells["a"] = "x = 2"
    small = by_delta.send_delta()
    by_delta.cells["a"] = "x = 1"
    by_delta.send_delta()

    by_delta.cells.update(filler(SIZE, start=10))  # 990 cells inserted: one delta, every one placed
    inserted = by_delta.send_delta()
    assert len(inserted["cells"]) == SIZE - 10 and not resyncs(by_delta)
    by_sync.cells.update(by_delta.cells)
    whole = by_sync.sync()
    by_sync.run("a")
    assert by_delta.statuses() == by_sync.statuses()

    for fe in (by_delta, by_sync):
        fe.cells["a"] = "x = 2"
    big = by_delta.send_delta()
    by_sync.sync()
    assert big["cells"] == small["cells"] == [{"id": "a", "source": "x = 2"}]
    assert abs(size(big) - size(small)) <= 12  # the numbers in it may be a few digits longer
    assert size(big) * 100 < size(whole)
    assert by_delta.states == by_sync.states
    assert by_delta.status("a") == "edited"

    results = {fe: fe.run("a") for fe in (by_delta, by_sync)}
    assert results[by_delta]["c"].stdout == results[by_sync]["c"].stdout == "30\n"
    assert by_delta.states == by_sync.states
    assert not resyncs(by_delta)


def test_inserts_moves_deletes_and_options_by_delta_leave_the_states_of_a_full_sync(pair):
    by_delta, by_sync = pair
    notebook = {"a": "x = 1", "b": "print(x)", "c": "x = 2", "d": "y = x"}
    steps = [
        lambda cells: cells.update({"n": "x = 10"}),  # insert at the end
        lambda cells: (cells.pop("c"), cells.update({"c": "x = 2"})),  # move c to the end
        lambda cells: cells.pop("a"),  # delete
        lambda cells: cells.update({"b": "print(x, 1)"}),  # edit
    ]
    by_delta.cells.update(notebook)
    by_delta.sync(numbered=True)
    by_sync.cells.update(notebook)
    by_sync.sync()
    for fe in pair:
        fe.run("a")
        fe.run("c")
    for step in steps:
        for fe in pair:
            step(fe.cells)
        by_delta.send_delta()
        by_sync.sync()
        assert by_delta.states == by_sync.states
    for fe in pair:
        fe.disabled.add("d")
        fe.cache["b"] = "memory"
    assert by_delta.send_delta()["cells"] == [{"id": "b", "cache": "memory"}, {"id": "d", "disabled": True}]
    by_sync.sync()
    assert by_delta.states == by_sync.states and by_delta.status("d") == "disabled"
    assert not resyncs(by_delta)


@pytest.fixture
def fe():
    frontend = Frontend()
    frontend.cells.update({"a": "x = 1", "b": "y = x + 1", "c": "print(y)"})
    frontend.sync(numbered=True)
    frontend.run("a")
    yield frontend
    frontend.shutdown()


def refused(fe: Frontend, message: dict) -> dict:
    """Send a raw delta; returns the kernel's `resync` answer (the test then repairs by hand)."""
    heard = len(fe.messages)
    fe.send(message)
    answers = [m for m in fe.messages[heard:] if m.get("type") in ("resync", "state", "run", "error")]
    assert [m["type"] for m in answers] == ["resync"], answers
    return answers[0]


def test_a_delta_on_an_old_base_is_refused_and_the_whole_notebook_repairs_it(fe):
    stale = {
        "type": "delta",
        "base": fe.rev - 1,
        "rev": fe.rev + 1,
        "cells": [{"id": "a", "source": "x = 9"}],
    }
    answer = refused(fe, {**stale, "order": 0})
    assert answer["rev"] == fe.rev + 1 and "builds on message" in answer["reason"]
    assert fe.status("a") == "fresh"  # nothing applied
    fe.cells["b"] = "y = x + 2"
    fe.send_delta()  # refused too: no whole notebook since the resync; the frontend sends it
    assert fe.last("resync")["rev"] == fe.rev - 1 and fe.status("b") == "edited"
    fe.cells["b"] = "y = x + 3"
    assert fe.send_delta() is not None and fe.last("resync")["rev"] == fe.rev - 2  # taken this time


def test_a_delta_before_any_numbered_sync_is_refused():
    fe = Frontend()
    try:
        fe.cells.update({"a": "x = 1"})
        fe.sync()  # a whole notebook without a number: an old frontend's, no base for deltas
        answer = refused(
            fe, {"type": "delta", "base": 0, "rev": 1, "cells": [{"id": "a", "source": "x = 2"}], "order": 0}
        )
        assert "no whole notebook" in answer["reason"]
    finally:
        fe.shutdown()


def test_an_edit_of_a_cell_the_kernel_lost_is_refused_and_resynced(fe):
    fe.execute("c", "print(y)", deleted=["b"])  # deletedCells: the kernel drops b, the notebook still has it
    fe.cells["b"] = "y = x + 5"
    fe.send_delta()
    assert "cell 'b' is not in" in fe.last("resync")["reason"]
    assert fe.status("b") == "unrun" and fe.states["b"]["parents"] == ["a"]  # back, from the whole notebook


def test_an_order_another_viewer_changed_is_refused_and_resynced(fe):
    other = Frontend(share=fe)  # another tab with its own copy of the notebook: c moved to the top
    try:
        other.cells.update({"c": "print(y)", "a": "x = 1", "b": "y = x + 1"})
        other.sync()
        fe.cells["a"] = "x = 2"
        fe.send_delta()
        assert fe.last("resync")["reason"] == "the cells' order differs from the kernel's"
        fe.catch_up()
        other.catch_up()
        assert other.states["a"]["status"] == "edited"  # the last writer's notebook, as with whole syncs
        fe.cells["b"] = "y = x * 2"
        fe.send_delta()  # fits the notebook the resync sent
        assert fe.last("resync")["rev"] == fe.rev - 2 and fe.status("b") == "edited"
    finally:
        other.shutdown()


def test_two_viewers_sending_the_same_changes_both_fit(fe):
    """Real-time collaboration: every page sees every change and tells the kernel of it."""
    other = Frontend(share=fe)
    try:
        other.cells.update(fe.cells)
        other.sync(numbered=True)
        for viewer in (fe, other):
            viewer.cells = {"n": "x = 0", **viewer.cells, "b": "y = x * 3"}  # an insert above, an edit
        for viewer in (fe, other):
            viewer.send_delta()
        other.catch_up()
        fe.catch_up()
        assert not resyncs(fe) and not resyncs(other)
        assert fe.states == other.states and fe.status("b") == "edited" and fe.status("n") == "unrun"
    finally:
        other.shutdown()
