"""Table-driven tests for reactive_kernel.core.analysis: one case per line, readable ids."""

from __future__ import annotations

import pytest

from reactive_kernel.core.analysis import CellFacts, Mutation, analyze


def names(text: str) -> set[str]:
    return set(text.split())


# (source, defs, refs)
CASES = [
    # --- assignment forms
    ("x = y + 1", "x", "y"),
    ("x = y = z", "x y", "z"),
    ("a, b = c", "a b", "c"),
    ("a, *b = c", "a b", "c"),
    ("[a, (b, c)] = d", "a b c", "d"),
    ("x += 1", "x", "x"),
    ("x = 1\nx += 1", "x", ""),
    ("x: Foo", "", "Foo"),
    ("x: int", "", ""),
    ("x: int = 1", "x", ""),
    ("x: Foo = make()", "x", "Foo make"),
    ("x: 'Fwd' = 1", "x", ""),
    # --- order at module level
    ("y = 1; print(y)", "y", ""),
    ("print(y); y = 1", "y", "y"),
    ("x = x + 1", "x", "x"),
    ("if c:\n    v = 1\nprint(v)", "v", "c"),
    ("for i in r:\n    print(acc)\n    acc = i", "i acc", "r acc"),
    # --- a one-line shell command typed without `!` or `%`: IPython's automagic runs it as a line magic
    ("ls scripts/*.py", "", ""),
    ("cat {path}", "", "path"),
    ("cd ..", "", ""),
    # --- imports
    ("import os", "os", ""),
    ("import a.b", "a", ""),
    ("import a.b as c", "c", ""),
    ("import os.path as osp, sys", "osp sys", ""),
    ("from m import x as y", "y", ""),
    ("from m import *", "", ""),
    ("from . import sib", "sib", ""),
    ("from __future__ import annotations", "", ""),
    # --- functions and lambdas
    ("def f(a): return a + b", "f", "b"),
    ("def f(): return g()\ndef g(): pass", "f g", ""),
    ("def f(): return later\nlater = 1", "f later", ""),
    ("async def f(): await g()", "f", "g"),
    ("def f(a=b, *, c: C = d) -> R:\n    pass", "f", "C R b d"),
    ("from __future__ import annotations\ndef f(a: A) -> R: pass", "f", ""),
    ("@dec\ndef f(): pass", "f", "dec"),
    ("def f():\n    x = 1\n    return x", "f", ""),
    ("def f():\n    print(x)\n    x = 1", "f", ""),
    ("def f(*args, **kw): return args, kw, z", "f", "z"),
    ("def f():\n    global G\n    G = 1", "f G", ""),
    ("def f():\n    global G\n    return G", "f", "G"),
    ("def f():\n    def g():\n        global H\n        H = 1", "f H", ""),
    (
        "def outer():\n    x = 1\n    def inner():\n        nonlocal x\n        x = 2\n        return x + y",
        "outer",
        "y",
    ),
    ("def f():\n    try:\n        pass\n    except E as e:\n        return e", "f", "E"),
    ("def f():\n    import os\n    return os", "f", ""),
    ("lambda q: q + r", "", "r"),
    ("f = lambda q=d: q + r", "f", "d r"),
    ("f = lambda: g()\ng = 1", "f g", ""),
    ("def f(x=(w := 1)): pass", "f w", ""),
    # --- classes
    ("class A: pass", "A", ""),
    ("@dec\nclass K(Base, metaclass=M):\n    pass", "K", "Base M dec"),
    ("class A:\n    y = 1\n    def f(self): return y", "A", "y"),
    ("class A:\n    y = 1\n    z = y + w", "A", "w"),
    ("class A:\n    x = 1\n    y = [x for _ in range(3)]", "A", "x"),
    ("class A:\n    x = [1]\n    y = [v for v in x]", "A", ""),
    ("class A:\n    a: T = 1", "A", "T"),
    ("class A:\n    def m(self): return A", "A", ""),
    ("class A(A): pass", "A", "A"),
    # --- comprehensions
    ("[x for x in xs]", "", "xs"),
    ("{k: v for k, v in d.items()}", "", "d"),
    ("[y for x in xs for y in x]", "", "xs"),
    ("[x for x in xs if x > lim]", "", "xs lim"),
    ("s = {a * b for a in A}", "s", "A b"),
    ("g = (i for i in it)", "g", "it"),
    ("[y := v for v in vs]", "y", "vs"),
    ("x = [i for i in range(3) if (j := i)]\nprint(j)", "x j", ""),
    ("[await x async for x in y]", "", "y"),
    # --- control flow and binding statements
    ("for k, v in d.items(): pass", "k v", "d"),
    ("while (n := next_n()): pass", "n", "next_n"),
    ("with open(p) as f: pass", "f", "p"),
    ("with open(p) as (a, b): pass", "a b", "p"),
    ("async with a as b:\n    pass", "b", "a"),
    ("async for i in aiter_(): pass", "i", "aiter_"),
    ("try:\n    pass\nexcept E as e:\n    print(e)", "", "E"),
    ("try:\n    pass\nexcept E as e:\n    pass\nprint(e)", "", "E e"),
    ("try:\n    import foo\nexcept ImportError:\n    foo = None", "foo", ""),
    ("if (n := 10) > 5: pass", "n", ""),
    ("await foo()", "", "foo"),
    ("global q\nq = 1", "q", ""),
    # --- match
    ("match p:\n    case Point(x=px): pass", "px", "p Point"),
    ("match p:\n    case [a, *rest]: pass", "a rest", "p"),
    ("match p:\n    case {'k': v, **kw}: pass", "v kw", "p"),
    ("match p:\n    case Foo() as z: pass", "z", "p Foo"),
    ("match p:\n    case Color.RED | [q]: pass", "q", "p Color"),
    # --- f-strings and expressions
    ("f'{a} {b!r} {c:{d}}'", "", "a b c d"),
    ("f'{f\"{a}\"}'", "", "a"),
    ("print(*args, **kwargs)", "", "args kwargs"),
    ("x = obj.attr.method()", "x", "obj"),
    ("x = a if b else c", "x", "a b c"),
    ("x = d[k]", "x", "d k"),
    # --- builtins, private names, dunders
    ("print(len(x))", "", "x"),
    ("list = [1]", "list", ""),
    ("print(1); print = 2", "print", ""),
    ("def print(*a): pass", "print", ""),
    ("display(get_ipython(), In, Out)", "", ""),
    ("_x = 1\nprint(_y)", "", ""),
    ("y = _helper(z)", "y", "z"),
    ("print(__name__, __file__)", "", ""),
    ("__all__ = ['a']", "", ""),
    ("__x = 1", "__x", ""),
    # --- IPython syntax
    ("x = !ls {folder}", "x", "folder"),
    ("!ls $name.attr", "", "name"),
    ("!echo {{esc}} $$no", "", ""),
    ("!echo '$quoted' $real", "", "real"),
    ("!echo {x y}", "", ""),
    ("!echo {", "", ""),
    ("for i in range(3):\n    !echo {i}", "i", ""),
    ("files = !!ls", "files", ""),
    ("%time a = b + 1\nprint(a)", "a", "b"),
    ("%time --no-raise-error a = b", "a", "b"),
    ("%timeit f(x)", "", "f x"),
    ("%timeit -n10 -r 3 -q g(z)", "", "g z"),
    ("%timeit y = w\nprint(y)", "", "w y"),
    ("%prun -s cumulative r = run()", "r", "run"),
    ("%config A.b = {cfg}", "", "cfg"),
    ("%matplotlib inline", "", ""),
    ("%pip install $pkg", "", "pkg"),
    ("res = %timeit -o f()", "res", "f"),
    ("x?", "", ""),
    ("%%capture out\nx = 1\ny = z", "out x y", "z"),
    ("%%capture --no-stdout cap\nprint(1)", "cap", ""),
    ("%%time\nx = w", "x", "w"),
    ("%%timeit -n 3 setup = s0\nx = y", "", "s0 y"),
    ("%%prun -s cumulative\nr = run()", "r", "run"),
    ("%%bash\necho $x\nx = 1", "", ""),
    ("%%writefile {fname}\nbody = {not_python}", "", "fname"),
    ("%%time\n%%capture o\nz = q", "o z", "q"),
    ("x = 1\n%%time\ny = 2", "x y", ""),
    ("def f():\n    !ls {arg}\n    return arg", "f", "arg"),
    ("In [1]: x = 1\n   ...: y = x", "x y", ""),
    (">>> x = 1\n>>> y = x", "x y", ""),
    ("  x = 1\n  y = x", "x y", ""),
    ("%time x = 1\\\n  + b", "x", "b"),
    # --- whitespace and line endings
    ("", "", ""),
    ("   \n  ", "", ""),
    ("# just a comment", "", ""),
    ("\n\n", "", ""),
    ("x = 1\r\ny = x\r\n", "x y", ""),
    ("x = 1\ry = x\r", "x y", ""),
    ("if x:\n\ty = 1\n\t!ls {z}\n", "y", "x z"),
    ("t = (a\n     / b)", "t", "a b"),
]


