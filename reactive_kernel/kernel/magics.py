"""The %reactive line magic: show a cell's place in the graph, or switch autorun/lazy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from reactive_kernel.core.graph import POLICIES
from reactive_kernel.core.scheduler import MODES

if TYPE_CHECKING:
    from reactive_kernel.kernel.ipkernel import ReactiveKernel

_USAGE = (
    "usage: %reactive            show this cell's defs, refs, parents and children\n"
    + "".join(f"       %reactive {m:<10} switch to {m} mode\n" for m in MODES)
    + "".join(f"       %reactive {p:<10} switch to {p} definitions\n" for p in POLICIES)
)


@magics_class
class ReactiveMagics(Magics):
    def __init__(self, shell: object, kernel: ReactiveKernel) -> None:
        super().__init__(shell)
        self._kernel = kernel

    @line_magic
    def reactive(self, line: str) -> None:
        """%reactive [autorun|lazy|ordered|unique]: inspect the running cell, or switch mode or policy."""
        arg = line.strip()
        if arg in MODES:
            self._kernel.set_mode(arg)
            print(f"reactive mode: {arg}")
        elif arg in POLICIES:
            self._kernel.set_definitions(arg)
            print(f"reactive definitions: {arg}")
        elif arg in ("", "info"):
            print(self._describe())
        else:
            raise UsageError(f"unknown argument {arg!r}\n{_USAGE}")

    def _describe(self) -> str:
        kernel = self._kernel
        lines = [f"mode: {kernel.scheduler.mode}", f"definitions: {kernel.scheduler.definitions}"]
        cell_id = kernel.current_cell
        if cell_id is None:
            lines.append("this execution has no cell id, so it runs outside the graph")
            return "\n".join(lines)
        s = kernel.scheduler.state(cell_id)
        label = kernel.labels.label
        lines += [
            f"cell: {label(cell_id)}",
            f"defs: {', '.join(s.defs) or '-'}",
            f"refs: {', '.join(s.refs) or '-'}",
            f"parents: {', '.join(map(label, s.parents)) or '-'}",
            f"children: {', '.join(map(label, s.children)) or '-'}",
        ]
        return "\n".join(lines)
