"""Tests for reactive_kernel.formats.percent: table-driven reads and writes, golden files against jupytext,
byte identity of unedited files, edited and new notebooks, and hypothesis round trips."""

from __future__ import annotations

import copy
import difflib
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats import percent
from reactive_kernel.formats.percent import syntax as percent_syntax
from reactive_kernel.formats.percent import yaml as percent_yaml
from tests.fuzzing import examples

pytestmark = pytest.mark.filterwarnings("ignore:The following metadata cannot be exported:UserWarning")
GOLDEN = Path(__file__).parent / "golden" / "percent"
GOLDEN_PY = sorted(path.name for path in GOLDEN.glob("*.py.txt"))
GOLDEN_IPYNB = sorted(path.name for path in GOLDEN.glob("*.ipynb"))
# jupytext's own layout hints, which it adds to cell metadata when it reads a file
JUPYTEXT_HINTS = {"lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker", "comment_questions"}
HEADER = percent.writes(new_notebook()).rstrip("\n") + "\n\n"  # what a new notebook's file starts with


def golden(name: str) -> str:
    with open(GOLDEN / name, encoding="utf-8", newline="") as file:  # keep the bytes as they are
        return file.read()


def cells(nb) -> list[tuple]:
    """(type, source, metadata) of each cell, without layout records (ours and jupytext's)."""
    return [
        (
            cell.cell_type,
            cell.source,
            {k: v for k, v in cell.metadata.items() if k != percent.KEY and k not in JUPYTEXT_HINTS},
        )
        for cell in nb.cells
    ]


def jupytext_cells(text: str) -> list[tuple]:
    return cells(jupytext.reads(text, fmt="py:percent"))


def notebook(*items, metadata=None):
    """A notebook from ("code" | "markdown" | "raw", source[, metadata]) tuples."""
    make = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}
    return new_notebook(
        cells=[make[kind](source, metadata=extra[0] if extra else {}) for kind, source, *extra in items],
        metadata=metadata or {},
    )


def round_trip(text: str) -> str:
    nb = percent.reads(text)
    nbformat.validate(nb)
    return percent.writes(nb)


# --- reading: (name, text, cells as (type, source[, metadata])) ----------------------------------------

C, M, R = "code", "markdown", "raw"
TAGS = '# %% Load tags=["a", "b"] name="x"\nx\n'
READS = [
    ("empty file", "", []),
    ("one blank line", "\n", [(C, "")]),
    ("plain python is one code cell", "import os\n\n\nx = 1\n", [(C, "import os\n\n\nx = 1")]),
    ("no final newline", "# %%\nx = 1", [(C, "x = 1")]),
    ("three kinds", "# %%\nx\n\n# %% [markdown]\n# hi\n\n# %% [raw]\n# r\n", [(C, "x"), (M, "hi"), (R, "r")]),
    ("code before the first marker", "import os\n\n# %%\nx\n", [(C, "import os"), (C, "x")]),
    ("blank line before the first marker", "\n# %%\nx\n", [(C, ""), (C, "x")]),
    ("#%% and trailing spaces", "#%%\nx\n#%%   \ny\n", [(C, "x"), (C, "y")]),
    ("indented marker", "# %%\nx\n    # %%\ny\n", [(C, "x"), (C, "y")]),
    ("old-style markers", "# In[3]:\nx\n# <codecell>\ny\n", [(C, "x"), (C, "y")]),
    ("one blank line separates", "# %%\nx\n\n# %%\ny\n", [(C, "x"), (C, "y")]),
    ("two blank lines separate", "# %%\nx\n\n\n# %%\ny\n", [(C, "x"), (C, "y")]),
    ("more blank lines stay in the cell", "# %%\nx\n\n\n\n\n# %%\ny\n", [(C, "x\n\n\n"), (C, "y")]),
    ("whitespace line stays", "# %%\nx\n  \n# %%\ny\n", [(C, "x\n  "), (C, "y")]),
    ("trailing whitespace kept", "# %%\nx = 1   \n", [(C, "x = 1   ")]),
    ("CRLF", "# %%\r\nx = 1\r\n\r\n# %% [markdown]\r\n# hi\r\n", [(C, "x = 1"), (M, "hi")]),
    ("marker inside a string", "# %%\ns = '''\n# %%\n'''\n", [(C, "s = '''\n# %%\n'''")]),
    ("marker after a string closes", "# %%\ns = '''\n'''\n# %%\ny\n", [(C, "s = '''\n'''"), (C, "y")]),
    ("escaped marker in code", "# %%\nx\n# # %%\n", [(C, "x\n# %%")]),
    ("escaped indented marker", "# %%\ndef f():\n    # # %% x\n", [(C, "def f():\n    # %% x")]),
    ("magics", "# %%\n# %time x\n#%time y\n# !ls\n# ls\n", [(C, "%time x\n%time y\n!ls\nls")]),
    ("escaped magic", "# %%\n# # %time\n", [(C, "# %time")]),
    ("magic continuation", "# %%\n# %time x \\\n#     y\n", [(C, "%time x \\\n    y")]),
    ("help, also before a marker", "# x?\n# %%\n# y?\n", [(C, "x?"), (C, "y?")]),
    ("light marker unescaped", "# %%\n# # + a\n# + b\n", [(C, "# + a\n# + b")]),
    ("markdown prefixes", "# %% [markdown]\n#text\n# \nbare\n#  two\n", [(M, "text\n\nbare\n two")]),
    ("markdown fence", "# %% [markdown]\n# ```\n# %%\n# ```\n\n# %%\nx\n", [(M, "```\n%%\n```"), (C, "x")]),
    ("bare %% in markdown", "# %% [markdown]\n%%\n# x\n", [(M, "%%\nx")]),
    ("markdown escaped magic kept", "# %% [markdown]\n# # ls\n", [(M, "# ls")]),
    ("[md]", "# %% [md]\n# a\n", [(M, "a", {"region_name": "md"})]),
    ("cell_type key", '# %% cell_type="markdown"\n# a\n', [(M, "a")]),
    ("title", "# %% Load the data\nx\n", [(C, "x", {"title": "Load the data"})]),
    ("title and metadata", TAGS, [(C, "x", {"title": "Load", "tags": ["a", "b"], "name": "x"})]),
    ("bare key is None", '# %% [markdown] tags=["a"] foo\n# a\n', [(M, "a", {"tags": ["a"], "foo": None})]),
    ("JSON metadata", '# %% {"tags": ["a"]}\nx\n', [(C, "x", {"tags": ["a"]})]),
    ("python literal value", "# %% flag=True n=(1, 2)\nx\n", [(C, "x", {"flag": True, "n": [1, 2]})]),
    ("not JSON: kept like jupytext", "# %% a=b\nx\n", [(C, "x", {"incorrectly_encoded_metadata": "a=b"})]),
    ("cell depth", "# %%% sub\nx\n", [(C, "x", {"cell_depth": 1, "title": "sub"})]),
    ("language magic", '# %% language="bash" magic_args="-x"\n# ls\n#\n', [(C, "%%bash -x\nls\n")]),
    ("language magic, markdown", '# %% [markdown] language="html"\n# <b>\n', [(M, "%%html\n<b>")]),
    ("main language dropped", '# %% language="python"\nx\n', [(C, "x")]),
    ("trailing newline flag", "# %% reactive_trailing_newline=true\nx\n", [(C, "x\n")]),
    ("trailing newline, continued", "# %% reactive_trailing_newline=true\n# %a \\\n", [(C, "%a \\\n")]),
    ("line count", "# %% reactive_lines=2\ns = '''\n\n# %%\ny\n", [(C, "s = '''"), (C, "y")]),
    ("header: kernelspec", HEADER + "# %%\nx\n", [(C, "x")]),
    ("header: raw cell", "# ---\n# title: T\n# ---\n\n# %%\nx\n", [(R, "---\ntitle: T\n---"), (C, "x")]),
    ("shebang and coding", "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# %%\nx\n", [(C, "x")]),
]
# Where jupytext reads differently, as the module docstring says: our escapes and flags, and markdown lines
# that it unescapes as magics.
NOT_LIKE_JUPYTEXT = {
    "escaped marker in code",
    "escaped indented marker",
    "markdown escaped magic kept",
    "trailing newline flag",
    "trailing newline, continued",
    "line count",
}
READ_IDS = [case[0] for case in READS]


