// Keeps a notebook's cells drawn with their reactive state (render.ts draws one cell), and the active
// cell's parents and children marked, redrawing at most once per animation frame.

import { Cell } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { cacheMode, ITrans, StateStore } from './logic';
import { clearCell, IRenderContext, renderCell } from './render';

export namespace Decorations {
  export interface IOptions {
    panel: NotebookPanel;
    /** The kernel's latest states. */
    store: StateStore;
    /** Whether the notebook is on a reactive kernel: without one, every mark is removed. */
    connected: () => boolean;
    /** Whether the active cell's parents and children are marked. */
    highlight: () => boolean;
    /** How to name a cell to the user (`#3 (load)`). */
    label: (cellId: string) => string;
    /** A link to another cell in a message was clicked. */
    onLink: (cellId: string) => void;
    trans: ITrans;
  }
}

export class Decorations implements IDisposable {
  constructor(private readonly _options: Decorations.IOptions) {}

  /** The frame's redraw is done: listeners can read the new states (status bar, graph, commands). */
  get drawn(): ISignal<this, void> {
    return this._drawn;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Mark cells to redraw (all cells when null). Drawing and telling listeners happen once per animation
   * frame: during a cascade, state messages arrive faster than frames, and each draw would otherwise
   * force JupyterLab to lay the notebook out again.
   */
  redraw(ids: readonly string[] | null): void {
    if (ids === null) {
      this._dirty = null;
    } else if (this._dirty !== null) {
      ids.forEach(id => this._dirty?.add(id));
    }
    this.notify();
  }

  /** Emit `drawn` in the next frame (with any redraw). */
  notify(): void {
    if (this._frame === 0 && !this._disposed) {
      this._frame = requestAnimationFrame(() => this._flush());
    }
  }

  /** Mark the active cell's parents and children now (or unmark every cell when highlighting is off). */
  drawRelations(): void {
    const { panel, store } = this._options;
    const active = panel.content.activeCell?.model.id;
    const state = active && this._options.highlight() ? store.get(active) : undefined;
    const parents = new Set(state?.parents ?? []);
    const children = new Set(state?.children ?? []);
    for (const cell of this._cells()) {
      const id = cell.model.id;
      const relation = parents.has(id) ? 'parent' : children.has(id) ? 'child' : undefined;
      if (relation) {
        cell.node.dataset.reactiveRelation = relation;
      } else {
        delete cell.node.dataset.reactiveRelation;
      }
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    cancelAnimationFrame(this._frame);
    Signal.clearData(this);
  }

  private _flush(): void {
    this._frame = 0;
    const dirty = this._dirty;
    this._dirty = new Set();
    if (dirty === null || dirty.size > 0) {
      this._draw(dirty);
    }
    this._drawn.emit();
  }

  private _draw(only: ReadonlySet<string> | null): void {
    const { store, label, onLink, trans } = this._options;
    const cells = this._cells();
    const ctx: IRenderContext = { known: new Set(cells.map(c => c.model.id)), label, onLink, trans };
    const connected = this._options.connected();
    for (const cell of cells) {
      if (only && !only.has(cell.model.id)) {
        continue;
      }
      if (connected && cell.model.type === 'code') {
        renderCell(cell, store.get(cell.model.id), ctx, cacheMode(cell.model.getMetadata('reactive')));
      } else {
        clearCell(cell);
      }
    }
    this.drawRelations();
  }

  private _cells(): Cell[] {
    return [...this._options.panel.content.widgets];
  }

  private _frame = 0; // pending animation frame for _flush
  private _dirty: Set<string> | null = new Set(); // cells to redraw in it; null: all
  private _disposed = false;
  private _drawn = new Signal<this, void>(this);
}
