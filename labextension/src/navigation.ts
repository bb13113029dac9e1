// Cells as the user finds them: named by position (`#3`), and brought into view on request.

import { Notebook } from '@jupyterlab/notebook';

import { cellLabel } from './logic';

/** Ids of the notebook's cells, every type, in order. */
export function cellIds(notebook: Notebook): string[] {
  return notebook.widgets.map(cell => cell.model.id);
}

/** `#3` for the notebook's third cell, whatever its type. */
export function labelOf(notebook: Notebook, cellId: string): string {
  return cellLabel(cellIds(notebook), cellId);
}

/** Make the cell the active one and scroll to it; an id that left the notebook does nothing. */
export function scrollToCell(notebook: Notebook, cellId: string): void {
  const index = cellIds(notebook).indexOf(cellId);
  if (index >= 0) {
    notebook.activeCellIndex = index;
    void notebook.scrollToCell(notebook.widgets[index]);
  }
}
