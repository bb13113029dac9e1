"""SQL cells: `%%sql` over a 1,000,000-row pandas frame, and the static analysis of a `%%sql` cell.

Measured in interleaved rounds (the order rotates each round), medians of per-round ratios:
- `%%sql res` with a GROUP BY aggregate, through IPython's `run_cell_magic` on our `SqlMagics` (the path a
  kernel cell takes after the kernel's own bookkeeping), against the same query on DuckDB directly
  (register the frame, execute, fetch to pandas, unregister): the magic's overhead; target <= 1.10x.
- the same aggregate in pandas (`groupby().agg()`): no target, for orientation.
- `SELECT 42` through the magic and directly: the fixed cost the magic adds to every cell, and what
  IPython's own `run_cell_magic` dispatch adds on top (any cell magic pays it).
- `analyze` on a 20-line `%%sql` cell (what the kernel does for every edit); target <= 1 ms.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from _common import Row, budget_row, fmt_time, main, median, per_call

from reactive_kernel.core.analysis import analyze

QUERY = """\
SELECT g, sum(v) AS total, avg(w) AS mean_w, count(*) AS n
FROM df
WHERE w > 0.1
GROUP BY g
ORDER BY g"""

CELL = """\
%%sql summary
-- daily totals per region, from the cleaned events frame
WITH cleaned AS (
    SELECT e.region, e.day, e.amount, c.segment
    FROM events AS e
    JOIN customers c ON c.id = e.customer_id
    WHERE e.amount > 0 AND e.note <> 'test; FROM nowhere'
),
daily AS (
    SELECT region, day, segment, sum(amount) AS amount
    FROM cleaned
    GROUP BY ALL
)
SELECT d.*, t.target, d.amount / t.target AS ratio
FROM daily d
LEFT JOIN targets t USING (region, segment)
WHERE d.day >= (SELECT min(day) FROM calendar WHERE open)
ORDER BY region, day
"""


def frame(rows: int) -> object:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {"g": rng.integers(0, 1000, rows), "v": rng.integers(0, 100, rows), "w": rng.random(rows)}
    )


def calls(df: object) -> dict[str, Callable[[], object]]:
    import duckdb
    from IPython.core.interactiveshell import InteractiveShell

    from reactive_kernel.features.sql_magic import SqlMagics

    shell = InteractiveShell.instance()
    magics = SqlMagics(shell)
    shell.register_magics(magics)
    shell.user_ns["df"] = df
    con = duckdb.connect()

    def direct() -> object:
        con.register("df", df)
        try:
            return con.execute(QUERY).df()
        finally:
            con.unregister("df")

    def tiny_direct() -> object:
        return con.execute("SELECT 42 AS answer").df()

    def pandas() -> object:
        kept = df[df["w"] > 0.1]
        return kept.groupby("g").agg(total=("v", "sum"), mean_w=("w", "mean"), n=("v", "size")).reset_index()

    return {
        "magic": lambda: shell.run_cell_magic("sql", "res", QUERY),
        "duckdb": direct,
        "pandas": pandas,
        "tiny shell": lambda: shell.run_cell_magic("sql", "res", "SELECT 42 AS answer"),
        "tiny magic": lambda: magics.sql("res", "SELECT 42 AS answer"),
        "tiny duckdb": tiny_direct,
    }


def rounds(fns: dict[str, Callable[[], object]], count: int) -> dict[str, list[float]]:
    """Seconds per call, one sample per round for each callable, rotating who goes first."""
    names = list(fns)
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(count):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - start)
    return times


def ratio(times: dict[str, list[float]], a: str, b: str) -> float:
    return statistics.median(x / y for x, y in zip(times[a], times[b]))


def run(quick: bool = False) -> list[Row]:
    try:
        import duckdb  # noqa: F401
        import pandas  # noqa: F401
    except ImportError as exc:
        return [Row("sql: skipped", f"{exc.name} is not installed (pip install '.[test]')")]
    rows_in, count = (100_000, 3) if quick else (1_000_000, 21)
    df = frame(rows_in)
    fns = calls(df)
    results = {name: fn() for name, fn in fns.items()}  # warm-up, and a check that they agree
    if not len(results["magic"]) == len(results["duckdb"]) == len(results["pandas"]):
        raise RuntimeError("the magic, DuckDB and pandas disagree on the number of groups")
    times = rounds(fns, count)
    t = {name: median(ts) for name, ts in times.items()}
    over_duckdb = ratio(times, "magic", "duckdb")
    label = f"sql: %%sql GROUP BY over {rows_in:,} pandas rows"
    facts = analyze(CELL)
    if facts.error or facts.refs != {"events", "customers", "targets", "calendar"}:
        raise RuntimeError(f"analyze misread the benchmark cell: {facts}")
    return [
        Row(
            label,
            fmt_time(t["magic"]),
            f"{fmt_time(t['duckdb'])} (DuckDB directly)",
            f"{over_duckdb:.3f}x / <= 1.10x",
            over_duckdb <= 1.10,
        ),
        Row(
            f"{label} vs pandas groupby",
            fmt_time(t["magic"]),
            f"{fmt_time(t['pandas'])} (pandas)",
            f"{ratio(times, 'magic', 'pandas'):.3f}x",
        ),
        Row(
            "sql: fixed cost of a %%sql cell (SELECT 42), the magic itself",
            fmt_time(t["tiny magic"]),
            f"{fmt_time(t['tiny duckdb'])} (DuckDB directly)",
            f"+{fmt_time(max(t['tiny magic'] - t['tiny duckdb'], 0))} a cell",
        ),
        Row(
            "sql: the same through IPython's run_cell_magic",
            fmt_time(t["tiny shell"]),
            f"{fmt_time(t['tiny magic'])} (the magic called directly)",
            f"+{fmt_time(max(t['tiny shell'] - t['tiny magic'], 0))} (IPython's dispatch)",
        ),
        budget_row("sql: analyze, 20-line %%sql cell", per_call(lambda: analyze(CELL), 200), 1e-3),
    ]


if __name__ == "__main__":
    main(__doc__, run, "rounds interleaved; medians of per-round ratios")