@pytest.mark.parametrize(("name", "text", "expected"), READS, ids=READ_IDS)
def test_reads(name, text, expected):
    nb = percent.reads(text)
    nbformat.validate(nb)
    assert cells(nb) == [(kind, source, extra[0] if extra else {}) for kind, source, *extra in expected]


@pytest.mark.parametrize(("name", "text"), [case[:2] for case in READS], ids=READ_IDS)
def test_jupytext_reads_the_same_cells(name, text):
    assert (cells(percent.reads(text)) == jupytext_cells(text)) is (name not in NOT_LIKE_JUPYTEXT)


@pytest.mark.parametrize("text", [case[1] for case in READS], ids=READ_IDS)
def test_unedited_file_gives_back_its_bytes(text):
    assert round_trip(text) == text


def test_reads_records_the_layout_it_found():
    nb = percent.reads("#!/usr/bin/env python\r\n#%%\r\n#%time x\r\n\r\n\r\n\r\n# %%\r\ny")
    assert nb.metadata[percent.KEY] == {
        "name": "percent",
        "header": "#!/usr/bin/env python",
        "newline": "\r\n",
        "final_newline": False,
    }
    assert nb.cells[0].metadata[percent.KEY] == {"marker": "#%%", "lines": [[0, 0, "#"]]}
    assert nb.cells[0].source == "%time x\n\n"  # three blank lines before a marker: the last separates
    assert percent.KEY not in nb.cells[1].metadata  # written as writes() would: nothing recorded


FLAGS_THAT_DO_NOT_APPLY = [
    ("count where none is needed", "# %% reactive_lines=5\nx\n\n# %%\ny\n", "# %%\nx\n\n# %%\ny\n"),
    ("trailing newline on markdown: ignored", "# %% [markdown] reactive_trailing_newline=true\n# a\n", None),
]


@pytest.mark.parametrize(
    ("name", "text", "written"), FLAGS_THAT_DO_NOT_APPLY, ids=[c[0] for c in FLAGS_THAT_DO_NOT_APPLY]
)
def test_our_flags_are_ignored_where_they_do_not_apply(name, text, written):
    nb = percent.reads(text)
    assert all(not {percent.LINE_COUNT, percent.TRAILING_NEWLINE} & set(cell.metadata) for cell in nb.cells)
    assert nb.cells[0].source in ("x", "a")
    assert percent.writes(nb) == (written or text)


