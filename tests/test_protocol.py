"""docs/protocol.md, protocol_in, protocol_out and the scheduler's statuses must say the same thing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reactive_kernel.core.errors import ProtocolError
from reactive_kernel.core.quickfix import Fix
from reactive_kernel.core.scheduler import STATUSES, CellState
from reactive_kernel.kernel import protocol_in, protocol_out

DOC = (Path(__file__).parent.parent / "docs" / "protocol.md").read_text()


def table(heading: str) -> list[str]:
    """First column of the first table under a markdown heading, without backticks."""
    lines = DOC.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:  # skip the header row and the |---| row
        if not line.startswith("|"):
            break
        rows.append(re.match(r"\| *`?(\w+)`? *\|", line).group(1))
    return rows


def test_version_matches():
    assert f"version {protocol_out.PROTOCOL_VERSION}" in DOC.splitlines()[0]
    assert protocol_out.hello("autorun", "ordered")["version"] == protocol_out.PROTOCOL_VERSION


def test_every_documented_frontend_message_parses_and_nothing_else():
    examples = {
        "sync": {"type": "sync", "cells": [{"id": "a", "source": "x = 1", "cell_type": "code"}]},
        "delta": {"type": "delta", "base": 0, "rev": 1, "cells": [{"id": "a", "after": None}], "order": 0},
        "set_mode": {"type": "set_mode", "mode": "lazy"},
        "set_definitions": {"type": "set_definitions", "definitions": "unique"},
        "run_stale": {"type": "run_stale"},
        "stop": {"type": "stop"},
        "request_state": {"type": "request_state"},
        "quick_fix": {"type": "quick_fix", "request": 1, "cell": "a", "name": "x", "kind": "rename"},
    }
    assert table("## Frontend -> kernel") == list(examples)
    for data in examples.values():
        protocol_in.parse(data)
    with pytest.raises(ProtocolError):
        protocol_in.parse({"type": "undocumented"})


def test_every_documented_kernel_message_is_built_by_protocol_out():
    state = CellState("fresh", ("x",), (), (), ("b",), None, ())
    built = [
        protocol_out.hello("autorun", "ordered"),
        protocol_out.state({"a": state}),
        protocol_out.run(["a"]),
        protocol_out.mode("lazy"),
        protocol_out.definitions("unique"),
        protocol_out.resync(3, "the cells' order differs from the kernel's"),
        protocol_out.rewrite(1, [("a", "x = 1", "x_2 = 1")]),
        protocol_out.error("bad"),
    ]
    assert table("## Kernel -> frontend") == [m["type"] for m in built]
    assert table("`CellState` is:") == list(built[1]["cells"]["a"])


def test_statuses_match():
    assert table("### Statuses") == list(STATUSES)


def test_hello_says_what_the_kernel_understands():
    assert protocol_out.hello("autorun", "ordered")["capabilities"] == ["delta"]
    assert '`capabilities: ["delta"]`' in DOC


def test_comm_target_matches():
    assert f"target name **`{protocol_out.COMM_TARGET}`**" in DOC


SYNC_TITLES = [
    # (the cell's `title` field, what the kernel takes, or the field a ProtocolError names)
    ({}, None),
    ({"title": "Load data"}, "Load data"),
    ({"title": None}, None),
    ({"title": ""}, None),
    ({"title": 3}, "cells[0].title"),
]


@pytest.mark.parametrize(("extra", "expected"), SYNC_TITLES)
def test_sync_takes_a_cells_title_for_its_label(extra, expected):
    data = {"type": "sync", "cells": [{"id": "a", "source": "x = 1", "cell_type": "code", **extra}]}
    if expected == "cells[0].title":
        with pytest.raises(ProtocolError) as info:
            protocol_in.parse(data)
        assert info.value.field == expected
    else:
        assert protocol_in.parse(data).cells[0].title == expected


# (the quick_fix message's fields beyond its type, the field a ProtocolError names; None: it parses)
QUICK_FIXES = [
    ({"request": 1, "cell": "a", "name": "x", "kind": "private"}, None),
    ({"request": 1, "cell": "a", "name": "x", "kind": "rename", "to": "total"}, None),
    ({"cell": "a", "name": "x", "kind": "rename"}, "request"),
    ({"request": -1, "cell": "a", "name": "x", "kind": "rename"}, "request"),
    ({"request": 1, "cell": "", "name": "x", "kind": "rename"}, "cell"),
    ({"request": 1, "cell": "a", "name": "x y", "kind": "rename"}, "name"),
    ({"request": 1, "cell": "a", "name": "x", "kind": "inline"}, "kind"),
    ({"request": 1, "cell": "a", "name": "x", "kind": "rename", "to": 3}, "to"),
]


@pytest.mark.parametrize(("fields", "bad"), QUICK_FIXES)
def test_quick_fix_messages_are_checked(fields, bad):
    data = {"type": "quick_fix", **fields}
    if bad is None:
        message = protocol_in.parse(data)
        assert (message.cell, message.name, message.kind, message.to) == (
            "a",
            "x",
            fields["kind"],
            fields.get("to"),
        )
        return
    with pytest.raises(ProtocolError) as info:
        protocol_in.parse(data)
    assert info.value.field == bad


def test_a_state_carries_its_fixes():
    fix = Fix("rename", "x", "x_2", ("a", "r"))
    state = CellState("error", ("x",), (), (), (), "defined twice", (), fixes=(fix,))
    cell = protocol_out.state({"a": state})["cells"]["a"]
    assert cell["fixes"] == [{"kind": "rename", "name": "x", "to": "x_2", "cells": ["a", "r"]}]


def test_a_state_carries_the_cells_name_and_whether_it_raised():
    state = CellState("error", ("x",), (), (), (), "Boom: failed", (), name="load", raised=True)
    cell = protocol_out.state({"a": state})["cells"]["a"]
    assert (cell["name"], cell["raised"], cell["error"]) == ("load", True, "Boom: failed")
