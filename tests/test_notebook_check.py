"""`notebook_check.checked`: what passes it, the format writers can write (or refuse with a FormatError).

The REST table in tests/test_contents_saves.py checks the answers a server gives; this checks the
promise the contents manager relies on, over generated notebooks whose metadata holds anything JSON
can: a notebook that passes is never a crash in `formats.writes`.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reactive_kernel import formats
from reactive_kernel.core.errors import FormatError, NotebookModelError
from reactive_kernel.server import notebook_check
from tests.fuzzing import examples

KEYS = [
    "name", "header", "marker", "blank", "newline", "final_newline", "form", "config", "options", "hide_code",
    "disabled", "tags", "jupyter", "source_hidden", "language", "magic_args", "indent", "implied_kernelspec",
]  # fmt: skip
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.text(max_size=4),
    st.sampled_from(["percent", "marimo", "\n"]),
)
json_value = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=8,
)
source = st.lists(
    st.sampled_from(
        [*"ab =()\n#%@:'\"\\\t", "def f():", "@app.cell", "import marimo", "# %%", "\r\n", "\n    "]
    ),
    max_size=12,
).map("".join)
cell_metadata = st.dictionaries(
    st.sampled_from(
        ["reactive_format", "name", "tags", "jupyter", "disabled", "hide_code", "language", "title"]
    ),
    json_value,
    max_size=3,
)


@st.composite
def notebooks(draw: st.DrawFn) -> dict:
    cells = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(notebook_check.CELL_TYPES))
        cell = {"cell_type": kind, "id": f"c{i}", "source": draw(source), "metadata": draw(cell_metadata)}
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        cells.append(cell)
    metadata = draw(
        st.dictionaries(st.sampled_from(["kernelspec", "jupytext", "reactive", "marimo"]), json_value)
    )
    if draw(st.booleans()):
        metadata["reactive_format"] = draw(json_value | st.dictionaries(st.sampled_from(KEYS), json_value))
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": cells}


@settings(max_examples=examples(400), deadline=None, suppress_health_check=list(HealthCheck))
@given(notebooks(), st.sampled_from(sorted(formats.FORMATS)))
def test_a_notebook_that_passes_the_check_writes_or_is_refused_with_a_format_error(content, fmt):
    try:
        nb = notebook_check.checked(content)
    except NotebookModelError:
        return
    nb.metadata.get("reactive_format", {}).pop("implied_kernelspec", None)  # as the contents manager does
    try:
        formats.writes(nb, formats.format_of(nb) or fmt)
    except FormatError:
        pass


def test_the_check_does_not_change_the_content_it_was_given():
    cell = {"cell_type": "code", "source": "x", "metadata": {}, "outputs": [], "execution_count": None}
    content = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell, dict(cell, id="a")]}
    nb = notebook_check.checked(content)
    assert "id" not in content["cells"][0], "the ids nbformat repairs are repaired in the copy"
    assert nb.cells[0].id and nb.cells[1].id == "a"


@pytest.mark.parametrize(
    "cell,expected",
    [
        ({"cell_type": "code", "source": 1, "metadata": {"name": "load"}}, "cell #1 (load): field 'source'"),
        ({"cell_type": "markdown", "source": "x", "metadata": {}, "outputs": []}, "in a markdown cell"),
        (  # no name: what it defines, as every message names cells (core.naming)
            {"cell_type": "code", "source": ["import pandas as pd\n", "df = 1"], "metadata": {}},
            "cell #1 (df): field",
        ),
        (
            {"cell_type": "code", "source": "x = 1", "metadata": {"title": "Set up"}},
            "cell #1 (Set up): field",
        ),
    ],
)
def test_a_cell_is_named_by_position_and_name(cell, expected):
    content = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}
    with pytest.raises(NotebookModelError) as info:
        notebook_check.checked(content)
    assert expected in str(info.value)
    assert info.value.cell == 1
