"""A frontend's `delta`: the code cells that changed since its last message, checked before it is applied.

A delta names only what changed (sources, options, cells inserted, moved or deleted), so a one-cell edit
costs the same in a notebook of ten cells or of ten thousand. Each one also carries a fingerprint of the
frontend's whole code-cell order: the kernel checks that applying the delta to the notebook it holds
gives that order. When it does not (another viewer changed the notebook, a message was lost, an id is
unknown) nothing is applied and the frontend is asked for the whole notebook again, so the two never
drift apart silently.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Container, Sequence
from dataclasses import dataclass

from reactive_kernel.core.errors import DeltaMismatch

_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone surrogate: browsers' TextEncoder writes U+FFFD


@dataclass(frozen=True)
class CellChange:
    """One code cell in a delta: what changed about it; None where nothing did."""

    id: str  # nbformat cell id
    source: str | None = None  # its new text (required for a cell the kernel does not have yet)
    disabled: bool | None = None  # its new `disabled` metadata
    cache: str | None = None  # its new cache option, one of scheduler.CACHE_MODES
    placed: bool = False  # inserted or moved: it now sits right after `after`
    after: str | None = None  # when placed: the code cell just above it, None for the first one
    title: str | None = None  # its new title (core.naming.title_of); "" when it no longer has one
    below: int | None = None  # its new count of other cells (markdown, raw) between it and the next code cell


@dataclass(frozen=True)
class Delta:
    """What changed in the notebook's code cells since the frontend's previous message."""

    cells: tuple[CellChange, ...]  # in notebook order, so each anchor is placed before what follows it
    deleted: tuple[str, ...]  # cells that left the notebook or stopped being code cells
    order: int  # order_fingerprint of the frontend's code cells after the change
    top: int | None = None  # the new count of other cells above the first code cell; None: unchanged


def order_fingerprint(ids: Sequence[str]) -> int:
    """CRC-32 of the UTF-8 text of the cell ids joined by newlines (docs/protocol.md, `delta`)."""
    text = "\n".join(ids)
    if not text.isascii():
        text = _SURROGATE.sub("\ufffd", text)
    return zlib.crc32(text.encode("utf-8"))


def new_order(
    order: Sequence[str], known: Container[str], fingerprint: int, delta: Delta
) -> list[str] | None:
    """The code-cell order after `delta`, or None when it moves nothing; checks that the delta applies.

    `order` is the kernel's code cells in order, `known` holds the same ids (fast lookups) and
    `fingerprint` is `order_fingerprint(order)`, which the caller keeps between edits, so a delta that
    moves nothing costs nothing here. Raises DeltaMismatch when the delta names a cell the kernel lacks,
    places a cell after one it lacks, or the order it leaves is not the frontend's. Deleting a cell the
    kernel lacks is no mismatch: the notebook the frontend wants has no such cell either way.
    """
    for change in delta.cells:
        if change.id not in known and (not change.placed or change.source is None):
            raise DeltaMismatch(f"cell '{change.id}' is not in the kernel's notebook")
    placed = [c for c in delta.cells if c.placed]
    if not placed and not any(cell_id in known for cell_id in delta.deleted):
        if fingerprint != delta.order:
            raise DeltaMismatch("the cells' order differs from the kernel's")
        return None
    leaving = set(delta.deleted) | {c.id for c in placed}
    result = [cell_id for cell_id in order if cell_id not in leaving]
    for change in placed:
        if change.after is None:
            result.insert(0, change.id)
            continue
        try:
            at = result.index(change.after)
        except ValueError:
            raise DeltaMismatch(
                f"cell '{change.id}' is placed after cell '{change.after}', which the kernel does not have"
            ) from None
        result.insert(at + 1, change.id)
    if order_fingerprint(result) != delta.order:
        raise DeltaMismatch("the cells' order differs from the kernel's")
    return result
