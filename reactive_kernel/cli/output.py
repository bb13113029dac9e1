"""Where a command writes its result: a bad output is refused before any work, a failed write is one line.

Both raise NotebookFileError naming the output, which the command turns into `error: ...` and exit 2.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reactive_kernel.core.errors import NotebookFileError
from reactive_kernel.headless import notebook_io as files


def check(src: str, dst: str) -> None:
    """Refuse `dst` now, before reading or running costs anything: the source itself, a missing folder,
    a directory, or a folder this process cannot create a file in (probed, so root, read-only file
    systems and immutable folders are judged as the write itself would be)."""
    if dst == "-":
        return
    if not dst:
        raise NotebookFileError("-o ''", "no file name")
    if dst.endswith(("/", os.sep)) or os.path.isdir(dst):
        raise NotebookFileError(dst, "is a directory; give a file name")
    files.check_output(src, dst)
    folder = Path(dst).parent
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".reactive-kernel-probe.")
    except OSError as exc:
        raise NotebookFileError(dst, f"cannot write in {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(probe)


def write(dst: str, text: str) -> None:
    """Write all of `text` or nothing (the file is written aside, then renamed over `dst`)."""
    try:
        files.write_text(dst, text)
    except OSError as exc:  # the folder changed since `check`, or the disk is full
        raise NotebookFileError(dst, f"cannot write: {exc.strerror or exc}") from None
