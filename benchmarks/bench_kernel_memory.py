"""Memory: what a single-user server holds per kernel, reactive kernel against plain ipykernel.

Each round starts one `reactive-python` kernel (comm open and the cells synced, as the JupyterLab
extension does) and one plain `python3` ipykernel, in alternating order, and reads each kernel process's
memory from /proc (Linux): resident set size (RSS, what `top` and a container's limit count) and
proportional set size (PSS: shared library pages divided among the processes sharing them):

a. idle, after the kernel answered and the frontend's first messages;
b. after a cell ran `import numpy as np` and `import pandas as pd` (with its `cellId`, as from JupyterLab).

Medians over rounds. Also the RSS of an idle `jupyter lab` server (this package's server extension loaded,
no kernel), the per-user cost before any kernel starts. No targets: these numbers are for sizing a Hub.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _common import Row, main, median

from tests.frontend import Frontend

IMPORTS = "import numpy as np\nimport pandas as pd"
CELL = "bench-memory-imports"


def memory_mb(pid: int) -> dict[str, float]:
    """RSS and PSS of one process, in MB (10**6 bytes), from /proc."""
    values: dict[str, float] = {}
    for path, key, name in (
        (f"/proc/{pid}/status", "VmRSS:", "rss"),
        (f"/proc/{pid}/smaps_rollup", "Pss:", "pss"),
    ):
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                values[name] = int(line.split()[1]) * 1024 / 1e6  # the kernel reports kB (KiB)
                break
    return values


def kernel_pid(fe: Frontend) -> int:
    return fe.km.provisioner.pid


def one_kernel(name: str) -> dict[str, dict[str, float]]:
    """Idle and after-imports memory of one fresh kernel."""
    reactive = name == "reactive"
    fe = Frontend() if reactive else Frontend(kernel_name="python3", open_comm=False)
    try:
        if reactive:
            fe.add(CELL, IMPORTS)  # the extension syncs the notebook when the comm opens
        idle = memory_mb(kernel_pid(fe))
        execution = fe.execute(CELL, IMPORTS)
        if execution.status != "ok":
            raise RuntimeError(f"{name}: the import cell failed: {execution.text}")
        return {"idle": idle, "imports": memory_mb(kernel_pid(fe))}
    finally:
        fe.shutdown()


def lab_server_mb() -> float:
    """RSS of an idle `jupyter lab` server (the browser tests' harness), before any kernel starts."""
    from tests.browser.lab import LabServer

    with tempfile.TemporaryDirectory() as root:
        server = LabServer(Path(root))
        server.start()
        try:
            server.api("GET", "/api/contents")  # the contents manager is made and has answered once
            return memory_mb(server.process.pid)["rss"]
        finally:
            server.stop()


def run(quick: bool = False) -> list[Row]:
    if not sys.platform.startswith("linux"):
        return [Row("memory", "skipped: reads /proc (Linux only)")]
    rounds = 1 if quick else 3
    samples: dict[str, list[dict]] = {"reactive": [], "plain": []}
    for r in range(rounds):
        for name in ("reactive", "plain") if r % 2 == 0 else ("plain", "reactive"):
            samples[name].append(one_kernel(name))
    rows = []
    for state, label in (("idle", "idle kernel"), ("imports", "kernel after importing numpy, pandas")):
        for kind in ("rss", "pss"):
            mine = median(s[state][kind] for s in samples["reactive"])
            plain = median(s[state][kind] for s in samples["plain"])
            rows.append(
                Row(
                    f"memory: {label} ({kind.upper()})",
                    f"{mine:.0f} MB",
                    f"{plain:.0f} MB (ipykernel)",
                    f"{mine / plain:.2f}x, +{mine - plain:.0f} MB",
                )
            )
    rows.append(Row("memory: idle `jupyter lab` server, no kernel (RSS)", f"{lab_server_mb():.0f} MB"))
    return rows


if __name__ == "__main__":
    main(__doc__, run, "medians of 3 rounds per kernel (1 with --quick); MB = 10**6 bytes")
