"""A marimo file's top level, cell by cell where this Python cannot parse it whole, as marimo's loader does.

marimo parses the file whole. When that fails (code written for a newer Python, such as PEP 701 f-strings
or `type X = ...` on 3.11, or one broken cell), it finds where cells start in the file's tokens and parses
each cell's text alone: a cell that parses is read as usual, one that does not becomes an unparsable cell
whose code is its function's body, named after its `def`. We do the same from the same tokens, so the
notebook opens with every cell, and an unedited cell's text is kept as it was. Two deliberate differences:
such a cell keeps the options its decorator gives (marimo's fallback drops them), and an `@app.function`
or `@app.class_definition` cell shows its definition, as when it parses (marimo's fallback shows the body
of the `def` less its last `return`, often nothing). We also scan a file whose whole-file parse fails for
another reason (nesting too deep for the parser), and a file with `\r` line breaks, where marimo fails.
The text before the first cell must parse; otherwise the file is not a notebook.
"""

from __future__ import annotations

import ast
import gc
import re
import tokenize
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats.marimo.syntax import Found, Text, cell_decorator, constant_options, dedent

_CELL_KINDS = frozenset({"cell", "function", "class_definition"})
_RESTART = re.compile(r"(?:@app\.|with\s+app\.|app\._unparsable_cell|if\s+__name__\s*==)")
_NAME = re.compile(r"\s*(?:async\s+)?(?:def|class)\s+(\w+)")
_NAME_ARGUMENT = re.compile(r"""name\s*=\s*["'](\w+)["']""")
_RETURN = ("return ", "return\t", "return(")
_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)


def statements(text: Text) -> list[ast.stmt | Found]:
    """The file's top-level statements; where it does not parse whole, those of each cell that parses alone
    and a Found unparsable cell for each one that does not. FormatError when there is no cell to recover."""
    try:
        return list(_parse(text.text).body)
    except SyntaxError as exc:
        whole = FormatError(f"not valid Python: {exc.msg}", exc.lineno)
    except (ValueError, RecursionError, MemoryError) as exc:
        whole = FormatError(f"not valid Python: {exc}")
    starts, guard = _cell_starts(text.lines)
    if not starts:
        raise whole
    return [*_preamble(text, starts[0].line), *_cells(text, starts, guard)]


def _parse(source: str) -> ast.Module:
    collecting = gc.isenabled()
    gc.disable()  # an AST has no reference cycles; collections while it grows make big files superlinear
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            return ast.parse(source)
    finally:
        if collecting:
            gc.enable()


# -- where cells start ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Start:
    """The start of a cell in the file: a cell decorator, `with app.setup`, or `app._unparsable_cell(`."""

    line: int  # 1-based; for a decorated cell, its first decorator
    kind: str  # "cell", "function", "class_definition", "setup" or "unparsable"
    header_end: int  # 1-based line where the `@app.cell(...)`, `with app.setup...:` or call opening ends


class _Starts:
    """Reads tokens and notes where cells start: these token sequences with their first token at column 0.

    `@ app . cell|function|class_definition` then a line end, comment or balanced `(...)`;
    `with app . setup` then `:` on the same line; `app . _unparsable_cell (`; `if __name__ ==` (the guard
    after the last cell: the last one seen counts). A token that breaks a sequence is not looked at again.
    """

    _OPENINGS = {
        "@": ("app", ".", "*kind"),
        "with": ("app", ".", "setup"),
        "app": (".", "_unparsable_cell", "("),
    }

    def __init__(self) -> None:
        self.found: list[_Start] = []
        self.guard: int | None = None
        self._line = 0  # where the sequence being matched began
        self._rest: tuple[str, ...] = ()  # the tokens it still needs
        self._kind = ""
        self._after = ""  # "decorator" or "setup" while reading what follows the sequence
        self._depth = 0  # open parentheses in a decorator's arguments

    def feed(self, tok: tokenize.TokenInfo) -> None:
        if self._after:
            self._feed_after(tok)
        elif self._rest:
            self._feed_sequence(tok)
        elif tok.start[1] == 0 and tok.type in (tokenize.OP, tokenize.NAME):
            self._line = tok.start[0]
            if tok.string == "if" and tok.type == tokenize.NAME:
                self._rest, self._kind = ("__name__", "=="), "guard"
            elif tok.string in self._OPENINGS and (tok.string == "@") == (tok.type == tokenize.OP):
                self._rest = self._OPENINGS[tok.string]
                self._kind = {"with": "setup", "app": "unparsable"}.get(tok.string, "")

    def _feed_sequence(self, tok: tokenize.TokenInfo) -> None:
        wanted, self._rest = self._rest[0], self._rest[1:]
        if wanted == "*kind":
            matched = tok.type == tokenize.NAME and tok.string in _CELL_KINDS
            self._kind = tok.string
        else:
            matched = tok.type in (tokenize.OP, tokenize.NAME) and tok.string == wanted
        if not matched:
            self._rest = ()
        elif self._rest:
            return
        elif self._kind == "guard":
            self.guard = self._line
        elif self._kind == "unparsable":
            self.found.append(_Start(self._line, "unparsable", tok.start[0]))
        else:
            self._after = "setup" if self._kind == "setup" else "decorator"

    def _feed_after(self, tok: tokenize.TokenInfo) -> None:
        if self._after == "setup":
            if tok.type == tokenize.OP and tok.string == ":":
                self._end(tok)
            elif tok.type in (tokenize.NEWLINE, tokenize.NL):
                self._after = ""
        elif self._depth:  # inside the decorator's arguments
            self._depth += tok.string == "(" and tok.type == tokenize.OP
            self._depth -= tok.string == ")" and tok.type == tokenize.OP
            if not self._depth:
                self._end(tok)
        elif tok.type == tokenize.OP and tok.string == "(":
            self._depth = 1
        elif tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
            self._end(tok)
        else:
            self._after = ""

    def _end(self, tok: tokenize.TokenInfo) -> None:
        self.found.append(_Start(self._line, self._kind, tok.start[0]))
        self._after = ""

    def any(self) -> bool:
        return bool(self.found) or self.guard is not None


