"""Kernel overhead: the reactive kernel against plain ipykernel, measured side by side.

One `reactive-python` kernel (comm open, cells synced, executions carrying `metadata.cellId`, exactly as
the JupyterLab extension drives it) and one plain `python3` ipykernel receive the same execute_requests
from the same client code (`tests/frontend.py`), in interleaved rounds whose order alternates:

a. a trivial cell (`x = 1`): full round trip per execution, median over rounds; target <= 1.10x plain.
b. a 1e6-iteration loop cell: the loop times itself inside the cell (identical code in both kernels), so
   the ratio isolates what the kernel does while user code runs; target <= 1.05x plain (no tracing).
   The whole round trip of that cell is reported beside it.

Each source has its own cell id, reused for every run of that source. The two cells share no names, so
the reactive kernel never schedules a cascade; the script checks that afterwards.
"""

from __future__ import annotations

import time

from _common import Row, main, median, ratio_row

from tests.frontend import Frontend

TRIVIAL = "x = 1"
LOOP = (
    "import time as _time\n_start = _time.perf_counter()\n"
    "total = 0\nfor i in range(1_000_000):\n    total += i\n"
    "print(_time.perf_counter() - _start)"
)
CELLS = {"bench-trivial": TRIVIAL, "bench-loop": LOOP}


def sync_cells(reactive: Frontend) -> None:
    """Tell the reactive kernel about the notebook, as the extension does when the comm opens."""
    for cell_id, source in CELLS.items():
        reactive.add(cell_id, source, sync=False)
    reactive.sync()


def batch(fe: Frontend, cell_id: str, number: int, inside: list[float] | None = None) -> float:
    """Seconds per execution of one cell, `number` round trips back to back (reply + iopub idle).

    When `inside` is given, the time the cell printed for itself is appended to it.
    """
    code = CELLS[cell_id]
    start = time.perf_counter()
    for _ in range(number):
        execution = fe.execute(cell_id, code)
        if execution.status != "ok":
            raise RuntimeError(f"{cell_id} failed: {execution.text}")
        if inside is not None:
            inside.append(float(execution.stdout))
    return (time.perf_counter() - start) / number


def interleaved(
    reactive: Frontend, plain: Frontend, cell_id: str, rounds: int, number: int, inside: bool = False
) -> dict:
    """Alternate which kernel goes first each round; return medians and the median paired ratio.

    With `inside`, the times compared are the ones the cell measured itself, not the round trips.
    """
    times: dict[str, list[float]] = {"reactive": [], "plain": []}
    trips: dict[str, list[float]] = {"reactive": [], "plain": []}
    for r in range(rounds):
        pair = [("reactive", reactive), ("plain", plain)]
        for name, fe in pair if r % 2 == 0 else pair[::-1]:
            trips[name].append(batch(fe, cell_id, number, times[name] if inside else None))
            if not inside:
                times[name].append(trips[name][-1])
    ratios = [a / b for a, b in zip(times["reactive"], times["plain"])]
    result = {"reactive": median(times["reactive"]), "plain": median(times["plain"]), "ratio": median(ratios)}
    result["trip ratio"] = median(trips["reactive"]) / median(trips["plain"])
    of_medians = result["reactive"] / result["plain"]
    of_minima = min(times["reactive"]) / min(times["plain"])
    print(
        f"{cell_id}: {rounds} rounds; per-round ratios {min(ratios):.3f}x..{max(ratios):.3f}x; "
        f"ratio of medians {of_medians:.3f}x; ratio of minima {of_minima:.3f}x",
        flush=True,
    )
    return result


def check_no_cascade(reactive: Frontend) -> None:
    """The numbers only mean something if every reactive execution was the cell alone."""
    extra = [c for c in reactive.executed if c not in CELLS]
    statuses = reactive.statuses()
    if reactive.run_list or extra or any(s != "fresh" for s in statuses.values()):
        raise RuntimeError(f"reactive kernel scheduled work: run={reactive.run_list} statuses={statuses}")
    children = {c: reactive.states[c]["children"] for c in CELLS}
    if any(children.values()):
        raise RuntimeError(f"benchmark cells have dependents: {children}")


def run(quick: bool = False) -> list[Row]:
    trivial_rounds, trivial_number = (2, 30) if quick else (7, 200)
    loop_rounds = 3 if quick else 25
    kernels: list[Frontend] = []
    try:
        reactive = Frontend()  # opens the reactive_kernel comm, like the JupyterLab extension
        kernels.append(reactive)
        sync_cells(reactive)
        plain = Frontend(kernel_name="python3", open_comm=False)
        kernels.append(plain)
        for fe in (reactive, plain):  # warm-up: first runs analyse, import, fill caches
            for cell_id in CELLS:
                batch(fe, cell_id, 2)
        trivial = interleaved(reactive, plain, "bench-trivial", trivial_rounds, trivial_number)
        loop = interleaved(reactive, plain, "bench-loop", loop_rounds, 1, inside=True)
        check_no_cascade(reactive)
    finally:
        for fe in kernels:
            fe.shutdown()
    limits = {
        "trivial cell round trip": (trivial, 1.10),
        "1e6-iteration loop, timed in the cell": (loop, 1.05),
    }
    rows = [
        ratio_row(f"kernel: {k}", r["reactive"], r["plain"], lim, "ipykernel", r["ratio"])
        for k, (r, lim) in limits.items()
    ]
    rows.append(
        Row("kernel: 1e6-iteration loop, whole round trip", f"{loop['trip ratio']:.3f}x of ipykernel")
    )
    return rows


if __name__ == "__main__":
    main(__doc__, run, "ratio = median of per-round reactive/plain ratios")
