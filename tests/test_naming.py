"""How messages name cells (core.naming): `#5 (load)`, as tables.

`tests/golden/cell_labels.json` is shared with the JupyterLab extension's unit tests (logic.test.ts), so
the kernel, the command line and the extension name every cell alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reactive_kernel.core.analysis import analyze
from reactive_kernel.core.naming import (
    cell_label,
    cell_name,
    main_definition,
    mention,
    mentions,
    render,
    title_of,
)

TABLE = json.loads((Path(__file__).parent / "golden" / "cell_labels.json").read_text())


@pytest.mark.parametrize("row", TABLE["labels"], ids=[r["why"] for r in TABLE["labels"]])
def test_label(row):
    assert cell_label(row["position"], row["name"]) == row["label"]


@pytest.mark.parametrize("row", TABLE["titles"], ids=[r["why"] for r in TABLE["titles"]])
def test_title(row):
    assert title_of(row["metadata"]) == row["title"]


@pytest.mark.parametrize("row", TABLE["mentions"], ids=[r["why"] for r in TABLE["mentions"]])
def test_mentions_render_as_the_extension_splits_them(row):
    expected = "".join(part["text"] if "text" in part else f"<{part['cell']}>" for part in row["parts"])
    assert render(row["text"], lambda cell_id: f"<{cell_id}>") == expected


def test_a_mention_renders_back_to_its_id():
    assert render(f"cell {mention('ab-1_2')} raised", str.upper) == "cell AB-1_2 raised"


@pytest.mark.parametrize(("ids", "text"), [(["a"], "cell <a>"), (["a", "b"], "cells <a>, <b>")])
def test_several_cells_are_cells(ids, text):
    assert render(mentions(ids), lambda cell_id: f"<{cell_id}>") == text


# Where the notebook's order is not known (no sync): the count the cell's prompt shows.
COUNTED = [
    # (position, name, execution count, label)
    (None, "load", 7, "In[7] (load)"),
    (None, None, 7, "In[7]"),
    (4, "load", 7, "#4 (load)"),  # a position wins: it is what the notebook shows
    (None, "load", None, "(load)"),
]


@pytest.mark.parametrize(("position", "name", "count", "label"), COUNTED)
def test_label_without_a_position_uses_the_prompts_count(position, name, count, label):
    assert cell_label(position, name, count) == label


MAIN_DEFINITIONS = [
    # (source, main definition)
    ("x = 1", "x"),
    ("import pandas as pd\ndf = pd.read_csv('f')", "df"),  # what it makes, not what it imports
    ("import numpy as np\nimport pandas as pd", "np"),  # only imports: the first
    ("b = 1\na = 2", "b"),  # source order, not alphabetical
    ("def load():\n    return 1\ndata = load()", "load"),
    ("_tmp = 1\ntotal = _tmp + 1", "total"),  # private names name nothing
    ("for i in range(3):\n    pass", "i"),
    ("print(x)", None),
    ("def f(:\n", None),  # a syntax error defines nothing
    ("%%sql result\nSELECT 1", "result"),
]


@pytest.mark.parametrize(("source", "name"), MAIN_DEFINITIONS)
def test_main_definition(source, name):
    facts = analyze(source)
    assert main_definition(facts) == name
    assert set(facts.defs_order) == facts.defs and len(facts.defs_order) == len(facts.defs)


NAMES = [
    # (title, source, name)
    ("Load data", "df = 1", "Load data"),
    (None, "df = 1", "df"),
    (None, "print(1)", None),
]


@pytest.mark.parametrize(("title", "source", "name"), NAMES)
def test_cell_name_is_the_title_else_the_main_definition(title, source, name):
    assert cell_name(title, analyze(source)) == name
