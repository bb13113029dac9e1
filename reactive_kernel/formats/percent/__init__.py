"""Read and write percent-format `.py` notebooks (`# %%` cells), compatible with jupytext's `py:percent`.

The layout is jupytext's (format version 1.3): an optional `#!` line and coding line, an optional YAML
header commented with `# ` between `# ---` lines (its `jupyter:` section is the notebook metadata; other
keys become a raw `---` cell, as in jupytext), then cells, each opened by a marker line `# %%`,
`# %% [markdown]` or `# %% [raw]`. The marker may carry a title and `key=JSON` pairs
(`# %% Load data tags=["a"] name="x"`), or one JSON object. Markdown and raw lines are commented with
`# `; in code cells magics and shell commands are commented (`# %time x`); a cell that starts with a
`%%bash`-style magic of another language is written `# %% language="bash"` with a commented body. Code
before the first marker is a cell with no marker, and a file without markers is one code cell. Of the
blank lines before a marker one (two after a PEP 8 pair) separates the cells, as jupytext reads them.
A new notebook gets jupytext's header with its own kernelspec, or the reactive kernel's.

Cells jupytext keeps out of scripts or out of notebooks follow its `active` rules both ways: a code cell
that is frozen (`run_control: {frozen: true}`), tagged `active-ipynb` or has `active="ipynb"` has its
lines commented; a cell whose marker makes it inactive in notebooks (`active="py"`, an `active-py` tag)
is a raw cell, of code lines when it is active in scripts. A code cell with such metadata is written
with `cell_type="code"` on its marker, and a raw cell of code lines that is not written `active="..."`
gets `active=""`, so both readers read the cell that was written.

Where jupytext's reading and writing disagree, or would lose text, this module decides:

- Marker escaping. A code line outside a string that would read as a marker (`# %%`, `#%% x`, an
  indented `    # %%`, `# <codecell>`, `# In[1]:`) is written with one more `# ` after its indentation
  (`# # %%`), and so is a line that already reads as such an escaped marker; reading takes exactly one
  level off (jupytext's rule for magics). jupytext would split the cell there, and reads our form as the
  comment `# # %%`. Lines inside triple-quoted strings are never escaped: both readers follow strings.
  In markdown and raw cells a line whose commented form would be a marker (`%%`, ` %% x`) is written
  without the comment prefix, which both readers take verbatim; inside a fenced block (where jupytext
  looks for no marker) it stays commented.
- `# %% reactive_trailing_newline=true` marks a code cell whose source ends with a single newline:
  jupytext takes the blank line before a marker for the separator, so that source has no plain form.
- `# %% reactive_lines=N` counts the lines up to the next marker for a cell that leaves a triple-quoted
  string open (or, in markdown, a fence that a later line closes), which would otherwise swallow the
  next cell in both readers. The two keys are reserved: read as flags, never as cell metadata, and
  ignored where they do not apply (jupytext keeps them as metadata).
- Metadata that does not parse is kept, as jupytext does, under `incorrectly_encoded_metadata` and
  written back verbatim. FormatError, with the line, is raised for a coding line other than utf-8,
  header YAML beyond our small reader (anchors, tags, block scalars), metadata nested more than
  NESTING_LIMIT (100) levels deep (checked before parsing it) and metadata that nbformat's schema
  refuses (e.g. `tags="a"`); writing metadata nested deeper is refused too. The header is read without
  PyYAML: block mappings and lists, plain and quoted scalars, flow collections, comments, `? key` entries.
- Deliberate differences from jupytext's reader: markdown lines are only uncommented (jupytext also
  unescapes magics there, so `# # ls` comes back as `ls`); quotes in markdown do not hide markers; a
  code line `# # %%` loses one `# `; lines split at `\\n` only (jupytext also splits at `\\f` and other
  Unicode line breaks). jupytext's `cell_marker` option is not interpreted, nor fenced blocks in a raw
  cell of code lines; when such a cell's marker also names a language (without `active`), jupytext
  keeps its lines as they are where we unescape magics.

Round trips are byte-exact. `reads` records how the file was written where that differs from what
`writes` would produce: notebook metadata `reactive_format` = {"name": "percent", "header": the exact
shebang/coding/YAML lines, "newline": "\\r\\n" for CRLF files, "final_newline": false}; cell metadata
`reactive_format` = {"marker": the marker line as written (null: no marker), "blank": blank lines after
the cell (their exact text if they hold spaces), "lines": [[line, position, prefix], ...] for body lines
whose comment prefix differs, "body": the body lines when they differ otherwise, "form": "plain" for a
`%%lang` cell not written jupytext's way, "header": true for the raw cell of non-`jupyter` header keys}.
`writes` uses a record only while it still reads back to the cell as it is now, so edited cells, new
cells and notebooks from `.ipynb` get the canonical form; a header that no longer matches the metadata
is written anew, with the keys it had. Where jupytext's own file reads back right, ours is the same
file. Reading and writing never import or run the file, and take time linear in its size.

The modules, by role: `syntax` (what a line is: markers, magics, comments, escapes, strings, fences),
`marker` (what a marker line says, and the one to write), `spacing` (blank lines between cells),
`header` with `yaml` (the header, both ways), `reader` (text -> cells) and `writer` (cells -> text,
and the record of how a file was read). This module joins them; each uses only the others' public names.
"""

