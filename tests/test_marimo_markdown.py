"""marimo markdown cells: which cells are markdown, and the code their text is written back as."""

from __future__ import annotations

import pytest

from reactive_kernel.formats import marimo
from reactive_kernel.formats.marimo.markdown import DEFAULT_STYLE, markdown_call, markdown_of

RAW_BLOCK = {"prefix": "r", "quote": '"""', "block": True}
PLAIN_BLOCK = {"prefix": "", "quote": '"""', "block": True}
PLAIN_INLINE = {"prefix": "", "quote": '"""', "block": False}

# (cell code, the markdown it holds and the style it is written in; None: a code cell)
READ_CASES = [
    ('mo.md(r"""\n# Title\n\n*text* $x^2$ \\LaTeX\n""")', ("# Title\n\n*text* $x^2$ \\LaTeX", RAW_BLOCK)),
    ('mo.md("""\n# Title\n""")', ("# Title", PLAIN_BLOCK)),
    ('mo.md("""# Inline""")', ("# Inline", PLAIN_INLINE)),
    ("mo.md(r'''\nsingle quotes\n''')", ("single quotes", {"prefix": "r", "quote": "'''", "block": True})),
    ('mo.md(R"""\nupper R\n""")', ("upper R", {"prefix": "R", "quote": '"""', "block": True})),
    ('mo.md(r"""\n\n""")', ("", RAW_BLOCK)),
    ('mo.md("# not triple quoted")', None),
    ('mo.md(f"""\n{x}\n""")', None),  # an f-string reads globals: code
    ('mo.md(r"""\nhi\n""").center()', None),
    ('mo.md(r"""\nhi\n""", sanitize=True)', None),
    ('# a comment\nmo.md(r"""\nhi\n""")', None),  # the comment would be lost
    ('mo.md(r"""\nhi\n""")\nx = 1', None),
    ('md(r"""\nhi\n""")', None),
    ('marimo.md(r"""\nhi\n""")', None),
    ('mo.md("""\nescaped \\" quote\n""")', ('escaped " quote', PLAIN_BLOCK)),
    ('mo.md("""\nbare " quote\n""")', None),  # an edit would write it escaped: not the same code
    ('mo.md("""\nplain \\\\ backslash\n""")', ("plain \\ backslash", PLAIN_BLOCK)),
    ('mo.md(b"""\nbytes\n""")', None),
    ('mo.md(r"""\nunclosed', None),
]


@pytest.mark.parametrize(("code", "expected"), READ_CASES)
def test_which_cells_are_markdown(code, expected):
    assert markdown_of(code) == expected
    if expected is not None:  # read as markdown: written back unedited, it is the same code
        assert markdown_call(*expected) == code


# (markdown, style it was read in, the code an edit writes)
WRITE_CASES = [
    ("# New", None, 'mo.md(r"""\n# New\n""")'),
    ("# New", RAW_BLOCK, 'mo.md(r"""\n# New\n""")'),
    ("# New", PLAIN_INLINE, 'mo.md("""# New""")'),
    ("a \\ b", PLAIN_BLOCK, 'mo.md("""\na \\\\ b\n""")'),
    ('has """ inside', RAW_BLOCK, 'mo.md("""\nhas \\"\\"\\" inside\n""")'),  # a raw literal cannot hold it
    ("ends with \\", RAW_BLOCK, 'mo.md("""\nends with \\\\\n""")'),
    ('ends with "', PLAIN_INLINE, 'mo.md("""ends with \\"""")'),
    ("x", {"prefix": "u", "quote": "'", "block": "yes"}, 'mo.md(r"""x""")'),  # bad record: safe values
]


@pytest.mark.parametrize(("text", "style", "code"), WRITE_CASES)
def test_edited_markdown_is_written_in_its_style(text, style, code):
    assert markdown_call(text, style) == code
    back = markdown_of(code)
    assert back is not None and back[0] == text  # and reads back as the same markdown


def test_a_new_markdown_cell_is_written_as_marimo_writes_one():
    assert DEFAULT_STYLE == RAW_BLOCK


# --- in a file ------------------------------------------------------------------------------------------

FILE = '''import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo
    return (mo,)


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Title

    Some *text* with $x^2$ and a \\command.
    """)
    return


@app.cell
def _(mo):
    mo.md("""# Plain""")
    return


@app.cell
def _(mo):
    x = 1
    mo.md(f"""value {x}""")
    return (x,)
'''


def test_markdown_cells_open_as_markdown_and_unedited_come_back_byte_for_byte():
    nb = marimo.reads(FILE)
    assert [(c.cell_type, c.source) for c in nb.cells] == [
        ("code", "import marimo as mo"),
        ("markdown", "# Title\n\nSome *text* with $x^2$ and a \\command."),
        ("markdown", "# Plain"),
        ("code", 'x = 1\nmo.md(f"""value {x}""")'),
    ]
    assert "jupyter" not in nb.cells[1].metadata  # hide_code would hide the text itself in JupyterLab
    assert marimo.writes(nb) == FILE
    nb.cells[3].source = "x = 2"  # another cell edited: the markdown cells keep their bytes
    unedited = FILE[: FILE.index("@app.cell\ndef _(mo):\n    x = 1")]
    assert marimo.writes(nb).startswith(unedited)


def test_edited_markdown_cells_are_written_in_the_style_they_were_read_in():
    nb = marimo.reads(FILE)
    nb.cells[1].source = "# New title"
    nb.cells[2].source = "# Plain, edited"
    text = marimo.writes(nb)
    cell = '@app.cell(hide_code=True)\ndef _(mo):\n    mo.md(r"""\n    # New title\n    """)\n    return\n'
    assert cell in text
    assert '    mo.md("""# Plain, edited""")\n' in text
    assert [c.source for c in marimo.reads(text).cells][1:3] == ["# New title", "# Plain, edited"]
