"""Helpers shared by the benchmark scripts: timing, medians, formatting and the markdown result table.

Every script returns a list of `Row`s from its `run(quick)` function; `run_all.py` joins them into one
table. The machine these run on may be shared, so comparisons are always measured side by side in the
same run (interleaved rounds) and reported as ratios of medians, never against stored numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # so `reactive_kernel` and `tests.frontend` import from the checkout
    sys.path.insert(0, str(REPO))

HEADER = ("benchmark", "measured", "baseline", "ratio / target", "met?")


@dataclass(frozen=True)
class Row:
    """One line of the result table; `met` is None when there is no target."""

    benchmark: str
    measured: str
    baseline: str = "-"
    target: str = "-"
    met: bool | None = None


def per_call(fn: Callable[[], object], number: int) -> float:
    """Seconds per call of `fn`, averaged over `number` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def fmt_time(seconds: float) -> str:
    """Human units: 12.3 µs, 4.56 ms, 1.23 s."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def verdict(met: bool | None) -> str:
    return "-" if met is None else ("yes" if met else "**no**")


def table(rows: Iterable[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for r in rows:
        lines.append(f"| {r.benchmark} | {r.measured} | {r.baseline} | {r.target} | {verdict(r.met)} |")
    return "\n".join(lines)


def ratio_row(
    name: str,
    measured: float,
    baseline: float,
    limit: float | None,
    baseline_name: str,
    ratio: float | None = None,
) -> Row:
    """A side-by-side comparison: pass when the ratio (default measured/baseline) is <= limit."""
    ratio = measured / baseline if ratio is None else ratio
    if limit is None:
        return Row(name, fmt_time(measured), f"{fmt_time(baseline)} ({baseline_name})", f"{ratio:.3f}x")
    return Row(
        name,
        fmt_time(measured),
        f"{fmt_time(baseline)} ({baseline_name})",
        f"{ratio:.3f}x / <= {limit:.2f}x",
        ratio <= limit,
    )


def budget_row(name: str, measured: float, budget: float | None, note: str = "-") -> Row:
    """An absolute budget (or none): pass when measured <= budget."""
    if budget is None:
        return Row(name, fmt_time(measured), note)
    return Row(name, fmt_time(measured), note, f"<= {fmt_time(budget)}", measured <= budget)


def main(doc: str, run: Callable[[bool], list[Row]], note: str = "") -> None:
    """Command line shared by the scripts: `--quick`, then the table and how long it took."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run, not a measurement")
    args = parser.parse_args()
    started = time.perf_counter()
    print(table(run(args.quick)))
    took = fmt_time(time.perf_counter() - started)
    print(f"\n({note + '; ' if note else ''}took {took})")
