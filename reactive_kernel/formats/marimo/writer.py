"""Write a notebook as a marimo `.py` file: unedited cells keep their bytes, edited ones are generated.

A generated cell looks the way marimo 0.25 writes it: `@app.cell` (with non-default options), a `def`
whose parameters are the globals the cell reads that other cells define, the body indented by four
spaces, and a `return` of the globals it defines that other cells read (`return`, `return (a,)`,
`return a, b`; one name per line past 79 columns). Setup, function and class cells and cells that do
not parse as Python (`app._unparsable_cell`) follow marimo's forms too.
"""

from __future__ import annotations

import ast
import inspect
import json
import keyword
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import nbformat

from reactive_kernel.core.analysis import CellFacts, analyze
from reactive_kernel.formats.marimo.markdown import markdown_call
from reactive_kernel.formats.marimo.syntax import CONFIG_DEFAULTS, INDENT, default_lead, fingerprint, reindent

GENERATED_WITH = "0.25.2"  # the marimo version whose output we match, written into fresh headers
FRESH_HEADER = f'import marimo\n\n__generated_with = "{GENERATED_WITH}"\napp = marimo.App()\n'
FRESH_FOOTER = '\n\nif __name__ == "__main__":\n    app.run()\n'
_LF = "\n"  # generated text uses this, then the file's own line break
_WIDTH = 80  # marimo keeps a generated line on one line when it is shorter than this
_DEFINITIONS = {"function": (ast.FunctionDef, ast.AsyncFunctionDef), "class_definition": (ast.ClassDef,)}


@dataclass
class _Cell:
    """One cell on its way to the file."""

    kind: str  # "cell", "setup", "function", "class_definition" or "unparsable"
    name: str  # a valid identifier, "_" when anonymous
    source: str  # the cell's code ("\n" line breaks)
    options: dict[str, Any]  # marimo cell options: hide_code, disabled and any others read from the file
    lead: str  # the text before the cell: blank lines, comments between cells
    verbatim: str | None  # the cell's original text, when it was read from this format and not edited
    markdown: bool = False  # a Jupyter markdown cell, written as `mo.md(...)`
    facts: CellFacts | None = None  # filled in when some cell has to be generated


def write_notebook(nb: nbformat.NotebookNode) -> str:
    """The marimo file for `nb`; a notebook read by `reads` and not edited gives back its bytes."""
    record = nb.get("metadata", {}).get("reactive_format")
    ours = isinstance(record, Mapping) and record.get("name") == "marimo"
    record = record if ours else {}
    newline = record.get("newline") if record.get("newline") in ("\r\n", "\r") else "\n"
    cells = _setup_first([_plan(cell, ours, newline) for cell in nb.get("cells", [])])
    if any(cell.verbatim is None for cell in cells):
        for cell in cells:
            cell.facts = analyze(cell.source) if cell.kind != "unparsable" else None
        cells = _with_mo(cells, newline)
        scope = _Scope(cells)
        for cell in cells:
            if cell.verbatim is None:
                cell.verbatim = _generate(cell, scope, newline)
    header = record.get("header") if isinstance(record.get("header"), str) else FRESH_HEADER
    footer = record.get("footer") if isinstance(record.get("footer"), str) else FRESH_FOOTER
    pieces = [header]
    for cell in cells:
        pieces += [cell.lead, cell.verbatim or ""]
    return _join([*pieces, footer], newline)


def _join(pieces: list[str], newline: str) -> str:
    """Concatenate, starting a new line where a piece would otherwise continue an unterminated one."""
    out: list[str] = []
    open_line = False
    for piece in pieces:
        if not piece:
            continue
        if open_line:
            out.append(newline)
        out.append(piece)
        open_line = not piece.endswith(("\n", "\r"))
    return "".join(out)


