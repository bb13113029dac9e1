// Cell states as the kernel last reported them, and how many cells have each status, kept as states change.
// Pure: imports nothing from JupyterLab, so node's test runner covers it (logic.test.ts).

import { ICellState, Status } from './protocol';

/** Cell states as the kernel last reported them, merged by id, with how many cells have each status. */
export class StateStore {
  private _states = new Map<string, ICellState>();
  private _totals: Partial<Record<Status, number>> = {};

  /**
   * Take the kernel's states: `changed` lists the cells taken, `renamed` those whose name changed (the
   * cells whose messages or hovers name them show it in their labels).
   */
  merge(cells: { [id: string]: ICellState }): { changed: string[]; renamed: string[] } {
    const changed: string[] = [];
    const renamed: string[] = [];
    for (const [id, state] of Object.entries(cells)) {
      const before = this._states.get(id);
      if (before !== undefined && (before.name ?? null) !== (state.name ?? null)) {
        renamed.push(id);
      }
      this._set(id, state);
      changed.push(id);
    }
    return { changed, renamed };
  }

  get(id: string): ICellState | undefined {
    return this._states.get(id);
  }

  /** Set one cell's status locally (a cell we are executing is `running` until the kernel says more). */
  setStatus(id: string, status: Status): void {
    const state = this._states.get(id);
    if (state) {
      this._set(id, { ...state, status });
    }
  }

  /** Forget cells that left the notebook. */
  retain(ids: Iterable<string>): void {
    const keep = new Set(ids);
    this.forget([...this._states.keys()].filter(id => !keep.has(id)));
  }

  /** Forget these cells (they left the notebook or stopped being code cells). */
  forget(ids: Iterable<string>): void {
    for (const id of ids) {
      this._set(id, undefined);
    }
  }

  clear(): void {
    this._states.clear();
    this._totals = {};
  }

  counts(ids: Iterable<string>): Partial<Record<Status, number>> {
    const counts: Partial<Record<Status, number>> = {};
    for (const id of ids) {
      const status = this._states.get(id)?.status;
      if (status) {
        counts[status] = (counts[status] ?? 0) + 1;
      }
    }
    return counts;
  }

  /** How many of the cells held have each status: kept as states change, never recounted. */
  totals(): Partial<Record<Status, number>> {
    return { ...this._totals };
  }

  private _set(id: string, state: ICellState | undefined): void {
    const before = this._states.get(id)?.status;
    if (before) {
      const left = (this._totals[before] ?? 0) - 1;
      if (left > 0) {
        this._totals[before] = left;
      } else {
        delete this._totals[before];
      }
    }
    if (state) {
      this._states.set(id, state);
      this._totals[state.status] = (this._totals[state.status] ?? 0) + 1;
    } else {
      this._states.delete(id);
    }
  }
}
