"""core.rewrite: renaming one global in one cell, every other byte kept, or a refusal that says why."""

from __future__ import annotations

import pytest

from reactive_kernel.core.analysis import analyze
from reactive_kernel.core.errors import RewriteRefused
from reactive_kernel.core.ipython_source import expansion_spans, expansions
from reactive_kernel.core.rewrite import _check, rename

# (case, source, part, expected): `x` renamed to `x_2` (`_x` where the case says private). `part` is
# "own" (what the cell defines, and its reads of that) or "incoming" (its reads of another cell's x).
RENAMES = [
    # -- formatting and comments stay
    (
        "comments and spacing",
        "x  =  1   # the answer, x\n\n\nprint( x )  # x\n",
        "own",
        "x_2  =  1   # the answer, x\n\n\nprint( x_2 )  # x\n",
    ),
    ("no trailing newline", "x = 1\nprint(x)", "own", "x_2 = 1\nprint(x_2)"),
    ("windows line breaks", "x = 1\r\nprint(x)\r\n", "own", "x_2 = 1\r\nprint(x_2)\r\n"),
    (
        "strings and comments are text",
        'x = \'x\'  # x\ns = """x\n x """\n',
        "own",
        'x_2 = \'x\'  # x\ns = """x\n x """\n',
    ),
    (
        "non-ASCII before it on the line",
        "é = 'ü€'; x = é\nprint(é, x)",
        "own",
        "é = 'ü€'; x_2 = é\nprint(é, x_2)",
    ),
    (
        "attributes and keywords are not the global",
        "x = 1\nobj.x = f(x=x, y=obj.x)\n",
        "own",
        "x_2 = 1\nobj.x = f(x=x_2, y=obj.x)\n",
    ),
    (
        "a reader renames every read",
        "y = x * 2\nprint(x, y)  # uses x\n",
        "incoming",
        "y = x_2 * 2\nprint(x_2, y)  # uses x\n",
    ),
    ("a reader has nothing of its own to rename", "y = x * 2\n", "own", "y = x * 2\n"),
    # -- reads before the cell's own definition are another cell's
    ("x = x + 1: own", "x = x + 1  # grow\nprint(x)\n", "own", "x_2 = x + 1  # grow\nprint(x_2)\n"),
    ("x = x + 1: incoming", "x = x + 1  # grow\nprint(x)\n", "incoming", "x = x_2 + 1  # grow\nprint(x)\n"),
    (
        "a default reads it before def binds it",
        "def x(a=x):\n    return a\n",
        "own",
        "def x_2(a=x):\n    return a\n",
    ),
    (
        "a loop after the definition",
        "x = 1\nfor i in r:\n    x = x + i\n",
        "own",
        "x_2 = 1\nfor i in r:\n    x_2 = x_2 + i\n",
    ),
    ("x += 1 after the definition", "x = 1\nx += 1\n", "own", "x_2 = 1\nx_2 += 1\n"),
    (
        "both branches define it",
        "if c:\n    x = 1\nelse:\n    x = 2\nprint(x)\n",
        "own",
        "if c:\n    x_2 = 1\nelse:\n    x_2 = 2\nprint(x_2)\n",
    ),
    # -- nested scopes
    (
        "a function's own x is left alone",
        "def f():\n    x = 2\n    return x\nx = f()\n",
        "own",
        "def f():\n    x = 2\n    return x\nx_2 = f()\n",
    ),
    (
        "a parameter shadows it",
        "def f(x):\n    return x\ny = f(x)\n",
        "incoming",
        "def f(x):\n    return x\ny = f(x_2)\n",
    ),
    (
        "a function body reads the cell's own",
        "def g():\n    return x + 1\nx = 1\n",
        "own",
        "def g():\n    return x_2 + 1\nx_2 = 1\n",
    ),
    (
        "a function body in a reader",
        "def g():\n    return x + 1\n",
        "incoming",
        "def g():\n    return x_2 + 1\n",
    ),
    (
        "nested functions and nonlocal",
        "def f():\n    x = 1\n    def g():\n        nonlocal x\n        x = 2\n    return x, y\ny = x\n",
        "incoming",
        "def f():\n    x = 1\n    def g():\n        nonlocal x\n        x = 2\n    return x, y\ny = x_2\n",
    ),
    (
        "a class body reads the global",
        "class C:\n    y = x\n    def m(self):\n        return x\n",
        "incoming",
        "class C:\n    y = x_2\n    def m(self):\n        return x_2\n",
    ),
    (
        "a method does not see the class's x",
        "class C:\n    x = 1\n    def m(self):\n        return x\n",
        "incoming",
        "class C:\n    x = 1\n    def m(self):\n        return x_2\n",
    ),
    (
        "lambda parameters and bodies",
        "f = lambda x: x\ng = lambda: x\n",
        "incoming",
        "f = lambda x: x\ng = lambda: x_2\n",
    ),
    (
        "a match capture in a function is local",
        "def f(v):\n    match v:\n        case [x]:\n            return x\n    return 0\ny = x\n",
        "incoming",
        "def f(v):\n    match v:\n        case [x]:\n            return x\n    return 0\ny = x_2\n",
    ),
    (
        "match value patterns read it",
        "match v:\n    case x.y:\n        pass\n",
        "incoming",
        "match v:\n    case x_2.y:\n        pass\n",
    ),
    # -- comprehensions
    (
        "a comprehension's target shadows it",
        "y = [x for x in x]\nz = {x: 1 for x in r}\n",
        "incoming",
        "y = [x for x in x_2]\nz = {x: 1 for x in r}\n",
    ),
    (
        "a comprehension reads it",
        "y = [x * i for i in r if i < x]\n",
        "incoming",
        "y = [x_2 * i for i in r if i < x_2]\n",
    ),
    (
        "a walrus in a function's comprehension is the function's",
        "def f():\n    [(x := i) for i in r]\n    return x\ny = x\n",
        "incoming",
        "def f():\n    [(x := i) for i in r]\n    return x\ny = x_2\n",
    ),
    (
        "a walrus defines it",
        "if (x := f()) > 0:\n    print(x)\n",
        "own",
        "if (x_2 := f()) > 0:\n    print(x_2)\n",
    ),
    # -- f-strings
    ("f-strings", "print(f'{x!r:>{x}} and {x.y}')\n", "incoming", "print(f'{x_2!r:>{x_2}} and {x_2.y}')\n"),
    (
        "a string annotation stays text",
        "def f(a: 'x') -> x:\n    pass\n",
        "incoming",
        "def f(a: 'x') -> x_2:\n    pass\n",
    ),
    # -- imports
    ("imports get an alias", "import numpy as x\n", "own", "import numpy as x_2\n"),
    (
        "from-imports get an alias",
        "from m import a, x  # both\n",
        "own",
        "from m import a, x as x_2  # both\n",
    ),
    ("a plain import gets an alias", "import x\n", "own", "import x as x_2\n"),
    (
        "a module path is not the global",
        "from x import y\nimport x.y as z\n",
        "incoming",
        "from x import y\nimport x.y as z\n",
    ),
    # -- IPython syntax is kept, the Python in it renamed
    (
        "magics stay",
        "%matplotlib inline\n!pip install -q pandas\nx = 1\nprint(x)\n",
        "own",
        "%matplotlib inline\n!pip install -q pandas\nx_2 = 1\nprint(x_2)\n",
    ),
    (
        "shell expansions",
        "!ls {x} $x.name\nfiles = !ls {x}\n",
        "incoming",
        "!ls {x_2} $x_2.name\nfiles = !ls {x_2}\n",
    ),
    ("a shell word is not Python", "!echo x\n", "incoming", "!echo x\n"),
    ("a magic's output bound to it", "x = !ls\nprint(x)\n", "own", "x_2 = !ls\nprint(x_2)\n"),
    ("%time's statement", "%time x = f()\nprint(x)\n", "own", "%time x_2 = f()\nprint(x_2)\n"),
    ("%timeit's statement, indented", "if c:\n    %timeit f(x)\n", "incoming", "if c:\n    %timeit f(x_2)\n"),
    (
        "a %%time cell",
        "%%time\nx = f()  # slow\n!echo {x}\n",
        "own",
        "%%time\nx_2 = f()  # slow\n!echo {x_2}\n",
    ),
    ("a %%capture cell binds its target", "%%capture x\nprint(1)\n", "own", "%%capture x_2\nprint(1)\n"),
    ("a %%sql cell that does not mention it", "%%sql r\nSELECT 1\n", "incoming", "%%sql r\nSELECT 1\n"),
    ("top-level await", "await x.wait()\n", "incoming", "await x_2.wait()\n"),
]

