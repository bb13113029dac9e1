// The extension's decisions that need no browser: the run queue, texts, labels, the cache option.
// Pure: imports nothing from JupyterLab, so node's test runner covers it (logic.test.ts).

import { CacheMode, Definitions, ICellState, IFix, ISyncCell, Mode, Status } from './protocol';

/**
 * What the texts here need of a JupyterLab translation bundle (`translator.load('reactive_kernel')`):
 * gettext with `%1`, `%2` placeholders. Structural, so this module still imports nothing from JupyterLab.
 */
export interface ITrans {
  __(msgid: string, ...args: unknown[]): string;
}

/** The texts as written, placeholders filled: what JupyterLab's `nullTranslator` bundle does. */
export const ENGLISH: ITrans = {
  __: (msgid, ...args) =>
    msgid
      .replace(/%%/g, '%% ')
      .replace(/%(\d+)/g, (_, n: string) => String(args[Number(n) - 1]))
      .replace(/%% /g, '%')
};

/** How many times one run list may send the same cell that came back without running. */
export const MAX_ATTEMPTS = 3;

/**
 * The cells the kernel asked us to run, sent ahead of their turn (docs/protocol.md, frontend rules).
 * The kernel runs each request when it gets to it, or skips it if the cell is no longer due; a skipped
 * cell the kernel still lists as queued is sent again, at most MAX_ATTEMPTS times per list.
 */
export class RunQueue {
  private _list: string[] = []; // the latest `run` list
  private _inflight = new Set<string>(); // sent, no reply yet
  private _started = new Set<string>(); // began running under the latest list: never sent again for it
  private _attempts = new Map<string, number>();
  private _done = 0; // cells started in this cascade

  /** Take a `run` message's list; `[]` stops the cascade (what is in flight is the kernel's to skip). */
  replace(cells: readonly string[]): void {
    this._list = [...cells];
    this._started.clear();
    this._attempts.clear();
    this._settle();
  }

  /** The listed cells to send now, in list order: not in flight, and `ready` (queued, runnable here). */
  due(ready: (id: string) => boolean): string[] {
    return this._list.filter(
      id =>
        !this._inflight.has(id) &&
        !this._started.has(id) &&
        (this._attempts.get(id) ?? 0) < MAX_ATTEMPTS &&
        ready(id)
    );
  }

  /** A request for the cell went out. */
  sent(id: string): void {
    this._inflight.add(id);
    this._attempts.set(id, (this._attempts.get(id) ?? 0) + 1);
  }

  /** The kernel began running the cell (execute_input). */
  started(id: string): void {
    this._started.add(id);
    this._done += 1;
  }

  /** The cell's reply came (run, skipped or failed). */
  finished(id: string): void {
    this._inflight.delete(id);
    this._settle();
  }

  /**
   * Take the kernel's latest statuses: a listed cell we did not start and have not sent, which the kernel
   * no longer has queued or running, will not be ours to run under this list. JupyterLab ran it itself
   * (Run All sends every cell, so none is ready here), another viewer ran it, or the kernel dropped it;
   * the kernel sends no shorter list for that. It counts as done, so the cascade ends with the last cell.
   */
  reconcile(status: (id: string) => Status | undefined): void {
    for (const id of this._list) {
      const waiting = status(id) === 'queued' || status(id) === 'running';
      if (!waiting && !this._started.has(id) && !this._inflight.has(id)) {
        this._started.add(id);
        this._done += 1;
      }
    }
    this._settle();
  }

  /** Forget everything: an interrupt or a lost kernel. */
  clear(): void {
    this._list = [];
    this._inflight.clear();
    this._settle();
  }

  get inflight(): number {
    return this._inflight.size;
  }

  /** `{done, total}` of the current cascade, for `running 3/7`; null when idle. */
  get progress(): { done: number; total: number } | null {
    const waiting = this._list.filter(id => !this._started.has(id)).length;
    const total = this._done + waiting;
    return this._busy() && total > 0 ? { done: this._done, total } : null;
  }

  private _busy(): boolean {
    return this._inflight.size > 0 || this._list.some(id => !this._started.has(id));
  }

  /** A cascade ends when nothing is in flight and every listed cell has started (or been dropped). */
  private _settle(): void {
    if (this._inflight.size === 0 && this._list.every(id => this._started.has(id))) {
      this._list = [];
      this._started.clear();
      this._done = 0;
    }
  }
}

/** The status bar's text: mode, what needs attention, and cascade progress. */
export function statusBarText(
  mode: Mode,
  counts: Partial<Record<Status, number>>,
  progress: { done: number; total: number } | null,
  definitions?: Definitions,
  trans: ITrans = ENGLISH
): string {
  return statusBarParts(mode, counts, progress, definitions, trans).join(' · ');
}

