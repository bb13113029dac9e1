"""A cell's IPython syntax masked as Python of the same lines, with where each piece of Python came from.

A rewrite (core.rewrite) edits names in Python; a cell may hold `!ls {folder}`, `files = !ls`,
`%time y = f(x)` or a `%%time` cell. Each such line becomes a Python statement at the same indentation
that holds only the pieces the analysis reads as Python (the target of `files = !ls`, the `{folder}` of a
shell line, the statement of `%time`), each copied as it is, and a `Piece` says where it came from in the
cell. Everything else is opaque text: a rewrite may not change it, and refuses when the name it renames
appears there in a way Python could mean it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from reactive_kernel.core.ipython_source import (
    CODE_OPTIONS,
    NO_VAR_EXPAND,
    escape_lines,
    expansion_spans,
    expansions,
    has_prompts,
    is_python,
    strip_options,
)

_NEWLINE = re.compile(r"\r\n|\r|\n")
_CAPTURING = ("time", "prun", "capture")  # cell magics whose body runs as Python in the user namespace


@dataclass(frozen=True)
class Piece:
    """Text copied from the cell into the view, unchanged."""

    line: int  # 0-based line in the view (and in the cell: the view keeps the cell's lines)
    column: int  # where it starts in the view's line (characters)
    source_column: int  # where it starts in the cell's line
    length: int  # characters


@dataclass(frozen=True)
class Opaque:
    """IPython text whose meaning a rewrite cannot see: it must not rename what this mentions."""

    line: int  # 0-based line in the cell
    text: str  # the text (a line magic's arguments, a `%%` cell's body line, a help line)
    kind: str  # what it is, for the refusal: "line magic", "cell magic", "IPython syntax"


@dataclass(frozen=True)
class View:
    """Python with the cell's lines (joined by `\\n`), the pieces copied from the cell, the opaque rest."""

    text: str
    pieces: tuple[Piece, ...]
    opaque: tuple[Opaque, ...]


def view(source: str) -> View:
    """The cell as Python a rewrite can parse (call it on cells the analysis reads without an error).

    Where only IPython's whole-cell transform reads the cell (a pasted `>>>` session, a magic continued
    over lines), all of it is opaque.
    """
    lines = _NEWLINE.split(source)
    if has_prompts("\n".join(lines)):
        return _whole(lines, "IPython syntax")
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    if lines[first].lstrip().startswith("%%"):
        return _cell_magic(lines, first)
    return _lines(lines, 0) or _whole(lines, "IPython syntax")


def _lines(lines: list[str], offset: int) -> View | None:
    """Plain lines with IPython escapes among them, as ipython_source.prepare reads them."""
    normal = "\n".join(lines)
    found = escape_lines(normal)
    if found:
        built = _masked(lines, offset, found)
        if is_python(built.text):
            return built
    if is_python(normal):  # what looked like IPython syntax was inside a string
        return View(normal, tuple(_same(lines, offset)), ())
    return None


def _same(lines: list[str], offset: int) -> list[Piece]:
    return [Piece(i + offset, 0, 0, len(line)) for i, line in enumerate(lines) if line]


def _masked(lines: list[str], offset: int, found: list) -> View:
    out = list(lines)
    pieces = _same(lines, offset)
    escaped = {e.first for e in found}
    pieces = [p for p in pieces if p.line - offset not in escaped]
    opaque: list[Opaque] = []
    for escape in found:
        line = lines[escape.first]
        indent = line[: len(line) - len(line.lstrip())]
        out[escape.first : escape.last + 1] = [indent + "pass"] + [""] * (escape.last - escape.first)
        if escape.last > escape.first:  # continued with backslashes: too rare to map
            for i in range(escape.first, escape.last + 1):
                opaque.append(Opaque(i + offset, lines[i], "IPython syntax"))
            pieces = [p for p in pieces if not escape.first <= p.line - offset <= escape.last]
            continue
        text, more, hidden = _escape(line, indent, escape.python, escape.first + offset)
        out[escape.first] = text
        pieces += more
        opaque += hidden
    pieces.sort(key=lambda p: (p.line, p.column))
    return View("\n".join(out), tuple(pieces), tuple(opaque))


