"""What a headless run shows in the terminal: outputs as they arrive, and which cell failed and why."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from nbformat import NotebookNode

from reactive_kernel.core import order

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def echo(cell_index: int, out: NotebookNode) -> None:
    """Print one output the way a script would: streams as they are, results and displays as text."""
    kind = out.get("output_type")
    if kind == "stream":
        stream = sys.stderr if out.get("name") == "stderr" else sys.stdout
        stream.write(out.get("text", ""))
        stream.flush()
    elif kind in ("execute_result", "display_data"):
        data = out.get("data", {})
        text = data.get("text/plain")
        if text is None:
            text = f"<{', '.join(data) or 'empty'} output>"
        print(text, flush=True)


def report_failure(cells: Sequence[Mapping[str, Any]], index: int, stream: TextIO | None = None) -> None:
    """Name the failed cell and print its traceback (colours only on a terminal)."""
    stream = stream or sys.stderr
    error = next((o for o in cells[index].get("outputs", ()) if o.get("output_type") == "error"), None)
    lines = list(error.get("traceback", ())) if error else []
    if not lines and error:
        lines = [f"{error.get('ename')}: {error.get('evalue')}"]
    text = "\n".join(lines)
    if not stream.isatty():
        text = _ANSI.sub("", text)
    stream.write(f"reactive-kernel: {order.describe(cells, index)} failed:\n{text}\n")
    stream.flush()


def report_dead_kernel(cells: Sequence[Mapping[str, Any]], index: int) -> None:
    """The kernel process ended while this cell ran (os._exit, a crash in native code, out of memory)."""
    name = order.describe(cells, index)
    print(f"reactive-kernel: {name} killed the kernel; nothing after it ran", file=sys.stderr)


def system_exit_code(cells: Sequence[Mapping[str, Any]], index: int) -> int | None:
    """The exit code if the cell called sys.exit(), so a notebook script can end itself like any script."""
    error = next((o for o in cells[index].get("outputs", ()) if o.get("output_type") == "error"), None)
    if error is None or error.get("ename") != "SystemExit":
        return None
    value = str(error.get("evalue", "")).strip()
    if value in ("", "None"):
        return 0
    if value.lstrip("-").isdigit():
        return int(value)
    print(value, file=sys.stderr)  # sys.exit("message") prints it and exits 1, as Python does
    return 1
