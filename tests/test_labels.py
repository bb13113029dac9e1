"""What the kernel says names cells as people see them: `cell #3 (total)`, never a raw cell id.

First `CellLabels` alone (kernel.labels: positions from syncs), then a real kernel, driven over its comm
by the scripted frontend (tests/frontend.py). The cell ids there look like real ones, so a message that
leaked one would show it; positions count markdown cells too, and names are a cell's title, else its
main definition (core.naming).
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from reactive_kernel.core.naming import mention
from reactive_kernel.core.scheduler import CellInput, Scheduler
from reactive_kernel.kernel import protocol_in
from reactive_kernel.kernel.labels import CellLabels
from tests.frontend import Execution, Frontend
from tests.notebook_delta import Cell, delta_message

# CellLabels: the kernel's positions, from syncs --------------------------------------------------


def labels_for(*cells: CellInput) -> tuple[Scheduler, CellLabels]:
    scheduler = Scheduler(frontend=True)
    labels = CellLabels(scheduler.name, scheduler.cell_ids)
    labels.take(cells)
    scheduler.sync(cells)
    return scheduler, labels


def test_positions_count_every_cell_and_names_come_from_the_scheduler():
    _, labels = labels_for(
        CellInput("m", "# Intro", "markdown"),
        CellInput("a", "import numpy as np\nx = np.ones(3)"),
        CellInput("b", "y = x * 2", title="Double it"),
        CellInput("c", "print(y)"),
    )
    assert [labels.label(c) for c in "abc"] == ["#2 (x)", "#3 (Double it)", "#4"]
    assert (
        labels.render(f"cell {mention('b')} raised an exception") == "cell #3 (Double it) raised an exception"
    )


def test_a_moved_cell_gets_its_new_position():
    cells = [CellInput("a", "x = 1"), CellInput("b", "y = x")]
    scheduler, labels = labels_for(*cells)
    labels.take(cells[::-1])
    scheduler.sync(cells[::-1])
    assert (labels.label("a"), labels.label("b")) == ("#2 (x)", "#1 (y)")


def test_a_deleted_cell_keeps_the_label_it_had():
    scheduler, labels = labels_for(
        CellInput("m", "md", "markdown"), CellInput("a", "x = 1"), CellInput("b", "y = x")
    )
    scheduler.before_run("a", "x = 1")
    scheduler.after_run("a", "ok")
    rest = [CellInput("b", "y = x")]
    labels.take(rest)  # before the scheduler forgets `a`
    scheduler.sync(rest)
    assert labels.label("a") == "#2 (x)"
    assert labels.render(scheduler.gone["x"]) == "it was defined by cell #2 (x), which was deleted"
    assert labels.label("b") == "#1 (y)"


def test_deleted_cells_metadata_keeps_the_label_too():
    scheduler, labels = labels_for(CellInput("a", "x = 1"), CellInput("b", "y = x"))
    labels.forget(["a"])
    scheduler.delete(["a"])
    assert labels.label("a") == "#1 (x)"


def test_without_a_sync_a_cell_is_named_by_its_latest_execution_count():
    scheduler = Scheduler(frontend=False)
    labels = CellLabels(scheduler.name, scheduler.cell_ids)
    labels.ran("a", 3)
    scheduler.before_run("a", "n = 10")
    assert labels.label("a") == "In[3] (n)"
    labels.ran("a", 5)
    assert labels.label("a") == "In[5] (n)"


# Deltas: the labels a delta leaves are the ones a whole sync of the same notebook gives ---------------


def delta_and_whole(before: list[Cell], after: list[Cell]) -> tuple[list[str], list[str]]:
    """Each code cell's label after `after` reached one kernel as a delta and another as a whole sync."""
    pairs = []
    for _ in range(2):
        scheduler = Scheduler(frontend=True)
        pairs.append((scheduler, CellLabels(scheduler.name, scheduler.cell_ids)))
        pairs[-1][1].take([c.input() for c in before])
        scheduler.sync([c.input() for c in before])
    (s1, by_delta), (s2, by_whole) = pairs
    message = delta_message(before, after, 1, 2)
    if message is not None:
        change = protocol_in.parse(message).delta
        former = by_delta.before_delta(change)
        s1.apply_delta(change)
        by_delta.took_delta(change, former)
    by_whole.take([c.input() for c in after])
    s2.sync([c.input() for c in after])
    every = [c.id for c in (*before, *after)]
    return [by_delta.label(i) for i in every], [by_whole.label(i) for i in every]


