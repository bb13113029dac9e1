"""`reactive-kernel convert`: between .ipynb, percent and marimo; parses and writes, never executes."""

from __future__ import annotations

import sys

from reactive_kernel.cli import output
from reactive_kernel.headless import notebook_io as files


def convert(src: str, dst: str, to: str | None = None) -> int:
    """Write the notebook in `src` to `dst` in `to` (or the format `dst`'s extension implies)."""
    fmt = files.format_for(dst, to)
    nb = files.read_notebook(src)
    output.check(src, dst)
    text = files.dumps(nb, fmt)
    output.write(dst, text)
    if dst != "-":
        print(f"reactive-kernel: wrote {dst} ({fmt}, {len(nb.cells)} cells)", file=sys.stderr)
    return 0