PRIVATE = [
    (
        "make it private",
        "x = load()  # raw\nclean = x.dropna()\n",
        "_x",
        "_x = load()  # raw\nclean = _x.dropna()\n",
    ),
    ("a private function", "def x():\n    return 1\ny = x()\n", "_x", "def _x():\n    return 1\ny = _x()\n"),
]

# (case, source, part, a fragment of the refusal)
REFUSALS = [
    ("global", "def f():\n    global x\n    x = 1\n", "own", "line 2: it declares `global x`"),
    ("del", "x = 1\ndel x\n", "own", "line 2: it deletes 'x'"),
    ("globals()", "x = 1\ny = globals()['x']\n", "own", "it calls globals()"),
    ("exec", "exec('print(x)')\n", "incoming", "it calls exec()"),
    ("+= reads one x and defines another", "x += 1\n", "own", "line 1: `x += ...` reads another cell's"),
    ("+= as a reader's part", "x += 1\n", "incoming", "`x += ...`"),
    ("defined on some paths", "if c:\n    x = 1\nprint(x)\n", "own", "line 3: this read of 'x' sees"),
    ("a loop may not run", "for i in r:\n    x = i\nprint(x)\n", "own", "line 3"),
    ("a class reads its own and the global", "class C:\n    x = x + 1\n", "incoming", "a class body binds"),
    ("except as deletes it", "try:\n    pass\nexcept E as x:\n    pass\n", "own", "deletes it afterwards"),
    ("import a.b binds a", "import x.y\n", "own", "`import x.…` binds 'x' to the package"),
    ("syntax error", "x = (\n", "own", "it does not parse (SyntaxError"),
    ("the new name is taken", "x = 1\nx_2 = 2\n", "own", "it already uses the name 'x_2'"),
    ("the new name is an attribute here", "x = obj.x_2\n", "own", "it already uses the name 'x_2'"),
    ("a line magic that names it", "%store x\n", "incoming", "line 1: line magic `%store x` mentions 'x'"),
    ("help", "x?\n", "incoming", "mentions 'x'"),
    ("a %%sql cell that reads it", "%%sql r\nSELECT * FROM x\n", "incoming", "line 2: %%sql cell"),
    ("a pasted session", ">>> y = x\n", "incoming", "IPython syntax `>>> y = x` mentions 'x'"),
    ("%%capture target read in its body", "%%capture x\nprint(x)\n", "own", "line 1: %%capture cell"),
]