def test_plain_python_records_no_marker():
    nb = percent.reads("x = 1\n")
    assert nb.cells[0].metadata[percent.KEY] == {"marker": None}
    assert "header" not in nb.metadata[percent.KEY]


# --- hypothesis: notebooks -> text -> notebooks, and texts -> notebooks -> the same bytes ----------------

TRICKY_LINES = [
    *["# %%", "#%%", "    # %% x", "# # %%", "# %% [markdown]", "%%", " %% x", "# In[2]:", "<codecell>"],
    *["%%time", "%%bash", "%%html", "%time x", "# %time", "!ls", "ls", "cd x", "x?", "%time x \\", "\\"],
    *["# + a", "# # + b", "'''", '"""', "s = '''", "x = 'it''s'", "```", "~~~", "```python", "# ```"],
    *["x = 1", "", "", "  ", "\t", "def f():", "    return 1", "class A:", "@dec", "# comment", "#"],
    *["# ---", "---", "jupyter:", "#!/bin/sh", "# -*- coding: latin-1 -*-", "é ü \u2028 \x0c", "x\r"],
]
SAFE_LINES = [
    *["x = 1", "", "", "  ", "def f():", "    return 1", "class A:", "@dec", "# comment", "#", "text"],
    *["%%time", "%%bash", "%time x", "!ls", "ls", "x?", "# + a", "s = 'a'", "```"],
]
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=6)
SAFE_TEXT = st.text("abc XYZ019()=+-*/.,:;", max_size=8)
METADATA = st.sampled_from(
    [
        *[
            {},
            {},
            {},
            {"tags": ["a", "b"]},
            {"title": "Load"},
            {"name": "n", "disabled": True},
            {"title": "a=b"},
        ],
        *[{"jupyter": {"source_hidden": True}}, {"cell_depth": 2}, {"weird key": [1, {"x": None}]}],
        *[{"run_control": {"frozen": True}}, {"active": "ipynb"}, {"active": "py"}, {"active": ""}],
        *[{"tags": ["active-ipynb"]}, {"tags": ["active-py"]}, {"active": "R"}],
    ]
)


def sources(lines):
    return st.lists(lines, max_size=6).map("\n".join)


def notebooks(lines):
    kinds = st.sampled_from(["code", "code", "markdown", "raw"])
    return st.lists(st.tuples(kinds, sources(lines), METADATA), max_size=6).map(lambda cs: notebook(*cs))


def jupytext_can_say(text: str) -> bool:
    """Our own flags are the documented cases jupytext has no form for."""
    return percent.TRAILING_NEWLINE not in text and percent.LINE_COUNT not in text


FAST = settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(notebooks(st.sampled_from(TRICKY_LINES) | TEXT))
def test_any_notebook_comes_back_from_its_text(nb):
    text = percent.writes(nb)
    back = percent.reads(text)
    nbformat.validate(back)
    assert cells(back) == cells(nb)
    assert percent.writes(back) == text
    assert not [cell.metadata[percent.KEY] for cell in back.cells if percent.KEY in cell.metadata]


@FAST
@given(notebooks(st.sampled_from(SAFE_LINES) | SAFE_TEXT))
def test_jupytext_reads_our_text_to_the_same_cells(nb):
    text = percent.writes(nb)
    if jupytext_can_say(text):
        assert jupytext_cells(text) == cells(nb)


TEXT_LINES = [
    *["# %%", "#%%", "# %%   ", "  # %%", "# %% [markdown]", "# %% [raw]", "# %% [md]", "# %% Title"],
    *[
        '# %% tags=["a"] name="x"',
        "# %% a=b",
        '# %% {"tags": ["t"]}',
        "# %%% sub",
        "# In[1]:",
        "# <codecell>",
    ],
    *['# %% language="bash"', "# %% reactive_trailing_newline=true", "# # %%"],
    *['# %% active="py"', '# %% run_control={"frozen": true}', '# %% active=""', '# %% active="ipynb"'],
    *["", "", "", "  ", "x = 1", "x = 1   ", "# comment", "#", "#text", "# %time x", "#%time y", "%time z"],
    *["# !ls", "ls", "x?", "# x?", "# # + a", "# + b", "def f():", "    pass", "class A:", "s = '''"],
    *["'''", '"""', "# ```", "```", "# ~~~", "%%", "# # ls", "é", "\t", "# %time x \\", "#     y"],
]
HEADERS = ["", HEADER, "#!/usr/bin/env python\n", "# ---\n# title: T\n# ---\n\n", "# -*- coding: utf-8 -*-\n"]
NEWLINES = {"lf": lambda t: t, "crlf": lambda t: t.replace("\n", "\r\n"), "no final newline": str.rstrip}


@FAST
@given(
    st.sampled_from(HEADERS),
    st.lists(st.sampled_from(TEXT_LINES) | TEXT, max_size=14),
    st.sampled_from(sorted(NEWLINES)),
)
def test_any_text_comes_back_byte_for_byte(head, lines, newlines):
    text = NEWLINES[newlines](head + "".join(line + "\n" for line in lines))
    assert round_trip(text) == text


SAFE_TEXT_LINES = [
    *["# %%", "#%%", "# %%   ", "  # %%", "# %% [markdown]", "# %% [raw]", "# %% Title", '# %% tags=["a"]'],
    *["", "", "", "  ", "x = 1", "# comment", "#", "#text", "# %time x", "%time z", "# !ls", "ls", "x?"],
    *["# x?", "# # + a", "# + b", "def f():", "    pass", "s = 'a'", "# ```", "```", "# ls"],
    *['# %% active="py"', '# %% run_control={"frozen": true}', '# %% active=""'],
    '# %% tags=["active-ipynb"]',
]


