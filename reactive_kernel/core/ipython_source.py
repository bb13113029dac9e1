"""IPython syntax -> a Python AST, with a map from its lines back to the cell's; never executes anything.

IPython's whole-cell transformer costs milliseconds, so lines that look like IPython syntax are
transformed one at a time (cached) and the whole-cell transform is the fallback.
"""

from __future__ import annotations

import ast
import functools
import keyword
import re
import string
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LineFn = Callable[[int], int]  # line in the parsed text -> line in the user's cell

CODE_OPTIONS = {"time": ("", ""), "capture": ("", ""), "prun": ("DlsT", "rq"), "timeit": ("nrpv", "tcqo")}
NO_VAR_EXPAND = frozenset({"time", "timeit", "prun", "debug"})  # magics IPython passes verbatim
_PARSE_FLAGS = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
_PROMPT = re.compile(r"^(?:>>>|[ \t]*\.{3,}:|(?:\[nav\] |\[ins\] )?In \[\d+\]: )", re.M)
_MAYBE_IPYTHON = re.compile(r"^[^\S\n]*[%!?/,;]|\?[ \t]*$|=[ \t]*[!%](?!=)", re.M)  # prefilter for speed
_MAGIC_ASSIGN = re.compile(r"^[^'\"#]*?(?<![=!<>])=\s*[!%]")
_NOISE = re.compile(r"#.*|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"")  # comments and one-line strings
_DOLLAR = re.compile(r"\$(\$?[\w.]+)")
_FORMATTER = string.Formatter()
_transformer: Any = None


class ParseFailure(Exception):
    """Carries a syntax error whose line is already expressed in the original cell."""

    def __init__(self, msg: str, line: int) -> None:
        super().__init__(msg)
        self.msg, self.line = msg, line


def _ipython_transform(text: str) -> str:
    """IPython is slow to import, so build the one transformer only when a cell needs it."""
    global _transformer
    if _transformer is None:
        from IPython.core.inputtransformer2 import TransformerManager

        _transformer = TransformerManager()
    with warnings.catch_warnings():  # odd line breaks make IPython warn; the user never asked for that
        warnings.simplefilter("ignore")
        return _transformer.transform_cell(text)


def _compile(text: str, mode: str) -> Any:
    """Parse like IPython compiles: top-level await is legal and our own __future__ flags must not leak."""
    with warnings.catch_warnings():  # SyntaxWarnings belong to running the cell, not to analysing it
        warnings.simplefilter("ignore")
        return compile(text, "<cell>", mode, _PARSE_FLAGS, dont_inherit=True)


def _parse(text: str) -> ast.Module:
    """Turn every way CPython rejects a cell into a SyntaxError that says which line."""
    try:
        return _compile(text, "exec")
    except (SyntaxError, ValueError) as exc:  # ValueError: lone surrogates, or null bytes before 3.12
        if "\0" in text:  # CPython does not say where the null byte is
            position, message = text.find("\0"), "source code string cannot contain null bytes"
        elif isinstance(exc, SyntaxError):
            raise
        else:
            position, message = getattr(exc, "start", 0), str(exc)
        raise SyntaxError(message, ("<cell>", text.count("\n", 0, position) + 1, 1, "")) from None


def is_python(text: str) -> bool:
    """Whether the text parses as a cell's Python (top-level await allowed, as IPython compiles it)."""
    try:
        _parse(text)
    except SyntaxError:
        return False
    return True


def has_prompts(text: str) -> bool:
    """A pasted interactive session (`>>>`, `In [1]:`): only the whole-cell transform reads it."""
    return bool(_PROMPT.search(text))


def _failure(exc: SyntaxError, line_fn: LineFn, total: int) -> ParseFailure:
    """Report errors against the user's lines, never the transformed text's."""
    line = line_fn(min(max(exc.lineno or 1, 1), total))
    return ParseFailure(exc.msg or str(exc) or "invalid syntax", line)


def identity(line: int) -> int:
    """Line map for text whose lines match the original one to one."""
    return max(line, 1)


def prepare(source: str) -> tuple[ast.Module, LineFn]:
    """Turn IPython syntax into Python, taking the cheapest route that is still faithful."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")  # Python counts lines the same way
    first_error: SyntaxError | None = None
    if not _PROMPT.search(source) and not source.lstrip().startswith("%%"):
        local = _transform_lines(source)  # None when no line looks like IPython syntax
        for text in (source,) if local is None else (local, source):
            try:
                return _parse(text), identity
            except SyntaxError as exc:
                first_error = first_error or exc
    try:
        transformed = _ipython_transform(source)
    except RecursionError:
        raise
    except Exception as exc:  # the transformer gave up: the plain parse error is the best report
        error = first_error or SyntaxError(f"{type(exc).__name__}: {exc}", ("<cell>", 1, 1, ""))
        raise _failure(error, identity, source.count("\n") + 1) from None
    line_fn = _line_map(source, transformed)
    try:
        return _parse(transformed), line_fn
    except SyntaxError as exc:
        magic = _automagic(transformed)
        if magic is not None:  # `ls *.py` typed without `%`: IPython runs it as a line magic
            return _parse(magic), identity
        raise _failure(exc, line_fn, transformed.count("\n") + 1) from None


def _automagic(text: str) -> str | None:
    """A one-line cell that is not Python but starts with a magic's name, as IPython's prefilter runs it.

    IPython also prefers the magic when the line is valid Python (`ls -l`) unless a variable shadows
    the name; statically that cannot be known, so only lines Python rejects are taken as magics.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        return None
    from IPython.core.splitinput import LineInfo

    info = LineInfo(lines[0])
    if info.esc or info.ifun not in _magic_names() or info.the_rest[:1] in ("=", ","):
        return None
    return f"get_ipython().run_line_magic({info.ifun!r}, {info.the_rest!r})\n"


@functools.cache
def _magic_names() -> frozenset[str]:
    """Line magics a kernel has by default: IPython's, its shell aliases (`ls`, `cat`), ipykernel's."""
    import inspect

    import IPython.core.magics as core
    from IPython.core.alias import default_aliases
    from IPython.core.magic import Magics

    names = {"clear", "less", "more", "man", "connect_info", "qtconsole", "autosave", "reactive"}
    for name in dir(core):  # (the module loads its classes lazily; ipykernel's, above, are not here)
        value = getattr(core, name)
        if inspect.isclass(value) and issubclass(value, Magics):
            names |= set(getattr(value, "magics", {}).get("line", {}))
    return frozenset(names | {alias for alias, _ in default_aliases()})


def _is_escape_line(text: str) -> bool:
    """Cheap guess at lines IPython rewrites; a wrong guess only costs the slow path."""
    if text.startswith(("%", "!", "?", "/", ",", ";")):
        return not text.startswith("%%")
    return not text.startswith("#") and (text.rstrip().endswith("?") or bool(_MAGIC_ASSIGN.match(text)))


@functools.lru_cache(maxsize=512)
def _transform_line(text: str) -> str:
    """Notebooks repeat the same magic lines (`%matplotlib inline`), and IPython takes ~0.1 ms per line."""
    return _ipython_transform(text)


@dataclass(frozen=True)
class EscapeLine:
    """A line IPython rewrites (`!ls`, `%time f()`, `files = !ls`), as the analysis reads it."""

    first: int  # 0-based index of its line in the cell
    last: int  # index of its last line: after `first` when continued with backslashes
    python: str  # what IPython turns it into: one line of Python, without the line's indentation


def escape_lines(source: str) -> list[EscapeLine] | None:
    """The lines of a cell (newlines normalised) that look like IPython syntax, each with its Python.

    None when one of them is not one line of Python after IPython's transform (or IPython gave up): then
    only the whole-cell transform reads the cell.
    """
    candidates = sorted({source.count("\n", 0, m.start()) for m in _MAYBE_IPYTHON.finditer(source)})
    lines, found, done = source.split("\n"), [], -1
    for i in candidates:
        text = lines[i].lstrip()
        if i <= done or not _is_escape_line(text) or _open_brackets("\n".join(lines[:i])):
            continue  # inside a continued line: `/ b)` or `, c]` is not IPython syntax there
        done = i
        while lines[done].endswith("\\") and done + 1 < len(lines):
            done += 1
        try:
            out = _transform_line("\n".join([text, *lines[i + 1 : done + 1]])).splitlines()
        except Exception:  # IPython could not cope: let the whole-cell path decide
            return None
        if len(out) != 1:
            return None
        found.append(EscapeLine(i, done, out[0]))
    return found


def _transform_lines(source: str) -> str | None:
    """Transform only the IPython lines: whole-cell transforms re-tokenize per magic and cost milliseconds."""
    found = escape_lines(source)
    if not found:
        return None
    lines = source.split("\n")
    for escape in found:
        line = lines[escape.first]
        lines[escape.first] = line[: len(line) - len(line.lstrip())] + escape.python
        lines[escape.first + 1 : escape.last + 1] = [""] * (escape.last - escape.first)  # same line count
    return "\n".join(lines)


def _open_brackets(code: str) -> bool:
    """Rough bracket depth (strings and comments dropped); a wrong answer only costs the slow path."""
    code = _NOISE.sub("", code)
    return sum(map(code.count, "([{")) > sum(map(code.count, ")]}"))


def _line_map(source: str, transformed: str) -> LineFn:
    """The transformer drops leading blank lines and joins continued magics; map its lines back."""
    orig = [line.rstrip() for line in source.split("\n")]
    new = [line.strip() for line in transformed.split("\n")]
    j = next((k for k, line in enumerate(orig) if line.strip()), 0)
    table = []
    for i, text in enumerate(new):
        table.append(min(j, len(orig) - 1) + 1)
        if not text or (j < len(orig) and orig[j].endswith(text)):
            j += 1
            continue
        while j < len(orig) - 1 and orig[j].endswith("\\"):
            j += 1
        j += 1
        following = new[i + 1] if i + 1 < len(new) else ""
        if following and j < len(orig) and not orig[j].endswith(following):
            j = next((k for k in range(j + 1, len(orig)) if orig[k].endswith(following)), j)
    return lambda line: table[min(max(line, 1), len(table)) - 1]


def expansions(text: str) -> list[ast.expr]:
    """Mirror IPython's var_expand: `{expr}` and `$name` read user variables, all-or-nothing."""
    found = _expansion_sources(text)
    try:
        return [_compile(source.strip(), "eval").body for source, _at in found]
    except (SyntaxError, ValueError):
        return []


def expansion_spans(text: str) -> list[tuple[int, int]]:
    """Where in `text` each piece of Python that `expansions` reads sits: (start, end) offsets.

    Empty when IPython would expand nothing, or a piece cannot be placed (then nothing is renamed in it).
    """
    found = _expansion_sources(text)
    if not expansions(text) or any(at is None or text[at : at + len(s)] != s for s, at in found):
        return []
    return [(at, at + len(source)) for source, at in found if at is not None]


def _expansion_sources(text: str) -> list[tuple[str, int | None]]:
    """The `{expr}` fields and `$name`s of a magic's text, each with its offset (None: not placed)."""
    try:
        pieces = list(_FORMATTER.parse(text))
    except ValueError:
        return []
    found: list[tuple[str, int | None]] = []
    at: int | None = 0
    for literal, field, spec, conversion in pieces:
        for match in _DOLLAR.finditer(literal):
            if not match.group(1).startswith("$") and literal.count("'", match.end()) % 2 == 0:
                found.append((match.group(1), None if at is None else at + match.start(1)))
        if at is not None:
            at += len(literal) + (1 if field is None and literal[-1:] in ("{", "}") else 0)  # `{{`
        if field is not None:
            found.append((f"{field}:{spec}" if spec else field, None if at is None else at + 1))
            at = _field_end(text, at, field, conversion)
    return found


def _field_end(text: str, at: int | None, field: str, conversion: str | None) -> int | None:
    """Where the `{field!c:spec}` starting at `at` ends; None when the text does not match the parse."""
    if at is None or text[at : at + 1] != "{":
        return None
    end = at + 1 + len(field) + (2 if conversion else 0)
    if text[end : end + 1] == ":":
        depth = 0
        while end < len(text) and (text[end] != "}" or depth):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
    return end + 1 if text[end : end + 1] == "}" else None


def strip_options(text: str, valued: str, flags: str) -> str:
    """Magics take options before the statement; only the statement is Python."""
    rest = text.lstrip()
    while rest.startswith("-"):
        before = rest
        word, rest = re.match(r"(\S*)\s*(.*)", rest, re.S).groups()
        plain = word[1:].lstrip(flags)
        if word == "--no-raise-error" or (len(word) > 1 and not plain):
            continue
        if not plain or plain[0] not in valued:
            return before  # not an option after all: it belongs to the statement
        if len(plain) == 1:  # the option's value is the next word
            rest = re.match(r"\S*\s*(.*)", rest, re.S).group(1)
    return rest


def capture_target(line: str) -> str | None:
    """`%%capture out` stores the captured output in `out`."""
    names = [word for word in line.split() if not word.startswith("-")]
    return names[0] if names and names[0].isidentifier() and not keyword.iskeyword(names[0]) else None
