"""Notebook files on disk: read `.ipynb` and `.py` notebooks, write one atomically or to stdout."""

from __future__ import annotations

import copy
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from reactive_kernel import KERNELSPEC, formats
from reactive_kernel.core.errors import FormatError, NotebookFileError

FILE_FORMATS = ("ipynb", "percent", "marimo")  # what `convert --to` accepts
ROUND_TRIP_KEY = "reactive_format"  # metadata formats.reads leaves so an unedited `.py` writes back as it was


def read_notebook(path: str) -> NotebookNode:
    """The notebook in an `.ipynb` or `.py` (percent or marimo) file; never runs any of it."""
    file = Path(path)
    suffix = file.suffix.lower()
    if not file.exists():
        raise NotebookFileError(path, "no such file")
    if not file.is_file():
        raise NotebookFileError(path, "not a file")
    if suffix not in (".ipynb", ".py"):
        found = suffix or "(no extension)"
        raise NotebookFileError(path, f"unknown notebook format {found!r}: expected .ipynb or .py")
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookFileError(path, f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise NotebookFileError(path, exc.strerror or str(exc)) from None
    if suffix == ".py":
        try:
            return formats.reads(text)
        except FormatError as exc:
            raise NotebookFileError(path, str(exc)) from None
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises JSON, schema and key errors alike for a broken file
        raise NotebookFileError(path, f"not a valid .ipynb notebook: {str(exc).splitlines()[0]}") from None


def format_for(path: str, to: str | None) -> str:
    """The format to write `path` in: `--to` when given, else from its extension (`.py` is percent)."""
    if to is not None:
        return to
    suffix = Path(path).suffix.lower()
    if suffix == ".ipynb":
        return "ipynb"
    if suffix == ".py":
        return "percent"
    raise NotebookFileError(path, "cannot tell the format from the extension; pass --to ipynb|percent|marimo")


def dumps(nb: NotebookNode, fmt: str) -> str:
    """The file text of `nb` in `fmt`, dropping round-trip metadata that belongs to another format."""
    if fmt == "ipynb" or formats.format_of(nb) != fmt:
        nb = without_round_trip_metadata(nb)
    if fmt == "ipynb":
        return nbformat.writes(nb) + "\n"
    return formats.writes(nb, fmt)


def without_round_trip_metadata(nb: NotebookNode) -> NotebookNode:
    """A copy without what formats.reads recorded; a notebook without a kernel gets the reactive one."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop(ROUND_TRIP_KEY, None)
    for cell in nb.cells:
        cell.metadata.pop(ROUND_TRIP_KEY, None)
    nb.metadata.setdefault("kernelspec", dict(KERNELSPEC))
    return nb


def check_output(src: str, dst: str) -> None:
    """Refuse, before any work, an output that is the source itself or lies in a missing directory."""
    if dst == "-":
        return
    if os.path.exists(dst) and os.path.exists(src) and os.path.samefile(src, dst):
        raise NotebookFileError(dst, "is the source notebook; write to another file")
    parent = Path(dst).parent
    if not parent.is_dir():
        raise NotebookFileError(dst, f"no such directory: {parent}")


def write_text(path: str, text: str) -> None:
    """Write `text` to `path` all at once (a temporary file, then a rename), or to stdout for "-"."""
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise NotebookFileError(path, f"no such directory: {target.parent}")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets what open() would give it (0o666 less umask)."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
