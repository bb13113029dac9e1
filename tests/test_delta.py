"""Deltas without a kernel: the order fingerprint, where cells land, what does not fit, and that applying a
delta leaves the scheduler exactly where a full sync of the same notebook does."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reactive_kernel.core.delta import CellChange, Delta, new_order, order_fingerprint
from reactive_kernel.core.errors import DeltaMismatch, ProtocolError
from reactive_kernel.core.scheduler import CellInput, Scheduler
from reactive_kernel.kernel import protocol_in
from tests.fuzzing import examples
from tests.notebook_delta import Cell, delta_message

# The same table is in labextension/src/delta.test.ts: the extension and the kernel must agree.
FINGERPRINTS = [
    ([], 0),
    (["a"], 3904355907),
    (["a", "b"], 4010250491),
    (["b", "a"], 1950908184),
    (["ab"], 2659403885),
    (["0b3e2a5c-7f1d-4c3e-9a8b-1d2e3f4a5b6c", "c1"], 3945832422),
    (["é", "ß"], 3573857303),
    (["\ud800x"], 1861164708),  # a lone surrogate counts as U+FFFD, as a browser's TextEncoder writes it
]


@pytest.mark.parametrize("ids,expected", FINGERPRINTS)
def test_order_fingerprint(ids, expected):
    assert order_fingerprint(ids) == expected


def place(cell_id: str, after: str | None, source: str | None = None) -> CellChange:
    return CellChange(cell_id, source, placed=True, after=after)


# (name, kernel order, changes, deleted, new order: a list, None (unchanged) or the mismatch's reason)
ORDERS = [
    ("a source edit moves nothing", "abc", [CellChange("b", "y = 2")], "", None),
    ("insert at the top", "abc", [place("n", None, "")], "", "nabc"),
    ("insert in the middle", "abc", [place("n", "a", "")], "", "anbc"),
    ("insert at the end", "abc", [place("n", "c", "")], "", "abcn"),
    (
        "insert several, each after the one before",
        "ab",
        [place("x", "a", ""), place("y", "x", "")],
        "",
        "axyb",
    ),
    ("move down", "abcd", [place("a", "c")], "", "bcad"),
    ("move up", "abcd", [place("d", "a")], "", "adbc"),
    ("move to the top", "abcd", [place("c", None)], "", "cabd"),
    ("delete", "abc", [], "b", "ac"),
    ("delete and insert in its place", "abc", [place("n", "a", "")], "b", "anc"),
    ("a deleted cell the kernel lacks is no mismatch", "abc", [], "z", None),
    ("an edit of a cell the kernel lacks", "abc", [CellChange("z", "1")], "", "cell 'z' is not in"),
    ("a move of a cell the kernel lacks", "abc", [place("z", "a")], "", "cell 'z' is not in"),
    ("placed after a cell the kernel lacks", "abc", [place("n", "z", "")], "", "after cell 'z'"),
    ("placed after a deleted cell", "abc", [place("n", "b", "")], "b", "after cell 'b'"),
    (
        "placed after a cell placed later",
        "abc",
        [place("x", "y", ""), place("y", "a", "")],
        "",
        "after cell 'y'",
    ),
]


@pytest.mark.parametrize("name,order,changes,deleted,expected", ORDERS, ids=[r[0] for r in ORDERS])
def test_new_order(name, order, changes, deleted, expected):
    order, deleted = list(order), tuple(deleted)
    wanted = list(expected) if expected and len(expected) < 6 else None
    fingerprint = order_fingerprint(wanted if wanted is not None else order)
    delta = Delta(tuple(changes), deleted, fingerprint)
    if expected is not None and wanted is None:
        with pytest.raises(DeltaMismatch, match=expected):
            new_order(order, set(order), order_fingerprint(order), delta)
    else:
        assert new_order(order, set(order), order_fingerprint(order), delta) == wanted


@pytest.mark.parametrize(
    "changes,deleted",
    [([], ""), ([CellChange("a", "x = 1")], ""), ([place("c", None)], ""), ([], "a")],
    ids=["nothing", "an edit", "a move", "a delete"],
)
def test_an_order_other_than_the_frontends_is_a_mismatch(changes, deleted):
    order = list("abc")
    delta = Delta(tuple(changes), tuple(deleted), order_fingerprint(list("cba")))
    with pytest.raises(DeltaMismatch, match="order differs"):
        new_order(order, set(order), order_fingerprint(order), delta)


# ---- the message -----------------------------------------------------------------------------------

GOOD = {"type": "delta", "base": 1, "rev": 2, "cells": [], "deleted": [], "order": 0}
BAD_DELTAS = [
    ({"base": -1}, "base"),
    ({"rev": "2"}, "rev"),
    ({"rev": True}, "rev"),
    ({"order": 2**32}, "order"),
    ({"order": None}, "order"),
    ({"cells": {}}, "cells"),
    ({"cells": ["a"]}, "cells[0]"),
    ({"cells": [{"source": "x"}]}, "cells[0].id"),
    ({"cells": [{"id": "a", "source": 1}]}, "cells[0].source"),
    ({"cells": [{"id": "a", "disabled": "yes"}]}, "cells[0].disabled"),
    ({"cells": [{"id": "a", "cache": "always"}]}, "cells[0].cache"),
    ({"cells": [{"id": "a", "after": ""}]}, "cells[0].after"),
    ({"cells": [{"id": "a"}, {"id": "a"}]}, "cells"),
    ({"deleted": ["a", 1]}, "deleted"),
    ({"cells": [{"id": "a"}], "deleted": ["a"]}, "deleted"),
    ({"rev": 2.5}, "rev"),
]


@pytest.mark.parametrize("change,field", BAD_DELTAS)
def test_a_malformed_delta_names_its_field(change, field):
    with pytest.raises(ProtocolError) as caught:
        protocol_in.parse({**GOOD, **change})
    assert caught.value.field == field


def test_a_delta_parses_into_changes_and_placements():
    message = protocol_in.parse(
        {
            **GOOD,
            "cells": [
                {"id": "a", "source": "x = 1"},
                {"id": "b", "after": None},
                {"id": "c", "after": "b", "cache": "disk"},
            ],
            "deleted": ["d"],
        }
    )
    assert isinstance(message, protocol_in.DeltaSync) and (message.base, message.rev) == (1, 2)
    assert message.delta == Delta(
        (
            CellChange("a", "x = 1"),
            CellChange("b", placed=True, after=None),
            CellChange("c", cache="disk", placed=True, after="b"),
        ),
        ("d",),
        0,
    )


def test_a_sync_may_carry_its_number_and_old_ones_do_not():
    cells = [{"id": "a", "source": "x = 1"}]
    assert protocol_in.parse({"type": "sync", "cells": cells}).rev is None
    assert protocol_in.parse({"type": "sync", "cells": cells, "rev": 7}).rev == 7


# ---- the scheduler ---------------------------------------------------------------------------------


def cells(spec: str) -> list[Cell]:
    """'a: x = 1 | b: print(x)' -> cells a and b."""
    return [Cell(*part.strip().split(": ", 1)) for part in spec.split("|")]


def delta(before: list[Cell], after: list[Cell]):
    return protocol_in.parse(delta_message(before, after, 0, 1)).delta


def twins(notebook: list[Cell], definitions: str = "ordered") -> tuple[Scheduler, Scheduler]:
    """Two schedulers holding the same notebook: one will get full syncs, the other deltas."""
    pair = (
        Scheduler(frontend=True, definitions=definitions),
        Scheduler(frontend=True, definitions=definitions),
    )
    for s in pair:
        s.sync([CellInput(c.id, c.source, "code", c.disabled, c.cache) for c in notebook])
    return pair


def full(s: Scheduler, notebook: list[Cell]):
    return s.sync([CellInput(c.id, c.source, "code", c.disabled, c.cache) for c in notebook])


def same(full_sync: Scheduler, deltas: Scheduler) -> None:
    assert deltas.cell_ids() == full_sync.cell_ids()
    for cell_id in full_sync.cell_ids():
        assert deltas.state(cell_id) == full_sync.state(cell_id), cell_id
    assert deltas.pending() == full_sync.pending()


def run(s: Scheduler, cell_id: str) -> None:
    plan = s.before_run(cell_id, s._cells[cell_id].source)
    if plan.execute:
        s.after_run(cell_id, "ok")


CHAIN = "a: x = 1 | b: y = x + 1 | c: print(y)"
# (name, notebook before, notebook after, cells run before the change, statuses after it)
EDITS = [
    (
        "an edit marks the cell edited",
        CHAIN,
        "a: x = 2 | b: y = x + 1 | c: print(y)",
        "abc",
        "a=edited b=fresh c=fresh",
    ),
    (
        "an edit of an unrun cell rewires it",
        CHAIN,
        "a: z = 1 | b: y = x + 1 | c: print(y)",
        "",
        "a=unrun b=unrun c=unrun",
    ),
    ("a delete re-runs the readers", CHAIN, "b: y = x + 1 | c: print(y)", "abc", "b=queued c=queued"),
    (
        "an insert above a reader rewires it",
        CHAIN,
        "a: x = 1 | n: x = 5 | b: y = x + 1 | c: print(y)",
        "abc",
        "a=fresh n=unrun b=stale c=fresh",
    ),
    (
        "a move below its reader",
        CHAIN,
        "b: y = x + 1 | a: x = 1 | c: print(y)",
        "abc",
        "b=fresh a=fresh c=fresh",
    ),
    (
        "a move that rewires",
        "a: x = 1 | b: print(x) | c: x = 2",
        "a: x = 1 | c: x = 2 | b: print(x)",
        "abc",
        "a=fresh c=fresh b=stale",
    ),
    ("a type change to markdown deletes", CHAIN, "a: x = 1 | c: print(y)", "abc", "a=fresh c=queued"),
]


@pytest.mark.parametrize("name,before,after,ran,expected", EDITS, ids=[r[0] for r in EDITS])
def test_a_delta_leaves_what_a_full_sync_leaves(name, before, after, ran, expected):
    old, new = cells(before), cells(after)
    by_full, by_delta = twins(old)
    for s in (by_full, by_delta):
        for cell_id in ran:
            run(s, cell_id)
    assert by_delta.apply_delta(delta(old, new)) == full(by_full, new)
    same(by_full, by_delta)
    assert " ".join(f"{c}={by_delta.status(c)}" for c in by_delta.cell_ids()) == expected


def test_disabling_and_caching_through_a_delta():
    old = cells(CHAIN)
    new = [old[0], Cell("b", "y = x + 1", disabled=True), Cell("c", "print(y)", cache="memory")]
    by_full, by_delta = twins(old)
    assert by_delta.apply_delta(delta(old, new)) == full(by_full, new)
    same(by_full, by_delta)
    assert [by_delta.status(c) for c in "abc"] == ["unrun", "disabled", "disabled"]
    assert by_delta.cache_mode("c") == "memory"
    enabled = [old[0], Cell("b", "y = x + 1"), new[2]]
    assert by_delta.apply_delta(delta(new, enabled)) == full(by_full, enabled)
    assert by_delta.status("b") == "unrun"


def test_a_delta_that_does_not_fit_changes_nothing():
    old = cells(CHAIN)
    s, _ = twins(old)
    run(s, "a")
    before = {c: s.state(c) for c in s.cell_ids()}
    bad = Delta((CellChange("a", "x = 2"), place("n", "zz", "q = 1")), ("c",), 0)
    with pytest.raises(DeltaMismatch):
        s.apply_delta(bad)
    assert s.cell_ids() == ["a", "b", "c"] and {c: s.state(c) for c in s.cell_ids()} == before


def test_a_cell_the_kernel_added_by_running_it_is_placed_by_the_next_delta():
    old = cells(CHAIN)
    s, _ = twins(old)
    s.after_run("n", "ok") if s.before_run("n", "w = 1").execute else None  # run before its insert arrived
    assert s.cell_ids() == ["a", "b", "c", "n"]
    new = [old[0], Cell("n", "w = 1"), *old[1:]]
    s.apply_delta(delta(old, new))
    assert s.cell_ids() == ["a", "n", "b", "c"]


def test_a_source_edit_costs_no_walk_over_the_notebook():
    """The order's fingerprint is kept between edits: an edit reads it and changes it not."""
    notebook = [Cell(f"c{i}", f"v{i} = {i}") for i in range(200)]
    s, _ = twins(notebook)
    edited = [*notebook[:100], Cell("c100", "v100 = -1"), *notebook[101:]]
    s.apply_delta(delta(notebook, edited))
    kept = s._fingerprint
    assert kept == order_fingerprint(s.cell_ids())
    s.apply_delta(delta(edited, notebook))
    assert s._fingerprint is kept  # not recomputed


