"""Kernel -> frontend comm messages, built in one place so their shape matches docs/protocol.md."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reactive_kernel.core.graph import Policy
from reactive_kernel.core.scheduler import CellState, Mode

PROTOCOL_VERSION = 1
COMM_TARGET = "reactive_kernel"
CAPABILITIES = ("delta",)  # what this kernel understands beyond version 1's first messages
# In an `execute_reply`'s content: the cell ended itself early without an error (marimo's `mo.stop`);
# a runner that executes cells itself (headless) skips its descendants.
STOPPED = "reactive_stopped"


def hello(mode: Mode, definitions: Policy) -> dict[str, Any]:
    """First message on a new comm: the protocol version, what the kernel understands, its mode and policy."""
    return {
        "type": "hello",
        "version": PROTOCOL_VERSION,
        "capabilities": list(CAPABILITIES),
        "mode": mode,
        "definitions": definitions,
    }


def state(cells: Mapping[str, CellState]) -> dict[str, Any]:
    """Cell states that changed (or all of them); the frontend merges by id."""
    return {"type": "state", "cells": {cell_id: _cell(s) for cell_id, s in cells.items()}}


def run(cells: Sequence[str]) -> dict[str, Any]:
    """The cells the frontend must execute next, in order; replaces any list not yet started."""
    return {"type": "run", "cells": list(cells)}


def mode(value: Mode) -> dict[str, Any]:
    return {"type": "mode", "mode": value}


def definitions(value: Policy) -> dict[str, Any]:
    return {"type": "definitions", "definitions": value}


def resync(rev: int | None, reason: str) -> dict[str, Any]:
    """A delta the kernel did not apply (`rev`: its number): the frontend must send the whole notebook."""
    return {"type": "resync", "rev": rev, "reason": reason}


def rewrite(request: int, cells: Sequence[tuple[str, str, str]], error: str | None = None) -> dict[str, Any]:
    """The answer to `quick_fix` number `request`: each changed cell's source before and after, or why not."""
    return {
        "type": "rewrite",
        "request": request,
        "cells": [{"id": cell_id, "before": before, "after": after} for cell_id, before, after in cells],
        "error": error,
    }


def error(message: str) -> dict[str, Any]:
    """A message the kernel could not use; the kernel carries on."""
    return {"type": "error", "message": message}


def _cell(s: CellState) -> dict[str, Any]:
    return {
        "status": s.status,
        "defs": list(s.defs),
        "refs": list(s.refs),
        "parents": list(s.parents),
        "children": list(s.children),
        "error": s.error,
        "warnings": list(s.warnings),
        "cached": s.cached,
        "origins": dict(s.origins),
        "name": s.name,
        "raised": s.raised,
        "fixes": [{"kind": f.kind, "name": f.name, "to": f.to, "cells": list(f.cells)} for f in s.fixes],
    }
