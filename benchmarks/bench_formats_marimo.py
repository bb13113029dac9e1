"""The marimo format: `reads` and `writes` of a generated 2,000-cell marimo file, beside marimo's own code.

The file (fixed seed) is written by marimo's code generator: `import marimo as mo`, then cells that are
markdown (`mo.md(r\"\"\"...\"\"\")`), chains of assignments reading names of earlier cells (some with a
multi-line string, some named, some with `hide_code=True`) and small `@app.function` definitions.
Measured in interleaved rounds, medians reported, ratios ours/marimo:
- `reads(text)` against marimo's static loader `marimo._ast.parse.parse_notebook(text)`;
- `writes(nb)` of the notebook just read (unedited: every cell's bytes given back) and of the same
  notebook with every cell edited (all cells regenerated, parameters and returns from `analyze`),
  both against marimo's code generator `marimo._ast.codegen.generate_filecontents` on the cells
  marimo's loader found (which compiles and regenerates every cell);
- the per-cell time of `reads` at 2,000 cells against 500 cells (~1x if linear).
Before timing, the script checks that `reads` finds marimo's cells and `writes` gives back the bytes.
There are no targets: the ratios are the result.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from typing import Any

from _common import Row, fmt_time, main, median, ratio_row

from reactive_kernel.formats import marimo

SIZE = 2_000
SMALL = 500


def marimo_text(n: int, seed: int = 0) -> str:
    """An n-cell notebook as marimo's code generator writes it."""
    from marimo._ast.cell import CellConfig
    from marimo._ast.codegen import generate_filecontents

    rng = random.Random(seed)
    codes, names, configs, defined = ["import marimo as mo"], ["_"], [CellConfig()], []
    for i in range(1, n):
        if i % 5 == 0:
            code = f'mo.md(r"""\n## Section {i}\n\nThe value so far is computed below.\n""")'
        elif i % 17 == 0:
            code = f"def helper_{i}(value):\n    return value * {i}"
        else:
            reads = sorted({rng.choice(defined) for _ in range(rng.randint(0, 3))}) if defined else []
            code = f"v{i} = {' + '.join([*reads, str(i)])}\n_t{i} = v{i} * 2\nprint(v{i}, _t{i})"
            if i % 5 == 3:
                code = f'note_{i} = """\nmulti-line\n  text {i}\n"""\n' + code
            defined.append(f"v{i}")
        codes.append(code)
        names.append(f"cell_{i}" if i % 7 == 0 else "_")
        configs.append(CellConfig(hide_code=i % 11 == 0))
    return generate_filecontents(codes, names, configs)


def check(text: str) -> None:
    """`reads` finds the cells marimo's loader finds, and `writes` gives back the bytes."""
    from marimo._ast.parse import parse_notebook

    from reactive_kernel.formats.marimo.markdown import markdown_call

    nb = marimo.reads(text)
    theirs = [cell.code for cell in parse_notebook(text).cells]
    ours = [  # a markdown cell holds the `mo.md(...)` code marimo reads
        markdown_call(c.source, c.metadata["reactive_format"]["markdown"])
        if c.cell_type == "markdown"
        else c.source
        for c in nb.cells
    ]
    if ours != theirs:
        raise RuntimeError("reads disagrees with marimo's loader on the benchmark file")
    if marimo.writes(nb) != text:
        raise RuntimeError("writes did not give back the benchmark file's bytes")


def all_edited(nb: Any) -> Any:
    edited = copy.deepcopy(nb)
    for cell in edited.cells:
        cell.metadata["reactive_format"].pop("hash")
    return edited


def timed(fn: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def marimo_codegen(text: str) -> Callable[[], object]:
    """marimo regenerating the file from the cells its loader found."""
    from marimo._ast.cell import CellConfig
    from marimo._ast.codegen import generate_filecontents
    from marimo._ast.parse import parse_notebook

    cells = parse_notebook(text).cells
    codes, names = [c.code for c in cells], [c.name for c in cells]
    configs = [CellConfig.from_dict(c.options) for c in cells]
    return lambda: generate_filecontents(list(codes), list(names), list(configs))


def run(quick: bool = False) -> list[Row]:
    from marimo._ast.parse import parse_notebook

    rounds = 2 if quick else 9
    text, small = marimo_text(SIZE), marimo_text(SMALL)
    check(text)
    nb = marimo.reads(text)
    edited = all_edited(nb)
    calls: dict[str, Callable[[], object]] = {
        "reads": lambda: marimo.reads(text),
        "reads small": lambda: marimo.reads(small),
        "marimo parse_notebook": lambda: parse_notebook(text),
        "writes unedited": lambda: marimo.writes(nb),
        "writes all edited": lambda: marimo.writes(edited),
        "marimo generate_filecontents": marimo_codegen(text),
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            times[name].append(timed(calls[name]))
    t = {name: median(values) for name, values in times.items()}
    codegen = "marimo generate_filecontents"
    growth = (t["reads"] / SIZE) / (t["reads small"] / SMALL)
    lines = f"{text.count(chr(10)):,} lines"
    return [
        ratio_row(f"formats: marimo reads, {SIZE:,} cells ({lines})", t["reads"], t["marimo parse_notebook"],
                  None, "marimo parse_notebook"),
        ratio_row(f"formats: marimo writes unedited, {SIZE:,} cells", t["writes unedited"], t[codegen], None,
                  codegen),
        ratio_row(f"formats: marimo writes every cell edited, {SIZE:,} cells", t["writes all edited"],
                  t[codegen], None, codegen),
        Row(f"formats: marimo reads, per-cell time {SIZE:,} vs {SMALL}", f"{growth:.2f}x",
            f"{fmt_time(t['reads small'] / SMALL)}/cell at {SMALL}", "~1x if linear"),
    ]  # fmt: skip


if __name__ == "__main__":
    main(__doc__, run)
