"""`formats.detect` gives the verdict of the full checks (`marimo.looks_like`, then `percent.looks_like`).

`detect` only runs those checks on the parts of the text that can hold a match; this twin test feeds
both the same texts, built from the lines that matter (markers in every spelling, header lines, marimo's
import and app, lookalikes, CRLF), with padding that pushes them past the header span.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reactive_kernel import formats
from reactive_kernel.formats import marimo, percent
from tests.fuzzing import examples


def reference(text: str) -> str | None:
    if marimo.looks_like(text):
        return "marimo"
    if percent.looks_like(text):
        return "percent"
    return None


LINES = [
    "# %%", "#%%", "# %% [markdown]", "#   %%%", "# %%%% x", "# %%x", "#%%\r", "# %% \t", " # %%",
    "x = '%%'", "print('%%d' % 3)", "## %%", "#", "# ---", "# jupyter:", "#   kernelspec:",
    "#     name: python3", "#   jupytext:", "#     text_representation:", "# ---x", "#!/usr/bin/env python",
    "# -*- coding: utf-8 -*-", "import marimo", "import marimo as mo", "import marimox", "app = marimo.App()",
    "app = mo.App(width='full')", "app=marimo.App(", "  app = marimo.App()", "x = 1", "", "def f():",
    "    return 1", "'''doc'''",
]  # fmt: skip
PADDING = ["# " + "c" * 70, "y = 2  # " + "p" * 60, "s = '''" + "%" * 30 + "'''"]

HEADERS = [
    [],
    ["# ---", "# jupyter:", "#   kernelspec:", "#     name: python3"],
    ["#!/usr/bin/env python", "# ---", "# jupyter:", "#   jupytext:", "#     formats: py:percent"],
    ["# -*- coding: utf-8 -*-", "# ---", "#   kernelspec:"],
]


def _text(header: list[str], closed: bool, parts: list[str], newline: str, pad: list[str], at: int) -> str:
    """A header opening, maybe closed, then the parts; the padding goes at `at` (-1: in the header)."""
    if at < 0:
        lines = header + pad + ["# ---"] * closed + parts
    else:
        lines = header + ["# ---"] * closed + parts[:at] + pad + parts[at:]
    return newline.join(lines)


texts = st.builds(
    _text,
    st.sampled_from(HEADERS),
    st.booleans(),
    st.lists(st.sampled_from(LINES), max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from([[], [PADDING[0]] * 100, [PADDING[0]] * 300, [PADDING[1]] * 300, [PADDING[2]] * 300]),
    st.integers(min_value=-1, max_value=12),
)


@settings(max_examples=examples(1500), deadline=None)
@given(texts)
def test_detect_agrees_with_the_full_checks(text):
    assert formats.detect(text) == reference(text)


CASES = [
    ("# %%\nx = 1\n", "percent"),
    ("x = 1\n" * 5000 + "# %%\ny = 2\n", "percent"),  # a marker far past the header span
    ("x = '%%'\n# %%\n", "percent"),
    ("x = '%%'\n #%%\n", None),  # not at column 0
    ("# ---\n# jupyter:\n#   kernelspec:\n#     name: python3\n# ---\nx = 1\n", "percent"),
    ("# ---\n# jupyter:\n#   kernelspec:\n#     name: python3\nx = 1\n# ---\n", None),  # header not closed
    ("#!/usr/bin/env python\n# ---\n# jupyter:\n#   jupytext:\n#     x: 1\n# ---\n", "percent"),
    ("import marimo\napp = marimo.App()\n# %%\n", "marimo"),
    ("import marimo\n# %%\n", "percent"),
    ("print('plain')\n", None),
    ("", None),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_detect_cases(text, expected):
    assert formats.detect(text) == expected == reference(text)
