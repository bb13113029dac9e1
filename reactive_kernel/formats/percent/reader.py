"""Read a percent file (text -> cells): where each cell ends, its source, nbformat's check of its metadata.

`read_cells` gives each cell as `Found`: the notebook cell and how the file wrote it, which the writer's
`record_layout` compares with its own layout. `code_end` and `commented_end` decode one cell's lines;
the writer also uses them to check that a recorded body still reads back to the cell.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass

import nbformat
from nbformat import NotebookNode

from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats.percent.header import Head
from reactive_kernel.formats.percent.marker import Marker, read_marker
from reactive_kernel.formats.percent.spacing import dropped
from reactive_kernel.formats.percent.syntax import (
    ATTENTION,
    MARKER,
    closing_fence,
    decode_code,
    encode_code_line,
    fenced,
    is_marker,
    opening_fence,
    string_state,
    uncomment,
)

# --- lines and small helpers ---------------------------------------------------------------------------


def split_lines(text: str) -> tuple[str, bool, list[str]]:
    """Newline style, whether the text ends with one, and its lines (split at `\\n` only)."""
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf == text.count("\n") else "\n"
    if newline != "\n":
        text = text.replace("\r\n", "\n")
    if not text:
        return newline, True, []
    lines = text.split("\n")
    final = lines[-1] == ""
    if final:
        lines.pop()
    return newline, final, lines


def new_cell(cell_type: str, source: str, metadata: dict) -> NotebookNode:
    """An nbformat v4.5 cell, without nbformat's per-cell validation (`validate` checks the notebook once)."""
    cell = NotebookNode(id="", cell_type=cell_type, metadata=nbformat.from_dict(metadata), source=source)
    if cell_type == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    return cell


def assign_ids(cells: list[NotebookNode]) -> None:
    """Random ids as nbformat makes them, unique within the notebook."""
    seen: set[str] = set()
    pool = os.urandom(6 * len(cells)).hex()
    for k, cell in enumerate(cells):
        cell_id = pool[12 * k : 12 * k + 12]
        while cell_id in seen:
            cell_id = os.urandom(6).hex()
        seen.add(cell_id)
        cell["id"] = cell_id


# --- reading cells --------------------------------------------------------------------------------------


class Closers:
    """Whether a later line closes a code fence: jupytext opens a fence in markdown only when something later
    closes it. Built on first use from the few lines with fences; each question then costs a bisection."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        # fence character: (lines that close such a fence, the longest closer from each of them on)
        self.closers: dict[str, tuple[list[int], list[int]]] | None = None

    def later(self, index: int, fence: tuple[str, int]) -> bool:
        """A line after `index` closes `fence` (character, length); `("", 0)`, no fence, is always true."""
        if not fence[0]:
            return True  # any later line (a string left open swallows the next marker)
        if self.closers is None:
            self.closers = self._index()
        where, longest = self.closers[fence[0]]
        k = bisect.bisect_right(where, index)
        return k < len(where) and longest[k] >= fence[1]

    def _index(self) -> dict[str, tuple[list[int], list[int]]]:
        found: dict[str, tuple[list[int], list[int]]] = {"`": ([], []), "~": ([], [])}
        for k in [k for k, line in enumerate(self.lines) if "```" in line or "~~~" in line]:
            if close := closing_fence(uncomment(self.lines[k])):
                found[close[0]][0].append(k)
                found[close[0]][1].append(close[1])
        for _, longest in found.values():
            for j in range(len(longest) - 2, -1, -1):
                longest[j] = max(longest[j], longest[j + 1])
        return found


@dataclass(frozen=True)
class Found:
    """A cell as the file has it."""

    cell: NotebookNode
    marker: str | None  # the marker line, None for code before the first marker
    start: int  # index of its first line
    body: list[str]  # file lines between the marker and the blank separator
    source: list[str]  # the body as source lines
    quoted: frozenset[int]  # body lines that start inside a string
    blank: int  # blank separator lines after the body
    read: Marker
    canonical: dict[int, str] | None  # code: the lines `writes` would put differently, as it would
    open_string: bool  # code: the body leaves a triple-quoted string open


def read_cells(lines: list[str], start: int, main: str) -> list[Found]:
    """The cells from line index `start` (after the header) on; `main`: the notebook's language."""
    found: list[Found] = []
    closers = Closers(lines)
    i = start
    while i < len(lines):
        item = _read_cell(lines, i, main, closers)
        found.append(item)
        i = item.start + (item.marker is not None) + len(item.body) + item.blank
    return found


