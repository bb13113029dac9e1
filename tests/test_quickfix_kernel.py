"""Quick fixes on a real kernel, through the comm, as the JupyterLab extension asks for them: the fixes a
state offers, the `rewrite` answer, and what the notebook does once the frontend puts the sources in."""

from __future__ import annotations

import pytest

from tests.frontend import Frontend

pytestmark = pytest.mark.kernel


@pytest.fixture
def fe():
    frontend = Frontend()
    frontend.send({"type": "set_definitions", "definitions": "unique"})
    yield frontend
    frontend.shutdown()


def conflict(fe: Frontend) -> None:
    """a defines x and r reads it (both ran); then b defines x too and is refused."""
    fe.cells.update({"a": "x = 1  # the first\n", "r": "print(x)"})
    fe.sync(numbered=True)
    fe.run("a")
    assert fe.executed == ["a", "r"]
    fe.cells = {"a": fe.cells["a"], "r": fe.cells["r"], "b": "x = 2  # the second"}
    fe.send_delta()
    assert fe.run("b")["b"].reply["ename"] == "MultipleDefinitionError"
    assert fe.statuses() == {"a": "error", "r": "blocked", "b": "error"}


def ask(fe: Frontend, cell: str, kind: str, to: str | None = None, request: int = 1) -> dict:
    message = {"type": "quick_fix", "request": request, "cell": cell, "name": "x", "kind": kind}
    fe.send(message if to is None else {**message, "to": to})
    answer = fe.last("rewrite")
    assert answer["request"] == request
    return answer


def put(fe: Frontend, answer: dict) -> None:
    """What the extension does with a `rewrite`: the new sources into the cells, then a delta."""
    for cell in answer["cells"]:
        assert fe.cells[cell["id"]] == cell["before"]
        fe.cells[cell["id"]] = cell["after"]
    fe.send_delta()


def test_the_states_offer_the_fixes(fe):
    conflict(fe)
    assert fe.states["a"]["fixes"] == [{"kind": "rename", "name": "x", "to": "x_2", "cells": ["a", "r"]}]
    assert fe.states["b"]["fixes"] == [
        {"kind": "private", "name": "x", "to": "_x", "cells": ["b"]},
        {"kind": "rename", "name": "x", "to": "x_2", "cells": ["b"]},
    ]
    assert fe.states["r"]["fixes"] == []


def test_make_it_private_clears_the_error_without_running_anything(fe):
    conflict(fe)
    answer = ask(fe, "b", "private")
    assert answer == {
        "type": "rewrite",
        "request": 1,
        "cells": [{"id": "b", "before": "x = 2  # the second", "after": "_x = 2  # the second"}],
        "error": None,
    }
    assert fe.statuses() == {"a": "error", "r": "blocked", "b": "error"}  # the kernel changed nothing
    ran = list(fe.executed)
    put(fe, answer)
    # r now reads x from a alone, not from a and b: like any read that changes where it comes from, stale
    assert fe.statuses() == {"a": "fresh", "r": "stale", "b": "unrun"}
    assert fe.executed == ran
    assert fe.run("b")["b"].status == "ok"


def test_rename_here_and_in_the_readers_then_run(fe):
    conflict(fe)
    answer = ask(fe, "a", "rename", to="first")
    assert [(c["id"], c["after"]) for c in answer["cells"]] == [
        ("a", "first = 1  # the first\n"),
        ("r", "print(first)"),
    ]
    put(fe, answer)
    assert fe.statuses() == {"a": "edited", "r": "edited", "b": "unrun"}
    results = fe.run("a")  # a ran before, with x: running it again runs its reader
    assert list(results) == ["a", "r"]
    assert results["r"].stdout == "1\n"
    fe.catch_up()
    assert fe.statuses() == {"a": "fresh", "r": "fresh", "b": "unrun"}


def test_undoing_the_fix_brings_the_error_back(fe):
    conflict(fe)
    put(fe, ask(fe, "a", "rename"))
    assert fe.status("a") == "edited"
    fe.cells["a"], fe.cells["r"] = "x = 1  # the first\n", "print(x)"  # Ctrl+Z in both cells
    fe.send_delta()
    assert fe.statuses() == {"a": "error", "r": "blocked", "b": "error"}


def test_a_fix_that_cannot_be_made_names_the_cell_and_changes_nothing(fe):
    conflict(fe)
    answer = ask(fe, "a", "private")
    assert answer["cells"] == []
    assert fe.shown(answer["error"]) == (
        "cannot fix 'x' in cell #1 (x): cell #2 reads its 'x', so it cannot be private; rename it instead"
    )
    fe.cells["r"] = "print(x)\ndel x"
    fe.send_delta()
    answer = ask(fe, "a", "rename", request=2)
    assert fe.shown(answer["error"]) == "cannot fix 'x' in cell #2: line 2: it deletes 'x' (`del x`)"
    assert fe.statuses() == {"a": "error", "r": "edited", "b": "error"}


def test_only_the_viewer_that_asked_gets_the_answer(fe):
    conflict(fe)
    other = Frontend(share=fe)
    try:
        other.sync()
        ask(fe, "b", "private")
        other.catch_up()
        assert [m["type"] for m in other.messages if m["type"] == "rewrite"] == []
    finally:
        other.shutdown()


def test_a_malformed_request_is_an_error_message(fe):
    fe.send({"type": "quick_fix", "request": 1, "cell": "a", "name": "x", "kind": "inline"})
    assert "field 'kind'" in fe.last("error")["message"]
