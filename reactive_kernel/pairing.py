"""Pairing: a `.py` notebook keeps its outputs in an `.ipynb` beside it; inputs always come from the `.py`.

A notebook opts in with notebook metadata `reactive.pair`, the name of the `.ipynb` next to the `.py`
with the same stem (`analysis.py` pairs with `analysis.ipynb`). Saving writes both files; opening reads
the cells from the `.py` and gives each the outputs, execution count and id of the paired notebook's
cell with the same source (matched in order, so repeated sources pair up one to one).
"""

from __future__ import annotations

import posixpath
from collections import defaultdict, deque

import nbformat

from reactive_kernel.errors import FormatError

_CARRIED = ("outputs", "execution_count")


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


def merge(inputs: nbformat.NotebookNode, paired: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """`inputs` (read from the `.py`) with outputs, counts and ids taken from `paired` by cell source."""
    by_source: dict[tuple[str, str], deque] = defaultdict(deque)
    for cell in paired.get("cells", []):
        by_source[(cell.get("cell_type"), _source(cell))].append(cell)
    used_ids = set()
    for cell in inputs.cells:
        match = by_source.get((cell.cell_type, _source(cell)))
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


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source
