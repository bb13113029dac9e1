"""Notebooks as `.py` files: read and write the percent and marimo formats, never importing the file.

`reads(text, fmt=None)` returns an nbformat v4 notebook; `writes(nb, fmt="percent")` returns the file's
text. `reads` records how it read the file in notebook and cell metadata (key `reactive_format`), so
writing back a notebook nobody edited gives the original bytes, and an edited one keeps its format.
"""

from __future__ import annotations

import re

import nbformat

from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats import marimo, percent

FORMATS = {"percent": percent, "marimo": marimo}
__all__ = ["FORMATS", "FormatError", "detect", "format_of", "reads", "writes"]


def detect(text: str) -> str | None:
    """The format a `.py` file's text is written in: "marimo", "percent", or None for plain Python.

    Same verdict as asking `marimo.looks_like`, then `percent.looks_like`, but those scan the whole
    text with line-anchored regexes (~0.6 ms for 64 KB of plain Python); a directory listing asks this
    of every `.py`. So the text is first searched for literals each format needs (".App(" and
    "marimo", a `%%`, a header in the leading comment lines), and the full checks run only on the
    parts that can hold a match: the leading comments for a percent header, the lines holding `%%`
    for a marker. tests/test_detect.py checks the verdicts against the full checks; in a listing of
    70 KB scripts (benchmarks/bench_listing.py) this costs ~35 µs a file instead of ~600 µs.
    """
    if _find(text, ".App(", 1) != -1 and _MARIMO.search(text) and marimo.looks_like(text):
        return "marimo"
    if _percent_header(text) or _percent_marker(text):
        return "percent"
    return None


_MARIMO = re.compile("marimo")  # re finds a literal in a long text 1.5-3x faster than `in` does here
_SEARCHES = {"%%": re.compile("%%"), ".App(": re.compile(r"\.App\(")}
_HOPS = 32  # occurrences of the rare character checked one by one before a full search takes over


def _find(text: str, literal: str, rare: int = 0, start: int = 0) -> int:
    """Where `literal` first occurs in `text` from `start`, or -1.

    Ordinary Python has few `%` and `A` (median 38 and 80 in 64 KB of the standard library), and a
    single character is found with memchr, so hopping over the occurrences of `literal[rare]` beats
    scanning for the whole literal; where that character is common, a compiled search takes over.
    """
    char = literal[rare]
    pos = text.find(char, start + rare)
    for _ in range(_HOPS):
        if pos == -1:
            return -1
        if pos >= rare and text.startswith(literal, pos - rare):
            return pos - rare
        pos = text.find(char, pos + 1)
    if pos == -1:
        return -1
    hit = _SEARCHES[literal].search(text, max(pos - rare, 0))
    return -1 if hit is None else hit.start()


_HEADER_SPAN = 20000  # percent.looks_like looks for its header in this many leading characters


def _percent_header(text: str) -> bool:
    """A percent header: it lies in the leading lines that start with "#" (shebang and coding included)."""
    end = 0
    while end < _HEADER_SPAN and text.startswith("#", end):
        newline = text.find("\n", end)
        end = len(text) if newline == -1 else newline + 1
    lead = text[: min(end, _HEADER_SPAN)]
    return ("kernelspec" in lead or "jupytext" in lead) and percent.looks_like(lead)


def _percent_marker(text: str) -> bool:
    """A `# %%` marker at column 0 on some line: only lines holding "%%" and starting with "#" can be one."""
    hit = _find(text, "%%")
    while hit != -1:
        start = text.rfind("\n", 0, hit) + 1
        end = text.find("\n", hit)
        end = len(text) if end == -1 else end
        if text.startswith("#", start) and percent.looks_like(text[start:end]):
            return True
        hit = _find(text, "%%", start=end)
    return False


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
