"""Cascade latency in a real JupyterLab: a 20-cell chain re-run by the extension vs "Run All" on ipykernel.

Both notebooks hold the same chain (`v0 = k`, `v{i} = v{i-1} + 1`, the last cell prints `v19`) in the
same JupyterLab, driven by the same Chromium page code:

- reactive: the first cell is edited and run alone (`notebook:run-cell`); the extension runs the 19
  others as the kernel schedules them;
- baseline: the first cell is edited and the whole notebook runs with `notebook:run-all-cells` on plain
  ipykernel (`python3`).

- context: the same 20 cells run one by one with `notebook:run-cell` on plain ipykernel, each waiting for
  the previous, which is what the cascade does (docs/protocol.md: one request at a time).

Each round is timed inside the page, from the command to the last cell showing the new value, so
browser automation does not add to it. Rounds alternate which notebook goes first. Targets: cascade
<= 1.5x Run All, and per-hop latency (cascade time / 20 cells) <= 50 ms.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _common import Row, fmt_time, main, median, ratio_row

from tests.browser.lab import (
    Lab,
    lab_in_browser,
    missing_requirements,
)

CELLS = 20

# Runs in the page: set the first cell's source, execute a command, resolve when the last cell's
# output reads `expect`; returns milliseconds.
TIMED_RUN = """
async ({path, command, first, expect}) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  app.shell.activateById(panel.id);
  await panel.sessionContext.ready;
  const cells = panel.content.widgets;
  cells[0].model.sharedModel.setSource(first);
  panel.content.activeCellIndex = 0;
  const last = cells[cells.length - 1];
  const t0 = performance.now();
  await app.commands.execute(command);
  while (!last.outputArea.node.textContent.includes(expect)) {
    if (performance.now() - t0 > 60000) throw new Error('timed out waiting for ' + expect);
    await new Promise(resolve => setTimeout(resolve, 2));
  }
  return performance.now() - t0;
}
"""


# Runs in the page: every cell of the notebook with `notebook:run-cell`, one after the other.
ONE_BY_ONE = """
async ({path}) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  app.shell.activateById(panel.id);
  await panel.sessionContext.ready;
  const t0 = performance.now();
  for (let i = 0; i < panel.content.widgets.length; i++) {
    panel.content.activeCellIndex = i;
    await app.commands.execute('notebook:run-cell');
  }
  return performance.now() - t0;
}
"""


def chain(kernel: str) -> tuple[dict[str, str], dict]:
    cells = {"c0": "v0 = 0"} | {f"c{i}": f"v{i} = v{i - 1} + 1" for i in range(1, CELLS - 1)}
    cells[f"c{CELLS - 1}"] = f"print('result', v{CELLS - 2} + 1)"
    spec = {"name": kernel, "display_name": kernel, "language": "python"}
    return cells, {"kernelspec": spec}


def timed(lab: Lab, path: str, command: str, k: int) -> float:
    expect = f"result {k + CELLS - 1}\n"
    args = {"path": path, "command": command, "first": f"v0 = {k}", "expect": expect.strip()}
    return lab.page.evaluate(TIMED_RUN, args) / 1000


def measure(lab: Lab, rounds: int) -> dict[str, list[float]]:
    server = lab.server
    paths = {}
    for name, kernel in (("reactive", "reactive-python"), ("plain", "python3")):
        cells, metadata = chain(kernel)
        paths[name] = server.write_notebook(f"bench-{name}", cells, metadata)
    lab.open(paths["reactive"], reactive=True)
    lab.page.evaluate("path => window.jupyterapp.commands.execute('docmanager:open', {path})", paths["plain"])
    lab.page.wait_for_function(
        "path => Array.from(window.jupyterapp.shell.widgets('main')).some(w => w.context?.path === path)",
        arg=paths["plain"],
    )
    commands = {"reactive": "notebook:run-cell", "plain": "notebook:run-all-cells"}
    for name in ("plain", "reactive"):  # warm-up: kernels import, the chain runs once
        timed(lab, paths[name], "notebook:run-all-cells", 0)
    times: dict[str, list[float]] = {"reactive": [], "plain": [], "one by one": []}
    for r in range(rounds):
        order = ["reactive", "plain"] if r % 2 == 0 else ["plain", "reactive"]
        for name in order:
            times[name].append(timed(lab, paths[name], commands[name], r + 1))
        times["one by one"].append(lab.page.evaluate(ONE_BY_ONE, {"path": paths["plain"]}) / 1000)
    return times


def run(quick: bool = False) -> list[Row]:
    missing = missing_requirements()
    if missing:
        return [Row("browser: cascade latency", f"skipped: {missing}")]
    with tempfile.TemporaryDirectory() as tmp, lab_in_browser(Path(tmp)) as (server, context):
        times = measure(Lab(server, context.new_page()), 2 if quick else 9)
    ratios = [a / b for a, b in zip(times["reactive"], times["plain"])]
    cascade, plain = median(times["reactive"]), median(times["plain"])
    hop = cascade / CELLS
    return [
        ratio_row(
            f"browser: {CELLS}-cell chain cascade vs Run All",
            cascade,
            plain,
            1.5,
            "ipykernel Run All",
            median(ratios),
        ),
        Row("browser: per-hop latency (cascade / cells)", fmt_time(hop), "-", "<= 50.00 ms", hop <= 0.050),
        ratio_row(
            f"browser: {CELLS}-cell chain cascade vs run-cell one by one",
            cascade,
            median(times["one by one"]),
            None,
            "ipykernel, one request at a time",
        ),
    ]


if __name__ == "__main__":
    main(__doc__, run, "cascade and Run All timed inside the page; ratio = median of per-round ratios")
