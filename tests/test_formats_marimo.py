"""Tests for reactive_kernel.formats.marimo: golden files against marimo's own loader and code generator,
byte identity of unedited notebooks, and how edited and new cells are written."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marimo._ast.app_config import _AppConfig
from marimo._ast.cell import CellConfig
from marimo._ast.codegen import generate_filecontents
from marimo._ast.parse import parse_notebook
from marimo._schemas.serialization import ClassCell, FunctionCell, SetupCell, UnparsableCell

from reactive_kernel.core.analysis import analyze
from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats import marimo
from reactive_kernel.formats.marimo.markdown import markdown_call
from reactive_kernel.formats.marimo.writer import GENERATED_WITH
from tests.fuzzing import examples

GOLDEN = Path(__file__).parent / "golden" / "marimo"
GOLDEN_FILES = sorted(path.name for path in GOLDEN.glob("*.py.txt"))
VARIANTS = {
    "lf": lambda text: text,
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "cr": lambda text: text.replace("\n", "\r"),
    "no-final-newline": lambda text: text.rstrip("\n"),
}
HEADER = 'import marimo\n\n__generated_with = "0.25.2"\napp = marimo.App()\n\n\n'
FOOTER = '\n\nif __name__ == "__main__":\n    app.run()\n'
KINDS = {
    UnparsableCell: "unparsable",
    SetupCell: "setup",
    FunctionCell: "function",
    ClassCell: "class_definition",
}
DEFAULTS = CellConfig().asdict()
OLDER = sys.version_info < (3, 12)  # Python 3.12 syntax does not parse here
OLDER_PYTHON = "unparsable" if OLDER else "cell"  # the kind of a cell holding Python 3.12 syntax


def golden(name: str, variant: str = "lf") -> str:
    with open(GOLDEN / name, encoding="utf-8", newline="") as file:  # keep the bytes as they are
        return VARIANTS[variant](file.read())


def notebook_file(*cells: str) -> str:
    """A marimo file around cell texts, two blank lines apart."""
    return HEADER + "\n\n\n".join(cells) + "\n" + FOOTER


def marimo_cells(text: str) -> list[tuple]:
    """(kind, name, code, config) of each cell marimo's static loader finds."""
    found = []
    for cell in parse_notebook(text).cells:
        options = dict(cell.options)
        name = options.pop("name", "_") if isinstance(cell, UnparsableCell) else cell.name
        config = CellConfig.from_dict(options, warn=False).asdict()
        found.append((KINDS.get(type(cell), "cell"), name or "_", cell.code, config))
    return found


def our_cells(nb: nbformat.NotebookNode) -> list[tuple]:
    """The same tuple, from our notebook's cells and metadata (a markdown cell: the `mo.md` code it reads)."""
    found = []
    for cell in nb.cells:
        record = cell.metadata.get("reactive_format", {})
        source = cell.source
        if cell.cell_type == "markdown":
            source = markdown_call(source, record.get("markdown"))
        config = {**DEFAULTS, **{k: v for k, v in record.get("options", {}).items() if k in DEFAULTS}}
        hidden = bool(cell.metadata.get("jupyter", {}).get("source_hidden"))
        # a markdown cell keeps hide_code in its record
        config["hide_code"] = hidden or record.get("options", {}).get("hide_code") is True
        config["disabled"] = bool(cell.metadata.get("disabled"))
        found.append((record.get("kind", "cell"), cell.metadata.get("name", "_"), source, config))
    return found


def marimo_file(cells: list[tuple[str, str, dict]], app: dict | None = None) -> str:
    """What marimo's code generator writes for (code, name, options) cells."""
    codes, names = [code for code, _, _ in cells], [name for _, name, _ in cells]
    configs = [CellConfig(**options) for _, _, options in cells]
    return generate_filecontents(codes, names, configs, _AppConfig(**(app or {})))


