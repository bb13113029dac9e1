"""The YAML subset of percent headers: a reader for what PyYAML writes for JSON data, and its block layout.

`read_yaml` parses the header's lines, `yaml_lines` writes JSON data as PyYAML's `safe_dump` would, and
`yaml_depth` is how deep data nests, which the header checks against NESTING_LIMIT before writing it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats.percent.syntax import NESTING_LIMIT

_TOO_DEEP = f"nested more than {NESTING_LIMIT} levels deep"


def read_yaml(lines: list[str], numbers: list[int]) -> object:
    """The YAML document in `lines` (`numbers`: each one's line in the file, for errors).

    Raises:
        FormatError: YAML beyond this subset (anchors, tags, block scalars), bad indentation, unclosed
            quotes or brackets, nesting past NESTING_LIMIT; with the file line.
    """
    return _Yaml(lines, numbers).document()


class _Yaml:
    """Reads block mappings and sequences, plain and quoted scalars (over several lines too), flow
    collections and comments; anchors, tags and block scalars are refused with the line."""

    def __init__(self, lines: list[str], numbers: list[int]) -> None:
        self.lines = list(lines)
        self.numbers = numbers  # the file line of each line
        self.i = 0
        self.depth = 0  # block collections open around the current node

    def error(self, reason: str, at: int | None = None) -> FormatError:
        k = min(self.i if at is None else at, len(self.lines) - 1)
        return FormatError(f"header YAML: {reason}", self.numbers[k] if self.numbers else None)

    def document(self) -> object:
        value = self.node(0)
        if self.peek() is not None:
            raise self.error("unexpected text")
        return value

    def peek(self) -> tuple[int, str] | None:
        """(indentation, text) of the next line that is not blank or a comment."""
        while self.i < len(self.lines):
            line = self.lines[self.i]
            content = line.lstrip(" ")
            if content.strip() and not content.lstrip().startswith("#"):
                if content[0] == "\t":
                    raise self.error("a tab in the indentation")
                return len(line) - len(content), content.rstrip()
            self.i += 1
        return None

    def node(self, indent: int) -> object:
        found = self.peek()
        if found is None or found[0] < indent:
            return None
        column, content = found
        if _yaml_item(content):
            return self.nested(self.sequence, column)
        if _yaml_key(content) is not None or _yaml_explicit(content, "?"):
            return self.nested(self.mapping, column)
        self.i += 1
        return self.scalar(content, indent - 1)

    def nested(self, read: Callable[[int], object], column: int) -> object:
        """A block collection inside the ones open, refused past the nesting limit before recursing."""
        if self.depth >= NESTING_LIMIT:
            raise self.error(_TOO_DEEP)
        self.depth += 1
        try:
            return read(column)
        finally:
            self.depth -= 1

    def mapping(self, column: int) -> dict:
        result = {}
        while (found := self.peek()) is not None and found[0] >= column:
            split = self.explicit_key(column) if found[0] == column else None
            split = split or (_yaml_key(found[1]) if found[0] == column else None)
            if split is None:
                raise self.error("expected `key: value` at this indentation")
            self.i += 1
            key, rest = split
            if rest and not rest.startswith("#"):
                result[key] = self.scalar(rest, column)
            elif (below := self.peek()) is not None and below[0] == column and _yaml_item(below[1]):
                result[key] = self.nested(self.sequence, column)
            else:
                result[key] = self.node(column + 1)
        return result

    def explicit_key(self, column: int) -> tuple[str, str] | None:
        """`? key` then `: value`, as PyYAML writes long keys and keys with special characters."""
        content = self.lines[self.i].strip()
        if not _yaml_explicit(content, "?"):
            return None
        self.i += 1
        key = self.scalar(content[1:].strip(), column)
        found = self.peek()
        if found is None or found[0] != column or not _yaml_explicit(found[1], ":"):
            raise self.error("`? key` without its `: value`")
        return str(key), found[1][1:].strip()

    def sequence(self, column: int) -> list:
        items = []
        while (found := self.peek()) is not None and found[0] == column and _yaml_item(found[1]):
            rest = found[1][1:]
            inner = rest.lstrip(" ")
            if not inner or inner.startswith("#"):
                self.i += 1
                items.append(self.node(column + 1))
            else:
                inner_column = column + 1 + len(rest) - len(inner)
                self.lines[self.i] = " " * inner_column + inner
                items.append(self.node(inner_column))
        return items

    def scalar(self, text: str, parent: int) -> object:
        """The value in `text`, on the line before `self.i`, and on the lines below that continue it."""
        first, start = text[0], self.i - 1
        if first in "\"'":
            return self.quoted(text)
        if first in "[{":
            return self.flow(text)
        if first in "|>&*!%@`":
            raise self.error(f"{first!r} (block scalars, anchors, aliases, tags) is not supported", start)
        value = _yaml_uncomment(text)
        blanks = 0
        while self.i < len(self.lines):
            line = self.lines[self.i]
            content = line.strip()
            if not content:
                blanks += 1
            elif len(line) - len(line.lstrip(" ")) <= parent or content.startswith("#"):
                break
            elif _yaml_key(content) is not None:
                raise self.error("`key: value` indented under a plain value: check the indentation")
            else:
                value += ("\n" * blanks if blanks else " ") + _yaml_uncomment(content)
                blanks = 0
            self.i += 1
        if ": " in value or value.endswith(":"):
            raise self.error("`: ` in a plain scalar (quote it)", start)
        return _yaml_resolve(value)

    def quoted(self, text: str) -> str:
        quote, chunks, rest = text[0], [], text[1:]
        while (end := _closing_quote(rest, quote)) < 0:
            chunks.append(rest)
            if self.i >= len(self.lines):
                raise self.error("a quoted string that does not end")
            rest = self.lines[self.i]
            self.i += 1
        chunks.append(rest[:end])
        after = rest[end + 1 :].strip()
        if after and not after.startswith("#"):
            raise self.error("text after a quoted string")
        try:
            return _yaml_unquote(chunks, quote)
        except ValueError as exc:
            raise self.error(str(exc)) from None

    def flow(self, text: str) -> object:
        start = self.i - 1
        while not _flow_closed(text):
            if self.i >= len(self.lines):
                raise self.error("a [ or { that does not close")
            text += " " + self.lines[self.i].strip()
            self.i += 1
        try:
            parser = _Flow(text, NESTING_LIMIT - self.depth)
            value = parser.value()
            parser.finish()
        except ValueError as exc:
            raise self.error(str(exc), start) from None
        return value


_YAML_NULL = {"", "~", "null", "Null", "NULL"}
_YAML_BOOL = {
    **dict.fromkeys("yes Yes YES true True TRUE on On ON".split(), True),
    **dict.fromkeys("no No NO false False FALSE off Off OFF".split(), False),
}
_YAML_INT = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)\Z")
_YAML_INT_BASE = re.compile(r"([-+]?)0(?:(b)([01_]+)|(x)([0-9a-fA-F_]+)|(o?)([0-7_]+))\Z")
_YAML_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)(?:[eE][-+][0-9]+)?\Z")
_YAML_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_YAML_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}  # fmt: skip
_YAML_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.?)", re.DOTALL)
_YAML_PLAIN = re.compile(r"[A-Za-z0-9_./(][A-Za-z0-9_./() +,:-]*\Z")


def _yaml_explicit(content: str, indicator: str) -> bool:
    return content == indicator or content.startswith((indicator + " ", indicator + "\t"))


def _yaml_item(content: str) -> bool:
    return content == "-" or content.startswith(("- ", "-\t"))


def _yaml_key(content: str) -> tuple[str, str] | None:
    """(key, rest of the line) when the text is a `key: value` entry."""
    if content[0] in "\"'":
        end = _closing_quote(content[1:], content[0])
        after = content[end + 2 :].lstrip(" ") if end >= 0 else ""
        if not after.startswith(":") or after[1:2] not in ("", " ", "\t"):
            return None
        try:
            return _yaml_unquote([content[1 : end + 1]], content[0]), after[1:].strip()
        except ValueError:
            return None
    if content.startswith(("#", "[", "{", "- ")) or content == "-":
        return None
    found = re.search(r":(?:[ \t]|\Z)", content)
    if found is None or not content[: found.start()].strip() or " #" in content[: found.start()]:
        return None
    return content[: found.start()].rstrip(), content[found.end() :].strip()


def _yaml_uncomment(text: str) -> str:
    return re.split(r"[ \t]#", text, maxsplit=1)[0].strip()


def _closing_quote(text: str, quote: str) -> int:
    """Index of the quote that ends a quoted scalar (`\\"` and `''` do not), or -1."""
    j = 0
    while (j := text.find(quote, j)) >= 0:
        if quote == "'":
            if text[j + 1 : j + 2] != "'":
                return j
            j += 2
            continue
        slashes = len(text[:j]) - len(text[:j].rstrip("\\"))
        if slashes % 2 == 0:
            return j
        j += 1
    return -1


def _yaml_unquote(chunks: list[str], quote: str) -> str:
    """A quoted scalar from its lines: line breaks fold to spaces, empty lines to newlines."""
    text = chunks[0]
    blanks = 0
    for k, chunk in enumerate(chunks[1:], 1):
        content = chunk.lstrip(" \t")
        if not content and k < len(chunks) - 1:
            blanks += 1
            continue
        trailing = len(text) - len(text.rstrip("\\"))
        if quote == '"' and trailing % 2:
            text = text[:-1] + "\n" * blanks + content
        else:
            text = text.rstrip(" \t") + ("\n" * blanks if blanks else " ") + content
        blanks = 0
    if quote == "'":
        return text.replace("''", "'")
    return _YAML_ESCAPE.sub(_yaml_escape, text)


def _yaml_escape(found: re.Match) -> str:
    code = found.group(1)
    if code[:1] in ("x", "u", "U") and len(code) > 1:
        return chr(int(code[1:], 16))
    if code not in _YAML_ESCAPES:
        raise ValueError(f"unknown escape \\{code}")
    return _YAML_ESCAPES[code]


def _yaml_resolve(text: str) -> object:
    """A plain scalar as PyYAML's safe_load types it (timestamps and .inf stay strings: JSON has neither)."""
    if text in _YAML_NULL:
        return None
    if text in _YAML_BOOL:
        return _YAML_BOOL[text]
    if _YAML_INT.match(text):
        return int(text.replace("_", ""))
    based = _YAML_INT_BASE.match(text)
    if based:
        sign, digits = based.group(1), based.group(3) or based.group(5) or based.group(7)
        base = 2 if based.group(2) else 16 if based.group(4) else 8
        return int(sign + digits.replace("_", ""), base)
    if _YAML_FLOAT.match(text) and text not in (".", "-.", "+."):
        return float(text.replace("_", ""))
    return text


def _flow_closed(text: str) -> bool:
    depth, quote = 0, None
    for k, char in enumerate(text):
        if quote is not None:
            if char == quote and (quote == "'" or text[k - 1] != "\\"):
                quote = None
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return True
    return False


class _Flow:
    """`[a, 'b', {c: 1}]` and `{a: [1, 2]}`: YAML's flow collections, on one logical line."""

    _PLAIN = re.compile(r"(?:[^,\[\]{}:#\s]|:(?=[^\s,\[\]{}])|(?<=\S)#|[ \t]+(?=[^\s,\[\]{}:#]))+")

    def __init__(self, text: str, room: int) -> None:
        self.text, self.pos = text, 0
        self.room = room  # how many more collections may open inside each other

    def skip(self) -> str:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1
        return self.text[self.pos : self.pos + 1]

    def value(self) -> object:
        char = self.skip()
        if char in ("[", "{"):
            return self.collection(char)
        if char in ("'", '"'):
            end = _closing_quote(self.text[self.pos + 1 :], char)
            if end < 0:
                raise ValueError("a quoted string that does not end")
            raw = self.text[self.pos + 1 : self.pos + 1 + end]
            self.pos += end + 2
            return _yaml_unquote([raw], char)
        found = self._PLAIN.match(self.text, self.pos)
        if found is None:
            raise ValueError(f"unexpected {char!r} in a flow collection")
        self.pos = found.end()
        return _yaml_resolve(found.group().strip())

    def collection(self, opening: str) -> object:
        if self.room <= 0:
            raise ValueError(_TOO_DEEP)  # before recursing
        self.room -= 1
        closing = "]" if opening == "[" else "}"
        items: list = []
        pairs: dict = {}
        self.pos += 1
        while self.skip() != closing:
            if not self.skip():
                raise ValueError(f"{opening} without {closing}")
            item = self.value()
            if opening == "{":
                if self.skip() != ":":
                    raise ValueError("expected `:` in a flow mapping")
                self.pos += 1
                pairs[str(item)] = self.value()
            else:
                items.append(item)
            if self.skip() == ",":
                self.pos += 1
            elif self.skip() != closing:
                raise ValueError(f"expected `,` or `{closing}`")
        self.pos += 1
        self.room += 1
        return items if opening == "[" else pairs

    def finish(self) -> None:
        rest = self.text[self.pos :].strip()
        if rest and not rest.startswith("#"):
            raise ValueError("text after a flow collection")


def yaml_depth(value: object) -> int:
    """How deep lists and dicts nest in JSON data (each one a level, as the reader counts them)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((inner, depth + 1) for inner in (item.values() if isinstance(item, dict) else item))
    return deepest


def yaml_lines(value: dict, indent: int = 0) -> list[str]:
    """Block YAML for JSON data, keys sorted, lists at their key's indentation: PyYAML's safe_dump layout."""
    pad = " " * indent
    lines = []
    for key in sorted(value):
        item = value[key]
        head = f"{pad}{_yaml_scalar(str(key))}:"
        if isinstance(item, dict) and item:
            lines += [head, *yaml_lines(item, indent + 2)]
        elif isinstance(item, list) and item:
            lines += [head, *_yaml_list(item, indent)]
        else:
            lines.append(f"{head} {_yaml_scalar(item)}")
    return lines


def _yaml_list(items: list, indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for item in items:
        if isinstance(item, dict) and item:
            inner = yaml_lines(item, indent + 2)
        elif isinstance(item, list) and item:
            inner = _yaml_list(item, indent + 2)
        else:
            inner = [f"{pad}  {_yaml_scalar(item)}"]
        lines += [f"{pad}- {inner[0][indent + 2 :]}", *inner[1:]]
    return lines


def _yaml_scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise FormatError(f"the notebook metadata holds {value!r}, which JSON and the header cannot")
        text = repr(value)
        return text.replace("e", ".0e") if "e" in text and "." not in text else text  # YAML 1.1: 1.0e+20
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    text = str(value)
    if _YAML_PLAIN.match(text) and not text.endswith((" ", ":")) and ": " not in text:
        if _yaml_resolve(text) == text and not _YAML_TIMESTAMP.match(text):
            return text
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return '"' + "".join(_yaml_char(char) for char in text) + '"'


def _yaml_char(char: str) -> str:
    if char in ('"', "\\"):
        return "\\" + char
    if char.isprintable():
        return char
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
    if char in named:
        return named[char]
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"
