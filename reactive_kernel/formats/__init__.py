"""Notebooks as `.py` files: read and write the percent and marimo formats, never importing the file.

`reads(text, fmt=None)` returns an nbformat v4 notebook; `writes(nb, fmt="percent")` returns the file's
text. `reads` records how it read the file in notebook and cell metadata (key `reactive_format`), so
writing back a notebook nobody edited gives the original bytes, and an edited one keeps its format.
"""

from __future__ import annotations

import nbformat

from reactive_kernel.errors import FormatError
from reactive_kernel.formats import marimo, percent

FORMATS = {"percent": percent, "marimo": marimo}
__all__ = ["FORMATS", "FormatError", "detect", "format_of", "reads", "writes"]


def detect(text: str) -> str | None:
    """The format a `.py` file's text is written in: "marimo", "percent", or None for plain Python."""
    if marimo.looks_like(text):
        return "marimo"
    if percent.looks_like(text):
        return "percent"
    return None


def reads(text: str, fmt: str | None = None) -> nbformat.NotebookNode:
    """Parse a `.py` notebook. With `fmt` None the format is detected; plain Python reads as percent."""
    name = fmt or detect(text) or "percent"
    return _module(name).reads(text)


def writes(nb: nbformat.NotebookNode, fmt: str = "percent") -> str:
    """The `.py` text of a notebook in `fmt`."""
    return _module(fmt).writes(nb)


def format_of(nb: nbformat.NotebookNode) -> str | None:
    """The format `reads` found the notebook in, if it came from a `.py` file."""
    info = nb.get("metadata", {}).get("reactive_format")
    name = info.get("name") if isinstance(info, dict) else None
    return name if name in FORMATS else None


def _module(fmt: str):
    try:
        return FORMATS[fmt]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise FormatError(f"unknown notebook format {fmt!r} (known: {known})") from None
