// Marks the outputs a kernel that is gone made: when the notebook's reactive kernel restarts (or the notebook
// moves to another kernel), every code cell showing outputs gets `data-reactive-outputs="previous-kernel"`,
// which dims them, until the cell runs again and its outputs are replaced (or are cleared).

import type { CodeCell } from '@jupyterlab/cells';
import type { Notebook } from '@jupyterlab/notebook';
import type { IDisposable } from '@lumino/disposable';

type Outputs = CodeCell['model']['outputs'];

/** The value of `data-reactive-outputs` on a cell whose outputs an earlier kernel made. */
export const PREVIOUS_KERNEL = 'previous-kernel';

export class OldOutputs implements IDisposable {
  constructor(private readonly _notebook: Notebook) {}

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The kernel is gone: what every code cell shows now was made by it. */
  markAll(): void {
    for (const cell of this._notebook.widgets) {
      if (cell.model.type === 'code' && (cell as CodeCell).model.outputs.length > 0) {
        this._mark(cell as CodeCell);
      }
    }
  }

  /** Forget every mark (the notebook left the reactive kernel, whose marks these are). */
  clear(): void {
    for (const cell of [...this._marked.keys()]) {
      this._unmark(cell);
    }
  }

  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      this.clear();
    }
  }

  private _mark(cell: CodeCell): void {
    cell.node.dataset.reactiveOutputs = PREVIOUS_KERNEL;
    if (this._marked.has(cell)) {
      return;
    }
    // A run starts by clearing the cell's outputs; so does Clear Outputs. Either way the old ones are gone.
    const outputs = cell.model.outputs;
    const changed = () => this._unmark(cell);
    outputs.changed.connect(changed);
    cell.disposed.connect(changed); // deleted
    this._marked.set(cell, { outputs, changed });
  }

  private _unmark(cell: CodeCell): void {
    const mark = this._marked.get(cell);
    if (mark) {
      mark.outputs.changed.disconnect(mark.changed);
      cell.disposed.disconnect(mark.changed);
      this._marked.delete(cell);
    }
    if (!cell.isDisposed) {
      delete cell.node.dataset.reactiveOutputs;
    }
  }

  private _marked = new Map<CodeCell, { outputs: Outputs; changed: () => void }>();
  private _disposed = false;
}
