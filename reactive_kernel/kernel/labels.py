"""Where each cell sits in the notebook, so what the kernel prints names cells as people see them.

The scheduler knows cells by id, their order and their names (core.naming); the other cells between them
(markdown, raw) come from the latest `sync` and the `delta`s after it, as counts (`top`, each code cell's
`below`), so a position counts every cell and a delta stays the size of the change. Without a sync, the
execution count of a cell's latest run stands in, as IPython's tracebacks say `Cell In[7]`. Messages the
kernel shows (replies, tracebacks, printed notes, `%reactive`) render the scheduler's cell mentions here,
with the labels cells have at that moment. A deleted cell keeps the label it had, so a later NameError can
still say which cell defined the name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from reactive_kernel.core.delta import Delta
from reactive_kernel.core.naming import cell_label, render
from reactive_kernel.core.scheduler import CellInput


class CellLabels:
    """`#3 (load)` for a cell id: its position from the code-cell `order()` and the other cells around
    them as syncs and deltas told (else its prompt's execution count), its name from `name(cell_id)`."""

    def __init__(self, name: Callable[[str], str | None], order: Callable[[], Sequence[str]]) -> None:
        self._name = name
        self._order = order
        self._told = False  # a sync placed the cells: positions are known
        self._top = 0  # other cells above the first code cell
        self._below: dict[str, int] = {}  # code cell id -> other cells between it and the next code cell
        self._positions: dict[str, int] | None = (
            None  # code cell id -> 1-based position, worked out when asked
        )
        self._former: dict[str, str] = {}  # deleted cell id -> the label it had
        self._counts: dict[str, int] = {}  # cell id -> execution count of its latest run (its prompt)

    def take(self, cells: Sequence[CellInput]) -> None:
        """The notebook as a `sync` gives it; call before the scheduler forgets the cells that left."""
        present = {cell.id for cell in cells if cell.cell_type == "code"}
        if self._told:
            self.forget(self._where().keys() - present)
        self._top, self._below, last = 0, {}, None
        for cell in cells:
            if cell.cell_type == "code":
                self._below[cell.id], last = 0, cell.id
            elif last is None:
                self._top += 1
            else:
                self._below[last] += 1
        self._came_back(present)
        self._told, self._positions = True, None

    def before_delta(self, delta: Delta) -> dict[str, str]:
        """The labels the cells a delta deletes have now: call before the scheduler applies it."""
        return {cell_id: self.label(cell_id) for cell_id in delta.deleted}

    def took_delta(self, delta: Delta, former: dict[str, str]) -> None:
        """The scheduler applied `delta`; `former` is what `before_delta` answered."""
        for cell_id in delta.deleted:
            self._below.pop(cell_id, None)
            self._counts.pop(cell_id, None)
        self._former.update(former)
        for change in delta.cells:
            if change.below is not None:
                self._below[change.id] = change.below
        if delta.top is not None:
            self._top = delta.top
        self._came_back({change.id for change in delta.cells if change.placed})
        self._positions = None

    def _came_back(self, ids: Iterable[str]) -> None:
        for cell_id in self._former.keys() & set(ids):
            del self._former[cell_id]  # back again (an undone delete)

    def _where(self) -> dict[str, int]:
        """Each code cell's position, every cell counted (empty before any sync)."""
        if self._positions is None:
            self._positions, at = {}, self._top
            if self._told:
                for cell_id in self._order():
                    at += 1
                    self._positions[cell_id] = at
                    at += self._below.get(cell_id, 0)
        return self._positions

    def ran(self, cell_id: str, count: int) -> None:
        """The cell's latest execution has this count: its prompt shows `[count]`."""
        self._counts[cell_id] = count

    def forget(self, cell_ids: Iterable[str]) -> None:
        """Cells being deleted: they keep their last label (call before the scheduler deletes them)."""
        for cell_id in list(cell_ids):
            self._former[cell_id] = self.label(cell_id)
            self._counts.pop(cell_id, None)
        self._positions = None  # the scheduler is about to forget them

    def label(self, cell_id: str) -> str:
        where = self._where()
        if cell_id not in where and cell_id in self._former:
            return self._former[cell_id]
        return cell_label(where.get(cell_id), self._name(cell_id), self._counts.get(cell_id))

    def render(self, text: str) -> str:
        """A scheduler message with each cell it mentions named by its label."""
        return render(text, self.label)
