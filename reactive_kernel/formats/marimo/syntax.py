"""What a marimo file's pieces are, for the reader, its token scan and the writer.

The text as the tokenizer counts its lines (`Text`), marimo's indent and dedent of a cell body, the
`@app.cell`-style decorators and their constant options, a cell as found in the file (`Found`), and the
hash that tells the writer a cell is unedited.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import re
import textwrap
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reactive_kernel.core.errors import FormatError

LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what Python's tokenizer counts as a line break (not \f, \v, ...)
CONFIG_DEFAULTS: dict[str, Any] = {
    "column": None,
    "disabled": False,
    "hide_code": False,
    "expand_output": False,
}
INDENT = "    "  # marimo indents cell bodies by four spaces
_CELL_DECORATORS = ("cell", "function", "class_definition")
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


@dataclass(frozen=True)
class Found:
    """One cell as marimo's loader reads it, and where its text lies in the file."""

    kind: str  # "cell", "setup", "function", "class_definition" or "unparsable"
    name: str  # marimo's cell name, "_" when anonymous
    source: str  # the code marimo shows for the cell
    options: dict[str, Any]  # constant keyword arguments of the decorator, `with app.setup(...)` or call
    first: int  # 1-based line where the cell's text starts (its first decorator, `with` or call)
    last: int  # 1-based line where the cell's text ends
    body: tuple[int, int, str] | None  # (line, column, indent) where the indented source begins


# -- text shared by the reader and the writer ------------------------------------------------------------


def reindent(source: str, indent: str, newline: str) -> str:
    """Indent every line with content, as marimo does when it writes a cell body."""
    if not indent and newline == "\n":
        return source
    return newline.join(indent + line if line.strip() else line for line in source.split("\n"))


def fingerprint(cell: Mapping[str, Any]) -> str:
    """A short hash of what a cell's marimo text depends on: source, name, hidden code, disabled."""
    meta = cell.get("metadata", {})
    source = cell.get("source", "")
    jupyter = meta.get("jupyter")
    state = [
        source if isinstance(source, str) else "".join(source),
        meta.get("name") or "_",
        bool(isinstance(jupyter, Mapping) and jupyter.get("source_hidden")),
        bool(meta.get("disabled")),
    ]
    return hashlib.blake2b(json.dumps(state).encode(), digest_size=8).hexdigest()


def default_lead(kind: str, newline: str) -> str:
    """The blank lines marimo puts before a cell: one before the setup cell, two before the others."""
    return newline if kind == "setup" else newline * 2


# -- marimo's dedent of a cell body -------------------------------------------------------------------------


def dedent(text: str, exact: bool = False) -> str:
    """marimo's dedent of a cell body, so our cell sources equal the ones marimo shows.

    Lines inside multi-line strings are left out when finding the indent; lines with less indent than
    the first code line are padded to it first; a string whose lines sit left of the code's indent is
    left alone. `exact` tokenizes even when the text holds no multi-line string (for code that may not
    tokenize, where marimo falls back to `textwrap.dedent`).
    """
    lines = LINE_BREAK.split(text)
    tokenized = _string_lines(text, exact)
    inside = tokenized or set()
    count = len(lines) - 1 if len(lines) > 1 and lines[-1] == "" else len(lines)
    indent = next((indent_of(lines[i]) for i in range(count) if i not in inside and lines[i].lstrip()), None)
    if indent is None:
        return textwrap.dedent(text)
    padded = [
        line if i in inside or line.startswith(indent) else indent + line
        for i, line in enumerate(lines[:count])
    ]
    padded_text = "\n".join(padded)
    # Padding moves no string, so a parsed body's string lines stay put; marimo tokenizes again, which only
    # matters for text that may not tokenize (exact).
    return _shift_left(padded_text, tokenized if tokenized is not None and not exact else None, exact)


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _shift_left(code: str, inside: set[int] | None, exact: bool) -> str:
    """Remove the smallest indent of the code lines from every line, except under-indented strings."""
    inside = inside if inside is not None else _string_lines(code, exact)
    if inside is None:
        return textwrap.dedent(code)
    lines = code.split("\n")
    widths = [len(indent_of(line)) for i, line in enumerate(lines) if i not in inside and line.strip()]
    shift = min(widths, default=0)
    if shift == 0:
        return code
    keep: set[int] = set()
    block: list[int] = []
    for i in [*sorted(inside), -2]:  # runs of consecutive string lines; -2 closes the last run
        if block and i != block[-1] + 1:
            if any(lines[k].strip() and len(indent_of(lines[k])) < shift for k in block):
                keep.update(block)
            block = []
        block.append(i)
    return "\n".join(line if i in keep else _strip_indent(line, shift) for i, line in enumerate(lines))


def _strip_indent(line: str, shift: int) -> str:
    """Drop up to `shift` leading spaces and tabs."""
    i = 0
    while i < shift and i < len(line) and line[i] in " \t":
        i += 1
    return line[i:]