def case_id(case: tuple[str, str, str]) -> str:
    return case[0].replace("\n", "⏎")[:60]


@pytest.mark.parametrize(("source", "defs", "refs"), CASES, ids=[case_id(c) for c in CASES])
def test_defs_and_refs(source: str, defs: str, refs: str) -> None:
    facts = analyze(source)
    assert facts.error is None
    assert (set(facts.defs), set(facts.refs)) == (names(defs), names(refs))


# (source, deleted, defs, refs)
DELETED = [
    ("del x", "x", "", "x"),
    ("x = 1\ndel x", "x", "x", ""),
    ("x = 1\ndel x\nprint(x)", "x", "x", "x"),
    ("del a, b", "a b", "", "a b"),
    ("del (a, b)", "a b", "", "a b"),
    ("del _p", "", "", ""),
    ("del d[k]", "", "", "d k"),
    ("def f():\n    x = 1\n    del x", "", "f", ""),
    ("class A:\n    x = 1\n    del x", "", "A", ""),
]


@pytest.mark.parametrize(("source", "deleted", "defs", "refs"), DELETED, ids=[case_id(c) for c in DELETED])
def test_deleted(source: str, deleted: str, defs: str, refs: str) -> None:
    facts = analyze(source)
    assert (set(facts.deleted), set(facts.defs), set(facts.refs)) == (
        names(deleted),
        names(defs),
        names(refs),
    )


