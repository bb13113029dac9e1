// Follows a notebook's cells (added, removed, moved, edited, their metadata) and says when the kernel
// should get a new `sync` of them: debounced while the user types, at once for structure and metadata.

import { ICellModel } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { syncCell } from './logic';
import { FrontendMessage, ISyncCell } from './protocol';

export class CellSync implements IDisposable {
  /** `debounceMs` is read on every edit, so a settings change applies to the next one. */
  constructor(
    private readonly _panel: NotebookPanel,
    private readonly _debounceMs: () => number
  ) {}

  /** Time to send `message()`: the debounce after an edit ran out, or cells changed otherwise. */
  get due(): ISignal<this, void> {
    return this._due;
  }

  /** Cells to redraw: one cell's metadata changed (its cache option), or null when the cell list did. */
  get cellsChanged(): ISignal<this, readonly string[] | null> {
    return this._cellsChanged;
  }

  /** The notebook's own metadata changed (mode, definitions policy). */
  get notebookMetadataChanged(): ISignal<this, void> {
    return this._notebookMetadataChanged;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Begin following the cells; it reports every cell at once, so connect to the signals first. */
  start(): void {
    this._watchCells();
  }

  /** The `sync` message for the notebook's cells as they are now. */
  message(): Extract<FrontendMessage, { type: 'sync' }> {
    const cells: ISyncCell[] = [...this._panel.content.widgets].map(({ model }) =>
      syncCell(model.id, model.sharedModel.getSource(), model.type as ISyncCell['cell_type'], {
        disabled: model.getMetadata('disabled'),
        reactive: model.getMetadata('reactive'),
        name: model.getMetadata('name'),
        title: model.getMetadata('title')
      })
    );
    return { type: 'sync', cells };
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    window.clearTimeout(this._timer);
    Signal.clearData(this);
  }

  private _watchCells(): void {
    const model = this._panel.model;
    if (!model) {
      void this._panel.context.ready.then(() => this._watchCells());
      return;
    }
    model.cells.changed.connect(() => {
      this._watchEach();
      this._soon(0);
    }, this);
    model.metadataChanged.connect(() => this._notebookMetadataChanged.emit(), this);
    this._watchEach();
  }

  private _watchEach(): void {
    for (const cell of this._panel.content.widgets) {
      const m = cell.model;
      if (!this._watched.has(m)) {
        this._watched.add(m);
        m.contentChanged.connect(() => this._soon(this._debounceMs()), this);
        m.metadataChanged.connect(() => {
          this._soon(0); // disabled, reactive.cache, name or title
          this._cellsChanged.emit([m.id]);
        }, this);
      }
    }
    this._cellsChanged.emit(null);
  }

  private _soon(delay: number): void {
    if (this._timer !== undefined) {
      window.clearTimeout(this._timer);
    }
    this._timer = window.setTimeout(() => {
      this._timer = undefined;
      this._due.emit();
    }, delay);
  }

  private _timer: number | undefined;
  private _disposed = false;
  private _watched = new WeakSet<ICellModel>();
  private _due = new Signal<this, void>(this);
  private _cellsChanged = new Signal<this, readonly string[] | null>(this);
  private _notebookMetadataChanged = new Signal<this, void>(this);
}
