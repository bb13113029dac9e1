"""Property tests: analyze never raises and its facts keep their invariants on hostile input."""

from __future__ import annotations

import keyword
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reactive_kernel.core.analysis import BUILTIN_NAMES, CellFacts, Mutation, analyze
from tests.fuzzing import examples
from tests.test_analysis import CASES, ERRORS, MUTATIONS

FUZZ = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])

FRAGMENTS = [
    "x = ", "y", "z", "def f(", "):", "class A", "(Base)", ":", "lambda", "lambda q: ", " ", "\n", "    ",
    "\t", "\r\n", "\r", "\\\n", "%time ", "%timeit -n 3 ", "%prun -s ", "%%capture out\n", "%%time\n",
    "%%timeit\n", "%%bash\n", "!ls {", "!echo $", "}", "{", "$", "$$", "{{", "}}", "(", ")", "[", "]", "'",
    '"', '"""', "f'{", "#", "?", "??", "x?", "import ", "from m import ", "*", " as ", "global ",
    "nonlocal ", "del ", "for ", " in ", "if ", "else", "elif ", "try:", "except E as e:", "finally:",
    "match ", "case ", "with ", "await ", "async ", "yield ", "return ", ":=", "=", "+=", ".append(",
    "[0] = ", ".attr", "_x", "_", "__name__", "print", "list", ",", ";", "@dec\n", "In [1]: ", ">>> ",
    "...", "...: ", "\x00", "\x0c", "é", "\uff50rint", "inplace=True", ".drop(",
]  # fmt: skip
INSERTS = ["%", "%%", "!", "?", "$", "{", "}", "(", ")", "\n", "    ", "\\", "'", '"', ":", "=", "\x00", "_"]
SNIPPETS = [case[0] for case in [*CASES, *MUTATIONS, *ERRORS] if len(case[0]) < 200]


@st.composite
def mutated_snippets(draw: st.DrawFn) -> str:
    source = draw(st.sampled_from(SNIPPETS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(source)))
        edit = draw(st.sampled_from(["truncate", "insert", "delete", "splice"]))
        if edit == "truncate":
            source = source[:at]
        elif edit == "insert":
            source = source[:at] + draw(st.sampled_from(INSERTS) | st.text(max_size=3)) + source[at:]
        elif edit == "delete":
            source = source[:at] + source[draw(st.integers(at, len(source))) :]
        else:
            source = source[:at] + draw(st.sampled_from(SNIPPETS)) + source[at:]
    return source


def line_count(source: str) -> int:
    return source.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def check(source: str) -> None:
    facts = analyze(source)
    assert isinstance(facts, CellFacts)
    for field in (facts.defs, facts.refs, facts.deleted, facts.private):
        assert type(field) is frozenset
        assert all(isinstance(n, str) and n.isidentifier() and not keyword.iskeyword(n) for n in field)
    assert type(facts.mutations) is tuple and all(type(m) is Mutation for m in facts.mutations)
    assert analyze(source) == facts  # pure: same input, same facts
    if facts.error is not None:
        match = re.fullmatch(r"SyntaxError: .* \(line (\d+)\)", facts.error, re.S)
        assert match, facts.error
        assert 1 <= int(match.group(1)) <= line_count(source)
        assert not (facts.defs or facts.refs or facts.deleted or facts.private or facts.mutations)
        return
    public = facts.defs | facts.refs | facts.deleted
    assert not any(is_private(n) or is_dunder(n) for n in public)
    assert all(is_private(n) for n in facts.private)
    assert not facts.refs & BUILTIN_NAMES  # a builtin read resolves to the builtin
    normalized = unicodedata.normalize("NFKC", source)
    assert all(n in normalized for n in facts.defs & BUILTIN_NAMES)  # only when the cell shadows it
    for mutation in facts.mutations:
        assert mutation.name not in facts.defs and mutation.name not in BUILTIN_NAMES
        assert not is_private(mutation.name) and mutation.how
        assert 1 <= mutation.line <= line_count(source)


@FUZZ
@given(st.text())
def test_arbitrary_text(source: str) -> None:
    check(source)


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_python_ish_fragments(source: str) -> None:
    check(source)


@FUZZ
@given(mutated_snippets())
def test_mutated_snippets(source: str) -> None:
    check(source)


def test_every_snippet_satisfies_the_invariants() -> None:
    for source in SNIPPETS:
        if not source.startswith(("x = -", "%%capture\n%%capture")):  # the RecursionError cases
            check(source)