@FAST
@given(st.lists(st.sampled_from(SAFE_TEXT_LINES) | SAFE_TEXT, max_size=14))
def test_we_read_jupytext_texts_to_the_same_cells(lines):
    text = "".join(line + "\n" for line in lines)
    assert cells(percent.reads(text)) == jupytext_cells(text)


@FAST
@given(
    st.lists(st.sampled_from(TEXT_LINES) | TEXT, min_size=1, max_size=14),
    st.data(),
)
def test_edited_cells_read_back_as_edited(lines, data):
    nb = percent.reads("".join(line + "\n" for line in lines))
    edited = copy.deepcopy(nb)
    for cell in edited.cells:
        if data.draw(st.booleans()):
            cell.source = data.draw(sources(st.sampled_from(TRICKY_LINES) | TEXT))
    text = percent.writes(edited)
    assert cells(percent.reads(text)) == cells(edited)


@FAST
@given(notebooks(st.sampled_from(TRICKY_LINES) | TEXT))
def test_where_jupytext_keeps_a_notebook_we_write_its_bytes(nb):
    """Wherever jupytext's own file reads back right (and no code line needs our marker escape), ours is the
    same file, and reading jupytext's file records nothing."""
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    theirs = jupytext.writes(nb, fmt="py:percent")
    escaped = any(
        percent_syntax._is_marker_family(line)
        for cell in nb.cells
        if cell.cell_type == "code"
        for line in cell.source.split("\n")
    )
    if not escaped and jupytext_cells(theirs) == cells(nb):
        assert percent.writes(nb) == theirs
        assert not [cell for cell in percent.reads(theirs).cells if percent.KEY in cell.metadata]


# --- golden files: written by jupytext, by us (with our extensions), by hand ---------------------------

VARIANTS = {"lf": lambda t: t, "crlf": lambda t: t.replace("\n", "\r\n"), "no final newline": str.rstrip}
# cells jupytext reads differently in a golden file, as the module docstring says
JUPYTEXT_DIFFERS = {"extensions.py.txt": {0, 1, 3, 4, 5, 6, 7}, "hand_written.py.txt": {4}}
WRITTEN_FROM = {"notebook.ipynb": "written_by_jupytext.py.txt", "extensions.ipynb": "extensions.py.txt"}


def golden_notebook(name: str):
    return nbformat.read(GOLDEN / name, as_version=4)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", GOLDEN_PY)
def test_golden_file_written_unedited_gives_back_its_bytes(name, variant):
    text = VARIANTS[variant](golden(name))
    assert round_trip(text) == text


@pytest.mark.parametrize("name", GOLDEN_PY)
def test_golden_file_reads_the_cells_jupytext_finds(name):
    ours, theirs = cells(percent.reads(golden(name))), jupytext_cells(golden(name))
    assert len(ours) <= len(theirs) or name in JUPYTEXT_DIFFERS
    differing = {k for k, cell in enumerate(ours) if k >= len(theirs) or theirs[k] != cell}
    assert differing == JUPYTEXT_DIFFERS.get(name, set())


def test_header_metadata_reads_as_jupytext_reads_it():
    ours, theirs = percent.reads(golden("header_keys.py.txt")), jupytext.reads(golden("header_keys.py.txt"))
    for key in ("kernelspec", "language_info"):
        assert ours.metadata[key] == theirs.metadata[key]
    assert ours.metadata.kernelspec.display_name == "Python 3 (été)"


@pytest.mark.parametrize("name", GOLDEN_IPYNB)
def test_golden_notebook_writes_the_golden_file(name):
    nb = golden_notebook(name)
    text = percent.writes(nb)
    assert text == golden(WRITTEN_FROM[name])
    assert cells(percent.reads(text)) == cells(nb)


def test_the_jupytext_golden_file_is_what_jupytext_writes():
    written = jupytext.writes(golden_notebook("notebook.ipynb"), fmt="py:percent")
    version = f"jupytext_version: {jupytext.__version__}"
    assert written.replace(version, "jupytext_version: 1.19.6") == golden("written_by_jupytext.py.txt")
    assert jupytext_cells(golden("written_by_jupytext.py.txt")) == cells(golden_notebook("notebook.ipynb"))


def test_ipynb_to_py_to_ipynb_keeps_what_matters():
    kept = {"tags": ["a", "b"], "disabled": True, "name": "load", "jupyter": {"source_hidden": True}}
    nb = notebook(
        ("code", "x = 1", {**kept, "collapsed": True, "execution": {"iopub.status.busy": "2024"}}),
        ("markdown", "# Title", {"tags": ["intro"], "jupyter": {"source_hidden": True}}),
        ("raw", "raw", {"format": "text/plain"}),
        metadata={"kernelspec": {"display_name": "Py", "language": "python", "name": "py"}},
    )
    back = percent.reads(percent.writes(nb))
    assert [(c.cell_type, c.source) for c in back.cells] == [(c.cell_type, c.source) for c in nb.cells]
    assert back.cells[0].metadata == kept  # jupytext's rule: collapsed, execution... stay in the .ipynb only
    assert back.cells[1].metadata == nb.cells[1].metadata
    assert back.cells[2].metadata == nb.cells[2].metadata
    assert back.metadata.kernelspec == nb.metadata.kernelspec


