"""A large notebook in a real JupyterLab: opening it, a one-cell edit, and a cascade, at 100 to 2,000 cells.

The notebooks are generated: bench_graph's cells (about 100 bytes each, defining 1-3 names and reading
names of earlier cells, as bench_delta uses) after a chain of a tenth of the notebook, bench_graphview's
(`v0 = 0`, `v{i} = v{i-1} + 1`, the last prints the result). One JupyterLab, one Chromium page:

- open: from navigating to the notebook's URL to every code cell showing its status
  (`data-reactive-status`), timed inside the page (`performance.now()` counts from the navigation), each
  open on a new kernel. Baseline: the same notebook on plain ipykernel (`python3`), from navigating to its
  cells on the page and its kernel idle (the reactive page reaching that point is reported beside it).
  Rounds alternate which goes first; medians, and the median of per-round ratios.
- edit: after each reactive open, the middle cell's source is set (two versions in turn, so each is a
  change) and the bytes of the websocket frames the page sends on the kernel's connection for it are read
  off the socket by Playwright: the frame, and the comm message's `data` in it. Baseline: the frame that
  opened the comm with the whole notebook, which is what each edit sent before deltas (and still sends to
  kernels without them). No target, but an edit's bytes must not grow with the notebook.
- cascade, at the largest size only: bench_graphview's measurement of the chain (a 200-cell cascade in
  the 2,000-cell notebook, its other cells untouched), the cell graph panel open (laid out, the boxes in
  view drawn) vs closed: the cascade's time and the median and worst gap between animation frames during it.
"""

from __future__ import annotations

import itertools
import json
import re
import struct
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any

from _common import Row, fmt_time, main, median
from bench_graph import edited, notebook
from bench_graphview import chain, measure_open
from bench_graphview import rows as cascade_rows

from tests.browser.lab import (
    TIMEOUT,
    Lab,
    lab_in_browser,
    missing_requirements,
)

SIZES = (100, 1_000, 2_000)
QUICK_SIZES = (40,)  # the smoke run: it checks the script runs, so it need not take long
ROUNDS = 5  # opens of each kernel per size
EDITS = 3  # edits after each reactive open
CASCADES = 10  # cascade rounds with the panel open, and as many closed
SET_SOURCE = "([id, src]) => window.reactiveTest.cell(id).model.sharedModel.setSource(src)"
PLAIN = {"name": "python3", "display_name": "Python 3", "language": "python"}

# Installed in every page: when the notebook's cells are on the page and its kernel idle (`ready`), and when
# every code cell shows a status (`statuses`), in ms since the navigation. It stops polling once both are
# seen, or at `ready` on a kernel that is not reactive.
OPEN_WATCH = """
(() => {
  const seen = {ready: null, statuses: null};
  window.reactiveOpen = seen;
  const check = () => {
    const app = window.jupyterapp;
    const panel = app && Array.from(app.shell.widgets('main'))
      .find(w => w.context && w.content && w.content.widgets);
    const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
    if (panel && panel.context.isReady && kernel) {
      const cells = panel.content.widgets;
      if (cells.length > 0 && cells.length === panel.context.model.cells.length) {
        if (seen.ready === null && kernel.status === 'idle') seen.ready = performance.now();
        if (seen.statuses === null && cells.every(
          c => c.model.type !== 'code' || c.node.hasAttribute('data-reactive-status'))) {
          seen.statuses = performance.now();
        }
        if (seen.ready !== null && kernel.name !== 'reactive-python') return;
      }
    }
    if (seen.ready === null || seen.statuses === null) setTimeout(check, 10);
  };
  check();
})();
"""


