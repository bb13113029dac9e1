"""Cached cells: a cache hit against running the same cell, on one real reactive kernel, side by side.

Two cells with the same work read the same input `data` (a 1e6-element numpy array, made once): one has
`reactive.cache` "memory", the other has caching off. Each round executes both (order alternating),
the way the extension executes a cell: a full round trip (reply and IOPub idle). The cached cell hits
on every round after the first, so the ratio hit / run says what a cache saves on a cell that costs
about as much as the work below (~0.7 s here); the hit itself costs fingerprinting `data` (its 8 MB of
bytes) and replaying one output. A second row times the key alone for inputs of growing size.
"""

from __future__ import annotations

import time

from _common import Row, fmt_time, main, median, ratio_row

from tests.frontend import Frontend

INPUT = "import numpy as np\ndata = np.random.default_rng(0).random(1_000_000)"
# A few hundred ms of numpy work: what a cell worth caching does (a fit, a join, a resample).
WORK = (
    "s{n} = 0.0\nfor _k in range(40):\n    s{n} += float(np.sort(data + _k)[::1000].sum())\n"
    "print(round(s{n}, 3))"
)


def run(quick: bool) -> list[Row]:
    rounds = 3 if quick else 11
    fe = Frontend()
    try:
        fe.cells.update({"input": INPUT, "cached": WORK.format(n=1), "plain": WORK.format(n=2)})
        fe.cache["cached"] = "memory"
        fe.sync()
        fe.run("input")  # runs both work cells once: the cached one now has an entry
        hits, runs = [], []
        for r in range(rounds):
            order = [("cached", hits), ("plain", runs)]
            for cell_id, times in order if r % 2 == 0 else reversed(order):
                start = time.perf_counter()
                execution = fe.execute(cell_id, fe.cells[cell_id])
                times.append(time.perf_counter() - start)
                if execution.status != "ok":
                    raise RuntimeError(f"{cell_id} failed: {execution.text}")
        if fe.states["cached"]["cached"] is not True or fe.states["plain"]["cached"] is not False:
            raise RuntimeError(f"the cache did not behave: {fe.states['cached']}, {fe.states['plain']}")
        rows = [
            ratio_row(
                "cache: hit vs run, ~0.7 s numpy cell reading a 1e6 array",
                median(hits),
                median(runs),
                None,
                "the same cell, cache off",
            )
        ]
        rows.append(key_row(fe, quick))
        return rows
    finally:
        fe.shutdown()


def key_row(fe: Frontend, quick: bool) -> Row:
    """The price of a lookup: fingerprinting inputs of 1e5, 1e6 and 1e7 float64 (in the kernel)."""
    repeat = 2 if quick else 10
    code = (
        "import time as _t, numpy as _np\nfrom reactive_kernel.features.cell_cache import cache_key as _key\n"
        "_out = []\nfor _n in (10**5, 10**6, 10**7):\n"
        "    _a = {'a': _np.ones(_n)}\n    _s = _t.perf_counter()\n"
        f"    for _ in range({repeat}):\n        _key('y = a', ['a'], _a)\n"
        f"    _out.append((_t.perf_counter() - _s) / {repeat})\nprint(*_out)"
    )
    times = [float(t) for t in fe.execute(None, code).stdout.split()]
    measured = " / ".join(fmt_time(t) for t in times)
    per_mb = times[-1] / 80  # 1e7 float64 = 80 MB
    return Row("cache: key for a 0.8 / 8 / 80 MB array input", measured, f"{fmt_time(per_mb)} per MB")


if __name__ == "__main__":
    main(__doc__, run)