def _edit_source(nb):
    nb.cells[len(nb.cells) // 2].source += "\nedited = True"


def _edit_tags(nb):
    nb.cells[-1].metadata["tags"] = ["new-tag"]


def _insert_first(nb):
    nb.cells.insert(0, new_code_cell("inserted = 1\n%time inserted"))


def _delete_middle(nb):
    del nb.cells[len(nb.cells) // 2]


def _markdown_to_code(nb):
    first = next((cell for cell in nb.cells if cell.cell_type == "markdown"), nb.cells[0])
    first.cell_type, first.outputs, first.execution_count = "code", [], None


def _new_kernel(nb):
    nb.metadata["kernelspec"] = {"display_name": "Other", "language": "python", "name": "other"}


def _clear_sources(nb):
    for cell in nb.cells:
        cell.source = ""


EDITS = [
    _edit_source,
    _edit_tags,
    _insert_first,
    _delete_middle,
    _markdown_to_code,
    _new_kernel,
    _clear_sources,
]


@pytest.mark.parametrize("edit", EDITS, ids=[edit.__name__[1:] for edit in EDITS])
@pytest.mark.parametrize("name", GOLDEN_PY)
def test_edited_golden_notebook_reads_back_as_edited(name, edit):
    nb = percent.reads(golden(name))
    edit(nb)
    text = percent.writes(nb)
    assert cells(percent.reads(text)) == cells(nb)
    if name not in JUPYTEXT_DIFFERS:
        assert jupytext_cells(text) == cells(nb)


def test_an_edit_leaves_the_rest_of_a_hand_written_file_alone():
    original = golden("hand_written.py.txt")
    nb = percent.reads(original)
    nb.cells[2].source = "%time changed"
    before, after = original.split("\n"), percent.writes(nb).split("\n")
    changes = [op for op in difflib.SequenceMatcher(None, before, after).get_opcodes() if op[0] != "equal"]
    assert [(before[i:j], after[k:m]) for _, i, j, k, m in changes] == [
        (["#%time x", "# %time y", '#     z = "not a continuation"', "", ""], ["#%time changed"])
    ]  # the cell's own `#%time` style is kept for the edited line


# --- writing: (name, cells, the text after the header of a new notebook) --------------------------------

KEPT = {"tags": ["a"], "name": "n", "disabled": True}
IPYNB_ONLY = {"collapsed": True, "execution": {}, "scrolled": True}  # jupytext leaves them in the .ipynb
OUR_FLAGS = {"reactive_lines": 3, "reactive_trailing_newline": True}
WRITES = [
    ("code and markdown", [(C, "x = 1"), (M, "# T\n\nt")], "# %%\nx = 1\n\n# %% [markdown]\n# # T\n#\n# t\n"),
    ("raw", [(R, "raw")], "# %% [raw]\n# raw\n"),
    ("empty cells", [(C, ""), (M, "")], "# %%\n\n# %% [markdown]\n#\n"),
    ("magics commented", [(C, "%time x\n!ls\nls\nx?")], "# %%\n# %time x\n# !ls\n# ls\n# x?\n"),
    ("magic that stays", [(C, "%time x # noescape")], "# %%\n%time x # noescape\n"),
    ("language magic", [(C, "%%bash -x\nls")], '# %% language="bash" magic_args="-x"\n# ls\n'),
    ("python cell magic", [(C, "%%time\nx")], "# %%\n# %%time\nx\n"),
    ("lone language magic", [(C, "%%bash")], "# %%\n# %%bash\n"),
    ("escaped markers", [(C, "# %%\n    # %% x\n# # %%")], "# %%\n# # %%\n    # # %% x\n# # # %%\n"),
    ("old markers escaped", [(C, "# In[2]:\n#<codecell>")], "# %%\n# # In[2]:\n# #<codecell>\n"),
    ("marker in a string stays", [(C, "s = '''\n# %%\n'''")], "# %%\ns = '''\n# %%\n'''\n"),
    ("light marker escaped", [(C, "# + a\n# # + b")], "# %%\n# + a\n# # # + b\n"),
    ("%% in markdown is bare", [(M, "%%\n %% x\n# %%")], "# %% [markdown]\n%%\n %% x\n# # %%\n"),
    ("%% in a markdown fence", [(M, "```\n%%\n```")], "# %% [markdown]\n# ```\n# %%\n# ```\n"),
    ("trailing newline", [(C, "x\n"), (C, "y")], "# %% reactive_trailing_newline=true\nx\n\n# %%\ny\n"),
    ("two trailing newlines", [(C, "x\n\n"), (C, "y")], "# %%\nx\n\n\n\n# %%\ny\n"),
    ("trailing whitespace line", [(C, "x\n "), (C, "y")], "# %%\nx\n \n# %%\ny\n"),
    ("unclosed string", [(C, "s = '''"), (C, "y")], "# %% reactive_lines=2\ns = '''\n\n# %%\ny\n"),
    ("fence", [(M, "```"), (R, "```")], "# %% [markdown] reactive_lines=2\n# ```\n\n# %% [raw]\n# ```\n"),
    ("after def", [(C, "def f():\n  pass"), (C, "f()")], "# %%\ndef f():\n  pass\n\n\n# %%\nf()\n"),
    ("before def", [(C, "x = 1"), (C, "def f():\n  pass")], "# %%\nx = 1\n\n\n# %%\ndef f():\n  pass\n"),
    ("metadata", [(C, "x", KEPT)], '# %% tags=["a"] name="n" disabled=true\nx\n'),
    ("title", [(C, "x", {"title": "Load"})], "# %% Load\nx\n"),
    ("title jupytext would misread", [(C, "x", {"title": "a=b"})], '# %% {"title": "a=b"}\nx\n'),
    ("ipynb-only metadata", [(C, "x", IPYNB_ONLY)], "# %%\nx\n"),
    ("our flags are reserved", [(C, "x", OUR_FLAGS)], "# %%\nx\n"),
    ("indented first line", [(C, "    x")], "    # %%\n    x\n"),
]


@pytest.mark.parametrize(("name", "items", "expected"), WRITES, ids=[case[0] for case in WRITES])
def test_writes(name, items, expected):
    nb = notebook(*items)
    text = percent.writes(nb)
    assert text == HEADER + expected
    back = percent.reads(text)
    reserved = {percent.LINE_COUNT, percent.TRAILING_NEWLINE, "collapsed", "execution", "scrolled"}
    assert cells(back) == [(k, s, {x: y for x, y in m.items() if x not in reserved}) for k, s, m in cells(nb)]


# --- code this Python cannot parse: the percent format never parses cell code ---------------------------

NOT_PYTHON_HERE = [
    "s = f\"{'\\n'.join(['a', 'b'])}\"",  # PEP 701 (Python 3.12)
    'd = {"k": 1}\nf"{d["k"]}"',  # PEP 701 quotes
    "type Pair = tuple[int, int]",  # PEP 695 (Python 3.12)
    "def first[T](xs: list[T]) -> T:\n    return xs[0]",
    "def f(:\n    pass",
    "total = 1 +",
    "x = (1,",
]


@pytest.mark.parametrize("source", NOT_PYTHON_HERE)
def test_code_this_python_cannot_parse_round_trips_in_both_readers(source):
    nb = notebook((C, source), (C, "y = 2"))
    text = percent.writes(nb)
    assert cells(percent.reads(text)) == cells(nb) == jupytext_cells(text)
    assert round_trip(text) == text


# --- jupytext's active cells: frozen, `active`, `active-` tags ------------------------------------------
# jupytext comments out the code of cells it leaves out of scripts and reads a cell that is inactive in
# notebooks as raw; (name, cell type, metadata, what our file says about the cell)

FROZEN = {"run_control": {"frozen": True}}
ACTIVE_CELLS = [
    ("frozen code", C, FROZEN, '# %% run_control={"frozen": true}\n# # c\n# %time x\n#\n# y = 1\n'),
    ("code only in notebooks", C, {"active": "ipynb"}, '# %% active="ipynb"\n# # c\n# %time x\n#\n# y = 1\n'),
    ("code tagged for notebooks", C, {"tags": ["active-ipynb"]}, None),
    ("code for scripts", C, {"active": "py"}, '# %% cell_type="code" active="py"\n# c\n# %time x\n\ny = 1\n'),
    ("code tagged for scripts", C, {"tags": ["active-py"]}, None),
    ("code active nowhere", C, {"active": ""}, None),
    ("code active in both", C, {"active": "ipynb,py"}, '# %% active="ipynb,py"\n# c\n# %time x\n\ny = 1\n'),
    ("code with another tag", C, {"tags": ["a", "active-ipynb-py"]}, None),
    ("frozen false", C, {"run_control": {"frozen": False}}, None),
    ("raw only in scripts", R, {"active": "py"}, '# %% active="py"\n# c\n# %time x\n\ny = 1\n'),
    ("raw tagged for scripts", R, {"tags": ["active-py"]}, None),
    ("raw in another format", R, {"active": "R"}, '# %% active="R"\n# # c\n# %time x\n#\n# y = 1\n'),
    ("raw active in both", R, {"active": "ipynb,py"}, None),
    ("raw tagged for notebooks", R, {"tags": ["active-ipynb"]}, None),
    ("raw active nowhere", R, {"active": ""}, None),
    ("frozen raw", R, FROZEN, None),
    ("frozen markdown", M, FROZEN, None),
    ("markdown tagged for notebooks", M, {"tags": ["active-ipynb"]}, None),
    ("markdown only in scripts", M, {"active": "py"}, None),
]  # fmt: skip
ACTIVE_SOURCE = "# c\n%time x\n\ny = 1"


@pytest.mark.parametrize(
    ("name", "kind", "metadata", "written"), ACTIVE_CELLS, ids=[case[0] for case in ACTIVE_CELLS]
)
def test_active_cells_read_alike_in_jupytext_and_here(name, kind, metadata, written):
    kernel = {"kernelspec": percent.DEFAULT_KERNELSPEC}
    nb = notebook((kind, ACTIVE_SOURCE, metadata), (C, "z"), metadata=kernel)
    ours = percent.writes(nb)
    if written is not None:
        assert ours == HEADER + written + "\n# %%\nz\n"
    assert jupytext_cells(ours) == cells(nb)  # jupytext reads our file to the cells we wrote
    assert cells(percent.reads(ours)) == cells(nb)
    assert round_trip(ours) == ours
    theirs = jupytext.writes(nb, fmt="py:percent")
    assert cells(percent.reads(theirs)) == jupytext_cells(theirs)  # and we read jupytext's file as it does
    assert round_trip(theirs) == theirs
    if jupytext_cells(theirs) == cells(nb):
        assert ours == theirs  # where jupytext's own file keeps the cell, ours is that file


def test_new_notebook_header_is_jupytexts_with_our_kernel():
    assert HEADER == (
        "# ---\n# jupyter:\n#   jupytext:\n#     text_representation:\n#       extension: .py\n"
        "#       format_name: percent\n#       format_version: '1.3'\n#       jupytext_version: 1.19.6\n"
        "#   kernelspec:\n#     display_name: Python 3 (reactive)\n#     language: python\n"
        "#     name: reactive-python\n# ---\n\n"
    )
    assert jupytext.reads(HEADER).metadata.kernelspec == percent.DEFAULT_KERNELSPEC


def test_the_notebooks_own_kernelspec_and_shebang_go_in_the_header():
    kernelspec = {"display_name": "Py 3.12", "language": "python", "name": "py312"}
    nb = notebook(
        ("code", "x"), metadata={"kernelspec": kernelspec, "jupytext": {"executable": "/usr/bin/env python"}}
    )
    text = percent.writes(nb)
    assert text.startswith("#!/usr/bin/env python\n# ---\n")
    assert jupytext.reads(text).metadata.kernelspec == kernelspec
    assert percent.reads(text).metadata.kernelspec == kernelspec


def test_a_changed_header_is_written_anew_keeping_its_keys():
    nb = percent.reads(golden("header_keys.py.txt"))
    nb.metadata.language_info.version = "3.12.1"
    text = percent.writes(nb)
    back = percent.reads(text)
    assert back.metadata.language_info.version == "3.12.1"
    assert back.metadata.jupytext.formats == "ipynb,py:percent"
    assert cells(back) == cells(nb)  # the front matter raw cell went back into the header
    assert text.startswith("# ---\n# title: A notebook with front matter\n")


def test_an_edited_front_matter_cell_goes_back_into_the_header():
    nb = percent.reads(golden("header_keys.py.txt"))
    nb.cells[0].source = "---\ntitle: Renamed\n---"
    text = percent.writes(nb)
    assert text.startswith("# ---\n# title: Renamed\n# jupyter:\n")
    assert cells(percent.reads(text)) == cells(nb) == cells(jupytext.reads(text))


def test_a_file_without_header_gets_one_only_when_the_metadata_asks():
    nb = percent.reads("# %%\nx\n")
    assert percent.writes(nb) == "# %%\nx\n"
    nb.metadata["kernelspec"] = {"display_name": "Py", "language": "python", "name": "py"}
    assert percent.writes(nb).startswith("# ---\n# jupyter:\n")


# --- errors: (name, text, line, words in the message) ---------------------------------------------------

END = "\n# ---\n"  # the end of a header
NO_DISPLAY_NAME = "# ---\n# jupyter:\n#   kernelspec:\n#     name: py\n# ---\n"
ERRORS = [
    ("latin-1 coding line", "# -*- coding: latin-1 -*-\n# %%\nx\n", 1, "utf-8"),
    ("kernelspec without display_name", NO_DISPLAY_NAME, 2, "display_name"),
    ("jupyter not a mapping", "# ---\n# jupyter:\n#   - 3\n# ---\n", 2, "mapping"),
    ("YAML anchor", "# ---\n# jupyter:\n#   kernelspec: &k\n# ---\n", 3, "anchors"),
    ("YAML block scalar", "# ---\n# jupyter:\n#   text: |\n#     x\n# ---\n", 3, "block scalars"),
    ("YAML indentation", "# ---\n# jupyter:\n#   a: 1\n#    b: 2\n# ---\n", 4, "indentation"),
    ("YAML unterminated quote", "# ---\n# jupyter:\n#   a: 'x\n# ---\n", 3, "does not end"),
    ("YAML colon in a plain value", "# ---\n# jupyter:\n#   a: b: c\n# ---\n", 3, "quote it"),
    ("tags not a list", '# %% tags="a"\nx\n', 1, "tags"),
    ("tag with a comma", '# %%\nx\n\n# %% tags=["a,b"]\ny\n', 4, "a,b"),
    ("empty name", '# %% [markdown] name=""\n# x\n', 1, "name"),
    ("deep list on a marker", "# %%\nx\n\n# %% key=" + "[" * 3000 + "]" * 3000 + "\ny\n", 4, "100 levels"),
    ("deep JSON on a marker", "# %% " + '{"a": ' * 1500 + "1" + "}" * 1500 + "\nx\n", 1, "100 levels"),
    ("deep tuple on a marker", "# %% key=" + "(" * 2000 + ")" * 2000 + "\nx\n", 1, "100 levels"),
    ("deep flow in a header", "# ---\n# jupyter:\n#   a: " + "[" * 3000 + "]" * 3000 + END, 3, "100 levels"),
    ("deep block in a header", "# ---\n# jupyter:\n#   a:\n#   " + "- " * 2000 + "x" + END, 4, "100 levels"),
]


@pytest.mark.parametrize(("name", "text", "line", "words"), ERRORS, ids=[case[0] for case in ERRORS])
def test_format_errors_say_where(name, text, line, words):
    with pytest.raises(FormatError) as caught:
        percent.reads(text)
    assert caught.value.line == line
    assert words in caught.value.reason
    assert str(caught.value).startswith(f"line {line}: ")


def nested(depth: int) -> object:
    """JSON data `depth` lists deep."""
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def test_metadata_nested_up_to_the_limit_round_trips_and_deeper_is_refused_when_written():
    limit = percent_syntax.NESTING_LIMIT
    # (where the value goes, how deep it may be: the header's YAML holds it under `jupyter:` `jupytext:`)
    for where, deepest in (("cell", limit), ("header", limit - 3)):
        for depth, fits in ((deepest, True), (deepest + 1, False)):
            nb = notebook(("code", "x"))
            holder = nb.cells[0].metadata if where == "cell" else nb.metadata.setdefault("jupytext", {})
            holder["key"] = nested(depth)
            if not fits:
                with pytest.raises(FormatError, match=f"{limit} levels deep"):
                    percent.writes(nb)  # its file would not read back
                continue
            back = percent.reads(percent.writes(nb))
            found = back.cells[0].metadata if where == "cell" else back.metadata["jupytext"]
            assert found["key"] == holder["key"]


def test_unknown_cell_type_cannot_be_written():
    nb = notebook(("code", "x"))
    nb.cells[0].cell_type = "heading"
    with pytest.raises(FormatError, match="unknown cell type"):
        percent.writes(nb)


# --- the header's YAML, against PyYAML (a test dependency only) ----------------------------------------

JSON_LEAF = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)
KEYS = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=12
)  # metadata keys
JSON = st.recursive(
    JSON_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3)
)


