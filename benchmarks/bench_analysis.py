"""Static analysis cost: `reactive_kernel.core.analysis.analyze` on a realistic 40-line notebook cell.

Measured in interleaved samples, medians reported per call:
- `analyze` on the full cell (with a `%time` line magic and a `!ls {folder}` shell line); target <= 1 ms.
- `ast.parse` of the same cell after IPython's transforms, as a floor reference (ratio analyze/parse).
- marimo, if importable: `marimo._ast.compiler.compile_cell` (marimo's static compile: parse, scope
  analysis, bytecode compile) and marimo's `ScopedVisitor` alone (analysis only) on the cell without the
  magic and shell lines, side by side with `analyze` on that same stripped cell; ratios analyze/marimo.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from _common import Row, budget_row, main, median, per_call, ratio_row
from IPython.core.inputtransformer2 import TransformerManager

from reactive_kernel.core.analysis import analyze

CELL = '''\
import json
import os
from collections import Counter, defaultdict

import numpy as np

folder = "data/raw"
THRESHOLD = 0.75


def load(path, encoding="utf-8", limit=THRESHOLD):
    """Read one JSON file and keep the records scoring above `limit`."""
    with open(os.path.join(folder, path), encoding=encoding) as fh:
        rows = json.load(fh)
    return [r for r in rows if r.get("score", 0) > limit]


class Summary:
    def __init__(self, records):
        self.records = records
        self.by_kind = defaultdict(list)

    def add(self, record):
        self.by_kind[record["kind"]].append(record)
        return len(self.by_kind)


%time files = sorted(f for f in os.listdir(folder) if f.endswith(".json"))
!ls {folder}
summary = Summary([])
counts = Counter()
for name in files:
    for record in load(name):
        summary.add(record)
        counts[record["kind"]] += 1
    print(f"{name}: {len(summary.by_kind)} kinds, top={counts.most_common(1)}")
scores = np.array([r["score"] for rs in summary.by_kind.values() for r in rs])
config = {"mean": float(scores.mean()), "n": scores.size, "folder": folder}
squares = {k: v ** 2 for k, v in config.items() if isinstance(v, int)}
config["mean"], summary.records
'''

STRIPPED = "\n".join(line for line in CELL.splitlines() if not line.startswith(("%", "!"))) + "\n"


def marimo_calls() -> dict[str, Callable[[], object]]:
    """marimo's compile and analysis of STRIPPED, or nothing when marimo is not installed."""
    try:
        from marimo._ast.compiler import compile_cell
        from marimo._ast.visitor import ScopedVisitor
    except ImportError:
        return {}

    def visit() -> None:
        ScopedVisitor("cell_bench").visit(ast.parse(STRIPPED))

    def compile_() -> None:
        compile_cell(STRIPPED, cell_id="bench")

    return {"marimo compile_cell": compile_, "marimo ScopedVisitor": visit}


def measure(calls: dict[str, Callable[[], object]], samples: int, number: int) -> dict[str, float]:
    """Median seconds per call for each callable; samples interleave all callables, rotating the order."""
    names = list(calls)
    times: dict[str, list[float]] = {n: [] for n in names}
    for s in range(samples):
        for name in names[s % len(names) :] + names[: s % len(names)]:
            times[name].append(per_call(calls[name], number))
    return {n: median(t) for n, t in times.items()}


def run(quick: bool = False) -> list[Row]:
    samples, number = (5, 20) if quick else (60, 50)
    python = TransformerManager().transform_cell(CELL)  # what IPython would hand to ast.parse
    facts = analyze(CELL)
    if facts.error:
        raise RuntimeError(f"analyze rejected the benchmark cell: {facts.error}")
    calls = {
        "analyze": lambda: analyze(CELL),
        "ast.parse": lambda: ast.parse(python),
        "analyze (stripped)": lambda: analyze(STRIPPED),
        **marimo_calls(),
    }
    for call in calls.values():  # warm-up, and a check that every call works on this cell
        call()
    t = measure(calls, samples, number)
    rows = [
        budget_row("analysis: analyze, 40-line cell", t["analyze"], 1e-3),
        ratio_row("analysis: analyze vs ast.parse floor", t["analyze"], t["ast.parse"], None, "ast.parse"),
    ]
    for name in ("marimo compile_cell", "marimo ScopedVisitor"):
        if name in t:
            label = f"analysis: analyze vs {name} (no magics)"
            rows.append(ratio_row(label, t["analyze (stripped)"], t[name], None, name))
    return rows


if __name__ == "__main__":
    main(__doc__, run, f"cell: {len(CELL.splitlines())} lines; stripped: {len(STRIPPED.splitlines())} lines")
