// Cells as the user finds them: named by position and name (`#3 (load)`), and brought into view on request.

import { Notebook, NotebookActions } from '@jupyterlab/notebook';

import { cellLabel } from './logic';

/** Ids of the notebook's cells, every type, in order. */
export function cellIds(notebook: Notebook): string[] {
  return notebook.widgets.map(cell => cell.model.id);
}

/** `#3 (load)` for the notebook's third cell, whatever its type, named `name` by the kernel. */
export function labelOf(notebook: Notebook, cellId: string, name: string | null): string {
  return cellLabel(cellIds(notebook), cellId, name);
}

/**
 * Make the cell the active one, scroll to it and give it the focus, in command mode: a link goes to a
 * cell, it does not start editing it (`Notebook.scrollToCell` would focus its editor). An id that left
 * the notebook does nothing.
 */
export function scrollToCell(notebook: Notebook, cellId: string): void {
  const index = cellIds(notebook).indexOf(cellId);
  if (index < 0) {
    return;
  }
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  void notebook
    .scrollToItem(index, 'auto')
    .catch(() => undefined) // the notebook closed meanwhile
    .then(() => NotebookActions.focusActiveCell(notebook, { waitUntilReady: true, preventScroll: true }));
}