def read_yaml(text: str):
    return percent_yaml.read_yaml(text.split("\n"), list(range(1, text.count("\n") + 2)))


@FAST
@given(st.dictionaries(KEYS, JSON, max_size=4))
def test_yaml_we_read_what_pyyaml_writes_and_pyyaml_reads_what_we_write(value):
    assert read_yaml(yaml.safe_dump({"jupyter": value}, default_flow_style=False)) == {"jupyter": value}
    ours = "\n".join(percent_yaml.yaml_lines({"jupyter": value}, 0))
    assert yaml.safe_load(ours) == {"jupyter": value}
    assert read_yaml(ours) == {"jupyter": value}


YAML = [
    ("flow list and map", "a: [1, 'two', {b: c}]\nd: {}", {"a": [1, "two", {"b": "c"}], "d": {}}),
    ("comments", "# about a\na: 1  # one\n\n# end", {"a": 1}),
    ("list under a key, same indent", "a:\n- 1\n- x: y\n  z: 2", {"a": [1, {"x": "y", "z": 2}]}),
    ("quoted keys and escapes", "\"a b\": \"\\xE9\\n\"\n'c''d': 'it''s'", {"a b": "é\n", "c'd": "it's"}),
    ("folded plain scalar", "a: one\n  two\n\n  three", {"a": "one two\nthree"}),
    ("YAML 1.1 booleans and null", "a: yes\nb: off\nc: ~", {"a": True, "b": False, "c": None}),
    ("YAML 1.1 numbers", "d: 0x1F\ne: 1.5\nf: '1.5'\ng: 1_000", {"d": 31, "e": 1.5, "f": "1.5", "g": 1000}),
]