def _plan(cell: Mapping[str, Any], ours: bool, newline: str) -> _Cell:
    """What to write for one notebook cell, and its original text if it is unchanged."""
    metadata = cell.get("metadata", {})
    record = metadata.get("reactive_format") if ours else None
    record = record if isinstance(record, Mapping) else {}
    source = cell.get("source", "")
    source = (source if isinstance(source, str) else "".join(source)).replace("\r\n", "\n")
    name = metadata.get("name")
    name = name if isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name) else "_"
    options = dict(record.get("options", {})) if isinstance(record.get("options"), Mapping) else {}
    jupyter = metadata.get("jupyter")
    hidden = bool(isinstance(jupyter, Mapping) and jupyter.get("source_hidden"))
    # a markdown cell read from a marimo file keeps its hide_code in the record (see the reader)
    markdown_hidden = cell.get("cell_type") == "markdown" and options.get("hide_code") is True
    options["hide_code"] = hidden or markdown_hidden
    options["disabled"] = bool(metadata.get("disabled"))
    kind = record.get("kind", "cell")
    kind = kind if kind in ("cell", "setup", "unparsable", *_DEFINITIONS) else "cell"
    markdown = cell.get("cell_type") == "markdown"
    if markdown and record.get("hash") == fingerprint(cell) and isinstance(record.get("text"), str):
        lead = record.get("lead", default_lead("cell", newline))
        code = markdown_call(source, record.get("markdown"))  # what it reads, if other cells are generated
        return _Cell("cell", name, code, options, lead, record["text"], markdown=True)
    if markdown:  # edited, or from Jupyter: in the style it was read in (marimo's for a new one)
        source, kind = markdown_call(source, record.get("markdown")), "cell"
    elif cell.get("cell_type") != "code":
        kind = "unparsable"  # raw cells: kept as text marimo will not run
    elif record.get("hash") == fingerprint(cell):
        original = _original(record, source, newline)
        if original is not None:
            return _Cell(
                kind, name, source, options, record.get("lead", default_lead(kind, newline)), original
            )
    if name == "setup" and kind == "cell":
        kind = "setup"  # as in marimo, a cell named setup is the setup cell
    kind, name = _checked_kind(kind, name, source)
    return _Cell(kind, name, source, options, record.get("lead", default_lead(kind, newline)), None, markdown)


def _original(record: Mapping[str, Any], source: str, newline: str) -> str | None:
    """The unedited cell's text: stored whole, or rebuilt from the text around its indented source."""
    if isinstance(record.get("text"), str):
        return record["text"]
    head, tail, indent = record.get("head"), record.get("tail"), record.get("indent", INDENT)
    if isinstance(head, str) and isinstance(tail, str) and isinstance(indent, str):
        return head + reindent(source, indent, newline) + tail
    return None


