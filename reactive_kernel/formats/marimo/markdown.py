"""marimo's markdown cells: a cell that is only `mo.md(r\"\"\"...\"\"\")` (a literal string) <-> its text.

marimo's editor shows such a cell as markdown and writes it back as `mo.md(r\"\"\"` + newline + the text
+ newline + `\"\"\")`. A cell is markdown here only when writing its text back in the style it was read in
(raw or not, which triple quote, text on its own lines or not) gives exactly the cell's code: so
comments, f-strings, other arguments or anything else in the cell keep it a code cell, and an edited
markdown cell is written in its own style.
"""

from __future__ import annotations

import ast
import warnings
from typing import Any

DEFAULT_STYLE = {"prefix": "r", "quote": '"""', "block": True}  # as marimo writes a markdown cell
_STYLE_KEYS = frozenset(DEFAULT_STYLE)


def markdown_of(source: str) -> tuple[str, dict[str, Any]] | None:
    """The markdown of a cell that is only `mo.md(<triple-quoted literal>)`, and the style to write it
    back in; None for any other cell."""
    code = source.strip()
    if not (code.startswith("mo.md(") and code.endswith(")")):
        return None
    call = _call(code)
    if call is None:
        return None
    value = call.args[0].value  # type: ignore[attr-defined]
    literal = code[len("mo.md(") : -1]
    prefix = literal[: len(literal) - len(literal.lstrip("rR"))]
    quote = literal[len(prefix) : len(prefix) + 3]
    if prefix not in ("", "r", "R") or quote not in ('"""', "'''"):
        return None
    block = value.startswith("\n") and value.endswith("\n") and len(value) >= 2
    text = value[1:-1] if block else value
    style = {"prefix": prefix, "quote": quote, "block": block}
    if markdown_call(text, style) != code or source != code:
        return None  # the text would not come back as the same code (escapes, spacing): a code cell
    return text, style


def markdown_call(text: str, style: Any = None) -> str:
    """The cell code for `text` in `style` (a style `markdown_of` gave, else marimo's own). Text a raw
    literal cannot hold (its quote, a final backslash) is written as a plain literal, escaped."""
    style = style if isinstance(style, dict) and _STYLE_KEYS <= style.keys() else DEFAULT_STYLE
    quote = style["quote"] if style["quote"] in ('"""', "'''") else '"""'
    prefix = style["prefix"] if style["prefix"] in ("", "r", "R") else "r"
    body = f"\n{text}\n" if style["block"] is True else text
    if prefix and (quote in body or text.endswith("\\") or body.endswith(quote[0])):
        prefix = ""
    if not prefix:
        body = body.replace("\\", "\\\\").replace(quote[0], "\\" + quote[0])
    return f"mo.md({prefix}{quote}{body}{quote})"


def _call(code: str) -> ast.Call | None:
    """`mo.md(<one string constant>)` as the only statement of `code`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not (isinstance(call, ast.Call) and len(call.args) == 1 and not call.keywords):
        return None
    func, arg = call.func, call.args[0]
    if not (isinstance(func, ast.Attribute) and func.attr == "md" and isinstance(func.value, ast.Name)):
        return None
    if func.value.id != "mo" or not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return None
    return call