from __future__ import annotations

import re

import nbformat
from nbformat import NotebookNode

from reactive_kernel.formats.percent.header import (
    DEFAULT_KERNELSPEC,
    FORMAT_VERSION,
    HEADER_KEYS,
    JUPYTEXT_VERSION,
    header_lines,
    header_metadata,
    scan_header,
)
from reactive_kernel.formats.percent.marker import LINE_COUNT, TRAILING_NEWLINE
from reactive_kernel.formats.percent.reader import assign_ids, new_cell, read_cells, split_lines, validate
from reactive_kernel.formats.percent.syntax import KEY, LANGUAGES, NAME, NESTING_LIMIT, as_dict, main_language
from reactive_kernel.formats.percent.writer import CELL_TYPES, HIDDEN_CELL_KEYS, cell_lines, record_layout

__all__ = [
    "CELL_TYPES",
    "DEFAULT_KERNELSPEC",
    "FORMAT_VERSION",
    "HEADER_KEYS",
    "HIDDEN_CELL_KEYS",
    "JUPYTEXT_VERSION",
    "KEY",
    "LANGUAGES",
    "LINE_COUNT",
    "NAME",
    "NESTING_LIMIT",
    "TRAILING_NEWLINE",
    "looks_like",
    "reads",
    "writes",
]


_MARKER_AT_COLUMN_0 = re.compile(r"^#[^\S\r\n]*%%(?:%*[^\S\r\n]|[^\S\r\n]*\r?$)", re.MULTILINE)


def looks_like(text: str) -> bool:
    """Whether `text` is a percent notebook: a jupytext YAML header naming a kernelspec or jupytext format
    at the top, or a `# %%` marker at column 0."""
    lines = text[:20000].replace("\r\n", "\n").split("\n")
    head = scan_header(lines)
    if head.ended and any(re.match(r"\s+(kernelspec|jupytext)\s*:", line) for _, line in head.jupyter):
        return True
    return _MARKER_AT_COLUMN_0.search(text) is not None


def reads(text: str) -> NotebookNode:
    """The notebook in a percent `.py` file (nbformat v4.5), with what `writes` needs to give back the bytes.

    Raises:
        FormatError: the header is not YAML we can read, declares another encoding than utf-8, or the
            metadata (header or marker line) is not valid for nbformat; `line` says where.
    """
    newline, final_newline, lines = split_lines(text)
    head = scan_header(lines)
    metadata = header_metadata(head)
    main = main_language(metadata)
    found = read_cells(lines, head.end, main)
    record_layout(found, main, lines)
    cells = [item.cell for item in found]
    if head.raw is not None:
        raw = new_cell("raw", head.raw, {KEY: {"header": True}})
        cells.insert(0, raw)
    info: dict = {"name": NAME}
    if head.end:
        info["header"] = "\n".join(lines[: head.end])
    if newline != "\n":
        info["newline"] = newline
    if not final_newline:
        info["final_newline"] = False
    metadata[KEY] = info
    assign_ids(cells)
    nb = NotebookNode(nbformat=4, nbformat_minor=5, metadata=nbformat.from_dict(metadata), cells=cells)
    validate(nb, head, found)
    return nb


def writes(nb: NotebookNode) -> str:
    """The percent `.py` text of a notebook: the bytes it was read from while nothing changed, jupytext's
    layout for what is new or edited."""
    metadata = nb.get("metadata") or {}
    info = as_dict(metadata.get(KEY))
    if info.get("name") != NAME:
        info = {}
    newline = info.get("newline") if info.get("newline") in ("\n", "\r\n") else "\n"
    cells = list(nb.get("cells") or [])
    head, cells = header_lines(metadata, info, cells)
    main = main_language(metadata)
    out = cell_lines(cells, main, bool(info), head, markerless=True)
    if scan_header(out).end != len(head):  # the first cell, written without a marker, reads as header
        out = cell_lines(cells, main, bool(info), head, markerless=False)
    final = info.get("final_newline") is not False
    ended = out if final else out[:-1]  # the lines a newline follows
    if newline == "\n" and ended and all(line.endswith("\r") for line in ended):
        newline = "\r\n"  # LF lines that all end in \r would read back as a CRLF file
    return newline.join(out) + (newline if final and out else "")
