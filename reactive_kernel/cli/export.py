"""`reactive-kernel export`: execute in dependency order, then write HTML or .ipynb through nbconvert."""

from __future__ import annotations

import sys
from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbconvert.exporters import Exporter, HTMLExporter, NotebookExporter

from reactive_kernel import KERNELSPEC
from reactive_kernel.cli import output, terminal
from reactive_kernel.cli.run import script_preamble
from reactive_kernel.core import order
from reactive_kernel.headless import notebook_io as files
from reactive_kernel.headless.executor import QUIET_KERNEL, CellExecutionError, DependencyOrderPreprocessor

EXPORTERS: dict[str, type[Exporter]] = {"html": HTMLExporter, "ipynb": NotebookExporter}


def export(kind: str, path: str, out: str, allow_errors: bool = False) -> int:
    """Execute `path` and write it as `kind` to `out`; nothing is written when a cell fails."""
    nb = files.without_round_trip_metadata(files.read_notebook(path))
    output.check(path, out)  # before running: a bad OUT should not cost a run and its side effects
    nb.metadata["kernelspec"] = dict(KERNELSPEC)  # what it ran on
    runner = DependencyOrderPreprocessor(
        kernel_name=KERNELSPEC["name"],
        order="dependency",
        timeout=None,
        extra_arguments=QUIET_KERNEL,
        allow_errors=allow_errors,
        preamble=script_preamble(path, []),
    )
    exporter = EXPORTERS[kind]()
    exporter.register_preprocessor(runner, enabled=True)
    source = Path(path)
    resources = {"metadata": {"path": str(source.parent.resolve()), "name": source.stem}}
    try:
        body, _ = exporter.from_notebook_node(nb, resources)
    except CellExecutionError:
        assert runner.failed_cell is not None
        terminal.report_failure(runner.nb.cells, runner.failed_cell)  # the exporter ran a copy
        return 1
    except DeadKernelError:
        if runner.failed_cell is None:
            raise
        terminal.report_dead_kernel(runner.nb.cells, runner.failed_cell)
        return 1
    output.write(out, body)
    _report_allowed_errors(runner)
    if out != "-":  # as `convert` does: say where the result went (stdout carries it otherwise)
        print(f"reactive-kernel: wrote {out} ({kind}, {len(nb.cells)} cells)", file=sys.stderr)
    return 0


def _report_allowed_errors(runner: DependencyOrderPreprocessor) -> None:
    """With --allow-errors the export succeeds; still say which cells failed and which were skipped."""
    cells = runner.nb.cells
    failed = [
        i for i, c in enumerate(cells) if any(o.get("output_type") == "error" for o in c.get("outputs", ()))
    ]
    for index in failed:
        print(f"reactive-kernel: {order.describe(cells, index)} failed (kept in the export)", file=sys.stderr)
    if runner.blocked:
        skipped = ", ".join(order.describe(cells, i) for i in runner.blocked)
        print(f"reactive-kernel: skipped, because a cell they read failed: {skipped}", file=sys.stderr)
