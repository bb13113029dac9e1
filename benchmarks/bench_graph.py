"""Dependency-graph scaling: `Graph` and `Scheduler.sync` on generated notebooks of 100 to 5,000 cells.

Notebook shape (fixed seed): cell i defines 1-3 names and reads 0-3 names, each defined by a random
earlier cell. Measured, medians over rounds that interleave the sizes:
- building the graph with `Graph.set_cell` from prebuilt `CellFacts`, per N and per cell (linear scaling
  means a flat per-cell time); target: 5,000 cells <= 1 s;
- the full `Scheduler.sync` of the whole notebook (analysing every generated source) per N;
then at N = 5,000:
- one-cell update with `Graph.set_cell` (middle cell, one def and one ref changed, alternating between two
  versions so each update is a real change); target <= 5 ms;
- the same edit through `Scheduler.sync`, which is always handed the whole notebook;
- `Graph.descendants` of a cell near the top (random earlier parents make that most of the notebook).
There is no external baseline here: targets are absolute and the per-cell ratio shows the scaling.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from _common import Row, budget_row, fmt_time, main, median

from reactive_kernel.core.analysis import CellFacts, analyze
from reactive_kernel.core.graph import Graph
from reactive_kernel.core.scheduler import CellInput, Scheduler

SIZES = (100, 1_000, 5_000)
BIG = SIZES[-1]


@dataclass(frozen=True)
class Spec:
    """One generated cell: its id, the names it defines and the names it reads."""

    id: str
    defs: tuple[str, ...]
    refs: tuple[str, ...]

    def facts(self) -> CellFacts:
        return CellFacts(frozenset(self.defs), frozenset(self.refs), frozenset(), frozenset(), (), None)

    def source(self) -> str:
        first, *rest = self.defs
        lines = [f"# {self.id}", f"{first} = {' + '.join([*self.refs, '1'])}"]
        forms = ("len(str({}))", "[{} * k for k in range(3)]")
        lines += [f"{name} = {forms[k % 2].format(first)}" for k, name in enumerate(rest)]
        lines.append(f'print(f"{self.id}: {{{first}!r}}", {", ".join(self.defs)})')
        return "\n".join(lines) + "\n"

    def cell(self) -> CellInput:
        return CellInput(self.id, self.source(), "code")


def notebook(n: int, seed: int = 0) -> list[Spec]:
    rng = random.Random(seed)
    specs: list[Spec] = []
    for i in range(n):
        defs = tuple(f"v{i}_{k}" for k in range(rng.randint(1, 3)))
        parents = [specs[rng.randrange(i)] for _ in range(rng.randint(0, 3) if i else 0)]
        refs = tuple(sorted({rng.choice(p.defs) for p in parents}))
        specs.append(Spec(f"c{i:05d}", defs, refs))
    return specs


def edited(specs: list[Spec], index: int) -> Spec:
    """The cell at `index` with its first def renamed and one ref swapped for a name of cell 0."""
    old = specs[index]
    defs = (old.defs[0] + "_b", *old.defs[1:])
    refs = tuple(sorted({*old.refs[1:], specs[0].defs[0]}))
    return replace(old, defs=defs, refs=refs)


def check_analysis(specs: list[Spec]) -> None:
    """The generated sources must analyse to the facts the graph benchmark uses."""
    for spec in specs:
        facts = analyze(spec.source())
        if (facts.defs, facts.refs) != (frozenset(spec.defs), frozenset(spec.refs)):
            raise RuntimeError(f"analyze disagrees on {spec.source()!r}: {facts}")


def timed(fn: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def build(facts: list[tuple[str, CellFacts]]) -> Graph:
    graph = Graph()
    for cell_id, f in facts:
        graph.set_cell(cell_id, f)
    return graph


def scaling(rounds: int) -> list[Row]:
    specs = {n: notebook(n) for n in SIZES}
    facts = {n: [(s.id, s.facts()) for s in specs[n]] for n in SIZES}
    cells = {n: [s.cell() for s in specs[n]] for n in SIZES}
    t_graph: dict[int, list[float]] = {n: [] for n in SIZES}
    t_sync: dict[int, list[float]] = {n: [] for n in SIZES}
    for r in range(rounds):
        for n in SIZES if r % 2 == 0 else SIZES[::-1]:
            t_graph[n].append(timed(build, facts[n]))
            t_sync[n].append(timed(Scheduler().sync, cells[n]))
    rows = []
    for label, times in (("Graph.set_cell", t_graph), ("Scheduler.sync (with analyze)", t_sync)):
        per_cell = {n: median(times[n]) / n for n in SIZES}
        for n in SIZES:
            budget = 1.0 if n == BIG else None
            note = f"{fmt_time(per_cell[n])}/cell"
            rows.append(budget_row(f"graph: {label}, {n:,} new cells", median(times[n]), budget, note))
        growth = per_cell[BIG] / per_cell[SIZES[0]]
        name = f"graph: {label}, per-cell time {BIG:,} vs {SIZES[0]}"
        rows.append(Row(name, f"{growth:.2f}x", "-", "~1x if linear"))
    return rows


def alternate(update: Callable[[Any], object], a: object, b: object, times: int) -> float:
    """Median seconds of `update(x)`, x alternating b, a, b, a... (each call is a real change)."""
    return median(timed(update, b if k % 2 == 0 else a) for k in range(times))


def updates(repeats: int) -> list[Row]:
    specs = notebook(BIG)
    middle = BIG // 2
    new = edited(specs, middle)
    graph = build([(s.id, s.facts()) for s in specs])
    t_set = alternate(lambda f: graph.set_cell(new.id, f), specs[middle].facts(), new.facts(), repeats * 10)
    scheduler = Scheduler()
    before = [s.cell() for s in specs]
    after = [*before[:middle], new.cell(), *before[middle + 1 :]]
    scheduler.sync(before)
    t_sync = alternate(scheduler.sync, before, after, repeats)
    top = {specs[3].id}
    reached = len(graph.descendants(top))
    t_desc = median(timed(graph.descendants, top) for _ in range(repeats))
    return [
        budget_row(f"graph: one-cell update, Graph.set_cell at N={BIG:,}", t_set, 5e-3, "middle cell"),
        budget_row(
            f"graph: one-cell edit via Scheduler.sync at N={BIG:,}",
            t_sync,
            None,
            f"whole notebook sent ({BIG:,} cells)",
        ),
        budget_row(f"graph: descendants of cell 3 at N={BIG:,}", t_desc, None, f"{reached:,} cells reached"),
    ]


def run(quick: bool = False) -> list[Row]:
    check_analysis(notebook(200))
    return scaling(1 if quick else 5) + updates(5 if quick else 40)


if __name__ == "__main__":
    main(__doc__, run)
