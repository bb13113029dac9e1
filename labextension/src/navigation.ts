// Cells as the user finds them: named by position and name (`#3 (load)`), found by id, and brought into
// view on request.

import { Cell } from '@jupyterlab/cells';
import { Notebook, NotebookActions } from '@jupyterlab/notebook';

import { formatLabel } from './logic';


/** Ids of the notebook's cells, every type, in order. */
export function cellIds(notebook: Notebook): string[] {
  return notebook.widgets.map(cell => cell.model.id);
}

/**
 * The notebook's cells by id: widget, position, and the code cells in order. Built when first asked after
 * the cell list changed (`invalidate`), so finding a cell or its label costs a lookup, not a walk. It
 * remembers which cells changed position since it was last asked (`takeShifted`): their labels changed.
 */
export class CellIndex {
  constructor(private readonly _notebook: Notebook) {}

  /** The cell list changed (insert, move, delete, type change). */
  invalidate(): void {
    this._stale = true;
  }

  /** The cell with this id, or undefined. */
  cell(id: string): Cell | undefined {
    let at = this._built().position.get(id);
    if (at !== undefined && this._notebook.widgets[at]?.model.id !== id) {
      this._stale = true; // the list changed before we were told: build again
      at = this._built().position.get(id);
    }
    return at === undefined ? undefined : this._notebook.widgets[at];
  }

  /** Whether a code cell with this id is in the notebook. */
  isCode(id: string): boolean {
    return this.cell(id)?.model.type === 'code';
  }

  /** The code cells' ids, in order. */
  codeIds(): readonly string[] {
    return this._built().code;
  }

  /** `#3 (load)` for the notebook's third cell, whatever its type, named `name` by the kernel (`cellLabel`). */
  label(id: string, name: string | null): string {
    const at = this._built().position.get(id);
    return formatLabel(at === undefined ? null : at + 1, name);
  }

  /** The cells whose position changed since this was last called (their `#N` changed), and forget them. */
  takeShifted(): Set<string> {
    this._built();
    const shifted = this._shifted;
    this._shifted = new Set();
    return shifted;
  }

  private _built(): { position: Map<string, number>; code: string[] } {
    const widgets = this._notebook.widgets;
    // A count that differs: cells came or went before anyone said so (the model was still loading).
    if (this._stale || !this._index || this._index.position.size !== widgets.length) {
      const position = new Map<string, number>();
      const code: string[] = [];
      widgets.forEach((cell, i) => {
        const id = cell.model.id;
        position.set(id, i);
        if (cell.model.type === 'code') {
          code.push(id);
        }
        if (this._index && this._index.position.get(id) !== i) {
          this._shifted.add(id);
        }
      });
      this._index = { position, code };
      this._stale = false;
    }
    return this._index;
  }

  private _index: { position: Map<string, number>; code: string[] } | null = null;
  private _stale = true;
  private _shifted = new Set<string>();
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