# ---- twin test: random edits by delta and by full sync ---------------------------------------------

IDS = [f"c{i}" for i in range(6)]
SOURCES = [
    "a = 1",
    "b = a + 1",
    "print(b)",
    "a = a + 1",
    "lst = []",
    "lst.append(a)",
    "x = (",
    "d = e",
    "e = d",
]
notebook_cells = st.builds(
    Cell, st.sampled_from(IDS), st.sampled_from(SOURCES), st.booleans(), st.sampled_from(["off", "memory"])
)
notebooks = st.lists(notebook_cells, max_size=6, unique_by=lambda c: c.id)
steps = st.lists(
    st.one_of(st.tuples(st.just("edit"), notebooks), st.tuples(st.just("run"), st.sampled_from(IDS))),
    max_size=12,
)


@pytest.mark.parametrize("definitions", ["unique", "ordered"])
@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notebooks, steps)
def test_deltas_and_full_syncs_keep_the_scheduler_in_the_same_state(definitions, first, ops):
    by_full, by_delta = twins(first, definitions)
    sent = first
    for op in ops:
        if op[0] == "edit":
            message = delta_message(sent, op[1], 0, 1)
            plan = full(by_full, op[1])
            if message is not None:
                assert by_delta.apply_delta(protocol_in.parse(message).delta) == plan
            sent = op[1]
        elif op[1] in by_full:
            for s in (by_full, by_delta):
                run(s, op[1])
        same(by_full, by_delta)
