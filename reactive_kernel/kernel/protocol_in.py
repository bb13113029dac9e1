"""Frontend -> kernel comm messages: validate the JSON and turn it into typed values (docs/protocol.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from reactive_kernel.core.delta import CellChange, Delta
from reactive_kernel.core.errors import ProtocolError
from reactive_kernel.core.graph import POLICIES, Policy
from reactive_kernel.core.quickfix import KINDS
from reactive_kernel.core.scheduler import CACHE_MODES, MODES, CellInput, Mode

_CELL_TYPES = ("code", "markdown", "raw")
SCHEDULED_KEY = "reactiveScheduled"  # execute_request metadata: sent ahead from a run list


@dataclass(frozen=True)
class Sync:
    """The whole notebook, in order: sent at open, on reconnect, when the kernel asks (`resync`), and after
    every change by frontends that send no deltas."""

    cells: tuple[CellInput, ...]
    rev: int | None = None  # the frontend's number for this message: its next delta builds on it


@dataclass(frozen=True)
class DeltaSync:
    """What changed in the notebook since the same viewer's message number `base`."""

    delta: Delta
    base: int  # the `rev` of this viewer's previous sync or delta
    rev: int  # this message's number


@dataclass(frozen=True)
class SetMode:
    """Switch between running descendants (autorun) and marking them stale (lazy)."""

    mode: Mode


@dataclass(frozen=True)
class SetDefinitions:
    """Switch the definitions policy: `ordered` (nearest definer above) or `unique` (one definer per name)."""

    definitions: Policy


@dataclass(frozen=True)
class RunStale:
    """Queue every stale cell; the kernel answers with a `run` message."""


@dataclass(frozen=True)
class Stop:
    """The user interrupted between two cells of a cascade: drop the rest (it turns stale)."""


@dataclass(frozen=True)
class RequestState:
    """Ask for every cell's state, e.g. after the page reloads."""


@dataclass(frozen=True)
class QuickFix:
    """Ask for the sources a quick fix for a multiple definition makes (the kernel answers `rewrite`)."""

    request: int  # the frontend's number for the request, echoed in the answer
    cell: str  # the cell whose definition of `name` the fix changes
    name: str  # the global several cells define
    kind: str  # one of core.quickfix.KINDS: "private" or "rename"
    to: str | None = None  # the new name; None: the kernel's suggestion (the state's `fixes`)


Message = Union[Sync, DeltaSync, SetMode, SetDefinitions, RunStale, Stop, RequestState, QuickFix]


def parse(data: object) -> Message:
    """Turn a comm message's `data` into a Message, or raise ProtocolError naming the bad field."""
    if not isinstance(data, dict):
        raise ProtocolError(f"expected a JSON object, got {type(data).__name__}")
    kind = data.get("type")
    if kind == "sync":
        rev = data.get("rev")
        return Sync(_cells(data.get("cells")), None if rev is None else _number(rev, "rev"))
    if kind == "delta":
        return DeltaSync(_delta(data), _number(data.get("base"), "base"), _number(data.get("rev"), "rev"))
    if kind == "set_mode":
        mode = data.get("mode")
        if mode not in MODES:
            raise ProtocolError(f"mode must be one of {', '.join(MODES)}, got {mode!r}", "mode")
        return SetMode(mode)
    if kind == "set_definitions":
        value = data.get("definitions")
        if value not in POLICIES:
            raise ProtocolError(
                f"definitions must be one of {', '.join(POLICIES)}, got {value!r}", "definitions"
            )
        return SetDefinitions(value)
    if kind == "run_stale":
        return RunStale()
    if kind == "stop":
        return Stop()
    if kind == "request_state":
        return RequestState()
    if kind == "quick_fix":
        return _quick_fix(data)
    raise ProtocolError(f"unknown message type {kind!r}", "type")


def _cells(raw: object) -> tuple[CellInput, ...]:
    if not isinstance(raw, list):
        raise ProtocolError("expected a list of cells", "cells")
    cells = tuple(_cell(item, i) for i, item in enumerate(raw))
    ids = [c.id for c in cells]
    if len(set(ids)) != len(ids):
        raise ProtocolError("cell ids must be unique", "cells")
    return cells


