"""Build `sync` and `delta` messages as a frontend does (docs/protocol.md), for tests and benchmarks.

`delta_message(before, after, base, rev)` compares the cells a frontend last sent with the ones it has
now: code cells whose sources, options or titles changed, cells inserted, deleted, and moved (every cell
outside a longest run that kept its relative order, so dragging one cell places one cell), each placed
cell after the code cell now above it, in notebook order; and the counts of other cells (markdown, raw)
above the first code cell (`top`) and below each code cell (`below`) that changed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reactive_kernel.core.delta import order_fingerprint
from reactive_kernel.core.scheduler import CellInput


@dataclass(frozen=True)
class Cell:
    """One code cell as a frontend has it."""

    id: str
    source: str
    disabled: bool = False
    cache: str = "off"
    title: str | None = None
    cell_type: str = "code"

    def input(self) -> CellInput:
        return CellInput(self.id, self.source, self.cell_type, self.disabled, self.cache, self.title)

    def entry(self) -> dict[str, Any]:
        entry = {
            "id": self.id,
            "source": self.source,
            "cell_type": self.cell_type,
            "disabled": self.disabled,
            "cache": self.cache,
        }
        return entry | ({"title": self.title} if self.title else {})


def gaps(cells: Sequence[Cell]) -> tuple[int, dict[str, int]]:
    """Other cells above the first code cell, and below each code cell before the next one."""
    top, below, last = 0, {}, None
    for cell in cells:
        if cell.cell_type == "code":
            below[cell.id], last = 0, cell.id
        elif last is None:
            top += 1
        else:
            below[last] += 1
    return top, below


def sync_message(cells: Sequence[Cell], rev: int | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "sync", "cells": [c.entry() for c in cells]}
    if rev is not None:
        message["rev"] = rev
    return message


def delta_message(
    before: Sequence[Cell], after: Sequence[Cell], base: int, rev: int
) -> dict[str, Any] | None:
    """The delta from `before` to `after` (every cell, any type); None when nothing changed."""
    (top_was, below_was), (top, below) = gaps(before), gaps(after)
    before = [c for c in before if c.cell_type == "code"]
    after = [c for c in after if c.cell_type == "code"]
    old = {c.id: c for c in before}
    position = {c.id: i for i, c in enumerate(before)}
    now = {c.id for c in after}
    stayed = _kept_in_order([position[c.id] for c in after if c.id in position])
    entries = []
    previous: str | None = None
    for cell in after:
        entry: dict[str, Any] = {"id": cell.id}
        was = old.get(cell.id)
        if was is None or position[cell.id] not in stayed:
            entry["after"] = previous
        for field in ("source", "disabled", "cache"):
            if was is None or getattr(was, field) != getattr(cell, field):
                entry[field] = getattr(cell, field)
        if (was.title if was else None) != cell.title:
            entry["title"] = cell.title or ""
        if below[cell.id] != below_was.get(cell.id, 0):
            entry["below"] = below[cell.id]
        if len(entry) > 1:
            entries.append(entry)
        previous = cell.id
    deleted = [c.id for c in before if c.id not in now]
    if not entries and not deleted and top == top_was:
        return None
    order = order_fingerprint([c.id for c in after])
    message = {
        "type": "delta",
        "base": base,
        "rev": rev,
        "cells": entries,
        "deleted": deleted,
        "order": order,
    }
    return message | ({"top": top} if top != top_was else {})


def _kept_in_order(positions: list[int]) -> set[int]:
    """The old positions in a longest increasing run of `positions`: the cells that did not move."""
    tails: list[int] = []  # position ending the best run of each length
    ends: list[int] = []  # its index in `positions`
    parent = [-1] * len(positions)
    for i, value in enumerate(positions):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            ends.append(i)
        else:
            tails[k], ends[k] = value, i
        parent[i] = ends[k - 1] if k else -1
    kept: set[int] = set()
    i = ends[-1] if ends else -1
    while i >= 0:
        kept.add(positions[i])
        i = parent[i]
    return kept