def _string_lines(text: str, exact: bool) -> set[int] | None:
    """0-based indices of the lines that continue a string begun on an earlier line; None if untokenizable."""
    if not exact and '"""' not in text and "'''" not in text and "\\\n" not in text:
        return set()  # no string can span lines (and a cell body from a parsed file tokenizes)
    fstring_start = getattr(tokenize, "FSTRING_START", None)  # Python 3.12+
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    inside: set[int] = set()
    opened: int | None = None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.STRING and LINE_BREAK.search(tok.string):
                inside.update(range(tok.start[0], tok.end[0]))
            elif fstring_start is not None and tok.type == fstring_start:
                opened = tok.start[0]
            elif fstring_end is not None and tok.type == fstring_end and opened is not None:
                inside.update(range(opened, tok.end[0]))
                opened = None
    except (tokenize.TokenError, SyntaxError):
        return None
    return inside


# -- the file ---------------------------------------------------------------------------------------


class Text:
    """A file's text split into lines the way the tokenizer counts them, with each line's offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[str] = []
        self.starts = [0]
        pos = 0
        for match in LINE_BREAK.finditer(text):
            self.lines.append(text[pos : match.start()])
            pos = match.end()
            self.starts.append(pos)
        self.lines.append(text[pos:])

    def offset(self, lineno: int) -> int:
        """Offset of the start of 1-based line `lineno`; one past the last line is the end of the text."""
        return self.starts[lineno - 1] if lineno <= len(self.lines) else len(self.text)

    def column(self, lineno: int, byte_col: int) -> int:
        """`ast` columns count UTF-8 bytes; strings count characters."""
        line = self.lines[lineno - 1]
        return byte_col if line.isascii() else len(line.encode()[:byte_col].decode(errors="ignore"))

    def segment(self, start: tuple[int, int], end_line: int, end_col: int | None = None) -> str:
        """Text from (line, column) to the end of `end_line`, or to `end_col` on it."""
        line, col = start
        parts = self.lines[line - 1 : end_line]
        parts[-1] = parts[-1][:end_col] if end_col is not None else parts[-1]
        parts[0] = parts[0][col:]
        return "\n".join(parts)

    def colon(self, node: Any) -> int:
        """The line of the `:` ending the header of a `def` or `with` statement."""
        lineno = node.lineno
        line = self.lines[lineno - 1]
        if "#" not in line and line.rstrip().endswith(":") and node.body[0].lineno > lineno:
            if all((part.end_lineno or lineno) <= lineno for part in _header_parts(node)):
                return lineno  # a one-line header: no need to tokenize it
        rest = iter(self.lines[lineno - 1 :])
        depth = 0
        try:
            for tok in tokenize.generate_tokens(lambda: _next_line(rest)):
                if tok.type == tokenize.OP:
                    depth += tok.string in _OPEN
                    depth -= tok.string in _CLOSE
                    if tok.string == ":" and depth == 0:
                        return lineno + tok.start[0] - 1
        except (tokenize.TokenError, SyntaxError):
            pass
        raise FormatError("cannot find the ':' that ends this cell's header", lineno)

    def extent(self, node: ast.stmt, indent: str) -> int:
        """Last line of a block, with the comment lines after it that are indented like its body."""
        last = k = node.end_lineno or node.lineno
        while (
            indent and k < len(self.lines) and (not self.lines[k].strip() or self.lines[k].startswith(indent))
        ):
            k += 1
            if self.lines[k - 1].strip():
                last = k
        return last


def _header_parts(node: Any) -> list[Any]:
    """The expressions in a `def` or `with` header (parameters, defaults, annotations, context managers)."""
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [part for item in node.items for part in (item.context_expr, item.optional_vars) if part]
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg, node.returns]
    return [*(part for part in every if part), *args.defaults, *(d for d in args.kw_defaults if d)]


def _next_line(lines: Any) -> str:
    line = next(lines, None)
    return "" if line is None else line + "\n"


# -- cell decorators and options ----------------------------------------------------------------------------


def app_attribute(node: ast.expr) -> str | None:
    """ "x" for `app.x` or `app.x(...)` (calls unwrapped), else None."""
    while isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "app":
        return node.attr
    return None


def cell_decorator(node: ast.stmt) -> tuple[ast.expr, str] | None:
    """marimo's rule: the first decorator named `cell`, `function` or `class_definition` must be `app.`'s."""
    for decorator in getattr(node, "decorator_list", ()):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in _CELL_DECORATORS:
            attribute = app_attribute(decorator)
            return (decorator, attribute) if attribute == target.attr else None
    return None


def constant_options(keywords: list[ast.keyword]) -> dict[str, Any]:
    """Keyword arguments whose values are constants or lists of constants; marimo ignores the rest."""
    options: dict[str, Any] = {}
    for keyword in keywords:
        value = keyword.value
        if keyword.arg and isinstance(value, ast.Constant):
            options[keyword.arg] = value.value
        elif keyword.arg and isinstance(value, ast.List):
            options[keyword.arg] = [item.value for item in value.elts if isinstance(item, ast.Constant)]
    return options
