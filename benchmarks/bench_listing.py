"""Directory listing: a real `jupyter server` with reactive_kernel against plain jupyter_server, side by side.

A folder of 2,000 plain Python scripts of 70 KB each (standard library modules laid end to end: real
code, with no notebook markers, the case where the contents manager must look at the most text before
it can say "not a notebook"). Both servers serve the same folder; each round lists it once on
each, the order alternating, and the medians of the per-round ratios are reported, for the time to
answer (wall clock, as the client sees it) and for the CPU time the server spent (all its threads, from
Linux's /proc/<pid>/task/*/schedstat), which other work on a shared machine disturbs far less:
- first listing: every file changed since the last listing (their mtimes are moved before the round),
  so our manager reads and sniffs each one; target <= 1.3x plain jupyter_server;
- listing again: nothing changed, so the verdicts come from the cache; target <= 1.3x.
The files' mtimes are an hour old, so their verdicts can be kept (see `reactive_kernel.server.sniff`). Before
timing, both listings must hold every file, and ours must report none as a notebook.
"""

from __future__ import annotations

import contextlib
import glob
import os
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _common import Row, main, median, ratio_row

from tests.contents_server import Server

FILES = 2_000
SIZE = 70_000
PLAIN = ("--ServerApp.jpserver_extensions=reactive_kernel=False",)


def script(seed: int) -> str:
    """SIZE characters of real Python: standard library modules laid end to end from the seed-th on."""
    modules = sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))
    parts, size = [], 0
    for module in modules[seed * 7 :]:
        text = module.read_text(encoding="utf-8", errors="replace")
        parts.append(text)
        size += len(text)
        if size >= SIZE:
            break
    whole = "".join(parts)[:SIZE]
    return whole[: whole.rfind("\n") + 1]


def make_folder(root: Path, count: int) -> Path:
    folder = root / "scripts"
    folder.mkdir()
    texts = [script(seed) for seed in range(8)]
    for i in range(count):
        (folder / f"script_{i:04d}.py").write_text(texts[i % len(texts)])
    return folder


def age(folder: Path, mtime_ns: int) -> None:
    """Give every file the same mtime: a new value makes every cached verdict stale."""
    for path in folder.iterdir():
        os.utime(path, ns=(mtime_ns, mtime_ns))


@dataclass(frozen=True)
class Timing:
    """One listing: seconds on the client's clock, and CPU seconds the server spent (None off Linux)."""

    wall: float
    cpu: float | None


def server_cpu(server: Server) -> float | None:
    """CPU seconds used so far by all the server's threads (Linux /proc), or None where unknown."""
    tasks = glob.glob(f"/proc/{server.process.pid}/task/*/schedstat")
    if not tasks:
        return None
    total = 0
    for task in tasks:
        with contextlib.suppress(OSError):  # a thread that just ended
            total += int(Path(task).read_text().split()[0])
    return total / 1e9


def timed_listing(server: Server, count: int) -> Timing:
    cpu, start = server_cpu(server), time.perf_counter()
    listing = server.get("scripts", timeout=600)["content"]
    wall, cpu_after = time.perf_counter() - start, server_cpu(server)
    if len(listing) != count or any(m["type"] != "file" for m in listing):
        raise RuntimeError(f"unexpected listing from port {server.port}: {len(listing)} entries")
    return Timing(wall, None if cpu is None or cpu_after is None else cpu_after - cpu)


def rounds_of(
    ours: Server, plain: Server, count: int, rounds: int, before_each
) -> list[tuple[Timing, Timing]]:
    """(ours, plain) per round, the order alternating each round."""
    found = []
    for r in range(rounds):
        before_each(r)
        if r % 2:
            b, a = timed_listing(plain, count), timed_listing(ours, count)
        else:
            a, b = timed_listing(ours, count), timed_listing(plain, count)
        found.append((a, b))
    return found


def rows(what: str, found: list[tuple[Timing, Timing]]) -> list[Row]:
    """Wall-clock and server-CPU comparisons: medians of each side and of the per-round ratios."""
    walls = [(a.wall, b.wall) for a, b in found]
    made = [
        ratio_row(
            f"{what}: time to answer",
            median(a for a, _ in walls),
            median(b for _, b in walls),
            1.3,
            "plain jupyter_server",
            median(a / b for a, b in walls),
        )
    ]
    cpus = [(a.cpu, b.cpu) for a, b in found if a.cpu and b.cpu]
    if cpus:
        made.append(
            ratio_row(
                f"{what}: server CPU",
                median(a for a, _ in cpus),
                median(b for _, b in cpus),
                1.3,
                "plain jupyter_server",
                median(a / b for a, b in cpus),
            )
        )
    return made


def run(quick: bool = False) -> list[Row]:
    count = 200 if quick else FILES
    rounds = 1 if quick else 11
    with tempfile.TemporaryDirectory(prefix="bench-listing-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        folder = make_folder(root, count)
        hour_ago = time.time_ns() - 3600 * 10**9
        age(folder, hour_ago)
        ours, plain = Server(root), Server(root, *PLAIN)
        try:
            timed_listing(ours, count), timed_listing(plain, count)  # warm up both servers
            first = rounds_of(ours, plain, count, rounds, lambda r: age(folder, hour_ago + (r + 1) * 10**6))
            again = rounds_of(ours, plain, count, rounds, lambda r: None)
        finally:
            ours.stop()
            plain.stop()
    what = f"listing: {count:,} plain .py of {SIZE // 1000} KB"
    return rows(f"{what}, all changed since the last listing", first) + rows(f"{what}, unchanged", again)


if __name__ == "__main__":
    main(__doc__, run)