/**
 * The status bar's parts: the mode, the definitions policy when given, progress, what needs attention.
 * Modes, policies and statuses are the protocol's names (docs/protocol.md), shown untranslated.
 */
export function statusBarParts(
  mode: Mode,
  counts: Partial<Record<Status, number>>,
  progress: { done: number; total: number } | null,
  definitions?: Definitions,
  trans: ITrans = ENGLISH
): string[] {
  const parts = [trans.__('reactive: %1', mode)];
  if (definitions) {
    parts.push(definitions);
  }
  if (progress) {
    parts.push(trans.__('running %1/%2', progress.done, progress.total));
  }
  const attention = (['stale', 'error', 'blocked'] as Status[])
    .filter(status => (counts[status] ?? 0) > 0)
    .map(status => `${counts[status]} ${status}`);
  if (attention.length > 0) {
    parts.push(attention.join(', '));
  }
  return parts;
}

/**
 * A notebook's definitions policy: its metadata `reactive.definitions`; else `unique` for a marimo file
 * (its format needs one definition per name: metadata `reactive_format.name`); else the user's default.
 */
export function definitionsFor(metadata: { [key: string]: unknown }, fallback: Definitions): Definitions {
  const reactive = metadata.reactive as { [key: string]: unknown } | undefined;
  const chosen = reactive && typeof reactive === 'object' ? reactive.definitions : undefined;
  if (chosen === 'ordered' || chosen === 'unique') {
    return chosen;
  }
  const format = metadata.reactive_format as { [key: string]: unknown } | undefined;
  return format && typeof format === 'object' && format.name === 'marimo' ? 'unique' : fallback;
}

/** `df from #3 (load)` for each read that resolves to one cell, in the order of `refs`. */
export function describeReads(
  state: ICellState,
  label: (id: string) => string,
  trans: ITrans = ENGLISH
): string[] {
  const origins = state.origins ?? {};
  return state.refs.map(name => (origins[name] ? trans.__('%1 from %2', name, label(origins[name])) : name));
}

const QUIET = new Set<Status>(['fresh', 'queued', 'running', 'unrun', 'edited']); // no error to show

/**
 * The error lines a cell's message shows: why it is in error, blocked, disabled or stale, except what
 * its own run raised, which its outputs show as a traceback (one display per error).
 */
export function messageErrors(state: ICellState): string[] {
  return state.error && !state.raised && !QUIET.has(state.status) ? [state.error] : [];
}

/** Whether the cell is fresh because its latest run was restored from its cache. */
export function isCachedHit(state: ICellState): boolean {
  return state.status === 'fresh' && state.cached === true;
}

/** The badge's text: the status, and `· cached` when the cell's results came from its cache. */
export function badgeText(state: ICellState): string {
  return isCachedHit(state) ? `${state.status} · cached` : state.status;
}

/** Hover text listing what a cell defines and reads, which cells it links to, and its cache. */
export function describe(
  state: ICellState,
  label: (id: string) => string = id => id,
  cache: CacheMode = 'off',
  trans: ITrans = ENGLISH
): string {
  const list = (items: string[]) => (items.length > 0 ? items.join(', ') : '-');
  const status = isCachedHit(state)
    ? trans.__('status: %1, restored from cache (source and inputs unchanged)', state.status)
    : trans.__('status: %1', state.status);
  const lines = [
    status,
    trans.__('defines: %1', list(state.defs)),
    trans.__('reads: %1', list(describeReads(state, label, trans))),
    trans.__('parents: %1', list(state.parents.map(label))),
    trans.__('children: %1', list(state.children.map(label)))
  ];
  if (cache !== 'off') {
    lines.push(
      cache === 'disk' ? trans.__('cache: on disk (survives a kernel restart)') : trans.__('cache: in memory')
    );
  }
  return lines.join('\n');
}

/**
 * How messages name a cell: `#5 (load)`, its position (1-based, every cell counted, whatever its type)
 * and its name (its title, else its main definition: the kernel's `name`). The kernel's rule,
 * `reactive_kernel/core/naming.py`; both are checked against `tests/golden/cell_labels.json`.
 */
export function formatLabel(position: number | null, name: string | null | undefined): string {
  const words = (name ?? '').split(/\s+/).filter(word => word.length > 0).join(' ');
  if (position === null) {
    return words ? `(${words})` : '#?';
  }
  return words ? `#${position} (${words})` : `#${position}`;
}

/** The label of a cell of a notebook whose cell ids are `order`; a cell not in it has no position. */
export function cellLabel(order: readonly string[], cellId: string, name?: string | null): string {
  const index = order.indexOf(cellId);
  return formatLabel(index >= 0 ? index + 1 : null, name);
}

/**
 * The name a cell was given in its metadata: `name` (marimo; its `_` means none), else `title` (the
 * percent format's `# %% Title`). Synced to the kernel as `title`; mirrors `core/naming.py` `title_of`.
 */
