"""Pairing: a `.py` notebook keeps its outputs in an `.ipynb` beside it; inputs always come from the `.py`.

A notebook opts in with notebook metadata `reactive.pair`, the name of the `.ipynb` next to the `.py`
with the same stem (`analysis.py` pairs with `analysis.ipynb`). Saving writes both files; opening reads
the cells from the `.py` and gives each the outputs, execution count and id of the paired notebook's
cell with the same source (matched in order, so repeated sources pair up one to one).

An `.ipynb` is the pair only when its own metadata `reactive.pair` names it (every pair we write does):
a paired `.py` committed without its `.ipynb` must not take over an unrelated notebook of that name.
"""

from __future__ import annotations

import json
import os
import posixpath
import stat
from collections import defaultdict, deque
from typing import Any

import nbformat

from reactive_kernel.core.cells import cell_source
from reactive_kernel.core.errors import FormatError

_CARRIED = ("outputs", "execution_count")
# Why a pair may not be written, as the end of "its outputs go to X.ipynb, which ...".
UNREADABLE = "cannot be read as a notebook"
NOT_THE_PAIR = "is not its pair (the .ipynb's metadata reactive.pair does not name it)"


def pair_name(py_path: str) -> str:
    """The `.ipynb` a `.py` notebook pairs with: same folder, same stem."""
    return posixpath.splitext(py_path)[0] + ".ipynb"


def wanted_pair(nb: nbformat.NotebookNode, py_path: str) -> str | None:
    """The pair the notebook's metadata asks for, as a path beside `py_path`; None when not paired.

    Raises FormatError when it names any other file: outputs are never written somewhere unexpected.
    """
    meta = nb.get("metadata", {}).get("reactive")
    name = meta.get("pair") if isinstance(meta, dict) else None
    if not name:
        return None
    expected = posixpath.basename(pair_name(py_path))
    if name != expected:
        raise FormatError(
            f"notebook metadata reactive.pair is {name!r}; a .py notebook pairs with {expected!r}"
        )
    return pair_name(py_path)


def names_itself(paired: Any, name: str) -> bool:
    """Whether a notebook read from `name` (JSON, as loaded) is a pair: its `reactive.pair` is `name`."""
    metadata = paired.get("metadata") if isinstance(paired, dict) else None
    reactive = metadata.get("reactive") if isinstance(metadata, dict) else None
    return isinstance(reactive, dict) and reactive.get("pair") == name


def refusal(os_pair: str, os_root: str) -> str | None:
    """Why a save must not write the pair at `os_pair`, or None when it may: nothing is there, or a
    regular file that `names_itself`; never through a symlink that leads out of `os_root`.

    Blocking I/O (run it off the event loop); it opens nothing but a regular file.
    """
    try:
        link = os.lstat(os_pair)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(link.st_mode):
        real, root = os.path.realpath(os_pair), os.path.realpath(os_root)
        if os.path.commonpath([real, root]) != root:
            return "is a symlink that leads out of the server's root"
    try:
        st = os.stat(os_pair)
    except OSError:
        return "is a symlink to a missing file"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    try:
        with open(os_pair, "rb") as f:
            paired = json.loads(f.read())
    except (OSError, ValueError):
        return UNREADABLE
    return None if names_itself(paired, os.path.basename(os_pair)) else NOT_THE_PAIR


def merge(inputs: nbformat.NotebookNode, paired: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """`inputs` (read from the `.py`) with outputs, counts and ids taken from `paired` by cell source."""
    by_source: dict[tuple[str, str], deque] = defaultdict(deque)
    for cell in paired.get("cells", []):
        by_source[(cell.get("cell_type"), cell_source(cell))].append(cell)
    used_ids = set()
    for cell in inputs.cells:
        match = by_source.get((cell.cell_type, cell_source(cell)))
        if not match:
            continue
        old = match.popleft()
        if old.get("id") and old["id"] not in used_ids:
            cell["id"] = old["id"]
            used_ids.add(old["id"])
        if cell.cell_type == "code":
            for key in _CARRIED:
                if key in old:
                    cell[key] = old[key]
    return inputs