def _tokens(lines: list[str], first: int) -> tuple[Iterator[tokenize.TokenInfo], list[int]]:
    """The tokens of the lines from index `first` on (counted from 1 there), lazily; `error` gets the line
    where tokenizing stopped, if it did."""
    error: list[int] = []
    count = len(lines) - first
    following = iter(range(first, len(lines)))

    def readline() -> str:
        k = next(following, None)
        return "" if k is None else lines[k] + ("\n" if k < len(lines) - 1 else "")

    def tokens() -> Iterator[tokenize.TokenInfo]:
        try:
            yield from tokenize.generate_tokens(readline)
        except tokenize.TokenError as exc:
            error.append(exc.args[1][0] if len(exc.args) > 1 else count)
        except SyntaxError as exc:  # IndentationError, and the C tokenizer's errors on 3.12+
            error.append(exc.lineno or count)

    return tokens(), error


def _scan(lines: list[str], first: int, stop_at_first: bool = False) -> tuple[_Starts, int | None]:
    """Cell starts in the lines from index `first` on (lines counted from 1 there), and where tokens stop."""
    starts = _Starts()
    tokens, error = _tokens(lines, first)
    for tok in tokens:
        starts.feed(tok)
        if stop_at_first and starts.any():
            break
    return starts, error[0] if error else None


def _cell_starts(lines: list[str]) -> tuple[list[_Start], int | None]:
    """Where cells start, and the guard's line. Where tokens stop (a string that never ends), the scan
    resumes at the first later line that looks like a start and has one in its own tokens."""
    found: list[_Start] = []
    guard = None
    offset = 0
    while offset < len(lines):
        starts, error = _scan(lines, offset)
        found += [_Start(s.line + offset, s.kind, s.header_end + offset) for s in starts.found]
        if guard is None and starts.guard is not None:
            guard = starts.guard + offset
        if error is None:
            break
        candidates = (k for k in range(error + offset, len(lines)) if _RESTART.match(lines[k]))
        offset = next((k for k in candidates if _scan(lines, k, stop_at_first=True)[0].any()), len(lines))
    found.sort(key=lambda start: start.line)
    return [_with_decorators(lines, start) for start in found], guard


def _with_decorators(lines: list[str], start: _Start) -> _Start:
    """A decorated cell starts at the first of the decorators (and blank lines between them) above it."""
    if start.kind not in _CELL_KINDS:
        return start
    line, k = start.line, start.line - 2
    while k >= 0 and (lines[k].strip().startswith("@") or not lines[k].strip()):
        if lines[k].strip():
            line = k + 1
        k -= 1
    return _Start(line, start.kind, start.header_end)


# -- the statements ------------------------------------------------------------------------------------


def _preamble(text: Text, first_cell: int) -> list[ast.stmt]:
    """The statements before the first cell (`import marimo`, `app = marimo.App()`), which must parse."""
    source = "\n".join(text.lines[: first_cell - 1])
    if not source.strip():
        return []
    try:
        return list(_parse(source).body)
    except SyntaxError as exc:
        raise FormatError(f"not valid Python: {exc.msg}", exc.lineno) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise FormatError(f"not valid Python: {exc}") from None