@pytest.mark.parametrize(("case", "source", "part", "expected"), RENAMES, ids=[r[0] for r in RENAMES])
def test_rename(case, source, part, expected):
    assert rename(source, "x", "x_2", part) == expected


@pytest.mark.parametrize(("case", "source", "new", "expected"), PRIVATE, ids=[r[0] for r in PRIVATE])
def test_make_private(case, source, new, expected):
    assert rename(source, "x", new, "own") == expected


@pytest.mark.parametrize(("case", "source", "part", "fragment"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusal(case, source, part, fragment):
    with pytest.raises(RewriteRefused) as info:
        rename(source, "x", "x_2", part)
    assert fragment in str(info.value)


def test_the_last_check_refuses_a_rewrite_that_changes_other_names():
    before, after = analyze("y = x + z\n"), analyze("y = x_2 + w\n")
    with pytest.raises(RewriteRefused, match="would change more than that name"):
        _check(before, after, "x", "x_2", "incoming", binds=False)
    _check(before, analyze("y = x_2 + z\n"), "x", "x_2", "incoming", binds=False)


def test_a_name_python_does_not_allow():
    with pytest.raises(RewriteRefused, match="'class' is not a name"):
        rename("x = 1\n", "x", "class", "own")


# (text, the pieces of Python IPython's var_expand reads in it)
EXPANSIONS = [
    ("ls {x}", ["x"]),
    ("a{{{x}", ["x"]),
    ("a{{b{x}c}}d", ["x"]),
    ("{x!r} $y", ["x", "y"]),
    ("{x:}", ["x"]),
    ("$x {y} $$z", ["x", "y"]),
    ("{a[:]}", ["a[:]"]),
    ("echo {x.y + 1} $z.w", ["x.y + 1", "z.w"]),
    ("{x:>10}", []),  # IPython evaluates `x:>10`, which fails: nothing expands
    ("{x:{w}}", []),
    ("a}}", []),
]


@pytest.mark.parametrize(("text", "pieces"), EXPANSIONS, ids=[e[0] for e in EXPANSIONS])
def test_expansion_spans_place_what_expansions_reads(text, pieces):
    assert [text[a:b] for a, b in expansion_spans(text)] == pieces
    assert len(expansions(text)) == len(pieces)
