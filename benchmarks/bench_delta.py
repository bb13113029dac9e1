"""Telling the kernel of a one-cell edit: bytes on the comm and kernel CPU, a whole `sync` against a `delta`.

A real kernel (tests/frontend.py) holds a generated notebook of 100, 1,000 or 2,000 cells (bench_graph's
shape: each cell defines 1-3 names and reads names of earlier cells, about 100 bytes of source). Each
round edits the middle cell (two versions in turn, so every edit is a change; the cell never runs, so
the kernel analyses it again each time) and tells the kernel twice, in alternating order: by the whole
notebook, as the extension did before deltas (and still does to kernels without them), and by a
`delta`. Measured per edit: the comm message's data as JSON, in bytes, and the CPU time of the kernel
process, all threads (Linux /proc/<pid>/task/*/schedstat), from sending the message until the kernel is
idle after it, ipykernel's handling of the message included; for scale, the same for a comm message that
changes nothing (`set_mode` to the mode the kernel has: the floor of any message). And in this process,
without ipykernel: the kernel's own work for the same edit, the message's JSON parsed and checked
(`protocol_in.parse`) and taken by the scheduler (`Scheduler.sync` or `Scheduler.apply_delta`). Medians
over rounds; no targets, but a delta's bytes must not grow with the notebook.
"""

from __future__ import annotations

import contextlib
import glob
import json
import time
from pathlib import Path

from _common import Row, fmt_time, main, median
from bench_graph import edited, notebook

from reactive_kernel.core.scheduler import Scheduler
from reactive_kernel.kernel import protocol_in
from tests.frontend import Frontend
from tests.notebook_delta import Cell, delta_message, sync_message

SIZES = (100, 1_000, 2_000)


def kernel_cpu(pid: int) -> float:
    """CPU seconds the process's threads used so far (Linux /proc)."""
    total = 0
    for task in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        with contextlib.suppress(OSError):  # a thread that just ended
            total += int(Path(task).read_text().split()[0])
    return total / 1e9


def one_size(n: int, rounds: int) -> list[Row]:
    specs = notebook(n)
    middle = specs[n // 2]
    versions = (middle.source(), edited(specs, n // 2).source())
    fe = Frontend()
    try:
        fe.cells.update({s.id: s.source() for s in specs})
        fe.sync(numbered=True)
        pid = fe.km.provisioner.pid
        sizes: dict[str, list[int]] = {"sync": [], "delta": []}
        cpu: dict[str, list[float]] = {"sync": [], "delta": [], "floor": []}
        edits = 0
        for r in range(rounds):
            for how in ("sync", "delta") if r % 2 == 0 else ("delta", "sync"):
                edits += 1
                fe.cells[middle.id] = versions[edits % 2]
                before = kernel_cpu(pid)
                message = fe.sync(numbered=True) if how == "sync" else fe.send_delta()
                cpu[how].append(kernel_cpu(pid) - before)
                sizes[how].append(len(json.dumps(message)))
            before = kernel_cpu(pid)
            fe.send({"type": "set_mode", "mode": "autorun"})
            cpu["floor"].append(kernel_cpu(pid) - before)
        if any(m.get("type") in ("resync", "error") for m in fe.messages):
            raise RuntimeError(f"the kernel refused an edit: {[m for m in fe.messages if 'reason' in m][:1]}")
        if fe.status(middle.id) != "unrun" or fe.cells[middle.id] != versions[edits % 2]:
            raise RuntimeError("the kernel did not follow the edits")
    finally:
        fe.shutdown()
    delta_bytes, sync_bytes = median(sizes["delta"]), median(sizes["sync"])
    delta_cpu, sync_cpu = median(cpu["delta"]), median(cpu["sync"])
    return [
        Row(
            f"edit: bytes sent for a one-cell edit, {n:,} cells",
            f"{delta_bytes:,.0f} B (delta)",
            f"{sync_bytes:,.0f} B (whole sync)",
            f"{delta_bytes / sync_bytes:.4f}x",
        ),
        Row(
            f"edit: kernel CPU for a one-cell edit, {n:,} cells",
            f"{fmt_time(delta_cpu)} (delta; any message: {fmt_time(median(cpu['floor']))})",
            f"{fmt_time(sync_cpu)} (whole sync)",
            f"{delta_cpu / sync_cpu:.3f}x",
        ),
    ]


def in_process(n: int, rounds: int) -> Row:
    """Parse and take the edit's message, without ipykernel: the kernel's own work per edit."""
    specs = notebook(n)
    cells = [Cell(s.id, s.source()) for s in specs]
    changed = [*cells[: n // 2], Cell(cells[n // 2].id, edited(specs, n // 2).source()), *cells[n // 2 + 1 :]]
    texts = {  # the message for going to the other version, from each version
        "sync": {0: json.dumps(sync_message(changed, 1)), 1: json.dumps(sync_message(cells, 1))},
        "delta": {
            0: json.dumps(delta_message(cells, changed, 0, 1)),
            1: json.dumps(delta_message(changed, cells, 0, 1)),
        },
    }
    times: dict[str, list[float]] = {"sync": [], "delta": []}
    for how in ("sync", "delta"):
        scheduler = Scheduler(frontend=True, definitions="ordered")
        scheduler.sync([c.input() for c in cells])
        for k in range(rounds * 5):
            start = time.perf_counter()
            message = protocol_in.parse(json.loads(texts[how][k % 2]))
            if how == "sync":
                scheduler.sync(message.cells)
            else:
                scheduler.apply_delta(message.delta)
            times[how].append(time.perf_counter() - start)
    delta, whole = median(times["delta"]), median(times["sync"])
    return Row(
        f"edit: the kernel's own work for a one-cell edit (parse, scheduler), {n:,} cells",
        f"{fmt_time(delta)} (delta)",
        f"{fmt_time(whole)} (whole sync)",
        f"{delta / whole:.3f}x",
    )


def run(quick: bool = False) -> list[Row]:
    rounds = 3 if quick else 20
    rows: list[Row] = []
    for n in SIZES:
        rows += one_size(n, rounds)
    rows += [in_process(n, rounds) for n in SIZES]
    return rows


if __name__ == "__main__":
    main(__doc__, run)