def edited_everywhere(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as if every cell had been edited (their hashes no longer match)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata.get("reactive_format", {}).pop("hash", None)
    return nb


def code_cell(source: str, name: str | None = None, hidden: bool = False, disabled: bool = False):
    metadata: dict = {"name": name} if name else {}
    if hidden:
        metadata["jupyter"] = {"source_hidden": True}
    if disabled:
        metadata["disabled"] = True
    return nbformat.v4.new_code_cell(source, metadata=metadata)


def summary(nb: nbformat.NotebookNode) -> list[tuple]:
    """What a notebook user sees and sets: source, name, hidden code, disabled."""
    return [
        (
            cell.source,
            cell.metadata.get("name"),
            bool(cell.metadata.get("jupyter", {}).get("source_hidden")),
            bool(cell.metadata.get("disabled")),
        )
        for cell in nb.cells
    ]


# --- golden files: marimo's loader finds the same cells, and unedited notebooks give back their bytes ----

GOLDEN_CASES = [(name, variant) for name in GOLDEN_FILES for variant in VARIANTS]


def golden_marimo_cells(name: str, variant: str) -> list[tuple]:
    """What marimo's loader finds in a golden file. Its fallback for a file that does not parse whole reads
    lines split at `\n` only, so a `\r` file fails there: we read that one as its `\n` twin."""
    try:
        return marimo_cells(golden(name, variant))
    except SyntaxError:
        if variant != "cr":
            raise
        return marimo_cells(golden(name))


@pytest.mark.parametrize(("name", "variant"), GOLDEN_CASES)
def test_golden_file_reads_the_cells_marimo_finds(name, variant):
    text = golden(name, variant)
    assert our_cells(marimo.reads(text)) == golden_marimo_cells(name, variant)


@pytest.mark.parametrize(("name", "variant"), GOLDEN_CASES)
def test_golden_file_written_unedited_gives_back_its_bytes(name, variant):
    text = golden(name, variant)
    assert marimo.writes(marimo.reads(text)) == text


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_golden_notebook_is_valid_and_survives_ipynb_json(name):
    text = golden(name)
    nb = marimo.reads(text)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"] == {
        "display_name": "Python 3 (reactive)",
        "language": "python",
        "name": "reactive-python",
    }
    assert nb.metadata["reactive_format"]["name"] == "marimo"
    assert marimo.writes(nbformat.reads(nbformat.writes(nb), as_version=4)) == text


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_golden_file_with_every_cell_edited_still_loads_to_the_same_cells(name):
    text = golden(name)
    rewritten = marimo.writes(edited_everywhere(marimo.reads(text)))
    expected = [(kind, n, code.strip(), config) for kind, n, code, config in marimo_cells(text)]
    assert [(kind, n, code.strip(), config) for kind, n, code, config in marimo_cells(rewritten)] == expected


def test_golden_files_are_all_found():
    expected = {"generated_0_25.py.txt", "old_0_1.py.txt", "old_0_8.py.txt", "handwritten.py.txt"}
    assert expected | {"newer_python.py.txt"} <= set(GOLDEN_FILES)


def test_a_file_for_a_newer_python_opens_with_every_cell_and_says_why_a_cell_cannot_run():
    nb = marimo.reads(golden("newer_python.py.txt"))
    found = [(cell.metadata["reactive_format"].get("kind", "cell"), cell.source) for cell in nb.cells]
    assert len(found) == 9
    assert found[5] == ("cell", 'try:\n    raise ExceptionGroup("two", [ValueError(1), TypeError(2)])\n'
                                "except* ValueError:\n    pass")  # fmt: skip
    newer = [1, 2, 3, 4]  # PEP 701 f-strings and PEP 695 `type`: Python 3.12
    assert [found[k][0] for k in newer] == [OLDER_PYTHON] * 4
    assert found[4][1] == "type Pair = tuple[int, int]"
    assert [found[k] for k in (6, 7)] == [("unparsable", "total = 1 +"), ("unparsable", "broken = (1,")]
    for kind, source in found:
        error = analyze(source).error  # what the kernel reports when such a cell runs
        assert (kind == "unparsable") == (error is not None) and (error is None or "SyntaxError" in error)


def test_unedited_cells_store_the_text_around_their_source_not_the_whole_text():
    nb = marimo.reads(golden("generated_0_25.py.txt"))
    records = [cell.metadata["reactive_format"] for cell in nb.cells]
    # a markdown cell (`mo.md(r"""...""")` only) keeps its text whole: its source is the markdown
    assert [r.get("kind") for r in records if "text" in r and "markdown" not in r] == ["unparsable"] * 2
    assert [nb.cells[i].cell_type for i, r in enumerate(records) if "markdown" in r] == ["markdown"]
    assert records[2] == {
        "head": "@app.cell\ndef numbers():\n",
        "tail": "\n    return x, y\n",
        "hash": records[2]["hash"],
    }


# --- files marimo's own code generator writes -----------------------------------------------------------

