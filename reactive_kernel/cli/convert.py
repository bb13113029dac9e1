"""`reactive-kernel convert`: between .ipynb, percent and marimo; parses and writes, never executes."""

from __future__ import annotations

import os
import sys

from reactive_kernel import notebook_io as files
from reactive_kernel.errors import NotebookFileError


def convert(src: str, dst: str, to: str | None = None) -> int:
    """Write the notebook in `src` to `dst` in `to` (or the format `dst`'s extension implies)."""
    fmt = files.format_for(dst, to)
    nb = files.read_notebook(src)
    if dst != "-" and os.path.exists(dst) and os.path.samefile(src, dst):
        raise NotebookFileError(dst, "is the source file; write the conversion to another file")
    text = files.dumps(nb, fmt)
    files.write_text(dst, text)
    if dst != "-":
        print(f"reactive-kernel: wrote {dst} ({fmt}, {len(nb.cells)} cells)", file=sys.stderr)
    return 0