def _cell(item: object, index: int) -> CellInput:
    where = f"cells[{index}]"
    if not isinstance(item, dict):
        raise ProtocolError("expected an object with id, source and cell_type", where)
    cell_id, source = item.get("id"), item.get("source")
    cell_type, disabled = item.get("cell_type", "code"), item.get("disabled", False)
    if not isinstance(cell_id, str) or not cell_id:
        raise ProtocolError("id must be a non-empty string", f"{where}.id")
    if not isinstance(source, str):
        raise ProtocolError("source must be a string", f"{where}.source")
    if cell_type not in _CELL_TYPES:
        raise ProtocolError(f"cell_type must be one of {', '.join(_CELL_TYPES)}", f"{where}.cell_type")
    if not isinstance(disabled, bool):
        raise ProtocolError("disabled must be true or false", f"{where}.disabled")
    cache = item.get("cache", "off")
    if cache not in CACHE_MODES:
        raise ProtocolError(f"cache must be one of {', '.join(CACHE_MODES)}", f"{where}.cache")
    title = item.get("title")
    if title is not None and not isinstance(title, str):
        raise ProtocolError("title must be a string", f"{where}.title")
    return CellInput(cell_id, source, cell_type, disabled, cache, title or None)


def _quick_fix(data: dict[str, Any]) -> QuickFix:
    request, cell, name, kind, to = (data.get(k) for k in ("request", "cell", "name", "kind", "to"))
    if not isinstance(cell, str) or not cell:
        raise ProtocolError("cell must be a cell id", "cell")
    if not isinstance(name, str) or not name.isidentifier():
        raise ProtocolError("name must be a Python name", "name")
    if kind not in KINDS:
        raise ProtocolError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}", "kind")
    if to is not None and not isinstance(to, str):
        raise ProtocolError("to must be a string or left out", "to")
    return QuickFix(_number(request, "request"), cell, name, kind, to)


def _number(value: object, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProtocolError("expected a whole number >= 0", field)
    return value


def _delta(data: dict[str, Any]) -> Delta:
    raw, deleted = data.get("cells", []), data.get("deleted", [])
    if not isinstance(raw, list):
        raise ProtocolError("expected a list of changed cells", "cells")
    if not isinstance(deleted, list) or not all(isinstance(c, str) and c for c in deleted):
        raise ProtocolError("expected a list of cell ids", "deleted")
    order = data.get("order")
    if not isinstance(order, int) or isinstance(order, bool) or not 0 <= order < 2**32:
        raise ProtocolError("expected the order's fingerprint, a whole number below 2**32", "order")
    cells = tuple(_change(item, i) for i, item in enumerate(raw))
    ids = [c.id for c in cells]
    if len(set(ids)) != len(ids):
        raise ProtocolError("cell ids must be unique", "cells")
    if set(ids) & set(deleted):
        raise ProtocolError("a cell cannot be both changed and deleted", "deleted")
    top = data.get("top")
    if top is not None:
        top = _number(top, "top")
    return Delta(cells, tuple(deleted), order, top)


def _change(item: object, index: int) -> CellChange:
    where = f"cells[{index}]"
    if not isinstance(item, dict):
        raise ProtocolError("expected an object with an id", where)
    cell_id, source = item.get("id"), item.get("source")
    disabled, cache, after = item.get("disabled"), item.get("cache"), item.get("after")
    if not isinstance(cell_id, str) or not cell_id:
        raise ProtocolError("id must be a non-empty string", f"{where}.id")
    if source is not None and not isinstance(source, str):
        raise ProtocolError("source must be a string", f"{where}.source")
    if disabled is not None and not isinstance(disabled, bool):
        raise ProtocolError("disabled must be true or false", f"{where}.disabled")
    if cache is not None and cache not in CACHE_MODES:
        raise ProtocolError(f"cache must be one of {', '.join(CACHE_MODES)}", f"{where}.cache")
    if after is not None and (not isinstance(after, str) or not after):
        raise ProtocolError("after must be a cell id or null", f"{where}.after")
    title, below = item.get("title"), item.get("below")
    if title is not None and not isinstance(title, str):
        raise ProtocolError("title must be a string", f"{where}.title")
    if below is not None:
        below = _number(below, f"{where}.below")
    return CellChange(cell_id, source, disabled, cache, "after" in item, after, title, below)


def scheduled_cell(msg: dict[str, Any]) -> str | None:
    """The cell id of an execute_request a frontend sent ahead from a run list, else None."""
    if msg.get("header", {}).get("msg_type") != "execute_request":
        return None
    metadata, content = msg.get("metadata"), msg.get("content")
    if not isinstance(metadata, dict) or metadata.get(SCHEDULED_KEY) is not True:
        return None
    if isinstance(content, dict) and content.get("silent"):
        return None
    cell_id = metadata.get("cellId")
    return cell_id if isinstance(cell_id, str) and cell_id else None