export function titleOf(metadata: { [key: string]: unknown }): string | null {
  for (const key of ['name', 'title']) {
    const value = metadata[key];
    if (typeof value === 'string' && value.trim() && value.trim() !== '_') {
      return value.trim();
    }
  }
  return null;
}

/** One cell as a `sync` message carries it: disabled only when its `disabled` metadata is exactly true. */
export function syncCell(
  id: string,
  source: string,
  cellType: ISyncCell['cell_type'],
  metadata: { [key: string]: unknown }
): ISyncCell {
  const cell: ISyncCell = {
    id,
    source,
    cell_type: cellType,
    disabled: metadata.disabled === true,
    cache: cacheMode(metadata.reactive)
  };
  const title = titleOf(metadata);
  return title === null ? cell : { ...cell, title };
}

/** The cell's cache option from its `reactive` metadata: `cache: true` or `"memory"`, `"disk"`, else off. */
export function cacheMode(reactive: unknown): CacheMode {
  if (typeof reactive !== 'object' || reactive === null || Array.isArray(reactive)) {
    return 'off';
  }
  const value = (reactive as { [key: string]: unknown }).cache;
  if (value === true || value === 'memory') {
    return 'memory';
  }
  return value === 'disk' ? 'disk' : 'off';
}

/** What a toggle command sets: its own mode, or off when the cell already has exactly that mode. */
export function toggledCacheMode(current: CacheMode, target: Exclude<CacheMode, 'off'>): CacheMode {
  return current === target ? 'off' : target;
}

/**
 * The cell's `reactive` metadata with its cache option set to `mode` (`true` for memory, `"disk"`),
 * other keys kept; undefined when nothing is left, so the caller removes the key.
 */
export function withCacheMode(reactive: unknown, mode: CacheMode): { [key: string]: unknown } | undefined {
  const meta =
    typeof reactive === 'object' && reactive !== null && !Array.isArray(reactive)
      ? { ...(reactive as { [key: string]: unknown }) }
      : {};
  if (mode === 'off') {
    delete meta.cache;
  } else {
    meta.cache = mode === 'memory' ? true : 'disk';
  }
  return Object.keys(meta).length > 0 ? meta : undefined;
}

export type MessagePart = { text: string } | { cell: string };

/**
 * Split a kernel message into text and the cells it mentions (`[[cell:ID]]`, docs/protocol.md), for the
 * caller to draw each as its label (a link when the cell is in the notebook).
 */
export function linkCells(message: string): MessagePart[] {
  const parts: MessagePart[] = [];
  const pattern = /\[\[cell:(.+?)\]\]/g;
  let last = 0;
  for (let match = pattern.exec(message); match; match = pattern.exec(message)) {
    if (match.index > last) {
      parts.push({ text: message.slice(last, match.index) });
    }
    parts.push({ cell: match[1] });
    last = match.index + match[0].length;
  }
  if (last < message.length) {
    parts.push({ text: message.slice(last) });
  }
  return parts;
}

/**
 * A quick fix's button: its text and its hover, which says what it changes where (cells by label). A
 * rename asks for the name first (`…`).
 */
export function fixText(
  fix: IFix,
  label: (id: string) => string,
  trans: ITrans = ENGLISH
): { text: string; title: string } {
  if (fix.kind === 'private') {
    return {
      text: trans.__('Make %1 private to this cell', fix.name),
      title: trans.__(
        'Renames %1 to %2 in this cell only: a name that starts with _ is private to its cell, so this cell no longer defines %1. Ctrl+Z in the cell undoes it.',
        fix.name,
        fix.to
      )
    };
  }
  const readers = fix.cells.slice(1);
  if (readers.length === 0) {
    return {
      text: trans.__('Rename %1 here…', fix.name),
      title: trans.__('Renames %1 in this cell (to %2, or a name you choose). Ctrl+Z in the cell undoes it.', fix.name, fix.to)
    };
  }
  return {
    text: trans.__('Rename %1 here and in its readers…', fix.name),
    title: trans.__(
      'Renames %1 (to %2, or a name you choose) in this cell and in %3, which read its value. Ctrl+Z in each cell undoes it.',
      fix.name,
      fix.to,
      readers.map(label).join(', ')
    )
  };
}

/**
 * The one edit that turns `before` into `after`: the text between their common start and common end,
 * replaced (UTF-16 offsets, as the shared model counts), so what is around it, and the cursor, stay.
 */
export function sourceEdit(before: string, after: string): { start: number; end: number; text: string } {
  let start = 0;
  const most = Math.min(before.length, after.length);
  while (start < most && before.charCodeAt(start) === after.charCodeAt(start)) {
    start++;
  }
  let tail = 0;
  while (
    tail < most - start &&
    before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)
  ) {
    tail++;
  }
  return { start, end: before.length - tail, text: after.slice(start, after.length - tail) };
}
