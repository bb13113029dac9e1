"""nbformat-like cells as the layers read them: one helper every layer shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def cell_source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)
