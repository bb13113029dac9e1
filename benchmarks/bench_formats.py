"""Percent-format speed: `reactive_kernel.formats.percent` against jupytext on a generated 2,000-cell file.

Notebook shape (fixed seed): 70% code cells of 2-30 lines (assignments, calls, comments, strings, some
docstring'd functions and classes, an occasional `%time` magic or `!` shell line, a few tags), 30% markdown
cells of 1-10 lines (headings, lists, inline code, a fenced block now and then). About 20,000 lines.
Measured, in interleaved rounds (the order alternates), medians of the per-round ratios:
- read: `percent.reads(text)` vs `jupytext.reads(text, fmt="py:percent")` on the file jupytext writes
  for the notebook; target <= 0.2x jupytext's time;
- write: `percent.writes(nb)` vs `jupytext.writes(nb, fmt="py:percent")` for the nbformat notebook (no
  layout records: both write everything the canonical way); target <= 0.5x;
- write back: `percent.writes` of the notebook `percent.reads` returned (its layout records checked and
  used), against jupytext writing the notebook it read; no target;
then the read time per cell at 2,000 vs 200 cells (~1x when reading is linear in the file size).
Before timing, both readers must find the same cells in both files.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import jupytext
import nbformat
from _common import Row, fmt_time, main, median, ratio_row
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from reactive_kernel.formats import percent

CELLS = 2_000
SMALL = 200
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
WORDS = "data model frame value result index window score sample batch label token weight".split()


def code_cell(rng: random.Random, i: int) -> str:
    lines = []
    if rng.random() < 0.15:
        lines += [f"def step_{i}(x, scale={rng.random():.2f}):", f'    """Scale `x` for step {i}."""']
        lines += [f"    y = x * scale + {rng.randint(0, 9)}", "    return y"]
    if rng.random() < 0.05:
        lines += [f"class Model{i}:", "    def __init__(self, n):", "        self.n = n"]
    if rng.random() < 0.08:
        lines.append(f"%time total_{i} = sum(range({rng.randint(10, 10_000)}))")
    if rng.random() < 0.04:
        lines.append(f"!ls data/{rng.choice(WORDS)}")
    for k in range(rng.randint(2, 26)):
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        forms = (
            f"{a}_{i}_{k} = load_{b}('{a}.csv', limit={rng.randint(1, 500)})",
            f"# {a} then {b}: keep the {rng.choice(WORDS)} for later",
            f'print(f"{a}={{{a}_{i}_{k - 1} if {k} else 0!r}}", {rng.random():.3f})',
            f"{a}_{i}_{k} = [{b} * 2 for {b} in range({rng.randint(1, 99)}) if {b} % 3]",
        )
        lines.append(rng.choice(forms))
    return "\n".join(lines)


def markdown_cell(rng: random.Random, i: int) -> str:
    lines = [f"## Step {i}: the {rng.choice(WORDS)} {rng.choice(WORDS)}"]
    for _ in range(rng.randint(0, 7)):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
        lines.append(rng.choice((f"- {words}", f"The `{rng.choice(WORDS)}` {words}.", "", words)))
    if rng.random() < 0.1:
        lines += ["```python", f"{rng.choice(WORDS)} = {rng.randint(0, 99)}", "```"]
    return "\n".join(lines)


def notebook(n: int, seed: int = 0) -> nbformat.NotebookNode:
    rng = random.Random(seed)
    cells = []
    for i in range(n):
        if rng.random() < 0.3:
            cells.append(new_markdown_cell(markdown_cell(rng, i)))
        else:
            tags = {"tags": [rng.choice(WORDS)]} if rng.random() < 0.05 else {}
            cells.append(new_code_cell(code_cell(rng, i), metadata=tags))
    return new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC})


def cells(nb: nbformat.NotebookNode) -> list[tuple]:
    hidden = {percent.KEY, "lines_to_next_cell"}
    return [
        (c.cell_type, c.source, {k: v for k, v in c.metadata.items() if k not in hidden}) for c in nb.cells
    ]


def check(nb: nbformat.NotebookNode, text: str) -> None:
    """Both readers find the notebook's cells in jupytext's file and in ours."""
    ours = percent.writes(nb)
    for name, file in (("jupytext's", text), ("our", ours)):
        for reader, found in (
            ("ours", percent.reads(file)),
            ("jupytext", jupytext.reads(file, fmt="py:percent")),
        ):
            if cells(found) != cells(nb):
                raise RuntimeError(f"{reader} reads {name} file to other cells")


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def side_by_side(
    ours: Callable[[], object], theirs: Callable[[], object], rounds: int
) -> tuple[float, float, float]:
    """Medians of our time, jupytext's time and the per-round ratio, the order alternating each round."""
    t_ours, t_theirs, ratios = [], [], []
    for r in range(rounds):
        if r % 2:
            b, a = timed(theirs), timed(ours)
        else:
            a, b = timed(ours), timed(theirs)
        t_ours.append(a)
        t_theirs.append(b)
        ratios.append(a / b)
    return median(t_ours), median(t_theirs), median(ratios)


def run(quick: bool = False) -> list[Row]:
    rounds = 1 if quick else 7
    nb = notebook(CELLS)
    text = jupytext.writes(nb, fmt="py:percent")
    check(nb, text)
    ours_nb, their_nb = percent.reads(text), jupytext.reads(text, fmt="py:percent")
    lines = f"{CELLS:,} cells, {text.count(chr(10)):,} lines"
    read = side_by_side(lambda: percent.reads(text), lambda: jupytext.reads(text, fmt="py:percent"), rounds)
    write = side_by_side(lambda: percent.writes(nb), lambda: jupytext.writes(nb, fmt="py:percent"), rounds)
    back = side_by_side(
        lambda: percent.writes(ours_nb), lambda: jupytext.writes(their_nb, fmt="py:percent"), rounds
    )
    small = jupytext.writes(notebook(SMALL), fmt="py:percent")
    per_small = median(timed(lambda: percent.reads(small)) for _ in range(rounds * 5)) / SMALL
    per_big = read[0] / CELLS
    return [
        ratio_row(f"formats: percent reads, {lines}", read[0], read[1], 0.2, "jupytext", read[2]),
        ratio_row(
            f"formats: percent writes, {CELLS:,} new cells", write[0], write[1], 0.5, "jupytext", write[2]
        ),
        ratio_row(
            f"formats: percent writes back what it read, {CELLS:,} cells",
            back[0],
            back[1],
            None,
            "jupytext",
            back[2],
        ),
        Row(
            f"formats: percent read time per cell, {CELLS:,} vs {SMALL} cells",
            f"{per_big / per_small:.2f}x",
            f"{fmt_time(per_big)} vs {fmt_time(per_small)}",
            "~1x if linear",
        ),
    ]


if __name__ == "__main__":
    main(__doc__, run)