def md(cell_id: str) -> Cell:
    return Cell(cell_id, "# notes", cell_type="markdown")


A, B, C = Cell("a", "x = 1"), Cell("b", "y = x"), Cell("c", "print(y)")
DELTA_CASES = [
    ("markdown inserted at the top", [A, B, C], [md("m"), A, B, C]),
    ("markdown inserted between", [A, B, C], [A, md("m"), B, C]),
    ("markdown moved down", [md("m"), A, B, C], [A, B, md("m"), C]),
    ("markdown deleted", [A, md("m"), md("n"), B], [A, md("n"), B]),
    ("code inserted inside a run of markdown", [A, md("m"), md("n"), B], [A, md("m"), C, md("n"), B]),
    ("code with markdown below deleted", [A, B, md("m"), C], [A, md("m"), C]),
    ("code turned markdown", [A, B, C], [A, Cell("b", "y = x", cell_type="markdown"), C]),
    ("markdown turned code", [A, md("m"), C], [A, Cell("m", "z = 1"), C]),
    ("title set", [A, B], [A, Cell("b", "y = x", title="double")]),
    ("title cleared", [A, Cell("b", "y = x", title="double")], [A, B]),
]


@pytest.mark.parametrize("name,before,after", DELTA_CASES, ids=[c[0] for c in DELTA_CASES])
def test_a_delta_leaves_the_labels_a_whole_sync_gives(name, before, after):
    by_delta, by_whole = delta_and_whole(before, after)
    assert by_delta == by_whole


def test_random_reshapes_by_delta_keep_the_labels_of_whole_syncs():
    rng = random.Random(11)
    cells = [Cell(f"c{i}", f"v{i} = {i}") if rng.random() < 0.7 else md(f"c{i}") for i in range(8)]
    for step in range(200):
        after = list(cells)
        kind = rng.randrange(4)
        if kind == 0 or not after:
            new = Cell(f"n{step}", f"w{step} = 1") if rng.random() < 0.6 else md(f"n{step}")
            after.insert(rng.randrange(len(after) + 1), new)
        elif kind == 1:
            after.pop(rng.randrange(len(after)))
        elif kind == 2:
            moved = after.pop(rng.randrange(len(after)))
            after.insert(rng.randrange(len(after) + 1), moved)
        else:
            at = rng.randrange(len(after))
            after[at] = replace(after[at], title=rng.choice([None, "t", f"t{step}"]))
        by_delta, by_whole = delta_and_whole(cells, after)
        assert by_delta == by_whole, step
        cells = after


# A real kernel ----------------------------------------------------------------------------------------

INTRO, SETUP, TOTAL, SHOW = "md-3f9a0c", "setup-81be2d", "total-c07d45", "show-9e1f6a"
IDS = (INTRO, SETUP, TOTAL, SHOW)


@pytest.fixture
def fe():
    frontend = Frontend()
    yield frontend
    frontend.shutdown()


def notebook(fe: Frontend, total: str = "total = n * 2") -> None:
    """#1 markdown, #2 `n = 10` titled "setup", #3 defines total, #4 prints it (no name)."""
    fe.cells.update({INTRO: "# Intro", SETUP: "n = 10", TOTAL: total, SHOW: "print(total)"})
    fe.markdown.add(INTRO)
    fe.titles[SETUP] = "setup"
    fe.sync()


def every_text(*executions: Execution) -> str:
    parts = []
    for execution in executions:
        parts += [
            execution.text,
            str(execution.reply.get("evalue", "")),
            *execution.reply.get("traceback", []),
        ]
    return "\n".join(parts)


def assert_no_ids(text: str, *more: str) -> None:
    for cell_id in (*IDS, *more):
        assert cell_id not in text, f"{cell_id} in:\n{text}"