# (source, private)
PRIVATE = [
    ("_x = 1", "_x"),
    ("for _ in range(3): pass", "_"),
    ("def _helper(): pass", "_helper"),
    ("import numpy as _np", "_np"),
    ("_a, b = 1, 2", "_a"),
    ("[(_w := 1) for i in r]", "_w"),
    ("def f():\n    _local = 1", ""),
    ("__dunder__ = 1", ""),
    ("print(_unbound)", ""),
]


@pytest.mark.parametrize(("source", "private"), PRIVATE, ids=[case_id(c) for c in PRIVATE])
def test_private(source: str, private: str) -> None:
    facts = analyze(source)
    assert set(facts.private) == names(private)
    assert not any(n.startswith("_") and not n.startswith("__") for n in facts.defs | facts.refs)


# (source, [(name, line, how), ...])
MUTATIONS = [
    ("lst.append(1)", [("lst", 1, "lst.append(...)")]),
    ("df['c'] = 1", [("df", 1, "df[...] = ...")]),
    ("d[k] += 1", [("d", 1, "d[...] += ...")]),
    ("del d[k]", [("d", 1, "del d[...]")]),
    ("obj.attr = 1", [("obj", 1, "obj.attr = ...")]),
    ("obj.n -= 1", [("obj", 1, "obj.n -= ...")]),
    ("del obj.attr", [("obj", 1, "del obj.attr")]),
    ("a.b.c[0] = 1", [("a", 1, "a.b.c[...] = ...")]),
    ("x, a[0] = 1, 2", [("a", 1, "a[...] = ...")]),
    ("df.drop('a', inplace=True)", [("df", 1, "df.drop(...)")]),
    ("df.drop('a')", []),
    ("df.fillna(0, inplace=False)", []),
    ("y = d.pop(k)", [("d", 1, "d.pop(...)")]),
    ("s.add(1)\nd.update(a=1)", [("s", 1, "s.add(...)"), ("d", 2, "d.update(...)")]),
    ("lst = []\nlst.append(1)", []),
    ("lst.append(1)\nlst = []", []),
    ("_tmp.append(1)", []),
    ("print.x = 1", []),
    ("def f():\n    lst.append(1)", [("lst", 2, "lst.append(...)")]),
    ("def f(lst):\n    lst.append(1)", []),
    ("def f():\n    lst = []\n    lst.append(1)", []),
    ("class A:\n    def m(self):\n        self.x = 1", []),
    ("f = lambda: lst.pop()", [("lst", 1, "lst.pop(...)")]),
    ("x = 1\n\nlst.sort()\nq.clear()", [("lst", 3, "lst.sort(...)"), ("q", 4, "q.clear(...)")]),
    ("def f():\n    g.x = 1\nh.y = 2", [("g", 2, "g.x = ..."), ("h", 3, "h.y = ...")]),
    ("\n\n!ls\nlst.append(1)", [("lst", 4, "lst.append(...)")]),
    ("\n\n%%time\nx = 1\nlst.append(2)", [("lst", 5, "lst.append(...)")]),
    ("%time x = 1\\\n  + b\nlst.append(1)", [("lst", 3, "lst.append(...)")]),
    ("  a = 1\n  lst.append(1)", [("lst", 2, "lst.append(...)")]),
    ("%%capture c\n\n%time q.add(1)\nr.add(2)", [("q", 3, "q.add(...)"), ("r", 4, "r.add(...)")]),
    ("x = 1\r\n!ls\r\nlst.append(1)\r\n", [("lst", 3, "lst.append(...)")]),
    ("%timeit lst.append(1)", [("lst", 1, "lst.append(...)")]),
]


