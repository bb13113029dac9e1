// Follows a notebook's cells (added, removed, moved, edited, their metadata) and says when the kernel
// should hear of them: debounced while the user types, at once for structure and metadata. What it sends
// is a `delta` of what changed (delta.ts) once the kernel takes them, the whole notebook otherwise.

import { ICellModel } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { gapsOf, SyncMessage, SyncTracker } from './delta';
import { syncCell } from './logic';
import { CellIndex } from './navigation';
import { FrontendMessage, ISyncCell } from './protocol';

export class CellSync implements IDisposable {
  /** `debounceMs` is read on every edit, so a settings change applies to the next one. */
  constructor(
    private readonly _panel: NotebookPanel,
    private readonly _index: CellIndex,
    private readonly _debounceMs: () => number
  ) {
    this._tracker = new SyncTracker({
      order: () => _index.codeIds(),
      gaps: () => gapsOf(_panel.content.widgets.map(({ model }) => ({ id: model.id, cell_type: model.type }))),
      entry: id => this._entry(id)
    });
  }

  /** Time to send `next()`: the debounce after an edit ran out, or cells changed otherwise. */
  get due(): ISignal<this, void> {
    return this._due;
  }

  /** Cells to redraw: their metadata changed (the cache option) or they were inserted or moved; null: all. */
  get cellsChanged(): ISignal<this, readonly string[] | null> {
    return this._cellsChanged;
  }

  /** Cells were inserted, moved or deleted: the cells after them have new positions (`#N`). */
  get reshaped(): ISignal<this, void> {
    return this._reshaped;
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

  /** The whole notebook, numbered: sent when the comm opens and when the kernel asks (`resync`). */
  whole(): SyncMessage {
    const cells = this._panel.content.widgets.map(cell =>
      syncCell(cell.model.id, cell.model.sharedModel.getSource(), cell.model.type as ISyncCell['cell_type'], {
        disabled: cell.model.getMetadata('disabled'),
        reactive: cell.model.getMetadata('reactive'),
        name: cell.model.getMetadata('name'),
        title: cell.model.getMetadata('title')
      })
    );
    return this._tracker.full(cells);
  }

  /**
   * What to send now: with `deltas` (the kernel takes them) what changed since the last message, or null
   * when nothing did; otherwise the whole notebook, as to kernels before deltas.
   */
  next(deltas: boolean): FrontendMessage | null {
    return deltas && this._tracker.started ? this._tracker.delta() : this.whole();
  }

  /** Whether the kernel's `resync` of the delta numbered `rev` calls for the whole notebook now. */
  wantsWhole(rev: number | null): boolean {
    return this._tracker.wantsWhole(rev);
  }

  /** Say now what a pending edit's debounce would say later (before a quick fix, and after one). */
  flush(): void {
    if (this._timer !== undefined) {
      window.clearTimeout(this._timer);
      this._timer = undefined;
      this._due.emit();
    }
  }

  /** The comm is gone: the next one starts with the whole notebook. */
  reset(): void {
    this._tracker.reset();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    window.clearTimeout(this._timer);
    Signal.clearData(this);
  }

  /** A code cell as a `sync` carries it, read now; undefined for other cells. */
  private _entry(id: string): ISyncCell | undefined {
    const model = this._index.cell(id)?.model;
    if (!model || model.type !== 'code') {
      return undefined;
    }
    return syncCell(id, model.sharedModel.getSource(), 'code', {
      disabled: model.getMetadata('disabled'),
      reactive: model.getMetadata('reactive'),
      name: model.getMetadata('name'),
      title: model.getMetadata('title')
    });
  }

  private _watchCells(): void {
    const model = this._panel.model;
    if (!model) {
      void this._panel.context.ready.then(() => this._watchCells());
      return;
    }
    model.cells.changed.connect((_, change) => {
      this._index.invalidate();
      const added = change.newValues.filter(m => !!m);
      added.forEach(m => this._watch(m));
      const ids = added.map(m => m.id);
      this._tracker.reshaped(ids);
      this._soon(0);
      this._reshaped.emit();
      this._cellsChanged.emit(ids);
    }, this);
    model.metadataChanged.connect(() => this._notebookMetadataChanged.emit(), this);
    for (const cell of this._panel.content.widgets) {
      this._watch(cell.model);
    }
    this._cellsChanged.emit(null);
  }

  private _watch(m: ICellModel): void {
    if (this._watched.has(m)) {
      return;
    }
    this._watched.add(m);
    // Only the source: outputs and execution counts (also `contentChanged`) are no news to the kernel.
    m.sharedModel.changed.connect((_, change) => {
      if (change.sourceChange) {
        this._tracker.edited(m.id);
        this._soon(this._debounceMs());
      }
    }, this);
    m.metadataChanged.connect(() => {
      this._tracker.edited(m.id); // disabled, reactive.cache, name or title
      this._soon(0);
      this._cellsChanged.emit([m.id]);
    }, this);
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

  private readonly _tracker: SyncTracker;
  private _timer: number | undefined;
  private _disposed = false;
  private _watched = new WeakSet<ICellModel>();
  private _due = new Signal<this, void>(this);
  private _cellsChanged = new Signal<this, readonly string[] | null>(this);
  private _reshaped = new Signal<this, void>(this);
  private _notebookMetadataChanged = new Signal<this, void>(this);
}
