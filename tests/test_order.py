"""A whole notebook -> the headless run order and what refuses it, as tables of tiny notebooks."""

from __future__ import annotations

import pytest

from reactive_kernel.core import order


def cells(*specs: str) -> list[dict]:
    """'x = 1' -> a code cell; 'md: text' -> markdown; 'off: x = 1' -> a disabled code cell."""
    out = []
    for spec in specs:
        kind, _, rest = spec.partition(": ")
        if kind == "md":
            out.append({"cell_type": "markdown", "source": rest, "metadata": {}})
        elif kind == "off":
            out.append({"cell_type": "code", "source": rest, "metadata": {"disabled": True}})
        else:
            out.append({"cell_type": "code", "source": spec, "metadata": {}})
    return out


# (name, notebook, run order by index, disabled)
ORDERS = [
    ("in order", ("x = 1", "y = x", "print(y)"), (0, 1, 2), ()),
    ("reversed", ("print(y)", "y = x", "x = 1"), (2, 1, 0), ()),
    ("ties by position", ("b = 1", "a = 1", "print(a, b)"), (0, 1, 2), ()),
    ("a parent below pulls only its readers", ("print(x)", "z = 3", "x = 1"), (1, 2, 0), ()),
    ("markdown and empty cells skipped", ("md: # title", "   \n", "x = 1"), (2,), ()),
    ("private names are not edges", ("_t = 1", "print(_t)"), (0, 1), ()),
    ("IPython syntax analysed", ("print(n)", "n = %time 1 + 1", "!echo hi"), (1, 0, 2), ()),
    ("disabled and its descendants", ("off: x = 1", "y = x", "z = 2", "print(y, z)"), (2,), (0, 1, 3)),
    ("disabled leaf", ("x = 1", "off: print(x)"), (0,), (1,)),
]


@pytest.mark.parametrize(
    ("notebook", "expected", "disabled"), [c[1:] for c in ORDERS], ids=[c[0] for c in ORDERS]
)
def test_run_order(notebook, expected, disabled):
    plan = order.plan(cells(*notebook))
    assert (plan.order, plan.disabled, plan.problems) == (expected, disabled, ())


def test_sources_as_lists_of_lines():
    plan = order.plan(
        [{"cell_type": "code", "source": ["print(", "x)"]}, {"cell_type": "code", "source": ["x = 1"]}]
    )
    assert plan.order == (1, 0)


def test_parents_of_every_cell_to_run():
    plan = order.plan(cells("print(x, y)", "x = 1", "y = x"))
    assert plan.parents == {1: frozenset(), 2: {1}, 0: {1, 2}}


# (name, notebook, problems as (index, kind, detail, others))
PROBLEMS = [
    ("none", ("x = 1",), ()),
    ("syntax error", ("x = (", "y = 1"),
     ((0, "syntax-error", "SyntaxError: '(' was never closed (line 1)", ()),)),
    (
        "defined twice",
        ("x = 1", "md: between", "x = 2"),
        ((0, "multiple-definition", "x", (2,)), (2, "multiple-definition", "x", (0,))),
    ),
    ("cycle", ("a = b", "b = a"), ((0, "cycle", "", (1,)), (1, "cycle", "", (0,)))),
    ("disabled cells still count", ("x = 1", "off: x = 2"), ((0, "multiple-definition", "x", (1,)),
                                                              (1, "multiple-definition", "x", (0,)))),
]  # fmt: skip


@pytest.mark.parametrize(("notebook", "expected"), [c[1:] for c in PROBLEMS], ids=[c[0] for c in PROBLEMS])
def test_problems_refuse_the_notebook(notebook, expected):
    plan = order.plan(cells(*notebook))
    assert tuple((p.index, p.kind, p.detail, p.others) for p in plan.problems) == expected


NAMES = [
    ({}, "cell #2 (x)"),  # its main definition
    ({"title": "load data"}, "cell #2 (load data)"),
    ({"name": "load"}, "cell #2 (load)"),
    ({"name": "_"}, "cell #2 (x)"),  # marimo's anonymous cells
]


@pytest.mark.parametrize(("metadata", "expected"), NAMES)
def test_describe_names_a_cell_by_position_and_name(metadata, expected):
    nb = cells("md: intro", "x = 1")
    nb[1]["metadata"].update(metadata)
    assert order.describe(nb, 1) == expected


def test_explain_names_every_cell_involved():
    nb = cells("x = 1", "x = 2", "a = b", "b = a")
    nb[1]["metadata"]["title"] = "again"
    lines = [order.explain(nb, p) for p in order.plan(nb).problems]
    assert lines[0].startswith("cell #1 (x): x is also defined by cell #2 (again)")
    assert lines[2].startswith("cell #3 (a): is in a dependency cycle with cell #4 (b)")


# ordered definitions: (name, notebook, run order by index)
ORDERED = [
    ("redefinitions run top to bottom", ("x = 1", "print(x)", "x = x + 1", "print(x)"), (0, 1, 2, 3)),
    ("a change in place after its other readers", ("lst = [1]", "lst.append(2)", "print(lst)"), (0, 1, 2)),
    (
        "a reader above the change runs before it",
        ("lst = []", "print(lst, z)", "lst.append(1)", "z = 1"),
        (0, 3, 1, 2),
    ),
    ("a function reads at the caller", ("def f():\n    return x", "x = 1", "print(f())"), (0, 1, 2)),
    ("a single definer below", ("print(x)", "x = 1", "y = 2"), (1, 0, 2)),
]


@pytest.mark.parametrize(("notebook", "expected"), [c[1:] for c in ORDERED], ids=[c[0] for c in ORDERED])
def test_ordered_run_order(notebook, expected):
    plan = order.plan(cells(*notebook), "ordered")
    assert (plan.order, plan.problems) == (expected, ())


def test_ordered_refuses_an_ambiguous_read():
    notebook = cells("print(x)", "x = 1", "x = 2")
    plan = order.plan(notebook, "ordered")
    assert [(p.index, p.kind, p.detail, p.others) for p in plan.problems] == [(0, "ambiguous", "x", (1, 2))]
    assert order.explain(notebook, plan.problems[0]) == (
        "cell #1: reads x, which no cell above defines and cell #2 (x), cell #3 (x) define below; "
        "define it above, or keep one definition below"
    )


@pytest.mark.parametrize(
    ("metadata", "marimo", "expected"),
    [
        ({}, False, "ordered"),
        ({}, True, "unique"),
        ({"reactive": {"definitions": "unique"}}, False, "unique"),
        ({"reactive": {"definitions": "ordered"}}, True, "ordered"),
        ({"reactive": {"definitions": "bogus"}}, False, "ordered"),
        ({"reactive": "not a dict"}, True, "unique"),
    ],
)
def test_a_notebooks_definitions_policy(metadata, marimo, expected):
    assert order.definitions(metadata, marimo=marimo) == expected