def _cells(text: Text, starts: list[_Start], guard: int | None) -> Iterable[ast.stmt | Found]:
    """Each cell's text parsed alone: its statements (at their lines in the file), or an unparsable cell."""
    lines = text.lines
    for k, start in enumerate(starts):
        stop = starts[k + 1].line if k + 1 < len(starts) else guard if guard is not None else len(lines) + 1
        chunk = lines[start.line - 1 : stop - 1]
        try:
            tree = _parse("\n".join(chunk).rstrip("\n"))
        except _PARSE_ERRORS:
            yield _unparsable(lines, start, chunk, stop)
            continue
        ast.increment_lineno(tree, start.line - 1)
        yield from tree.body


def _unparsable(lines: list[str], start: _Start, chunk: list[str], stop: int) -> Found:
    """A cell that does not parse here: marimo's code for it (the function's body), name and options. A
    function or class cell shows its definition, as when it parses (marimo shows the body of the `def`)."""
    last = stop - 1
    while last > start.line and not lines[last - 1].strip():
        last -= 1
    if start.kind in ("function", "class_definition"):
        code = dedent("\n".join(lines[start.header_end : last]).rstrip(), exact=True)
    else:
        code = dedent(_body(chunk, start.kind), exact=True).strip()
    return Found("unparsable", _name(chunk, start.kind), code, _options(lines, start), start.line, last, None)


def _name(chunk: list[str], kind: str) -> str:
    """The name marimo gives the cell: the `def` or `class` after the decorator, or `name="..."`."""
    if kind == "setup":
        return "_"
    if kind == "unparsable":
        found = next((m for line in chunk if (m := _NAME_ARGUMENT.search(line))), None)
    else:
        found = next((m for line in chunk[1:] if (m := _NAME.match(line))), None)
    return found.group(1) if found else "_"


def _options(lines: list[str], start: _Start) -> dict:
    """The constant options of the cell's decorator or `with app.setup(...)`, when that header parses."""
    header = "\n".join(lines[start.line - 1 : start.header_end])
    if start.kind == "unparsable":
        return {}
    probe = header + ("\n    pass" if start.kind == "setup" else "\ndef _():\n    pass")
    try:
        node = _parse(probe).body[0]
    except (*_PARSE_ERRORS, IndexError):
        return {}
    if isinstance(node, (ast.With, ast.AsyncWith)):
        context = node.items[0].context_expr
        return constant_options(context.keywords) if isinstance(context, ast.Call) else {}
    decorator = cell_decorator(node)
    return constant_options(decorator[0].keywords) if decorator and isinstance(decorator[0], ast.Call) else {}


def _body(chunk: list[str], kind: str) -> str:
    """The code of a cell that does not parse, as marimo cuts it from the cell's text: after the decorators
    and the header's `:` (the whole text when there is none), less a final `return` at the body's indent."""
    if kind == "unparsable":
        return "\n".join(chunk)
    k = 0
    while kind != "setup" and k < len(chunk) and (not chunk[k].strip() or chunk[k].strip().startswith("@")):
        k += 1
    colon = _header_colon(chunk, k)
    body = chunk[colon + 1 :] if colon is not None else list(chunk)
    if not body:
        return ""
    indent = next((_indent(line) for line in body if line.strip()), "")
    end = len(body)
    while end and not body[end - 1].strip():
        end -= 1
    if end:
        final = body[end - 1]
        if _indent(final) == indent and (final.strip() == "return" or final.strip().startswith(_RETURN)):
            body = body[: end - 1]
    return "\n".join(body)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _header_colon(chunk: list[str], k: int) -> int | None:
    """The line of the first `:` outside brackets from line `k` on, read as marimo does without tokens:
    quotes (a backslash escapes the next character), `#` to the end of the line, and ([{ }]) counted."""
    depth = 0
    for index in range(k, len(chunk)):
        line, j = chunk[index], 0
        while j < len(line):
            char = line[j]
            if char in "\"'":
                j = _after_string(line, j)
                continue
            if char == "#":
                break
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            elif char == ":" and depth == 0:
                return index
            j += 1
    return None


def _after_string(line: str, j: int) -> int:
    """Where a string that starts at `j` ends on this line (its end, if it runs on)."""
    quote = line[j]
    if line[j + 1 : j + 3] == quote * 2:
        end = line.find(quote * 3, j + 3)
        return end + 3 if end >= 0 else len(line)
    j += 1
    while j < len(line) and line[j] != quote:
        j += 2 if line[j] == "\\" else 1
    return j + 1