def _escape(line: str, indent: str, python: str, at: int) -> tuple[str, list[Piece], list[Opaque]]:
    """One escape line: the statement standing in for it, the pieces it copies, what stays opaque."""
    stripped = line[len(indent) :]
    opaque = [Opaque(at, stripped, "IPython syntax")]
    try:
        node = ast.parse(python).body[0]
    except SyntaxError:
        return indent + "pass", [], opaque
    target, call = None, getattr(node, "value", None)
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = ast.get_source_segment(python, node.targets[0])
        if target is None or not stripped.startswith(target):
            return indent + "pass", [], opaque
    elif not isinstance(node, ast.Expr):
        return indent + "pass", [], opaque  # autocall (`/f x`) and the like: opaque
    parts = _magic_call(call)
    if parts is None:
        return indent + "pass", [], opaque
    method, args = parts
    argument = args[-1] if args else ""
    start = _suffix(stripped, argument)
    lhs = [Piece(at, len(indent), len(indent), len(target))] if target else []
    head = indent + (f"{target} = " if target else "")
    if method == "run_line_magic" and args[0] in CODE_OPTIONS and args[0] != "capture" and not target:
        code = strip_options(argument, *CODE_OPTIONS[args[0]])
        begin = None if start is None else _suffix(stripped, code)
        if begin is None or not is_python(code):
            return indent + "pass", [], [Opaque(at, stripped, "line magic")]
        prefix = head + ("def _rk_timeit(): " if args[0] == "timeit" else "")  # timeit: its own scope
        return prefix + code, [Piece(at, len(prefix), len(indent) + begin, len(code))], []
    expands = method in ("system", "getoutput") or (
        method == "run_line_magic" and args[0] not in NO_VAR_EXPAND
    )
    spans = expansion_spans(argument) if expands and start is not None else []
    if expands and not spans and expansions(argument):  # it reads Python we cannot place
        return indent + "pass", [], opaque
    pieces, codes, column = list(lhs), [], len(head) + 1
    for begin, end in spans:
        pieces.append(Piece(at, column, len(indent) + start + begin, end - begin))
        codes.append(argument[begin:end])
        column += end - begin + 2
    hidden = _mask(stripped, spans, start, len(target or ""))
    # Shell words are not Python; a line magic's words may name a variable (`%store x`, `x?`).
    opaque = [Opaque(at, hidden, "line magic")] if method == "run_line_magic" else []
    if codes:
        return head + "(" + ", ".join(codes) + ",)", pieces, opaque
    return head + ("None" if target else "pass"), pieces, opaque


def _magic_call(call: object) -> tuple[str, list[str]] | None:
    """`get_ipython().method('a', 'b')` -> ("method", ["a", "b"]); None for anything else."""
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return None
    owner = call.func.value
    if not (isinstance(owner, ast.Call) and getattr(owner.func, "id", None) == "get_ipython"):
        return None
    args = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return (call.func.attr, args) if len(args) == len(call.args) and not call.keywords else None


def _suffix(text: str, part: str) -> int | None:
    """Where `part` ends `text` (trailing blanks aside); None when it does not."""
    if not part:
        return len(text)
    start = text.rstrip().rfind(part.rstrip())
    return start if start >= 0 and not text[start + len(part) :].strip() else None


def _mask(text: str, spans: list[tuple[int, int]], start: int | None, target: int) -> str:
    """The text with the pieces copied out blanked, so only what stays opaque can mention a name."""
    chars = list(text)
    chars[:target] = " " * target
    if start is None:
        return "".join(chars)
    for begin, end in spans:
        chars[start + begin : start + end] = " " * (end - begin)
    return "".join(chars)


def _cell_magic(lines: list[str], first: int) -> View | None:
    """`%%name args` then a body: `%%time`, `%%prun` and `%%capture` run it as Python; others are text."""
    header = lines[first].strip()
    name, _, argument = header[2:].partition(" ")
    body = lines[first + 1 :]
    kind = f"%%{name} cell"
    if name not in _CAPTURING:
        return _whole(lines, kind)
    inner = _lines(body, first + 1)
    if inner is None:
        return _whole(lines, kind)
    before = [""] * first
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
    head_opaque = [Opaque(first, header, kind)]
    stand_in, pieces = indent + "pass", list(inner.pieces)
    words = [m for m in re.finditer(r"\S+", lines[first])][1:]
    target = next((m for m in words if not m.group().startswith("-")), None) if name == "capture" else None
    if target and re.search(rf"(?<!\w){re.escape(target.group())}(?!\w)", "\n".join(body)):
        return _whole(lines, kind)  # it is bound after the body runs: reads of it there are not its
    if target and target.group().isidentifier():
        column, target = target.start(), target.group()
        stand_in = indent + f"{target} = None"
        pieces.insert(0, Piece(first, len(indent), column, len(target)))
        head_opaque = [Opaque(first, lines[first][:column] + " " * len(target), kind)]
    elif name == "prun" and strip_options(argument, *CODE_OPTIONS["prun"]).strip():
        return _whole(lines, kind)  # `%%prun stmt`: a statement on the magic's line, too rare to map
    text = "\n".join([*before, stand_in, inner.text])
    return View(text, tuple(pieces), (*head_opaque, *inner.opaque))


def _whole(lines: list[str], kind: str) -> View:
    """A cell only IPython's whole-cell transform reads: all of it is opaque."""
    opaque = tuple(Opaque(i, line, kind) for i, line in enumerate(lines) if line.strip())
    return View("\n" * (len(lines) - 1), (), opaque)