def test_notes_reactive_blocked_and_gone_messages_name_cells_by_position_and_name(fe):
    notebook(fe)
    first = fe.execute(SHOW, fe.cells[SHOW])  # its ancestors never ran: the kernel has them run first
    assert "running 2 stale ancestor cells first (#2 (setup), #3 (total)); then this cell" in first.stdout
    fe.run_list.clear()
    for cell in (SETUP, TOTAL):
        fe.execute(cell, fe.cells[cell])
    described = fe.execute(SHOW, "print(total)\n%reactive")
    assert described.stdout.splitlines()[1:] == [
        "mode: autorun",
        "definitions: ordered",
        "cell: #4",
        "defs: -",
        "refs: total",
        "parents: #3 (total)",
        "children: -",
    ]

    fe.cells[TOTAL] = "total = n / 0"
    failed = fe.run(TOTAL)[TOTAL]
    assert failed.reply["ename"] == "ZeroDivisionError"
    assert fe.status(SHOW) == "blocked"
    assert fe.shown(fe.states[SHOW]["error"]) == "cell #3 (total) raised an exception"
    assert fe.states[SHOW]["raised"] is False, "the extension shows a blocked cell's message"
    assert fe.states[TOTAL]["raised"] is True, "its traceback shows the exception: no second display"

    del fe.cells[SETUP]  # deleted: TOTAL re-runs and cannot find n
    fe.sync()
    gone = fe.execute(TOTAL, fe.cells[TOTAL])
    assert gone.reply["ename"] == "NameError"
    assert "(it was defined by cell #2 (setup), which was deleted)" in gone.reply["evalue"]
    assert_no_ids(every_text(first, described, failed, gone) + fe.shown(fe.states[SHOW]["error"]))


def test_a_cell_that_no_longer_defines_a_name_is_named_in_the_nameerror(fe):
    notebook(fe)
    fe.run(SETUP)
    fe.cells[SETUP] = "m = 10"
    results = fe.run(SETUP)
    assert "name 'n' is not defined (cell #2 (setup) no longer defines it)" in results[TOTAL].reply["evalue"]
    assert_no_ids(every_text(*results.values()))


def test_a_refusal_names_the_other_cells_and_is_shown_once(fe):
    fe.send({"type": "set_definitions", "definitions": "unique"})
    notebook(fe)
    fe.cells["again-77ad01"] = "n = 3"
    fe.sync()
    refused = fe.execute("again-77ad01", "n = 3")
    expected = (
        "cell #5 (n) defines a global that other cells define too: 'n' is also defined by cell #2 (setup)."
    )
    assert refused.reply["ename"] == "MultipleDefinitionError"
    assert refused.reply["evalue"].startswith(expected)
    assert fe.shown(fe.states["again-77ad01"]["error"]) == refused.reply["evalue"]
    assert refused.outputs == [], "the extension shows the refusal on the cell: no error output too"
    assert_no_ids(every_text(refused), "again-77ad01")


def test_without_the_extension_cells_are_named_by_their_prompts_and_refusals_are_outputs():
    fe = Frontend(open_comm=False)  # JupyterLab without the extension: cell ids, no sync, no order
    try:
        fe.execute(None, "%reactive unique")
        first = fe.execute(SETUP, "n = 10")
        count = first.reply["execution_count"]
        described = fe.execute(SHOW, "print(n)\n%reactive")
        assert (
            f"cell: In[{count + 1}]\n" in described.text  # the cell's outputs, in its place
            and f"parents: In[{count}] (n)\n" in described.text
        )
        again = fe.execute("again-77ad01", "n = 3")
        refusal = f"cell In[{count + 2}] (n) defines a global that other cells define too: "
        assert again.reply["evalue"].startswith(f"{refusal}'n' is also defined by cell In[{count}] (n).")
        (output,) = again.outputs  # nothing else would show it
        assert output["ename"] == "MultipleDefinitionError" and output["evalue"] == again.reply["evalue"]
        assert_no_ids(every_text(first, described, again), "again-77ad01")
    finally:
        fe.shutdown()