@pytest.mark.parametrize(("source", "expected"), MUTATIONS, ids=[case_id(c) for c in MUTATIONS])
def test_mutations(source: str, expected: list[tuple[str, int, str]]) -> None:
    facts = analyze(source)
    assert facts.error is None
    assert facts.mutations == tuple(Mutation(*m) for m in expected)


# (source, error or None)
ERRORS = [
    ("x = (", "SyntaxError: '(' was never closed (line 1)"),
    ("x = 1\ny = (", "SyntaxError: '(' was never closed (line 2)"),
    ("\n\n%time z = q\nfoo(", "SyntaxError: '(' was never closed (line 4)"),
    ("%time x = 1\\\n  + b\nfoo(", "SyntaxError: '(' was never closed (line 3)"),
    ("a = 1\n\n   \n%%time\nb.add(1)\n%ls\nfoo(", "SyntaxError: '(' was never closed (line 7)"),
    ("%%time\nx = (\n", "SyntaxError: '(' was never closed (line 2)"),
    ("%time x = (", "SyntaxError: '(' was never closed (line 1)"),
    ("x = 1\n  y = 2", "SyntaxError: unexpected indent (line 2)"),
    ("x = 1\n\x00", "SyntaxError: source code string cannot contain null bytes (line 2)"),
    ("def f(:\n    pass", "SyntaxError: invalid syntax (line 1)"),
    ("x = '\ud800'", "SyntaxError"),
    ("(" * 250 + ")" * 250, "SyntaxError: too many nested parentheses (line 1)"),
    ("x = " + "-" * 5000 + "1", "RecursionError"),
    ("%%capture\n" * 300 + "x = 1", "RecursionError"),
    ("x = 1", None),
    ("%%bash\nthis is ( not python", None),
    ("foo bar", "SyntaxError: invalid syntax (line 1)"),
    ("ls scripts/*.py\nx = 1", "SyntaxError: invalid syntax (line 1)"),
]


@pytest.mark.parametrize(("source", "error"), ERRORS, ids=[case_id(c) for c in ERRORS])
def test_errors(source: str, error: str | None) -> None:
    facts = analyze(source)
    if error is None:
        assert facts.error is None
        return
    assert facts.error is not None and facts.error.startswith(error)
    assert facts == CellFacts(frozenset(), frozenset(), frozenset(), frozenset(), (), facts.error)


