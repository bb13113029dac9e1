"""Growth: the formats' time per unit of text on inputs built to make a careless reader quadratic.

The inputs are the test suite's pathological texts (tests/test_formats_percent.py's `PATHOLOGICAL`:
unclosed fences, quotes, escaped markers, marker-only files, magics with continuations;
tests/test_formats_marimo.py's `BROKEN_CELLS`: cells that stop the tokenizer or only the parser
refuses). Each is timed at one size and at four times that size, in interleaved rounds (medians): the
percent format's `writes(reads(text))`, the marimo format's `reads`. The ratio is the time per unit at
the large size over the time per unit at the small one: about 1x when the work is linear, about 4x when
it is quadratic. The target, <= 2x, leaves room for cache effects and a busy machine. These were timed
assertions in the suite; they live here because speed is measured by benchmarks, not by tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from _common import Row, main, median, ratio_row

from reactive_kernel.formats import marimo, percent
from tests.test_formats_marimo import BROKEN_CELLS, notebook_file
from tests.test_formats_percent import PATHOLOGICAL

FACTOR = 4
MARIMO_CELLS = 500
LIMIT = 2.0


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cases() -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    """name -> (the work at the small size, the same work at FACTOR times the size)."""
    found: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {}
    for name, text in sorted(PATHOLOGICAL.items()):
        big = text * FACTOR
        found[f"percent {name}"] = (
            lambda t=text: percent.writes(percent.reads(t)),
            lambda t=big: percent.writes(percent.reads(t)),
        )
    for name, cell in sorted(BROKEN_CELLS.items()):
        small = notebook_file(*[cell] * MARIMO_CELLS)
        big = notebook_file(*[cell] * (MARIMO_CELLS * FACTOR))
        found[f"marimo {name}"] = (lambda t=small: marimo.reads(t), lambda t=big: marimo.reads(t))
    return found


def run(quick: bool = False) -> list[Row]:
    rounds = 2 if quick else 7
    rows = []
    for name, (small, big) in cases().items():
        small_times, big_times = [], []
        for r in range(rounds):  # interleaved, alternating which goes first
            pair = (small, big) if r % 2 == 0 else (big, small)
            for fn in pair:
                (small_times if fn is small else big_times).append(timed(fn))
        t_small, t_big = median(small_times), median(big_times)
        rows.append(
            ratio_row(
                f"growth: {name}, {FACTOR}x the text, time per unit",
                t_big,
                t_small,
                LIMIT,
                f"1x the text; {FACTOR}x its time would be linear",
                ratio=(t_big / FACTOR) / t_small,
            )
        )
    return rows


if __name__ == "__main__":
    main(__doc__, run)
