"""Ordered definitions: what redefinitions cost in time and memory, against plain ipykernel.

a. Round trip of `x = x + 1` re-run in an ordered notebook (`x = 1` above it): before each run the
   kernel binds x to the value of the cell above, so the cell reads the same x every time. Plain
   ipykernel runs the same source, same client, interleaved rounds; target <= 1.10x.
b. Peak memory of a chain of 10 cells each doing `a = a + 1` on a 100 MB array, run top to bottom (the
   reactive kernel by its cascade, plain ipykernel cell by cell), then run again: the kernel process's
   peak resident size (VmHWM, reset before each measured run) against plain's, target <= 1.2x.
c. Resolution update after one cell moves in a 2,000-cell ordered notebook (names redefined every few
   cells, functions called far below): `Graph.set_order`, target <= 5 ms; and the scheduler's whole
   `sync` of the moved notebook (what the extension sends today), no target.
"""

from __future__ import annotations

import random
import time

from _common import Row, budget_row, main, median, ratio_row

from reactive_kernel.core.analysis import analyze
from reactive_kernel.core.graph import Graph
from reactive_kernel.core.scheduler import CellInput, Scheduler
from tests.frontend import Frontend

MB = 2**20
ARRAY = "import numpy as np\na = np.ones(100 * 2**20 // 8)"  # 100 MB of float64
CHAIN = [ARRAY] + ["a = a + 1"] * 10
PEAK = "print(int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) * 1024)"
RESET_PEAK = "open('/proc/self/clear_refs', 'w').write('5')"  # Linux: VmHWM starts again from VmRSS


def round_trip(rounds: int, number: int) -> Row:
    reactive, plain = Frontend(), Frontend(kernel_name="python3", open_comm=False)
    try:
        reactive.add("a", "x = 1", sync=False)
        reactive.add("b", "x = x + 1")
        reactive.run("a")
        plain.execute(None, "x = 1")
        times: dict[str, list[float]] = {"reactive": [], "plain": []}
        for r in range(rounds):
            pair = [("reactive", reactive), ("plain", plain)]
            for name, fe in pair if r % 2 == 0 else pair[::-1]:
                start = time.perf_counter()
                for _ in range(number):
                    if fe.execute("b", "x = x + 1").status != "ok":
                        raise RuntimeError(f"{name}: x = x + 1 failed")
                times[name].append((time.perf_counter() - start) / number)
        if reactive.execute(None, "print(x)").stdout != "2\n":
            raise RuntimeError("the reactive kernel did not bind x to the value above each time")
    finally:
        reactive.shutdown()
        plain.shutdown()
    ratio = median(a / b for a, b in zip(times["reactive"], times["plain"]))
    return ratio_row(
        "ordered: `x = x + 1` re-run (x bound from above)",
        median(times["reactive"]),
        median(times["plain"]),
        1.10,
        "ipykernel",
        ratio,
    )


def peak_memory(fe: Frontend, run) -> int:
    fe.execute(None, RESET_PEAK)
    run()
    return int(fe.execute(None, PEAK).stdout)


def memory() -> list[Row]:
    reactive, plain = Frontend(), Frontend(kernel_name="python3", open_comm=False)
    try:
        for i, code in enumerate(CHAIN):
            reactive.add(f"c{i}", code, sync=False)
        reactive.sync()
        for fe in (reactive, plain):
            fe.execute(None, "import numpy")  # both pay for numpy before the first measurement

        def cascade() -> None:
            results = reactive.run("c0")
            if len(results) != len(CHAIN) or any(e.status != "ok" for e in results.values()):
                raise RuntimeError(f"the cascade did not run the chain: {list(results)}")

        def top_to_bottom() -> None:
            for i, code in enumerate(CHAIN):
                plain.execute(f"c{i}", code)

        rows = []
        for label in ("first run", "second run"):
            measured, baseline = peak_memory(reactive, cascade), peak_memory(plain, top_to_bottom)
            check = reactive.execute(None, "print(float(a[0]))").stdout
            if check != "11.0\n":
                raise RuntimeError(f"the chain ended with a[0] = {check!r}")
            ratio = measured / baseline
            rows.append(
                Row(
                    f"ordered: peak memory, 10 x `a = a + 1` on 100 MB, {label}",
                    f"{measured / MB:.0f} MB",
                    f"{baseline / MB:.0f} MB (ipykernel)",
                    f"{ratio:.3f}x / <= 1.20x",
                    ratio <= 1.2,
                )
            )
        return rows
    finally:
        reactive.shutdown()
        plain.shutdown()


def notebook(n: int, seed: int = 7) -> list[str]:
    """An ordered notebook: a few names redefined every few cells (`df = df + 1`), helper functions
    defined early and called late, plots and prints reading the nearest definition."""
    rng = random.Random(seed)
    names = [f"v{i}" for i in range(20)]
    cells = [f"{name} = {i}" for i, name in enumerate(names)]
    cells += [f"def f{i}():\n    return {rng.choice(names)} + 1" for i in range(10)]
    while len(cells) < n:
        kind = rng.random()
        name, other = rng.choice(names), rng.choice(names)
        if kind < 0.35:
            cells.append(f"{name} = {name} + {other}")
        elif kind < 0.5:
            cells.append(f"print(f{rng.randrange(10)}())")
        elif kind < 0.6:
            cells.append(f"lst_{name} = [{name}]\nlst_{name}.append({other})")
        else:
            cells.append(f"print({name}, {other})")
    return cells


def move(rounds: int) -> list[Row]:
    cells = notebook(2000)
    ids = [f"c{i}" for i in range(len(cells))]
    facts = [analyze(src) for src in cells]
    graph = Graph("ordered")
    for cell_id, f in zip(ids, facts):
        graph.set_cell(cell_id, f)
    scheduler = Scheduler(frontend=True, definitions="ordered")
    scheduler.sync([CellInput(c, s) for c, s in zip(ids, cells)])
    graph_times, sync_times = [], []
    order = list(ids)
    rng = random.Random(3)
    for _ in range(rounds):
        moved = order.pop(rng.randrange(len(order)))
        order.insert(rng.randrange(len(order) + 1), moved)  # drag one cell somewhere else
        start = time.perf_counter()
        graph.set_order(order)
        graph_times.append(time.perf_counter() - start)
        inputs = [CellInput(c, cells[int(c[1:])]) for c in order]
        start = time.perf_counter()
        scheduler.sync(inputs)
        sync_times.append(time.perf_counter() - start)
    return [
        budget_row(
            "ordered: re-resolve after moving 1 of 2,000 cells (Graph.set_order)", median(graph_times), 5e-3
        ),
        budget_row("ordered: Scheduler.sync of the moved 2,000-cell notebook", median(sync_times), None),
    ]


def run(quick: bool = False) -> list[Row]:
    rounds, number = (2, 20) if quick else (9, 150)
    return [round_trip(rounds, number), *memory(), *move(5 if quick else 40)]


if __name__ == "__main__":
    main(__doc__, run, "ratios of medians, side by side; memory is each kernel process's peak RSS")
