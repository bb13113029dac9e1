"""Where each cell sits in the notebook, so what the kernel prints names cells as people see them.

The scheduler knows cells by id and their names (core.naming); their positions come from the latest
`sync` (every cell counted, markdown too); without one, the execution count of a cell's latest run
stands in, as IPython's tracebacks say `Cell In[7]`. Messages the kernel shows (replies, tracebacks, printed
notes, `%reactive`) render the scheduler's cell mentions here, with the labels cells have at that moment.
A deleted cell keeps the label it had, so a later NameError can still say which cell defined the name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from reactive_kernel.core.naming import cell_label, render
from reactive_kernel.core.scheduler import CellInput


class CellLabels:
    """`#3 (load)` for a cell id: its position from the latest sync (else its prompt's execution count),
    its name from `name(cell_id)`."""

    def __init__(self, name: Callable[[str], str | None]) -> None:
        self._name = name
        self._positions: dict[str, int] = {}  # cell id -> 1-based position, every cell type counted
        self._former: dict[str, str] = {}  # deleted cell id -> the label it had
        self._counts: dict[str, int] = {}  # cell id -> execution count of its latest run (its prompt)

    def take(self, cells: Sequence[CellInput]) -> None:
        """The notebook as a `sync` gives it; call before the scheduler forgets the cells that left."""
        present = {cell.id for cell in cells}
        self.forget(self._positions.keys() - present)
        self._positions = {cell.id: index for index, cell in enumerate(cells, 1)}
        for cell_id in present & self._former.keys():
            del self._former[cell_id]  # back again (an undone delete)

    def ran(self, cell_id: str, count: int) -> None:
        """The cell's latest execution has this count: its prompt shows `[count]`."""
        self._counts[cell_id] = count

    def forget(self, cell_ids: Iterable[str]) -> None:
        """Cells being deleted: they keep their last label (call before the scheduler deletes them)."""
        for cell_id in list(cell_ids):
            self._former[cell_id] = self.label(cell_id)
            self._positions.pop(cell_id, None)
            self._counts.pop(cell_id, None)

    def label(self, cell_id: str) -> str:
        if cell_id not in self._positions and cell_id in self._former:
            return self._former[cell_id]
        return cell_label(self._positions.get(cell_id), self._name(cell_id), self._counts.get(cell_id))

    def render(self, text: str) -> str:
        """A scheduler message with each cell it mentions named by its label."""
        return render(text, self.label)
