"""Run every benchmark and print one markdown table.

    /work/venv/bin/python benchmarks/run_all.py [--quick] [--only kernel,analysis,graph]

Each benchmark measures its comparisons side by side within its own run (see the scripts' docstrings),
so the ratios hold on a busy machine even when the absolute times do not.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback

import bench_analysis
import bench_browser
import bench_cache
import bench_delta
import bench_formats
import bench_formats_marimo
import bench_graph
import bench_graphview
import bench_growth
import bench_kernel
import bench_kernel_memory
import bench_large_notebook
import bench_listing
import bench_ordered
import bench_sql
import bench_voila_app
import bench_widgets
from _common import Row, fmt_time, table

BENCHMARKS = {
    "analysis": bench_analysis,
    "graph": bench_graph,
    "formats_percent": bench_formats,
    "formats_marimo": bench_formats_marimo,
    "growth": bench_growth,
    "listing": bench_listing,
    "kernel": bench_kernel,
    "ordered": bench_ordered,
    "delta": bench_delta,
    "kernel_memory": bench_kernel_memory,
    "browser": bench_browser,
    "graphview": bench_graphview,
    "large_notebook": bench_large_notebook,
    "widgets": bench_widgets,
    "voila_app": bench_voila_app,
    "sql": bench_sql,
    "cache": bench_cache,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run, not a measurement")
    subset = "comma-separated subset of " + ", ".join(BENCHMARKS)
    parser.add_argument("--only", default=",".join(BENCHMARKS), help=subset)
    args = parser.parse_args()
    rows: list[Row] = []
    crashed = False
    for name in args.only.split(","):
        started = time.perf_counter()
        try:
            rows += BENCHMARKS[name].run(quick=args.quick)
        except Exception as exc:  # one broken benchmark must not hide the others' numbers
            traceback.print_exc()
            crashed = True
            rows.append(Row(f"{name}: FAILED", f"{type(exc).__name__}: {exc}".replace("|", "/")[:200]))
        print(f"{name}: done in {fmt_time(time.perf_counter() - started)}", flush=True)
    print()
    print(table(rows))
    missed = [r.benchmark for r in rows if r.met is False]
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))
    sys.exit(1 if crashed else 0)  # a missed target is a finding to report, a crash is a bug


if __name__ == "__main__":
    main()