LONG_A, LONG_B = "a_long_variable_name_for_the_test_one", "a_long_variable_name_for_the_test_two"
# (case, cells as (code, name, options), app options)
GENERATED = [
    ("one cell", [("x = 1", "_", {})], {}),
    ("chain", [("x = 1", "_", {}), ("y = x + 1", "_", {}), ("print(x, y)", "show", {})], {}),
    ("import before return", [("import math", "_", {}), ("math.pi", "_", {})], {}),
    ("options", [("a = 1", "_", {"hide_code": True, "disabled": True}), ("a", "_", {"column": 1})], {}),
    ("expand output", [("b = 2", "_", {"expand_output": True})], {"width": "medium"}),
    ("private names", [("_t = 1\nu = _t", "_", {}), ("u + 1", "_", {})], {}),
    ("async", [("import asyncio", "_", {}), ("await asyncio.sleep(0)", "_", {})], {}),
    ("empty and comment", [("", "_", {}), ("# note", "_", {})], {"app_title": "T"}),
    ("unparsable", [("x = (", "_", {}), ("y = '''", "broken", {"hide_code": True})], {}),
    ("function and class", [("def f(x):\n    return x", "_", {}), ("class A:\n    n = f(1)", "_", {})], {}),
    ("setup", [("import os", "setup", {}), ("p = os.sep", "_", {})], {}),
    ("hidden setup", [("# nothing", "setup", {"hide_code": True}), ("q = 1", "_", {})], {}),
    ("markdown", [("import marimo as mo", "_", {}), ('mo.md("# Title")', "_", {})], {}),
    ("long names", [(f"{LONG_A} = {LONG_B} = 1", "_", {}), (f"print({LONG_A}, {LONG_B})", "_", {})], {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("cells", "app"), [case[1:] for case in GENERATED], ids=[case[0] for case in GENERATED]
)
def test_marimo_generated_file_reads_like_marimo_and_regenerates_identically(cells, app):
    text = marimo_file(cells, app)
    nb = marimo.reads(text)
    assert our_cells(nb) == marimo_cells(text)
    assert marimo.writes(nb) == text
    assert marimo.writes(edited_everywhere(nb)) == text


# --- what each part of the format maps to ---------------------------------------------------------------

# (cell text, source, metadata other than reactive_format, kind, extra options)
MAPPING = [
    ("@app.cell\ndef _():\n    x = 1\n    return (x,)", "x = 1", {}, None, None),
    ("@app.cell\ndef total():\n    t = 1\n    return", "t = 1", {"name": "total"}, None, None),
    ("@app.cell\ndef __():\n    u = 1\n    return u,", "u = 1", {"name": "__"}, None, None),
    ("@app.cell(hide_code=True)\ndef _():\n    pass\n    return", "pass",
     {"jupyter": {"source_hidden": True}}, None, None),
    ("@app.cell(disabled=True)\ndef _():\n    v = 2\n    return", "v = 2", {"disabled": True}, None, None),
    ("@app.cell(column=2, expand_output=True)\ndef _():\n    w = 3\n    return", "w = 3", {}, None,
     {"column": 2, "expand_output": True}),
    ("@app.cell\ndef _(mo):\n    mo.md('# Title')\n    return", "mo.md('# Title')", {}, None, None),
    ("@app.cell\nasync def _():\n    await g()\n    return", "await g()", {}, None, None),
    ("@app.cell\ndef _():\n    if a:\n        b = 1\n\n    c = 2\n    return", "if a:\n    b = 1\n\nc = 2",
     {}, None, None),
    ("@app.cell\ndef _():\n    return", "", {}, None, None),
    ("with app.setup:\n    import os", "import os", {"name": "setup"}, "setup", None),
    ("with app.setup(hide_code=True):\n    # only comments\n    pass", "# only comments",
     {"name": "setup", "jupyter": {"source_hidden": True}}, "setup", None),
    ("@app.function\ndef f(x):\n    return x", "def f(x):\n    return x", {"name": "f"}, "function", None),
    ("@app.function(hide_code=True)\n@cache\ndef g():\n    return 1", "@cache\ndef g():\n    return 1",
     {"name": "g", "jupyter": {"source_hidden": True}}, "function", None),
    ("@app.class_definition\nclass A:\n    n = 1", "class A:\n    n = 1", {"name": "A"}, "class_definition",
     None),
    ('app._unparsable_cell(\n    r"""\n    x = (\n    """,\n    name="broken"\n)', "x = (",
     {"name": "broken"}, "unparsable", None),
    ('app._unparsable_cell(\n    r"""\n    y +\n    """,\n    column=None, disabled=True, hide_code=False, '
     'expand_output=False, name="_"\n)', "y +", {"disabled": True}, "unparsable", None),
]  # fmt: skip


@pytest.mark.parametrize(("cell", "source", "metadata", "kind", "options"), MAPPING)
def test_cell_maps_to_source_and_metadata(cell, source, metadata, kind, options):
    text = notebook_file(cell)
    (nb_cell,) = marimo.reads(text).cells
    record = nb_cell.metadata.pop("reactive_format")
    assert (nb_cell.cell_type, nb_cell.source, dict(nb_cell.metadata)) == ("code", source, metadata)
    assert (record.get("kind"), record.get("options")) == (kind, options)
    assert our_cells(marimo.reads(text)) == marimo_cells(text)


def test_a_file_with_no_cells_reads_as_an_empty_notebook():
    text = HEADER.rstrip("\n") + "\n" + FOOTER
    nb = marimo.reads(text)
    assert nb.cells == [] and marimo_cells(text) == []
    assert marimo.writes(nb) == text


# Hand-written forms where marimo's loader garbles the cell and we keep its text (see marimo/reader.py).
# (cell text, what marimo 0.25.2 shows, what we read)
FAITHFUL = [
    ("@app.cell\n# note\ndef _():\n    x = 1\n    y = 2\n    return", "y = 2", "x = 1\ny = 2"),
    ("@app.cell\ndef _(): print(1)", "t(1)", "print(1)"),
    ("@app.cell\ndef _():\n    x = 1\n    # trailing", "x = 1    # trailing", "x = 1\n# trailing"),
    ("@app.cell\ndef _():\n    x = 1  # why", "x = 1", "x = 1  # why"),
    ("@app.cell\ndef _():\n    s = 'é'; return", "s = 'é'; r", "s = 'é'; "),
    ("@app.function\ndef f():\n    return 1  # one", "def f():\n    return 1",
     "def f():\n    return 1  # one"),
    ("with app.setup:\n    import os  # why", "import os", "import os  # why"),
    ("with app.setup: import os", "\n\nwith app.setup: import os", "import os"),
]  # fmt: skip


@pytest.mark.parametrize(("cell", "theirs", "ours"), FAITHFUL)
def test_hand_written_forms_marimo_garbles_keep_their_text(cell, theirs, ours):
    text = notebook_file(cell)
    assert [code for _, _, code, _ in marimo_cells(text)] == [theirs]
    assert [c.source for c in marimo.reads(text).cells] == [ours]
    assert marimo.writes(marimo.reads(text)) == text


# Cells this Python cannot parse stay cells: (cell text, what we read: kind, name, code, options, whether
# marimo's loader reads the same). A file that does not parse whole is read cell by cell, as marimo does;
# we keep the decorator's options and show a function cell's definition (see marimo/scan.py).
NEWER = "type Id = int"  # Python 3.12 syntax (PEP 695)
FSTRING = "s = f\"{'\\n'.join(['a'])}\""  # Python 3.12 (PEP 701)
HIDDEN = "@app.cell(hide_code=True, disabled=True)\ndef _():\n    x = 1 +\n    return"
OPEN_STRING = '@app.cell\ndef _():\n    s = """never closed\n    return'
NEWER_SETUP = "with app.setup:\n    " + NEWER
BROKEN = "unparsable"
SETUP_NAME = "_" if OLDER else "setup"
UNPARSABLE = [
    ("@app.cell\ndef _():\n    " + NEWER + "\n    return (Id,)", OLDER_PYTHON, "_", NEWER, {}, True),
    ("@app.cell\ndef f():\n    " + FSTRING + "\n    return", OLDER_PYTHON, "f", FSTRING, {}, True),
    ("@app.cell\ndef _():\n    total = 1 +\n    return", BROKEN, "_", "total = 1 +", {}, True),
    ("@app.cell\ndef _(:\n    return", BROKEN, "_", "@app.cell\ndef _(:\n    return", {}, True),
    (OPEN_STRING, BROKEN, "_", 's = """never closed', {}, True),
    ("@app.cell\ndef _():\n    x = (1,\n    return", BROKEN, "_", "x = (1,", {}, True),
    (HIDDEN, BROKEN, "_", "x = 1 +", {"hide_code": True, "disabled": True}, False),
    ("@app.function\ndef f[T](x: T) -> T:\n    return x", OLDER_PYTHON.replace("cell", "function"), "f",
     "def f[T](x: T) -> T:\n    return x", {}, not OLDER),
    ("@app.class_definition\nclass Box[T]:\n    item: T", OLDER_PYTHON.replace("cell", "class_definition"),
     "Box", "class Box[T]:\n    item: T", {}, not OLDER),
    (NEWER_SETUP, OLDER_PYTHON.replace("cell", "setup"), SETUP_NAME, NEWER, {}, True),
]  # fmt: skip
OTHER_CELL = "@app.cell\ndef _():\n    y = 2\n    return (y,)"


@pytest.mark.parametrize(("cell", "kind", "name", "code", "options", "like_marimo"), UNPARSABLE)
def test_a_cell_this_python_cannot_parse_stays_a_cell_and_keeps_its_text(
    cell, kind, name, code, options, like_marimo
):
    text = notebook_file(cell, OTHER_CELL)
    nb = marimo.reads(text)
    config = {**DEFAULTS, **options}
    assert our_cells(nb) == [(kind, name, code, config), ("cell", "_", "y = 2", DEFAULTS)]
    theirs = marimo_cells(text)
    assert (our_cells(nb) == theirs) is like_marimo
    assert [found[:2] for found in theirs] == [found[:2] for found in our_cells(nb)]  # kinds and names agree
    assert marimo.writes(nb) == text
    nb.cells[1].source = "y = 3"
    out = marimo.writes(nb)
    assert out.startswith(HEADER + cell + "\n\n\n") and "    y = 3\n" in out  # kept while another changes


@pytest.mark.parametrize("cell", [case[0] for case in UNPARSABLE if case[1] == BROKEN])
def test_an_edited_cell_that_still_does_not_parse_is_written_as_marimo_writes_one(cell):
    nb = marimo.reads(notebook_file(cell, OTHER_CELL))
    nb.cells[0].source += "\n# edited"
    text = marimo.writes(nb)
    assert "app._unparsable_cell(" in text
    assert our_cells(marimo.reads(text)) == marimo_cells(text) == our_cells(nb)
    nb.cells[0].source = "x = 1"  # fixed: an ordinary cell again
    assert marimo_cells(marimo.writes(nb))[0][:3] == ("cell", our_cells(nb)[0][1], "x = 1")


DEEP_CELLS = {  # code nested past what the parser takes: a SyntaxError, or a MemoryError marimo dies of
    "brackets": "x = " + "(" * 3000 + "1" + ")" * 3000,
    "operators": "x = " + "-" * 100_000 + "1",
}


@pytest.mark.parametrize("name", sorted(DEEP_CELLS))
def test_a_cell_nested_too_deeply_to_parse_is_an_unparsable_cell(name):
    text = notebook_file(f"@app.cell\ndef _():\n    {DEEP_CELLS[name]}\n    return", OTHER_CELL)
    nb = marimo.reads(text)
    assert [c[:3] for c in our_cells(nb)] == [("unparsable", "_", DEEP_CELLS[name]), ("cell", "_", "y = 2")]
    assert marimo.writes(nb) == text


def test_a_header_nested_too_deeply_to_parse_is_a_format_error_with_its_line():
    text = HEADER.replace("marimo.App()", "marimo.App(x=" + "[" * 3000 + "]" * 3000 + ")") + OTHER_CELL
    with pytest.raises(FormatError) as info:
        marimo.reads(text)
    assert info.value.line == 4


GUARD = 'if __name__ == "__main__":\n    app.run()'
SETUP = "with app.setup:\n    import os"
CELL = "@app.cell\ndef _():\n    x = 1\n    return (x,)"
# Statements between the header and the first cell, a run guard among them: marimo skips them all, but a
# guard just before the first cell (other than setup) ends the notebook there.
BEFORE_THE_FIRST_CELL = [
    ([GUARD, CELL], 0),
    ([GUARD, SETUP, CELL], 2),
    ([GUARD, "x = 1", CELL], 1),
    (["x = 1", GUARD, "y = 2", SETUP, CELL, GUARD, CELL], 2),
]


@pytest.mark.parametrize(("parts", "count"), BEFORE_THE_FIRST_CELL)
def test_a_run_guard_before_the_first_cell_is_read_as_marimo_reads_it(parts, count):
    text = HEADER + "\n\n\n".join(parts) + "\n"
    nb = marimo.reads(text)
    assert len(nb.cells) == count
    assert our_cells(nb) == marimo_cells(text)
    assert marimo.writes(nb) == text


# --- edits ------------------------------------------------------------------------------------------


def test_edited_cell_gets_fresh_parameters_and_returns_and_neighbours_keep_their_text():
    text = golden("handwritten.py.txt")
    nb = marimo.reads(text)
    nb.cells[1].source = nb.cells[1].source.replace('name = "world"', 'name = "there"\nextra = 2')
    out = marimo.writes(nb)
    new_greeting = (
        "@app.cell\ndef greeting(mo):\n    # a leading comment inside the cell\n"
        '    name = "there"\n    extra = 2\n'
    )
    assert new_greeting in out
    assert "    return (message,)\n    # a comment after the return, indented\n" in out
    before, after = text.split("@app.cell()\ndef greeting(")[0], text.split("# a comment after the return")[1]
    assert out.startswith(before) and out.endswith(after)  # comments, tabs, odd cells after it: unchanged


def test_new_cells_are_generated_and_their_readers_keep_their_text():
    text = golden("generated_0_25.py.txt")
    nb = marimo.reads(text)
    nb.cells.insert(3, code_cell("w = y * 2\n_scratch = w", name="doubled"))
    nb.cells.append(code_cell("print(w, total)"))
    out = marimo.writes(nb)
    assert "\n\n\n@app.cell\ndef doubled(y):\n    w = y * 2\n    _scratch = w\n    return (w,)\n\n\n" in out
    assert out.endswith("\n\n\n@app.cell\ndef _(total, w):\n    print(w, total)\n    return\n" + FOOTER)
    doubled = "\n\n@app.cell\ndef doubled(y):\n    w = y * 2\n    _scratch = w\n    return (w,)\n"
    last = "\n\n@app.cell\ndef _(total, w):\n    print(w, total)\n    return\n"
    assert out.replace(doubled, "").replace(last, "") == text  # every other cell kept its text
    assert [c.source for c in marimo.reads(out).cells][3] == "w = y * 2\n_scratch = w"


# (edit, the cell text written for cell 2 of generated_0_25 "numbers": x = 1, y = x + 1)
OPTION_EDITS = [
    (lambda c: c.metadata.update(jupyter={"source_hidden": True}),
     "@app.cell(hide_code=True)\ndef numbers():\n"),
    (lambda c: c.metadata.update(disabled=True), "@app.cell(disabled=True)\ndef numbers():\n"),
    (lambda c: c.metadata.update(name="renamed"), "@app.cell\ndef renamed():\n"),
    (lambda c: c.metadata.pop("name"), "@app.cell\ndef _():\n"),
    (lambda c: c.metadata.update(name="not valid"), "@app.cell\ndef _():\n"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "head"), OPTION_EDITS)
def test_changing_a_cells_options_rewrites_only_that_cell(edit, head):
    text = golden("generated_0_25.py.txt")
    nb = marimo.reads(text)
    edit(nb.cells[2])
    out = marimo.writes(nb)
    assert out == text.replace("@app.cell\ndef numbers():\n", head)


def test_deleting_a_cell_removes_its_text_and_nothing_else():
    text = golden("handwritten.py.txt")
    nb = marimo.reads(text)
    del nb.cells[1]
    out = marimo.writes(nb)
    start = text.index("\n# A comment between cells")  # the cell's lead goes with it
    stop = text.index("    # a comment after the return, indented")
    assert out == text[:start] + text[stop:]


# (kind of the first cell, its new source, the text it is written as)
KIND_EDITS = [
    ("@app.function\ndef f(x):\n    return x", "def f(y):\n    return y",
     "@app.function\ndef f(y):\n    return y"),
    ("@app.function\ndef f(x):\n    return x", "z = 1", "@app.cell\ndef _():\n    z = 1\n    return"),
    ("@app.function\ndef f(x):\n    return x", "def f():\n    pass\n# after", "@app.cell\ndef _():\n"),
    ("@app.class_definition\nclass A:\n    pass", "def g():\n    pass", "@app.function\ndef g():\n    pass"),
    ('app._unparsable_cell(\n    r"""\n    x = (\n    """,\n    name="broken"\n)', "x = (1)",
     "@app.cell\ndef broken():\n    x = (1)\n    return"),
    ("@app.cell\ndef _():\n    x = 1\n    return", "x = (",
     'app._unparsable_cell(\n    r"""\n    x = (\n    """,\n    name="_"\n)'),
    ("@app.cell\ndef _():\n    x = 1\n    return", "%time x = 1",
     'app._unparsable_cell(\n    r"""\n    %time x = 1\n    """,\n    name="_"\n)'),
    ("with app.setup:\n    import os", "import sys", "with app.setup:\n    import sys\n"),
    ("with app.setup:\n    import os", "", "@app.cell\ndef setup():\n    return"),
]  # fmt: skip


@pytest.mark.parametrize(("cell", "source", "written"), KIND_EDITS)
def test_edited_cell_takes_the_form_its_new_source_allows(cell, source, written):
    nb = marimo.reads(notebook_file(cell))
    nb.cells[0].source = source
    out = marimo.writes(nb)
    assert written in out
    assert [code for _, _, code, _ in marimo_cells(out)] == [source]


def test_edited_cell_in_a_crlf_file_is_written_with_crlf():
    text = golden("old_0_8.py.txt", "crlf")
    nb = marimo.reads(text)
    nb.cells[2].source += "\nmonths = len(frame)"
    out = marimo.writes(nb)
    assert "\n" not in out.replace("\r\n", "")
    assert "    months = len(frame)\r\n    return by_month, first_month, frame\r\n" in out


def test_header_app_options_and_version_are_kept_through_edits():
    text = golden("setup_functions.py.txt")
    nb = marimo.reads(text)
    for cell in nb.cells:
        cell.source += "\n"
    out = marimo.writes(nb)
    header = text[: text.index("with app.setup")]
    assert out.startswith(header)  # script block, docstring, __generated_with = "0.25.2", App(...)
    assert 'app = marimo.App(width="full", css_file="custom.css", auto_download=["html", "ipynb"])' in out


def test_setup_cell_is_always_written_first():
    nb = marimo.reads(golden("setup_functions.py.txt"))
    nb.cells.append(nb.cells.pop(0))
    out = marimo.writes(nb)
    assert marimo_cells(out)[0][:2] == ("setup", "setup")


# --- notebooks that were never marimo files -----------------------------------------------------------

# (source, the cell text written in a notebook where another cell defines `a` and reads `b`)
GENERATED_FORMS = [
    ("b = a + 1", "@app.cell\ndef _(a):\n    b = a + 1\n    return (b,)"),
    ("b = 1\nc = 2", "@app.cell\ndef _():\n    b = 1\n    c = 2\n    return (b,)"),
    ("_b = a\nprint(_b)", "@app.cell\ndef _(a):\n    _b = a\n    print(_b)\n    return"),
    ("import b", "@app.cell\ndef _():\n    import b\n\n    return (b,)"),
    ("def b():\n    return a", "@app.cell\ndef _(a):\n    def b():\n        return a\n\n    return (b,)"),
    ("b = 1  # note\n# end", "@app.cell\ndef _():\n    b = 1  # note\n    # end\n    return (b,)"),
    ("await a\nb = 2", "@app.cell\nasync def _(a):\n    await a\n    b = 2\n    return (b,)"),
    ("print(len(a))", "@app.cell\ndef _(a):\n    print(len(a))\n    return"),
    ("a = 2\nb = a", "@app.cell\ndef _():\n    a = 2\n    b = a\n    return (b,)"),
    ("", "@app.cell\ndef _():\n    return"),
]  # fmt: skip


@pytest.mark.parametrize(("source", "written"), GENERATED_FORMS)
def test_new_cell_parameters_and_returns(source, written):
    nb = nbformat.v4.new_notebook(cells=[code_cell("a = 1"), code_cell(source), code_cell("print(b)")])
    out = marimo.writes(nb)
    assert "\n\n\n" + written + "\n\n\n" in out


def test_fresh_notebook_gets_a_fresh_header_and_footer():
    out = marimo.writes(nbformat.v4.new_notebook(cells=[code_cell("x = 1")]))
    assert out == HEADER + "@app.cell\ndef _():\n    x = 1\n    return\n" + FOOTER
    assert GENERATED_WITH == "0.25.2"


def test_notebook_from_another_format_ignores_that_formats_metadata():
    nb = nbformat.v4.new_notebook(cells=[code_cell("x = 1")])
    nb.metadata["reactive_format"] = {"name": "percent", "header": "# percent header\n"}
    nb.cells[0].metadata["reactive_format"] = {"text": "junk", "hash": "0"}
    assert marimo.writes(nb).startswith(HEADER + "@app.cell\ndef _():\n    x = 1\n")


def test_ipynb_to_marimo_and_back_keeps_sources_names_disabled_and_hidden_code():
    cells = [
        code_cell("import numpy as np", name="imports"),
        code_cell("data = np.arange(3)", hidden=True),
        code_cell("total = data.sum()", name="summed", disabled=True),
        code_cell("print(total)", name="report", hidden=True, disabled=True),
        code_cell("def helper():\n    return 1"),
        code_cell(""),
        code_cell("%time broken = ("),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    ipynb = nbformat.reads(nbformat.writes(nb), as_version=4)
    back = marimo.reads(marimo.writes(ipynb))
    assert summary(back) == summary(nb)
    nbformat.validate(back)


def test_jupyter_markdown_becomes_mo_md_and_mo_is_imported_when_missing():
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# Title\n\nSome *text*."), code_cell("x = 1")]
    )
    text = marimo.writes(nb)
    assert 'def _(mo):\n    mo.md(r"""\n    # Title\n\n    Some *text*.\n    """)\n    return\n' in text
    back = marimo.reads(text)  # and it reads back as the markdown cell it was
    assert [(c.cell_type, c.source) for c in back.cells] == [
        ("code", "import marimo as mo"),
        ("markdown", "# Title\n\nSome *text*."),
        ("code", "x = 1"),
    ]
    raw = nbformat.v4.new_notebook(cells=[nbformat.v4.new_raw_cell("not python at all")])
    assert [
        (c.source, c.metadata["reactive_format"]["kind"]) for c in marimo.reads(marimo.writes(raw)).cells
    ] == [("not python at all", "unparsable")]


# --- purity and errors ------------------------------------------------------------------------------


def test_reading_and_writing_never_runs_the_file(tmp_path):
    marker = tmp_path / "ran"
    touch = f"open({str(marker)!r}, 'w').close()"
    text = (
        f'import marimo\n\n__generated_with = "0.25.2"\napp = marimo.App()\n{touch}\n\n'
        f"with app.setup:\n    {touch}\n\n\n"
        f"@app.cell\ndef _():\n    {touch}\n    return\n\n\n"
        f"@app.function\ndef f(x={touch}):\n    return x\n" + FOOTER
    )
    nb = marimo.reads(text)
    nb.cells[1].source += "\nx = 1"
    marimo.reads(marimo.writes(nb))
    assert marimo.writes(marimo.reads(text)) == text
    assert not marker.exists()
    path = tmp_path / "notebook.py"
    path.write_text(text)
    run = f"import runpy; runpy.run_path({str(path)!r}, run_name='imported')"
    subprocess.run([sys.executable, "-c", run], check=True, timeout=120)
    assert marker.exists()  # importing the file does create it: the test would have noticed


def test_reads_is_deterministic_and_writes_leaves_the_notebook_alone():
    text = golden("handwritten.py.txt")
    assert marimo.reads(text) == marimo.reads(text)
    nb = marimo.reads(text)
    nb.cells[0].source += "\nextra = 1"
    nb.cells.append(code_cell("y = extra"))
    before = copy.deepcopy(nb)
    marimo.writes(nb)
    assert nb == before


BROKEN_CELLS = {  # cells that stop the tokenizer, and cells only the parser refuses
    "unclosed strings": '@app.cell\ndef _():\n    s = """open\n    return',
    "syntax errors": "@app.cell\ndef _():\n    x = 1 +\n    return",
}


@pytest.mark.parametrize("broken", sorted(BROKEN_CELLS))
def test_files_full_of_broken_cells_come_back_byte_for_byte(broken):
    # How reading time grows with the file is measured by benchmarks/bench_growth.py and
    # benchmarks/bench_formats_marimo.py, not here.
    text = notebook_file(*[BROKEN_CELLS[broken]] * 200)
    assert marimo.writes(marimo.reads(text)) == text


# (text, line of the FormatError)
BAD_FILES = [
    ("import marimo\napp = marimo.App()\nx = (\n", 3),
    ("import marimo\napp = marimo.App(\n\n@app.cell\ndef _():\n    return\n", 2),  # the header must parse
    ("x = 1\nprint(x)\n", 1),
    ("", 1),
    ('"""Just a docstring."""\n', 1),
    ("import marimo\n\nx = marimo\n", 1),
    ("import marimo as mo\napp = marimo.App()\n", 1),
    ("import marimo\napp = marimo.App()\n\n@app.cell\nclass A:\n    pass\n", 5),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line"), BAD_FILES)
def test_file_that_is_not_a_marimo_notebook_is_a_format_error_with_its_line(text, line):
    with pytest.raises(FormatError) as info:
        marimo.reads(text)
    assert info.value.line == line
    assert str(info.value).startswith(f"line {line}: ")


# (text, looks like marimo)
LOOKS_LIKE = [
    (HEADER, True),
    ('"""doc"""\nimport marimo\n\n__generated_with = "0.1.0"\napp = marimo.App(width="full")\n', True),
    ("import marimo as mo\napp = mo.App()\n", True),
    ("import marimo\n", False),
    ("app = marimo.App()\n", False),
    ("# %%\nimport marimo\nx = marimo.App()\n", False),
    ("import marimo_extras\napp = marimo.App()\n", False),
    ("def f():\n    import marimo\n    app = marimo.App()\n", False),
    ("", False),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), LOOKS_LIKE)
def test_looks_like(text, expected):
    assert marimo.looks_like(text) is expected


# --- generated notebooks ----------------------------------------------------------------------------

CELL_NAMES = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")


@st.composite
def notebook_cells(draw) -> list[tuple[str, str, dict]]:
    """Cells of chained assignments: each reads names earlier cells define; names and options vary."""
    cells, defined = [], []
    for i in range(draw(st.integers(1, 6))):
        lines, mine = [], []
        for j in range(draw(st.integers(0, 3))):
            reads = draw(st.lists(st.sampled_from(defined), max_size=3, unique=True)) if defined else []
            target = draw(
                st.sampled_from([f"v{i}_{j}", f"_p{i}_{j}", f"value_with_a_rather_long_name_{i}_{j}"])
            )
            lines.append(f"{target} = {' + '.join([*reads, *mine[-1:], str(j)])}")
            mine += [] if target.startswith("_") else [target]
        extra = draw(st.sampled_from(["", "# a comment", f"import math as m{i}", "print(1)", "\n"]))
        lines += [extra.strip()] if extra.strip() else []
        if extra == "\n" and len(lines) > 1:
            lines.insert(1, "")  # a blank line inside the cell
        defined += mine + ([f"m{i}"] if "import" in extra else [])
        name = CELL_NAMES[i] if draw(st.booleans()) else "_"
        options = {k: True for k in ("hide_code", "disabled") if draw(st.booleans())}
        cells.append(("\n".join(lines), name, options))
    return cells


def as_notebook(cells: list[tuple[str, str, dict]]) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(
        cells=[
            code_cell(
                code, None if name == "_" else name, options.get("hide_code", False), "disabled" in options
            )
            for code, name, options in cells
        ]
    )


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notebook_cells())
def test_generated_notebooks_survive_a_round_trip_and_match_marimo(cells):
    nb = as_notebook(cells)
    text = marimo.writes(nb)
    back = marimo.reads(text)
    assert summary(back) == summary(nb)
    assert our_cells(back) == marimo_cells(text)  # marimo's loader finds the same cells
    assert text == marimo_file(cells)  # and marimo's generator writes the same file
    assert marimo.writes(back) == text


# Lines that make a cell fail to parse here: the parser refuses them, or they stop the tokenizer.
BREAKING_LINES = ["total = 1 +", "x = (1,", 's = """open', "def f(:", "type Id = int", "s = f\"{'\\n'}\""]


def without_unparsable_options(found: list[tuple]) -> list[tuple]:
    """Cells as compared with marimo's: we keep the options of a cell that does not parse (marimo/scan.py)."""
    return [(kind, name, code, None if kind == "unparsable" else conf) for kind, name, code, conf in found]


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notebook_cells(), st.data())
def test_a_generated_notebook_with_a_broken_cell_reads_like_marimo_and_keeps_its_bytes(cells, data):
    text = marimo_file(cells)
    head, *rest = text.split("\n@app.cell")
    k = data.draw(st.integers(0, len(rest) - 1))
    decorator, signature, body = rest[k].split("\n", 2)
    rest[k] = "\n".join([decorator, signature, "    " + data.draw(st.sampled_from(BREAKING_LINES)), body])
    broken = "\n@app.cell".join([head, *rest])  # the line opens the body of cell k
    nb = marimo.reads(broken)
    assert without_unparsable_options(our_cells(nb)) == without_unparsable_options(marimo_cells(broken))
    assert "unparsable" in [kind for kind, *_ in our_cells(nb)]
    assert marimo.writes(nb) == broken
