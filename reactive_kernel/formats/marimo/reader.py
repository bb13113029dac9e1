"""Read a marimo `.py` notebook (text -> notebook): its cells found as marimo's static loader finds them.

The file is parsed once (cell by cell where it does not parse whole: the `scan` module) and never
imported or run. `layout` finds the header and the cells; `read_notebook` makes them an nbformat notebook,
each cell recording the text around its source (see the package docstring) so the writer can give back
the original bytes.

Where marimo's own extraction garbles a hand-written cell, we keep the cell's text instead: comments
between the decorator and the `def` (marimo starts the body that many lines late), a body on the `def`
line (marimo cuts it by the length of its first token), comment lines after the last statement of a
cell without `return` (marimo glues them onto that line), a comment ending the last line of such a cell
or of a function or setup cell (marimo drops it), non-ASCII text before a `return` on the same line
(marimo counts bytes as characters), and `with app.setup: ...` on one line. Files marimo writes show
only the dropped comment (a function or setup cell whose code ends with one). Cell count, order, names
and options always match marimo, except for the options of a cell that does not parse (see `scan`).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import nbformat

from reactive_kernel import KERNELSPEC
from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats.marimo.markdown import markdown_of
from reactive_kernel.formats.marimo.scan import statements
from reactive_kernel.formats.marimo.syntax import (
    CONFIG_DEFAULTS,
    INDENT,
    LINE_BREAK,
    Found,
    Text,
    app_attribute,
    cell_decorator,
    constant_options,
    dedent,
    default_lead,
    fingerprint,
    indent_of,
    reindent,
)


def read_notebook(raw: str) -> nbformat.NotebookNode:
    """The notebook of a marimo file, with what the writer needs to give back its bytes.

    Raises:
        FormatError: (with the line) the text is not a marimo notebook, or no cell can be found where it
            is not valid Python.
    """
    text = Text(raw)
    found_cells = layout(text, statements(text))
    match = LINE_BREAK.search(raw)
    newline = match.group() if match else "\n"
    pos = header_stop = text.offset(found_cells.header_end + 1)
    cells = []
    for index, found in enumerate(found_cells.cells):
        start, stop = text.offset(found.first), text.offset(found.last + 1)
        lead = raw[pos:start] if raw[pos:start] != default_lead(found.kind, newline) else None
        chunk = _chunk(text, found, start, stop, newline)
        cells.append(_notebook_cell(found, index, lead, chunk, raw[start:stop]))
        pos = stop
    record = {"name": "marimo", "header": raw[:header_stop], "footer": raw[pos:], "newline": newline}
    metadata = {"kernelspec": dict(KERNELSPEC), "reactive_format": record}
    # nbformat's new_* helpers validate every cell against the schema: most of the time on big files
    return nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": cells})


def _notebook_cell(
    found: Found, index: int, lead: str | None, chunk: dict[str, str], whole: str
) -> dict[str, Any]:
    """A code (or markdown) cell with marimo's name and options mapped to Jupyter metadata, and what
    rebuilds its text."""
    metadata: dict[str, Any] = {}
    markdown = markdown_of(found.source) if found.kind == "cell" else None
    if found.name != "_":
        metadata["name"] = found.name
    # hide_code hides a code cell's code. A markdown cell's text is what JupyterLab shows, and hiding its
    # source would hide that too: there the option stays in the record (marimo's markdown cells have it).
    if found.options.get("hide_code") and markdown is None:
        metadata["jupyter"] = {"source_hidden": True}
    if found.options.get("disabled"):
        metadata["disabled"] = True
    cell: dict[str, Any] = {"id": f"marimo-{index}", "metadata": metadata}
    if markdown is None:
        cell.update(cell_type="code", execution_count=None, source=found.source, outputs=[])
    else:  # `mo.md(r"""...""")` only: a markdown cell, as marimo's editor shows it
        cell.update(cell_type="markdown", source=markdown[0])
    record: dict[str, Any] = {"kind": found.kind} if found.kind != "cell" else {}
    if lead is not None:
        record["lead"] = lead
    options = {key: value for key, value in found.options.items() if _kept_option(key, value)}
    if markdown is not None and found.options.get("hide_code"):
        options["hide_code"] = True
    if options:
        record["options"] = options
    if markdown is None:
        record.update(chunk)
    else:  # its text whole (head + source + tail would rebuild the code, which the cell no longer holds)
        record["text"] = whole
        record["markdown"] = markdown[1]
    record["hash"] = fingerprint(cell)
    metadata["reactive_format"] = record
    return cell


def _kept_option(key: str, value: Any) -> bool:
    """Options other than hide_code and disabled (those live in Jupyter's metadata), if not defaults."""
    if key in ("hide_code", "disabled") or (key in CONFIG_DEFAULTS and CONFIG_DEFAULTS[key] == value):
        return False
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False  # bytes and the like: kept in the cell's text, lost only if the cell is edited
    return True


def _chunk(text: Text, found: Found, start: int, stop: int, newline: str) -> dict[str, str]:
    """The cell's text as head + indented source + tail when that rebuilds it exactly, else verbatim."""
    chunk = text.text[start:stop]
    if found.body is not None:
        line, col, indent = found.body
        at = text.offset(line) + col - start
        body = reindent(found.source, indent, newline)
        if chunk.startswith(body, at):
            parts = {"head": chunk[:at], "tail": chunk[at + len(body) :]}
            return parts if indent == INDENT else {**parts, "indent": indent}
    return {"text": chunk}


# -- marimo's notebook structure ------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """The marimo cells of a file and the line where its header (up to `app = marimo.App(...)`) ends."""

    header_end: int  # 1-based last line of the `app = marimo.App(...)` statement
    cells: tuple[Found, ...]  # in file order, the setup cell first when there is one


def layout(text: Text, stmts: Sequence[ast.stmt | Found]) -> Layout:
    """Header, then cells: marimo's order of `import marimo`, `app = marimo.App(...)`, setup, cells, guard.
    `stmts` are the file's top-level statements, with the cells that do not parse already Found."""
    i = 0
    while i < len(stmts) and not _is_marimo_import(stmts[i]):  # a docstring or stray lines may come first
        i += 1
    if i == len(stmts):
        raise FormatError("not a marimo notebook: no top-level `import marimo`", 1)
    alias = stmts[i].names[0].asname or "marimo"  # type: ignore[union-attr]
    import_line = stmts[i].lineno
    while i < len(stmts) and not _is_app(stmts[i], alias):
        i += 1
    if i == len(stmts):
        raise FormatError(
            f"not a marimo notebook: no `app = {alias}.App(...)` after `import marimo`", import_line
        )
    header_end = stmts[i].end_lineno or stmts[i].lineno
    return Layout(header_end, tuple(_cells(text, stmts[i + 1 :])))


def _cells(text: Text, stmts: Sequence[ast.stmt | Found]) -> list[Found]:
    """The cells after the header, up to `if __name__ == "__main__":`. Before the first cell marimo skips
    any statement, that guard too, but a guard just before the first cell other than setup ends it there."""
    cells: list[Found] = []
    after_guard = False
    for stmt in stmts:
        if not isinstance(stmt, Found) and _is_run_guard(stmt):
            if cells:
                break
            after_guard = True
            continue
        if isinstance(stmt, Found):
            found: Found | None = stmt
        else:
            found = _setup(text, stmt) if not cells and _is_setup(stmt) else _body_cell(text, stmt)
        if found is None:
            after_guard = False
        elif after_guard and not cells and found.kind != "setup":
            break
        else:
            cells.append(found)
    return cells


def _is_marimo_import(node: ast.stmt | Found) -> bool:
    return isinstance(node, ast.Import) and node.names[0].name == "marimo"


def _is_app(node: ast.stmt | Found, alias: str) -> bool:
    """`app = marimo.App(...)`."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Call)):
        return False
    target, func = node.targets[0], node.value.func
    return (
        isinstance(target, ast.Name)
        and target.id == "app"
        and isinstance(func, ast.Attribute)
        and func.attr == "App"
        and isinstance(func.value, ast.Name)
        and func.value.id == alias
    )


def _is_run_guard(node: ast.stmt) -> bool:
    """marimo stops at any `if __name__ <op> ...:`, not only the exact `app.run()` guard."""
    test = getattr(node, "test", None)
    return (
        isinstance(node, ast.If)
        and isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    )


def _is_setup(node: ast.stmt) -> bool:
    """`with app.setup:` or `with app.setup(...):`; marimo takes it only as the first cell."""
    return (
        isinstance(node, (ast.With, ast.AsyncWith))
        and len(node.items) == 1
        and app_attribute(node.items[0].context_expr) == "setup"
    )


def _body_cell(text: Text, node: ast.stmt) -> Found | None:
    """An `@app.cell`, `@app.function` or `@app.class_definition` definition, or an unparsable cell."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        if app_attribute(call.func) == "_unparsable_cell" and len(call.args) == 1:
            return _unparsable(node, call)
        return None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None
    found = cell_decorator(node)
    if found is None:
        return None
    decorator, kind = found
    options = constant_options(decorator.keywords) if isinstance(decorator, ast.Call) else {}
    first = node.decorator_list[0].lineno
    if kind != "cell":
        return _definition(text, node, decorator, kind, options, first)
    if isinstance(node, ast.ClassDef):
        raise FormatError("`@app.cell` decorates a class; use `@app.class_definition`", node.lineno)
    source, body, last = _function_body(text, node)
    return Found("cell", node.name, source, options, first, last, body)


def _unparsable(node: ast.Expr, call: ast.Call) -> Found:
    """`app._unparsable_cell(r'''code''', name=...)`: marimo keeps the string as the cell's code."""
    options = constant_options(call.keywords)
    name = options.pop("name", None) or "_"
    arg = call.args[0]
    code = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else ""
    source = dedent(code, exact=True).strip()
    return Found("unparsable", str(name), source, options, node.lineno, node.end_lineno or node.lineno, None)


def _definition(text: Text, node: Any, decorator: ast.expr, kind: str, options: dict, first: int) -> Found:
    """`@app.function` / `@app.class_definition`: the code is the definition itself, after the decorator."""
    start = (decorator.end_lineno or decorator.lineno) + 1
    indent = indent_of(text.lines[node.body[0].lineno - 1])
    last = text.extent(node, indent)
    source = dedent(text.segment((start, 0), last).rstrip())
    return Found(kind, node.name, source, options, first, last, (start, 0, ""))


def _setup(text: Text, node: ast.With | ast.AsyncWith) -> Found:
    """`with app.setup:`: the block's body, without the `pass` marimo adds to a comments-only block."""
    context = node.items[0].context_expr
    options = constant_options(context.keywords) if isinstance(context, ast.Call) else {}
    start, indent = _body_start(text, node)
    last = text.extent(node, indent)
    source = dedent(text.segment(start, last).rstrip()).removesuffix("\npass")
    return Found("setup", "setup", source, options, node.lineno, last, (*start, indent))


def _body_start(text: Text, node: Any) -> tuple[tuple[int, int], str]:
    """Where a block's body text begins (the line after the header's `:`), and the body's indent."""
    colon_line = text.colon(node)
    first = node.body[0]
    if first.lineno == colon_line:  # `def _(): x = 1; return x`
        return (colon_line, text.column(first.lineno, first.col_offset)), ""
    return (colon_line + 1, 0), indent_of(text.lines[first.lineno - 1])


def _function_body(text: Text, node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, tuple, int]:
    """An `@app.cell` function's body without its signature and final `return`."""
    start, indent = _body_start(text, node)
    body, last_line = node.body, node.end_lineno or node.lineno
    final = body[-1]
    if not isinstance(final, ast.Return):
        last_line = text.extent(node, indent)
        code = text.segment(start, last_line).rstrip()
    elif len(body) > 1 and final.lineno <= (body[-2].end_lineno or 0):  # `x = 1; return x`
        code = text.segment(start, final.lineno, text.column(final.lineno, final.col_offset))
    elif start[0] < final.lineno:
        code = text.segment(start, final.lineno - 1)
    else:
        code = ""
    return dedent(code), (*start, indent), last_line
