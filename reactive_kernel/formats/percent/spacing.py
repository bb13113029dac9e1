"""Blank lines between percent cells: the separator jupytext reads, and its PEP 8 rule for writing them."""

from __future__ import annotations

from dataclasses import dataclass

from reactive_kernel.formats.percent.syntax import is_blank


def dropped(tail: list[str], size: int) -> int:
    """How many lines before the next marker jupytext takes as the separator, from the block's last lines
    (`size` lines in all, marker included)."""
    if size >= 3 and not is_blank(tail[-3]) and is_blank(tail[-2]) and is_blank(tail[-1]):
        return 2
    return 1 if size and tail[-1] == "" else 0


def blank_ok(text: list[str], blank: int) -> bool:
    """`blank` lines after a cell's lines (marker included) read back as its separator, no more, no less."""
    tail = (text[-3:] + [""] * blank)[-3:]
    return dropped(tail, len(text) + blank) == blank


@dataclass
class _Scan:
    """Where jupytext's PEP 8 look-ahead stops in one cell: True/False, or None to go on after it."""

    result: bool | None
    last_blank: bool


def _scan_has_code(text: list[str]) -> _Scan:
    previous_blank = False
    for line in text:
        stripped = line.strip()
        if stripped.startswith("#"):
            previous_blank = False
        elif not stripped:
            if previous_blank:
                return _Scan(False, True)
            previous_blank = True
        else:
            return _Scan(True, False)
    return _Scan(None, previous_blank)


def _scan_next_def(text: list[str], quoted: frozenset[int]) -> _Scan:
    for k, line in enumerate(text):
        if k in quoted:
            continue
        if is_blank(line):
            if k and is_blank(text[k - 1]):
                return _Scan(False, True)
        elif line.startswith(("def ", "async ", "class ")):
            return _Scan(True, False)
        elif not line.startswith(("#", "@", " ", ")")):
            return _Scan(False, False)
    return _Scan(None, bool(text) and is_blank(text[-1]))


def _ends_with_def(text: list[str], quoted: frozenset[int]) -> bool:
    previous_blank = False
    for k in range(len(text) - 1, -1, -1):
        if k in quoted:
            continue
        line = text[k]
        if is_blank(line):
            if previous_blank:
                return False
            previous_blank = True
            continue
        previous_blank = False
        if line.startswith(("#", " ", ")")):
            continue
        return line.startswith(("def ", "async ", "class "))
    return False


class Spacing:
    """jupytext's PEP 8 rule for the blank lines after each cell, decided from the last cell back, so each
    look-ahead into the following cells costs constant time."""

    def __init__(self, count: int) -> None:
        self.code_after = [False] * (count + 1)  # a code line follows, from the start of cell i on
        self.def_after = [False] * (count + 1)  # the next instruction from cell i on is a def or class

    def canonical(self, i: int, last: bool, text: list[str], quoted: frozenset[int]) -> int:
        """The blank lines jupytext writes after cell `i` (lines `text`), given the cells pushed after it."""
        if last:
            return 0
        if not text:
            return 0
        if _ends_with_def(text, quoted):
            return 2 if self.code_after[i + 1] else 1
        tail = text[-1]
        if tail.strip() and not tail.startswith("#") and self.def_after[i + 1]:
            return 2
        return 1

    def push(self, i: int, text: list[str], quoted: frozenset[int], blank: int) -> None:
        """Take in cell `i` and the blank lines after it, for the look-ahead of the cells before it."""
        for memo, scan in (
            (self.code_after, _scan_has_code(text)),
            (self.def_after, _scan_next_def(text, quoted)),
        ):
            if scan.result is not None:
                memo[i] = scan.result
            elif blank >= 2 or (blank == 1 and scan.last_blank):
                memo[i] = False
            else:
                memo[i] = memo[i + 1]


def preferred_blank(metadata: dict, last: bool) -> int | None:
    """jupytext's own `lines_to_next_cell` cell metadata, in our count of blank lines."""
    value = metadata.get("lines_to_next_cell")
    if not isinstance(value, int) or isinstance(value, bool) or value < (1 if last else 0):
        return None
    return value - 1 if last else value
