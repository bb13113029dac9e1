"""How messages name cells as people see them: `#5 (load)`, and the cell mentions core messages carry.

A label is the cell's position in the notebook (1-based, every cell counted, markdown too) and its
name: its title or name from the cell's metadata, else its main definition. The core knows cells by id
and does not know positions, so its messages mention a cell as `[[cell:ID]]` and whoever shows a message
renders each mention as the label the cell has there and then: the kernel for replies, tracebacks and
printed text, the JupyterLab extension (which mirrors these rules in `labextension/src/logic.ts`, checked
against the same table, `tests/golden/cell_labels.json`) for the states it draws, with links.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # errors.py names cells with `mention`, and analysis imports errors
    from reactive_kernel.core.analysis import CellFacts

MENTION = re.compile(r"\[\[cell:(.+?)\]\]")  # docs/protocol.md: how `error` and `warnings` name cells
UNKNOWN = "#?"  # the label of a cell with neither a known position nor a name


def mention(cell_id: str) -> str:
    """A cell named inside a message, to be rendered as its label where the message is shown."""
    return f"[[cell:{cell_id}]]"


def mentions(cell_ids: Iterable[str]) -> str:
    """`cell [[cell:a]]`, or `cells [[cell:a]], [[cell:b]]`: several cells named in a message."""
    ids = list(cell_ids)
    return ("cells " if len(ids) > 1 else "cell ") + ", ".join(map(mention, ids))


def render(text: str, label: Callable[[str], str]) -> str:
    """The message with every cell mention replaced by that cell's label."""
    return MENTION.sub(lambda m: label(m.group(1)), text)


def cell_label(position: int | None, name: str | None, count: int | None = None) -> str:
    """`#5 (load)`; `#5` without a name. Where the position is not known (a client that never told the
    kernel the notebook's order, such as JupyterLab without the extension), the execution count the
    cell's prompt shows, as IPython's tracebacks name cells: `In[7] (load)`; else the name alone."""
    name = " ".join(name.split()) if name else ""
    if position is not None:
        where = f"#{position}"
    elif count is not None:
        where = f"In[{count}]"
    else:
        return f"({name})" if name else UNKNOWN
    return f"{where} ({name})" if name else where


def title_of(metadata: Mapping[str, Any] | None) -> str | None:
    """The name a cell was given: metadata `name` (marimo; its `_` means none), else `title` (percent
    format `# %% Title`)."""
    if not isinstance(metadata, Mapping):
        return None
    for key in ("name", "title"):
        value = metadata.get(key)
        if isinstance(value, str) and value.strip() and value.strip() != "_":
            return value.strip()
    return None


def main_definition(facts: CellFacts) -> str | None:
    """The first global the cell defines that it does not import (else the first it imports): `df` for
    `import pandas as pd; df = pd.read_csv(...)`."""
    order = facts.defs_order or tuple(sorted(facts.defs))
    return next((name for name in order if name not in facts.imports), order[0] if order else None)


def cell_name(title: str | None, facts: CellFacts | None) -> str | None:
    """What follows a cell's position in its label: its title, else its main definition."""
    if title:
        return title
    return main_definition(facts) if facts is not None else None
