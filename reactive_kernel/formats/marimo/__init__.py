"""The marimo notebook format: `@app.cell` functions in a `.py` file, read and written without running it.

A marimo file is `import marimo`, `__generated_with = "..."`, `app = marimo.App(...)`, an optional
`with app.setup:` block, then one `@app.cell` function per cell (parameters: the globals the cell
reads; `return`: those it defines), `@app.function` / `@app.class_definition` definitions,
`app._unparsable_cell(r\"\"\"...\"\"\")` for code that does not parse, and the
`if __name__ == "__main__": app.run()` guard.

`reads` gives an nbformat v4 notebook of code cells holding the bodies marimo shows (the cells
marimo's static loader finds; see `marimo_read` for the few hand-written forms it garbles and we keep).
A file this Python cannot parse whole (a cell written for a newer Python, or with a syntax error) is
read cell by cell as marimo does (`marimo_scan`): such a cell stays a cell of kind unparsable, with its
code, and the kernel says why when it runs; written back unedited, it keeps its text.
Markdown written as `mo.md(...)` stays a code cell, since that is what the file holds. Cell metadata:
`name` (absent for `_`), `jupyter.source_hidden` for `hide_code=True`, `disabled` for `disabled=True`,
and `reactive_format` with the cell's kind (setup, function, class_definition, unparsable; absent for
`@app.cell`), a hash of what was read, and the text around the source (`head`/`tail`, or the whole
`text` when re-indenting the source would not give the original bytes back) plus `lead`, the text
between the previous cell and this one when it is not marimo's usual blank lines. The notebook's
`reactive_format` holds the file's `header` (up to `app = marimo.App(...)`), `footer` and `newline`.

`writes` gives back the original bytes for cells whose hash still matches and generates the others the
way marimo 0.25 does, with parameters and returns from `reactive_kernel.core.analysis`. A notebook that was
never a marimo file gets a fresh header with `__generated_with = "0.25.2"`; Jupyter markdown cells
become `mo.md(r\"\"\"...\"\"\")` cells (with `import marimo as mo` added if no cell defines `mo`), raw
cells become unparsable cells.
"""

from __future__ import annotations

import json
import re
from typing import Any

import nbformat

from reactive_kernel import KERNELSPEC
from reactive_kernel.formats.marimo.read import (
    CONFIG_DEFAULTS,
    INDENT,
    LINE_BREAK,
    Found,
    Text,
    default_lead,
    fingerprint,
    layout,
    reindent,
)
from reactive_kernel.formats.marimo.scan import statements
from reactive_kernel.formats.marimo.write import write_notebook

__all__ = ["looks_like", "reads", "writes"]

_IMPORT = re.compile(r"^import[ \t]+marimo\b", re.MULTILINE)
_APP = re.compile(r"^app[ \t]*=[ \t]*[A-Za-z_]\w*\.App\(", re.MULTILINE)


def looks_like(text: str) -> bool:
    """The text is a marimo notebook: `import marimo` and `app = marimo.App(` at the start of lines."""
    return bool(_IMPORT.search(text)) and bool(_APP.search(text))


def reads(text: str) -> nbformat.NotebookNode:
    """The notebook of a marimo file; FormatError(reason, line) if it is not marimo, or if no cell can be
    found where it is not valid Python (or the text before the first cell is not)."""
    return _notebook(text)


def writes(nb: nbformat.NotebookNode) -> str:
    """The marimo file of a notebook; one read by `reads` and not edited gives back the same bytes."""
    return write_notebook(nb)


# -- reading ---------------------------------------------------------------------------------------


def _notebook(raw: str) -> nbformat.NotebookNode:
    """The notebook of a marimo file, with what `writes` needs to give back its bytes."""
    text = Text(raw)
    found_cells = layout(text, statements(text))
    match = LINE_BREAK.search(raw)
    newline = match.group() if match else "\n"
    pos = header_stop = text.offset(found_cells.header_end + 1)
    cells = []
    for index, found in enumerate(found_cells.cells):
        start, stop = text.offset(found.first), text.offset(found.last + 1)
        lead = raw[pos:start] if raw[pos:start] != default_lead(found.kind, newline) else None
        cells.append(_notebook_cell(found, index, lead, _chunk(text, found, start, stop, newline)))
        pos = stop
    record = {"name": "marimo", "header": raw[:header_stop], "footer": raw[pos:], "newline": newline}
    metadata = {"kernelspec": dict(KERNELSPEC), "reactive_format": record}
    # nbformat's new_* helpers validate every cell against the schema: most of the time on big files
    return nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": cells})


def _notebook_cell(found: Found, index: int, lead: str | None, chunk: dict[str, str]) -> dict[str, Any]:
    """A code cell with marimo's name and options mapped to Jupyter metadata, and what rebuilds its text."""
    metadata: dict[str, Any] = {}
    if found.name != "_":
        metadata["name"] = found.name
    if found.options.get("hide_code"):
        metadata["jupyter"] = {"source_hidden": True}
    if found.options.get("disabled"):
        metadata["disabled"] = True
    cell = {
        "id": f"marimo-{index}",
        "cell_type": "code",
        "metadata": metadata,
        "execution_count": None,
        "source": found.source,
        "outputs": [],
    }
    record: dict[str, Any] = {"kind": found.kind} if found.kind != "cell" else {}
    if lead is not None:
        record["lead"] = lead
    options = {key: value for key, value in found.options.items() if _kept_option(key, value)}
    if options:
        record["options"] = options
    record.update(chunk)
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