def _read_cell(lines: list[str], i: int, main: str, closers: Closers) -> Found:
    marker = lines[i] if is_marker(lines[i]) else None
    try:
        read = read_marker(marker, main)
    except FormatError as exc:
        raise FormatError(exc.reason, i + 1) from None
    first = i + (marker is not None)
    stop = None
    if read.count is not None:
        stop = first + read.count
        if stop >= len(lines) or not is_marker(lines[stop]):
            stop = None  # a count that does not fit the file is ignored
    quoted: list[int] = []
    canonical, open_string = None, False
    if read.commented:
        end, _ = commented_end(lines, first, read.cell_type != "code", closers, stop)
        decoded = None
    else:
        canonical = {}
        end, decoded, quoted, open_string = code_end(lines, first, stop, canonical, read.cell_type == "raw")
    # The scan stops at the first marker outside strings and fences, or at the count's line if sooner: a
    # count ends a cell only where a string or fence would hide the next marker, else it changes nothing.
    blank = dropped(lines[max(i, end - 3) : end], end - i)
    body = lines[first : end - blank]
    source = [uncomment(line) for line in body] if decoded is None else decoded[: len(body)]
    text = "\n".join(source) + ("\n" if read.trailing else "")
    if read.magic is not None:
        text = read.magic + "\n" + text
    cell = new_cell(read.cell_type, text, read.metadata)
    inside = frozenset(k for k in quoted if k < len(body))
    return Found(cell, marker, i, body, source, inside, blank, read, canonical, open_string)


def code_end(
    lines: list[str], first: int, stop: int | None, canonical: dict[int, str] | None = None, raw: bool = False
) -> tuple[int, list[str], list[int], bool]:
    """Decode code lines from `first` up to an unquoted marker (or `stop`, if sooner): end, source, quoted
    lines, and whether a string is left open. `canonical` collects the lines `writes` would put otherwise
    (only lines that reading changes can differ). `raw`: a raw cell's code lines (`active="py"`)."""
    decoded = []
    quoted = []
    triple, cont = None, False
    limit = len(lines) if stop is None else stop
    j = first
    while j < limit:
        line = lines[j]
        if triple is not None:
            quoted.append(j - first)
            text = line
        elif "#" in line and MARKER.match(line):
            break
        elif cont or ATTENTION.match(line):
            before = cont
            text, cont = decode_code(line, cont, raw)
            if canonical is not None:
                try:
                    ours = encode_code_line(text, before, None, raw)[0]
                except FormatError:
                    ours = ""  # a line only its own form reads back to: recorded as it is
                if ours != line:
                    canonical[j - first] = ours
        else:
            text = line
        decoded.append(text)
        if triple is not None or '"' in line or "'" in line:
            triple = string_state(line, triple)
        j += 1
    return j, decoded, quoted, triple is not None


def commented_end(
    lines: list[str], first: int, fences: bool, closers: Closers, stop: int | None = None
) -> tuple[int, bool]:
    """Where a markdown or raw cell ends: the next marker outside a fenced block (or `stop`, if sooner),
    and whether a fence is open there."""
    fence = None
    j = first
    limit = len(lines) if stop is None else stop
    while j < limit:
        line = lines[j]
        if fences and (fence is not None or "```" in line or "~~~" in line):
            text = uncomment(line)
            if fence is not None:
                close = closing_fence(text) if fenced(text) else None
                if close and close[0] == fence[0] and close[1] >= fence[1]:
                    fence = None
                j += 1
                continue
            opening = opening_fence(text)
            if opening and closers.later(j, opening):
                fence = opening
                j += 1
                continue
        if "#" in line and MARKER.match(line):
            break
        j += 1
    return j, fence is not None


# --- nbformat's schema on the metadata read ----------------------------------------------------------


def validate(nb: NotebookNode, head: Head, found: list[Found]) -> None:
    """nbformat's schema on the metadata it constrains (kernelspec, tags, name...), with the line to blame."""
    constrained = {"jupyter", "execution", "collapsed", "scrolled", "name", "tags", "format", "deletable"}
    suspects = [item for item in found if constrained.intersection(item.cell.metadata)]
    probe = NotebookNode(nbformat=4, nbformat_minor=5, metadata=nb.metadata, cells=[x.cell for x in suspects])
    try:
        nbformat.validate(probe)
        return
    except nbformat.ValidationError as exc:
        problem = exc.message
    for item in suspects:
        alone = NotebookNode(nbformat=4, nbformat_minor=5, metadata={}, cells=[item.cell])
        try:
            nbformat.validate(alone)
        except nbformat.ValidationError as exc:
            key = _schema_key(exc, "metadata")
            reason = f"cell metadata {key!r} is not valid for nbformat: {exc.message}"
            raise FormatError(reason, item.start + 1) from None
    line = head.jupyter[0][0] + 1 if head.jupyter else None
    raise FormatError(f"notebook metadata in the header is not valid for nbformat: {problem}", line)


def _schema_key(error: Exception, after: str) -> str:
    """The metadata key a schema error is about: the path element after `metadata`."""
    path = [str(part) for part in getattr(error, "absolute_path", getattr(error, "path", ()))]
    return path[path.index(after) + 1] if after in path[:-1] else "?"