def _checked_kind(kind: str, name: str, source: str) -> tuple[str, str]:
    """The form an edited cell can take: code that does not parse is unparsable, a function cell that
    is no longer one definition becomes an ordinary cell (named `_`, as marimo does)."""
    tree = _parse(source)
    if tree is None:
        return "unparsable", name
    if kind == "unparsable":
        return "cell", name
    if kind == "setup" and not source.strip():
        return "cell", name  # marimo drops an empty setup block: keep the cell as an empty `def setup()`
    if kind in _DEFINITIONS:
        body = tree.body
        lines = source.strip().split("\n")
        if len(body) == 1 and isinstance(body[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if not lines[-1].startswith("#"):  # a comment after the definition would not be read back
                return ("class_definition" if isinstance(body[0], ast.ClassDef) else "function"), body[0].name
        return "cell", "_"
    return kind, name


def _parse(source: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _setup_first(cells: list[_Cell]) -> list[_Cell]:
    """marimo reads `with app.setup:` only as the first cell: move it there, demote any other."""
    setups = [i for i, cell in enumerate(cells) if cell.kind == "setup"]
    for i in setups[1:]:
        cells[i].kind, cells[i].verbatim = "cell", None
    if setups and setups[0] != 0:
        cells.insert(0, cells.pop(setups[0]))
    return cells


def _with_mo(cells: list[_Cell], newline: str) -> list[_Cell]:
    """Markdown converted to `mo.md(...)` needs `mo`: add `import marimo as mo` if no cell defines it."""
    if not any(cell.markdown for cell in cells) or any(c.facts and "mo" in c.facts.defs for c in cells):
        return cells
    at = 1 if cells and cells[0].kind == "setup" else 0
    source = "import marimo as mo"
    mo = _Cell("cell", "_", source, {}, newline * 2, None, facts=analyze(source))
    return [*cells[:at], mo, *cells[at:]]


class _Scope:
    """Which globals each cell gets as parameters and returns, from the analysis of every cell."""

    def __init__(self, cells: list[_Cell]) -> None:
        self.defined: Counter[str] = Counter()  # names ordinary cells define -> how many define them
        self.read: Counter[str] = Counter()  # names any cell reads -> how many read them
        self.module: set[str] = set()  # setup names and top-level functions and classes: plain globals
        for cell in cells:
            facts = cell.facts
            if facts is None or facts.error:
                continue
            self.read.update(facts.refs)
            if cell.kind == "cell":
                self.defined.update(facts.defs)
            else:
                self.module.update(facts.defs)

    def parameters(self, facts: CellFacts) -> list[str]:
        return sorted(
            n for n in facts.refs if self.defined[n] and n not in facts.defs and n not in self.module
        )

    def returns(self, facts: CellFacts) -> list[str]:
        return sorted(n for n in facts.defs if self.read[n] - (n in facts.refs) > 0 and n not in self.module)


# -- generating a cell's text ---------------------------------------------------------------------------


def _generate(cell: _Cell, scope: _Scope, newline: str) -> str:
    if cell.kind == "unparsable":
        text = _unparsable_text(cell)
    elif cell.kind == "setup":
        text = _setup_text(cell)
    elif cell.kind in _DEFINITIONS:
        text = f"{_options_call('@app.' + cell.kind, cell.options)}\n{cell.source.strip()}"
    else:
        text = _cell_text(cell, scope)
    text += "\n"
    return text if newline == "\n" else text.replace("\n", newline)


def _cell_text(cell: _Cell, scope: _Scope) -> str:
    facts = cell.facts or analyze(cell.source)
    prefix = "async " if _is_async(cell.source) else ""
    parameters = scope.parameters(facts)
    signature = (
        _wrapped(f"{prefix}def {cell.name}", parameters, ":") if parameters else f"{prefix}def {cell.name}():"
    )
    lines = [_options_call("@app.cell", cell.options), signature]
    body = reindent(cell.source, INDENT, "\n")
    if body:
        lines.append(body)
    if _ends_with_definition(cell.source):
        lines.append("")  # ruff's blank line after an import, def or class, as marimo writes it
    lines.append(_return_line(scope.returns(facts)))
    return "\n".join(lines)


def _return_line(names: list[str]) -> str:
    if not names:
        return f"{INDENT}return"
    line = f"{INDENT}return ({names[0]},)" if len(names) == 1 else f"{INDENT}return {', '.join(names)}"
    if len(line) < _WIDTH:
        return line
    return f"{INDENT}return (\n" + "".join(f"{INDENT * 2}{name},\n" for name in names) + f"{INDENT})"


def _wrapped(head: str, items: list[str], tail: str) -> str:
    """`head(a, b)tail`, or one item per line with a trailing comma when that is too long."""
    line = f"{head}({', '.join(items)}){tail}"
    if len(line) < _WIDTH:
        return line
    return f"{head}(\n" + "".join(f"{INDENT}{item},\n" for item in items) + f"){tail}"


def _options_call(head: str, options: Mapping[str, Any]) -> str:
    """`@app.cell` or `@app.cell(disabled=True, hide_code=True)`: non-default options, marimo's order."""
    known = [key for key in CONFIG_DEFAULTS if key in options]
    keys = known + [key for key in options if key not in CONFIG_DEFAULTS]
    items = [
        f"{key}={_literal(options[key])}" for key in keys if CONFIG_DEFAULTS.get(key, ...) != options[key]
    ]
    return _wrapped(head, items, "") if items else head


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    return repr(value)


def _ends_with_definition(source: str) -> bool:
    """The code ends with an import, def or class statement on its last line."""
    tree = _parse(source)
    if tree is None or not tree.body:
        return False
    last = tree.body[-1]
    kinds = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return isinstance(last, kinds) and last.end_lineno == source.rstrip().count("\n") + 1


def _is_async(source: str) -> bool:
    """Top-level `await`, `async for` or `async with`: the cell's function must be `async def`."""
    if "await" not in source and "async" not in source:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            code = compile(source, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return bool(code.co_flags & inspect.CO_COROUTINE)


def _setup_text(cell: _Cell) -> str:
    block = cell.source
    if all(not line.strip() or line.strip().startswith("#") for line in block.split("\n")):
        block += "\npass"  # a block needs a statement; marimo's loader drops this `pass` again
    prefix = "async " if _is_async(cell.source) else ""
    return f"{prefix}{_options_call('with app.setup', cell.options)}:\n{reindent(block, INDENT, _LF)}"


def _unparsable_text(cell: _Cell) -> str:
    """`app._unparsable_cell(r\"\"\"...\"\"\", name="...")`, options spelled out as marimo does."""
    code = cell.source
    if '"""' in code:
        literal = '"""\n' + code.replace("\\", "\\\\").replace('"', '\\"') + '\n"""'
    else:
        literal = 'r"""\n' + code + '\n"""'
    config = {key: cell.options.get(key, default) for key, default in CONFIG_DEFAULTS.items()}
    arguments = {**config, "name": cell.name} if config != CONFIG_DEFAULTS else {"name": cell.name}
    rendered = ", ".join(f"{key}={_literal(value)}" for key, value in arguments.items())
    return f"app._unparsable_cell(\n{reindent(literal + ',', INDENT, _LF)}\n{INDENT}{rendered}\n)"