@pytest.mark.parametrize(("name", "text", "value"), YAML, ids=[case[0] for case in YAML])
def test_yaml_by_hand(name, text, value):
    assert read_yaml(text) == value == yaml.safe_load(text)


def test_yaml_dates_stay_strings():
    assert read_yaml("day: 2020-01-01") == {"day": "2020-01-01"}  # PyYAML makes a date, JSON has none


# --- looks_like: (text, is a percent notebook) ----------------------------------------------------------

LOOKS_LIKE = [
    ("# %%\nx\n", True),
    ("#%%\r\nx\r\n", True),
    ("x = 1\n# %% Title\n", True),
    ("# %% [markdown]\n# a\n", True),
    (HEADER, True),
    ("#!/usr/bin/env python\n" + HEADER, True),
    ("x = 1\n", False),
    ("  # %% indented only\n", False),
    ("s = '# %%'\n", False),
    ("# %%time\n", False),
    ("# ---\n# title: front matter only\n# ---\n", False),
]


@pytest.mark.parametrize(("text", "expected"), LOOKS_LIKE)
def test_looks_like(text, expected):
    assert percent.looks_like(text) is expected


# --- pure and linear -------------------------------------------------------------------------------------


def test_reading_never_runs_or_imports_the_file(tmp_path):
    witness = tmp_path / "ran"
    text = (
        f"# %%\nopen({str(witness)!r}, 'w').write('x')\nimport this_module_does_not_exist\nraise SystemExit\n"
    )
    assert percent.reads(text).cells[0].source.startswith("open(")
    assert not witness.exists()


def test_no_yaml_or_jupytext_at_run_time():
    code = "import sys, reactive_kernel.formats.percent as p; p.reads(open(sys.argv[1]).read()); "
    code += "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'jupytext')))"
    result = subprocess.run(
        [sys.executable, "-c", code, str(GOLDEN / "header_keys.py.txt")], capture_output=True, text=True
    )
    assert result.stdout.strip() == "[]", result.stderr


PATHOLOGICAL = {
    "unclosed fences": "# %% [markdown]\n" + "# ```x\n" * 2000,
    "quotes": "# %%\n" + "x = '''a''' + \"\"\"b\"\"\" # '''\n" * 2000,
    "escaped markers": "# %%\n" + "# # %%\n" * 2000,
    "markers": "# %% [markdown]\n" * 500,
    "magics": "# %%\n" + "# %time x \\\n" * 2000,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_texts_come_back_byte_for_byte(name):
    # How their time grows with their length is measured by benchmarks/bench_growth.py, not here.
    text = PATHOLOGICAL[name] * 4
    assert percent.writes(percent.reads(text)) == text
