// Quick fixes for a global two cells define (`unique`): ask the kernel for the sources a fix makes
// (`quick_fix`, answered by `rewrite`), then put them into the cells through the shared model, one edit
// per cell, so Ctrl+Z in a cell's editor undoes it there; the sync sends them on like any edit.

import { InputDialog } from '@jupyterlab/apputils';
import { Cell } from '@jupyterlab/cells';
import { IDisposable } from '@lumino/disposable';

import { ITrans, sourceEdit } from './logic';
import { FrontendMessage, IFix, IRewrittenCell } from './protocol';

export namespace QuickFixes {
  export interface IOptions {
    /** The notebook's cell with this id. */
    cell: (id: string) => Cell | undefined;
    /** Whether the comm to a reactive kernel is open. */
    connected: () => boolean;
    send: (message: FrontendMessage) => void;
    /** Send the kernel the edits it has not heard of yet, now. */
    flush: () => void;
    /** These cells' notes changed: draw them again. */
    redraw: (ids: string[]) => void;
    /** How to name a cell to the user (`#3 (load)`). */
    label: (id: string) => string;
    trans: ITrans;
  }
}

interface IAnswer {
  cells: IRewrittenCell[];
  error: string | null;
}

export class QuickFixes implements IDisposable {
  constructor(private readonly _options: QuickFixes.IOptions) {}

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Why the cell's last quick fix was not made (cells mentioned as `[[cell:ID]]`), or null. */
  note(cellId: string): string | null {
    return this._notes.get(cellId) ?? null;
  }

  /** Make `fix` on the cell: a rename first asks for the name (the kernel's suggestion filled in). */
  async apply(cellId: string, fix: IFix): Promise<void> {
    if (this._busy.has(cellId)) {
      return;
    }
    this._busy.add(cellId);
    try {
      const to = fix.kind === 'rename' ? await this._askName(fix) : undefined;
      if (to !== null) {
        await this._make(cellId, fix, to);
      }
    } finally {
      this._busy.delete(cellId);
    }
  }

  /** These cells have new states: a note about an earlier fix no longer applies. */
  forget(ids: readonly string[]): void {
    ids.forEach(id => this._notes.delete(id));
  }

  /** The kernel's `rewrite`: the answer to one of our requests. */
  answer(request: number, cells: IRewrittenCell[], error: string | null): void {
    const resolve = this._pending.get(request);
    this._pending.delete(request);
    resolve?.({ cells, error });
  }

  /** The comm is gone: requests still waiting will get no answer. */
  reset(): void {
    const error = this._options.trans.__('The kernel connection was reset before the fix arrived: try again.');
    for (const resolve of this._pending.values()) {
      resolve({ cells: [], error });
    }
    this._pending.clear();
  }

  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      this.reset();
    }
  }

  /** The new name, or null when the user cancelled. */
  private async _askName(fix: IFix): Promise<string | null> {
    const { trans, label } = this._options;
    const readers = fix.cells.slice(1).map(label).join(', ');
    const result = await InputDialog.getText({
      title: trans.__('Rename %1', fix.name),
      label: readers
        ? trans.__('New name for %1, in this cell and in %2:', fix.name, readers)
        : trans.__('New name for %1 in this cell:', fix.name),
      text: fix.to,
      okLabel: trans.__('Rename')
    });
    const name = result.button.accept ? (result.value ?? '').trim() : '';
    return name ? name : null;
  }

  private async _make(cellId: string, fix: IFix, to: string | undefined): Promise<void> {
    const { trans, cell } = this._options;
    this._setNote(cellId, null);
    if (!this._options.connected()) {
      this._setNote(cellId, trans.__('Not connected to the reactive kernel.'));
      return;
    }
    this._options.flush(); // the kernel rewrites the sources it has: give it the latest
    const request = ++this._requests;
    const answer = await new Promise<IAnswer>(resolve => {
      this._pending.set(request, resolve);
      const ask = { type: 'quick_fix', request, cell: cellId, name: fix.name, kind: fix.kind } as const;
      this._options.send(to === undefined ? ask : { ...ask, to });
    });
    if (answer.error !== null) {
      this._setNote(cellId, answer.error);
      return;
    }
    const moved = answer.cells.find(c => cell(c.id)?.model.sharedModel.getSource() !== c.before);
    if (moved) {
      const why = trans.__('%1 changed while the fix was being made, so nothing was changed: try again.', `[[cell:${moved.id}]]`);
      this._setNote(cellId, why);
      return;
    }
    for (const rewritten of answer.cells) {
      putSource(cell(rewritten.id)!, rewritten.before, rewritten.after);
    }
    this._options.flush();
  }

  private _setNote(cellId: string, note: string | null): void {
    if (note === this.note(cellId)) {
      return;
    }
    if (note === null) {
      this._notes.delete(cellId);
    } else {
      this._notes.set(cellId, note);
    }
    this._options.redraw([cellId]);
  }

  private _requests = 0;
  private _pending = new Map<number, (answer: IAnswer) => void>();
  private _notes = new Map<string, string>();
  private _busy = new Set<string>();
  private _disposed = false;
}

/** The shared model's undo manager, where the cell has its own (JupyterLab's default). */
interface IUndoable {
  undoManager?: { stopCapturing(): void } | null;
}

/**
 * Replace only what changed, in one transaction: one undo step in the cell's editor, and the text around
 * it (and the cursor) untouched. The undo manager stops capturing around it, so the fix is not merged
 * into typing just before or after.
 */
function putSource(cell: Cell, before: string, after: string): void {
  const shared = cell.model.sharedModel;
  const undo = (shared as unknown as IUndoable).undoManager;
  const edit = sourceEdit(before, after);
  undo?.stopCapturing();
  shared.updateSource(edit.start, edit.end, edit.text);
  undo?.stopCapturing();
}