@pytest.mark.parametrize("source", [None, b"x = 1", 42], ids=["none", "bytes", "int"])
def test_never_raises_on_wrong_types(source: object) -> None:
    facts = analyze(source)  # type: ignore[arg-type]
    assert isinstance(facts.error, str)


def test_return_types() -> None:
    facts = analyze("import os\nx = y\n_p = 1\ndel z\nlst.append(1)")
    for field in (facts.defs, facts.refs, facts.deleted, facts.private):
        assert type(field) is frozenset
    assert type(facts.mutations) is tuple


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 70


# `ordered` mode facts: (source, reads, mutates, functions as "f:y,z g:")
ORDERED = [
    ("x = x + 1", "x", "", ""),
    ("x = 1\nprint(x)", "", "", ""),
    ("print(x)\nx = 1", "x", "", ""),
    ("x += 1", "x", "x", ""),
    ("x = []\nx += [1]", "", "", ""),
    ("lst.append(2)", "lst", "lst", ""),
    ("lst = []\nlst.append(1)", "", "", ""),
    ("df['c'] = df.a * 2", "df", "df", ""),
    ("df.dropna(inplace=True)", "df", "df", ""),
    ("df.sort_values('a', inplace=True)", "df", "df", ""),
    ("df = df.dropna()", "df", "", ""),
    ("np.sort(a)", "a np", "np", ""),
    ("bisect.insort(seq, 8)", "bisect seq", "seq", ""),
    ("heappush(h, 1)", "h heappush", "h", ""),
    ("np.random.shuffle(cards[0])", "cards np", "cards", ""),
    ("import numpy as np\nnp.sort(a)", "a", "", ""),
    ("obj.attr = 3", "obj", "obj", ""),
    ("del d[k]", "d k", "d", ""),
    ("def f():\n    return y", "", "", "f:y"),
    ("def f():\n    return y\nprint(f())", "y", "", "f:y"),
    ("y = 1\ndef f():\n    return y\nprint(f())", "", "", "f:y"),
    ("def add(v):\n    lst.append(v)", "", "", "add:lst"),
    ("def add(v):\n    lst.append(v)\nadd(1)", "lst", "lst", "add:lst"),
    ("class M:\n    def p(self):\n        return scale * w", "", "", "M:scale,w"),
    ("class M:\n    k = base\n    def p(self):\n        return w", "base", "", "M:w"),
    ("f = lambda: z + 1", "", "", "f:z"),
    ("sorted(xs, key=lambda v: w[v])", "w xs", "", ""),
    ("def g():\n    return h()\ndef h():\n    return q", "", "", "g:h,q h:q"),
    ("def g():\n    return h()\ndef h():\n    return q\ng()", "q", "", "g:h,q h:q"),
    ("def _helper():\n    return y\nz = _helper()", "y", "", ""),
    ("@decorate\ndef f(a=default):\n    return body", "decorate default", "", "f:body"),
    ("def f():\n    global G\n    G = x", "", "", "f:x"),
    ("def outer():\n    def inner():\n        return deep\n    return inner", "", "", "outer:deep"),
]


@pytest.mark.parametrize(
    ("source", "reads", "mutates", "functions"), ORDERED, ids=[case_id(c) for c in ORDERED]
)
def test_ordered_facts(source: str, reads: str, mutates: str, functions: str) -> None:
    facts = analyze(source)
    assert facts.error is None
    assert facts.reads == names(reads)
    assert facts.mutates == names(mutates)
    found = {f.name: ",".join(sorted(f.reads)) for f in facts.functions}
    assert found == dict(item.split(":") for item in functions.split())


@pytest.mark.parametrize(
    ("source", "calls", "imports"),
    [
        ("np.sort(a)", "np", ""),
        ("lst.append(1)\nlst[0] = 2", "", ""),
        ("sys.path.append('x')", "sys", ""),
        ("import numpy as np, os.path\nfrom m import f", "", "np os f"),
        ("def g():\n    import json", "", ""),
    ],
)
def test_method_call_changes_and_imports(source: str, calls: str, imports: str) -> None:
    facts = analyze(source)
    assert (facts.call_mutates, facts.imports) == (names(calls), names(imports))
