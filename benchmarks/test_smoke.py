"""The benchmark scripts still run end to end (a smoke run: its numbers mean nothing and are not checked).

Not part of `python -m pytest` (which collects tests/ only): it takes minutes, starts kernels, JupyterLab
and Chromium, and CI runs it once as a step of its own, `python -m pytest benchmarks`, before the suite.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent / "run_all.py"


def test_every_benchmark_runs_and_reports_its_rows():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for row in (
        "| analysis: analyze, 40-line cell",
        "| graph: Graph.set_cell, 5,000",
        "| growth: percent markers",
        "| kernel: trivial cell",
        "| ordered: peak memory",
        "| edit: bytes sent for a one-cell edit, 1,000 cells",
        "| memory: idle kernel (RSS)",
        "| large notebook: bytes the page sends for a one-cell edit",
        "| voila: slider click -> dependent output",
    ):
        assert row in result.stdout
    assert "FAILED" not in result.stdout
