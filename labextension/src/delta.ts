// What the kernel is told of a notebook's cells: the whole notebook at open, on reconnect and when the
// kernel asks (`resync`); otherwise only the code cells that changed (a `delta`, docs/protocol.md), so a
// one-cell edit costs the same bytes in a notebook of ten cells or ten thousand.
// Pure: imports nothing from JupyterLab, so it is unit-tested with node's test runner (delta.test.ts).

import { FrontendMessage, IDeltaCell, ISyncCell } from './protocol';

export type SyncMessage = Extract<FrontendMessage, { type: 'sync' }>;
export type DeltaMessage = Extract<FrontendMessage, { type: 'delta' }>;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The fingerprint of a code-cell order that every `delta` carries: CRC-32 (zlib's) of the ids' UTF-8 text
 * joined by newlines. The kernel computes the same of its own order; a difference means the two differ.
 */
export function orderFingerprint(ids: readonly string[]): number {
  const bytes = new TextEncoder().encode(ids.join('\n'));
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** How many other cells (markdown, raw) sit around the code cells: the kernel counts them in positions. */
export interface IGaps {
  top: number; // above the first code cell
  below: ReadonlyMap<string, number>; // between a code cell and the next code cell (absent: none)
}

/** The gaps of a notebook whose cells are `all`, in order. */
export function gapsOf(all: readonly { id: string; cell_type: string }[]): IGaps {
  let top = 0;
  let last: string | null = null;
  const below = new Map<string, number>();
  for (const cell of all) {
    if (cell.cell_type === 'code') {
      last = cell.id;
    } else if (last === null) {
      top += 1;
    } else {
      below.set(last, (below.get(last) ?? 0) + 1);
    }
  }
  return { top, below };
}

/** What the tracker reads of the notebook. */
export interface ICodeCells {
  /** The ids of the notebook's code cells, in order (read only after cells were inserted, moved or deleted). */
  order(): readonly string[];
  /** The other cells around them (read only after cells were inserted, moved or deleted). */
  gaps(): IGaps;
  /** A code cell as a `sync` carries it; undefined when the id is no code cell of the notebook. */
  entry(id: string): ISyncCell | undefined;
}

/**
 * Remembers what the kernel holds from this comm (each code cell as last sent, the order's fingerprint, the
 * number of the last message) and what may have changed since, and builds the next message from that.
 */
export class SyncTracker {
  constructor(private readonly _cells: ICodeCells) {}

  /** Whether a whole notebook went out on this comm: a delta builds on one. */
  get started(): boolean {
    return this._fullRev !== null;
  }

  /** The whole notebook (`all`: every cell, any type), numbered; from now on deltas build on it. */
  full(all: readonly ISyncCell[]): SyncMessage {
    this._sent = new Map(all.filter(c => c.cell_type === 'code').map(c => [c.id, { ...c }]));
    this._fingerprint = orderFingerprint([...this._sent.keys()]);
    this._gaps = gapsOf(all);
    this._edited.clear();
    this._placed.clear();
    this._reshaped = false;
    this._rev += 1;
    this._fullRev = this._rev;
    return { type: 'sync', cells: [...all], rev: this._rev };
  }

  /** A cell's source or metadata may have changed. */
  edited(id: string): void {
    this._edited.add(id);
  }

  /** Cells were inserted or moved (these ids) or deleted (ids unknown: JupyterLab disposed them). */
  reshaped(placed: Iterable<string>): void {
    for (const id of placed) {
      this._placed.add(id);
    }
    this._reshaped = true;
  }

  /** The comm is gone: the next one starts with the whole notebook, numbered from 1. */
  reset(): void {
    this._sent.clear();
    this._gaps = { top: 0, below: new Map() };
    this._edited.clear();
    this._placed.clear();
    this._reshaped = false;
    this._rev = 0;
    this._fullRev = null;
  }

  /** Whether the kernel's `resync` of the delta numbered `rev` calls for the whole notebook now. */
  wantsWhole(rev: number | null): boolean {
    return this._fullRev === null || rev === null || rev > this._fullRev;
  }

  /**
   * What changed since the last message, numbered; null when nothing did. Placed cells come in notebook
   * order, each after the code cell now above it, so the kernel can place them one by one; reading the
   * notebook's order (linear) happens only when cells were inserted, moved or deleted.
   */
  delta(): DeltaMessage | null {
    const placed: string[] = [];
    const deleted: string[] = [];
    let order: readonly string[] = [];
    let position = new Map<string, number>();
    let gaps = this._gaps;
    if (this._reshaped) {
      order = this._cells.order();
      gaps = this._cells.gaps();
      position = new Map(order.map((id, i) => [id, i]));
      for (const id of this._sent.keys()) {
        if (!position.has(id)) {
          deleted.push(id);
        }
      }
      placed.push(...order.filter(id => this._placed.has(id) || !this._sent.has(id)));
      this._fingerprint = orderFingerprint(order);
    }
    const isPlaced = new Set(placed);
    const cells: IDeltaCell[] = [];
    const entries = new Map<string, IDeltaCell>();
    for (const id of [...placed, ...[...this._edited].filter(id => !isPlaced.has(id))]) {
      const entry = this._entry(id, isPlaced.has(id) ? order[position.get(id)! - 1] ?? null : undefined);
      if (entry) {
        cells.push(entry);
        entries.set(id, entry);
      }
    }
    if (this._reshaped) {
      // Cells above or below moved: each code cell whose gap changed says so (a walk, as reading the order).
      for (const id of order) {
        const below = gaps.below.get(id) ?? 0;
        if (below !== (this._gaps.below.get(id) ?? 0)) {
          const entry = entries.get(id) ?? { id };
          if (!entries.has(id)) {
            cells.push(entry);
            entries.set(id, entry);
          }
          entry.below = below;
        }
      }
    }
    const top = gaps.top !== this._gaps.top ? gaps.top : undefined;
    this._gaps = gaps;
    for (const id of deleted) {
      this._sent.delete(id);
    }
    this._edited.clear();
    this._placed.clear();
    this._reshaped = false;
    if (cells.length === 0 && deleted.length === 0 && top === undefined) {
      return null;
    }
    this._rev += 1;
    const message: DeltaMessage = {
      type: 'delta',
      base: this._rev - 1,
      rev: this._rev,
      cells,
      deleted,
      order: this._fingerprint
    };
    return top === undefined ? message : { ...message, top };
  }

  /** What changed about one cell (`after` when placed); null when nothing did or it is no code cell. */
  private _entry(id: string, after: string | null | undefined): IDeltaCell | null {
    const now = this._cells.entry(id);
    if (!now) {
      return null; // not a code cell (any more): a deletion, found from the order
    }
    const was = this._sent.get(id);
    const entry: IDeltaCell = { id };
    if (after !== undefined) {
      entry.after = after;
    }
    if (!was || was.source !== now.source) {
      entry.source = now.source;
    }
    if (!was || !!was.disabled !== !!now.disabled) {
      entry.disabled = !!now.disabled;
    }
    if (!was || (was.cache ?? 'off') !== (now.cache ?? 'off')) {
      entry.cache = now.cache ?? 'off';
    }
    if (!was || (was.title ?? '') !== (now.title ?? '')) {
      if (was || now.title) {
        entry.title = now.title ?? '';
      }
    }
    this._sent.set(id, now);
    return Object.keys(entry).length > 1 ? entry : null;
  }

  private _sent = new Map<string, ISyncCell>(); // code cells as the kernel has them from us
  private _fingerprint = 0; // of the order the kernel has from us
  private _gaps: IGaps = { top: 0, below: new Map() }; // the other cells around them, as the kernel has them
  private _edited = new Set<string>();
  private _placed = new Set<string>();
  private _reshaped = false;
  private _rev = 0; // number of the last message sent
  private _fullRev: number | null = null; // number of the last whole notebook sent
}