def cells(n: int) -> dict[str, str]:
    """The notebook of `n` cells, by id: a chain of n/10, then bench_graph's cells."""
    return chain(n // 10) | {spec.id: spec.source() for spec in notebook(n - n // 10)}


def middle_versions(n: int) -> tuple[str, str, str]:
    """The id of the notebook's middle cell (one of bench_graph's) and its two sources."""
    specs = notebook(n - n // 10)
    middle = n // 2 - n // 10
    return specs[middle].id, specs[middle].source(), edited(specs, middle).source()


def comm_message(payload: str | bytes) -> tuple[str, int] | None:
    """(data type, data bytes) of a comm message in a kernel websocket frame the page sent, or None.

    The frame is JSON, or binary under JupyterLab's `v1.kernel.websocket.jupyter.org` protocol (a count of
    offsets, the offsets, then channel, header, parent header, metadata, content, buffers).
    """
    if isinstance(payload, str):
        message = json.loads(payload)
        msg_type, content = message["header"]["msg_type"], message["content"]
    else:
        (count,) = struct.unpack_from("<Q", payload, 0)
        offsets = struct.unpack_from(f"<{count}Q", payload, 8)
        parts = [payload[a:b] for a, b in itertools.pairwise(offsets)]
        msg_type, content = json.loads(parts[1])["msg_type"], json.loads(parts[4])
    data = content.get("data")
    if not isinstance(data, dict):
        return None
    if msg_type == "comm_open" and content.get("target_name") == "reactive_kernel":
        kind = "comm_open"
    elif msg_type == "comm_msg" and isinstance(data.get("type"), str):
        kind = data["type"]
    else:
        return None
    return kind, len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())


class Frames:
    """The comm messages the page sends on kernel websockets: (data type, frame bytes, data bytes), the
    data type of the reactive comm's opening being `comm_open`."""

    def __init__(self, page: Any) -> None:
        self.sent: list[tuple[str, int, int]] = []
        page.on("websocket", self._watch)

    def _watch(self, ws: Any) -> None:
        if "/api/kernels/" in ws.url:
            ws.on("framesent", self._sent)

    def _sent(self, payload: str | bytes) -> None:
        if not re.search(rb"comm_(open|msg)", payload if isinstance(payload, bytes) else payload.encode()):
            return
        found = comm_message(payload)
        if found:
            frame = len(payload) if isinstance(payload, bytes) else len(payload.encode())
            self.sent.append((found[0], frame, found[1]))


def open_timed(lab: Lab, path: str, reactive: bool) -> dict[str, float]:
    """Open `path` on a new kernel; seconds from the navigation to `ready` and (reactive) `statuses`."""
    lab.page.goto("about:blank")
    lab.server.shutdown_sessions()
    lab.page.goto(f"{lab.server.url}/lab/tree/{urllib.parse.quote(path)}?reset")
    want = "() => { const o = window.reactiveOpen; return o && o.ready !== null%s; }"
    lab.page.wait_for_function(want % (" && o.statuses !== null" if reactive else ""), timeout=TIMEOUT * 5)
    lab.follow(path)
    seen = lab.page.evaluate("() => window.reactiveOpen")
    return {key: value / 1000 for key, value in seen.items() if value is not None}


def edit_sizes(lab: Lab, frames: Frames, n: int, edits: int) -> list[tuple[int, int]]:
    """Edit the middle cell `edits` times from its source on disk; (frame bytes, data bytes) sent for each."""
    cell, *versions = middle_versions(n)
    sizes = []
    for k in range(edits):
        start = len(frames.sent)
        source = versions[(k + 1) % 2]  # the first edit changes the cell
        lab.page.evaluate(SET_SOURCE, [cell, source])
        for _ in range(300):
            lab.page.wait_for_timeout(50)  # lets Playwright deliver the socket's events
            if len(frames.sent) > start:
                break
        lab.wait_idle()
        lab.page.wait_for_timeout(500)  # past the sync delay (300 ms): anything else the edit sends
        sent = frames.sent[start:]
        if [kind for kind, _, _ in sent] != ["delta"]:
            raise RuntimeError(f"one edit at {n:,} cells sent {[kind for kind, _, _ in sent]}, not one delta")
        sizes.append(sent[0][1:])
    return sizes


def measure(lab: Lab, frames: Frames, sizes: tuple[int, ...], rounds: int, edits: int, cascades: int) -> dict:
    results: dict[int, dict[str, list]] = {}
    for n in sizes:
        made = cells(n)
        paths = {
            "reactive": lab.server.write_notebook(f"large-{n}", made),
            "plain": lab.server.write_notebook(f"large-{n}-plain", made, {"kernelspec": dict(PLAIN)}),
        }
        got: dict[str, list] = {"reactive": [], "plain": [], "edit": [], "whole": []}
        if n == sizes[0] and rounds > 1:  # warm-up (not in the smoke run): the browser cache, first starts
            open_timed(lab, paths["reactive"], True)
            open_timed(lab, paths["plain"], False)
        for r in range(rounds):
            for name in ("reactive", "plain") if r % 2 == 0 else ("plain", "reactive"):
                got[name].append(open_timed(lab, paths[name], name == "reactive"))
                if name == "reactive":
                    opened = [(frame, data) for kind, frame, data in frames.sent if kind == "comm_open"]
                    got["whole"].append(opened[-1])
                    got["edit"] += edit_sizes(lab, frames, n, edits)
        results[n] = got
    n = sizes[-1]
    lab.page.goto("about:blank")
    lab.server.shutdown_sessions()
    lab.open(f"large-{n}.ipynb", reactive=True)
    results["cascade"] = measure_open(lab, n // 10, cascades)
    return results


def open_rows(n: int, got: dict[str, list]) -> list[Row]:
    statuses = median(o["statuses"] for o in got["reactive"])
    ready = median(o["ready"] for o in got["reactive"])
    plain = median(o["ready"] for o in got["plain"])
    ratio = median(a["statuses"] / b["ready"] for a, b in zip(got["reactive"], got["plain"]))
    return [
        Row(
            f"large notebook: open -> all statuses shown, {n:,} cells",
            f"{fmt_time(statuses)} (cells shown, kernel idle: {fmt_time(ready)})",
            f"{fmt_time(plain)} (ipykernel: cells shown, kernel idle)",
            f"{ratio:.2f}x",
        )
    ]


def edit_row(n: int, got: dict[str, list]) -> Row:
    frame, data = (median(s[i] for s in got["edit"]) for i in (0, 1))
    whole_frame, whole_data = (median(s[i] for s in got["whole"]) for i in (0, 1))
    return Row(
        f"large notebook: bytes the page sends for a one-cell edit, {n:,} cells",
        f"{frame:,.0f} B frame, {data:,.0f} B data (delta)",
        f"{whole_frame:,.0f} B frame, {whole_data:,.0f} B data (the whole notebook, as the comm opened)",
        f"{frame / whole_frame:.4f}x",
    )


def run(quick: bool = False) -> list[Row]:
    missing = missing_requirements()
    if missing:
        return [Row("large notebook: open, edit, cascade", f"skipped: {missing}")]
    sizes = QUICK_SIZES if quick else SIZES
    counts = (1, 1, 1) if quick else (ROUNDS, EDITS, CASCADES)
    with (
        tempfile.TemporaryDirectory() as tmp,
        lab_in_browser(Path(tmp), timeout=TIMEOUT * 5, scripts=[OPEN_WATCH]) as (server, context),
    ):
        page = context.new_page()
        results = measure(Lab(server, page), Frames(page), sizes, *counts)
    made = [row for n in sizes for row in open_rows(n, results[n])]
    made += [edit_row(n, results[n]) for n in sizes]
    made += cascade_rows(results["cascade"], sizes[-1] // 10, sizes[-1])
    return made


if __name__ == "__main__":
    main(__doc__, run, "timed inside the page; bytes read off the kernel websocket")
