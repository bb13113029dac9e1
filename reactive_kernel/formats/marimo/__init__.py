"""The marimo notebook format: `@app.cell` functions in a `.py` file, read and written without running it.

A marimo file is `import marimo`, `__generated_with = "..."`, `app = marimo.App(...)`, an optional
`with app.setup:` block, then one `@app.cell` function per cell (parameters: the globals the cell
reads; `return`: those it defines), `@app.function` / `@app.class_definition` definitions,
`app._unparsable_cell(r\"\"\"...\"\"\")` for code that does not parse, and the
`if __name__ == "__main__": app.run()` guard.

`reads` gives an nbformat v4 notebook of code cells holding the bodies marimo shows (the cells
marimo's static loader finds; see `reader` for the few hand-written forms it garbles and we keep).
A file this Python cannot parse whole (a cell written for a newer Python, or with a syntax error) is
read cell by cell as marimo does (`scan`): such a cell stays a cell of kind unparsable, with its
code, and the kernel says why when it runs; written back unedited, it keeps its text.
A cell that is only `mo.md(r\"\"\"...\"\"\")` (or `mo.md(\"\"\"...\"\"\")`) with a literal string is a
markdown cell, as marimo's editor shows it; its `reactive_format.markdown` records the literal's style,
which an edit keeps (`markdown`), and its `hide_code` (in `options`: JupyterLab would hide the text).
Any other `mo.md(...)` stays a code cell. Cell metadata:
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

The modules, by role: `syntax` (the pieces the others share: the text's lines, marimo's indent and dedent,
cell decorators and options, a cell as found), `reader` (text -> notebook) with `scan` (its token scan
where the file does not parse whole), and `writer` (notebook -> text).
"""

from __future__ import annotations

import re

import nbformat

from reactive_kernel.formats.marimo.reader import read_notebook
from reactive_kernel.formats.marimo.writer import write_notebook

__all__ = ["looks_like", "reads", "writes"]

_IMPORT = re.compile(r"^import[ \t]+marimo\b", re.MULTILINE)
_APP = re.compile(r"^app[ \t]*=[ \t]*[A-Za-z_]\w*\.App\(", re.MULTILINE)


def looks_like(text: str) -> bool:
    """The text is a marimo notebook: `import marimo` and `app = marimo.App(` at the start of lines."""
    return bool(_IMPORT.search(text)) and bool(_APP.search(text))


def reads(text: str) -> nbformat.NotebookNode:
    """The notebook of a marimo file; FormatError(reason, line) if it is not marimo, or if no cell can be
    found where it is not valid Python (or the text before the first cell is not)."""
    return read_notebook(text)


def writes(nb: nbformat.NotebookNode) -> str:
    """The marimo file of a notebook; one read by `reads` and not edited gives back the same bytes."""
    return write_notebook(nb)
