// Keeps a notebook's cells drawn with their reactive state (render.ts draws one cell), and the active
// cell's parents and children marked, redrawing at most once per animation frame and only the cells whose
// drawing changed: those with new states, and after an insert, move or delete those naming a moved cell.

import { Cell } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { cacheMode, ITrans } from './logic';
import { CellIndex } from './navigation';
import { IFix } from './protocol';
import { clearCell, IRenderContext, renderCell } from './render';
import { StateStore } from './states';

export namespace Decorations {
  export interface IOptions {
    panel: NotebookPanel;
    /** The notebook's cells by id. */
    index: CellIndex;
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
    /** A quick fix's button was pressed on a cell. */
    onFix: (cellId: string, fix: IFix) => void;
    /** Why a cell's last quick fix was not made, or null. */
    fixNote: (cellId: string) => string | null;
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

  /**
   * Cells were inserted, moved or deleted, or these cells were renamed: in the next frame, redraw the cells
   * whose hover or message names a cell whose label changed (`#N (name)`), and every cell showing a message.
   */
  relabel(renamed: Iterable<string> = []): void {
    this._relabel = true;
    for (const id of renamed) {
      this._renamedIds.add(id);
    }
    this.notify();
  }

  /** Emit `drawn` in the next frame (with any redraw). */
  notify(): void {
    if (this._frame === 0 && !this._disposed) {
      this._frame = requestAnimationFrame(() => this._flush());
    }
  }

  /**
   * Mark the active cell's parents and children now (or unmark them when highlighting is off): only the
   * cells marked before and those to mark are touched.
   */
  drawRelations(): void {
    const { panel, store, index } = this._options;
    const active = panel.content.activeCell?.model.id;
    const state = active && this._options.highlight() ? store.get(active) : undefined;
    const wanted = new Map<string, string>();
    state?.children.forEach(id => wanted.set(id, 'child'));
    state?.parents.forEach(id => wanted.set(id, 'parent'));
    for (const id of this._related) {
      const cell = index.cell(id);
      if (cell && !wanted.has(id)) {
        delete cell.node.dataset.reactiveRelation;
      }
    }
    for (const [id, relation] of wanted) {
      const cell = index.cell(id);
      if (cell) {
        cell.node.dataset.reactiveRelation = relation;
      }
    }
    this._related = new Set(wanted.keys());
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
    if (this._relabel) {
      this._relabel = false;
      this._renamed(dirty);
    }
    if (dirty === null || dirty.size > 0) {
      this._draw(dirty);
    }
    this._drawn.emit();
  }

  /** Add the cells whose drawing names a cell that moved: its parents, children, and cells with messages. */
  private _renamed(dirty: Set<string> | null): void {
    const shifted = this._options.index.takeShifted();
    this._renamedIds.forEach(id => shifted.add(id));
    this._renamedIds.clear();
    if (dirty === null) {
      return;
    }
    this._messages.forEach(id => dirty.add(id));
    for (const id of shifted) {
      const state = this._options.store.get(id);
      state?.parents.forEach(other => dirty.add(other));
      state?.children.forEach(other => dirty.add(other));
    }
  }

  private _draw(only: ReadonlySet<string> | null): void {
    const { store, index, label, onLink, onFix, fixNote, trans } = this._options;
    const known = { has: (id: string) => index.cell(id) !== undefined };
    const ctx: IRenderContext = { known, label, onLink, trans, onFix, fixNote };
    const connected = this._options.connected();
    let cells: Cell[] = [...this._options.panel.content.widgets];
    if (only) {
      cells = [];
      for (const id of only) {
        const cell = index.cell(id);
        if (cell) {
          cells.push(cell);
        } else {
          this._messages.delete(id); // it left the notebook
        }
      }
    }
    for (const cell of cells) {
      const id = cell.model.id;
      let message = false;
      if (connected && cell.model.type === 'code') {
        message = renderCell(cell, store.get(id), ctx, cacheMode(cell.model.getMetadata('reactive')));
      } else {
        clearCell(cell);
      }
      if (message) {
        this._messages.add(id);
      } else {
        this._messages.delete(id);
      }
    }
    this.drawRelations();
  }

  private _frame = 0; // pending animation frame for _flush
  private _dirty: Set<string> | null = new Set(); // cells to redraw in it; null: all
  private _relabel = false; // cells moved: redraw those naming them in the next frame
  private _renamedIds = new Set<string>(); // cells renamed since the last frame: as moved ones
  private _related = new Set<string>(); // cells marked as the active cell's parent or child
  private _messages = new Set<string>(); // cells showing a message (it names cells by position)
  private _disposed = false;
  private _drawn = new Signal<this, void>(this);
}
