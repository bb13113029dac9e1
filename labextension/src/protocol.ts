// The kernel <-> frontend comm protocol (docs/protocol.md), version 1: types and validation only.
// Pure: imports nothing from JupyterLab, so it is unit-tested with node's test runner.

export const PROTOCOL_VERSION = 1;
export const COMM_TARGET = 'reactive_kernel';
/** In `hello.capabilities`: the kernel takes `delta` messages. */
export const DELTA_CAPABILITY = 'delta';
/** execute_request metadata key marking a cell sent ahead from a `run` list. */
export const SCHEDULED_KEY = 'reactiveScheduled';

export const STATUSES = [
  'unrun',
  'fresh',
  'edited',
  'stale',
  'queued',
  'running',
  'error',
  'blocked',
  'disabled'
] as const;
export type Status = (typeof STATUSES)[number];

export type Mode = 'autorun' | 'lazy';
export const MODES: readonly Mode[] = ['autorun', 'lazy'];

/** Where a read resolves when several cells define a name: the nearest above, or one definer only. */
export type Definitions = 'ordered' | 'unique';
export const DEFINITIONS: readonly Definitions[] = ['ordered', 'unique'];

/** A cell's cache option, synced from its metadata `reactive.cache` (`true` is `memory`). */
export type CacheMode = 'off' | 'memory' | 'disk';
export const CACHE_MODES: readonly CacheMode[] = ['off', 'memory', 'disk'];

/** name -> the id of the cell a read of that name resolves to. */
export type Origins = Record<string, string>;

/** The quick fixes for a multiple definition (docs/protocol.md, Quick fixes). */
export type FixKind = 'private' | 'rename';
export const FIX_KINDS: readonly FixKind[] = ['private', 'rename'];

/** One quick fix a cell's state offers for a global another cell defines too. */
export interface IFix {
  kind: FixKind;
  name: string; // the global defined twice
  to: string; // the name it becomes (the kernel's suggestion)
  cells: string[]; // the cells it rewrites: this one first, then those reading its value
}

/** One cell a `rewrite` changes: its source as the kernel had it, and the new one. */
export interface IRewrittenCell {
  id: string;
  before: string;
  after: string;
}

/** One cell's entry in a `state` message. */
export interface ICellState {
  status: Status;
  defs: string[];
  refs: string[];
  parents: string[];
  children: string[];
  error: string | null;
  warnings: string[];
  /** Fresh because its latest run was restored from its cache (false from kernels without caching). */
  cached: boolean;
  /** For each read that resolves to one cell, that cell (empty from older kernels). */
  origins: Origins;
  /** What its label shows after its position: its title, else its main definition (`#3 (load)`). */
  name: string | null;
  /** `error` is what its own run raised (or an interrupt): its outputs show the traceback already. */
  raised: boolean;
  /** Quick fixes for its multiple definition (empty from older kernels, and without one). */
  fixes: IFix[];
}

/** Kernel -> frontend. */
export type KernelMessage =
  | { type: 'hello'; version: number; capabilities?: string[]; mode: Mode; definitions?: Definitions }
  | { type: 'state'; cells: { [id: string]: ICellState } }
  | { type: 'run'; cells: string[] }
  | { type: 'mode'; mode: Mode }
  | { type: 'definitions'; definitions: Definitions }
  | { type: 'resync'; rev: number | null; reason: string }
  | { type: 'rewrite'; request: number; cells: IRewrittenCell[]; error: string | null }
  | { type: 'error'; message: string };

export const KERNEL_MESSAGE_TYPES = [
  'hello',
  'state',
  'run',
  'mode',
  'definitions',
  'resync',
  'rewrite',
  'error'
] as const;

/** Frontend -> kernel. */
export interface ISyncCell {
  id: string;
  source: string;
  cell_type: 'code' | 'markdown' | 'raw';
  disabled?: boolean;
  cache?: CacheMode;
  /** Its name from its metadata (`name`, else `title`), for the labels messages name cells by. */
  title?: string;
}

/** One code cell in a `delta`: only what changed; `after` when it was inserted or moved (null: first). */
export interface IDeltaCell {
  id: string;
  source?: string;
  disabled?: boolean;
  cache?: CacheMode;
  after?: string | null;
  title?: string; // '' when it no longer has one
  below?: number; // other cells (markdown, raw) between it and the next code cell
}

export type FrontendMessage =
  | { type: 'sync'; cells: ISyncCell[]; rev?: number }
  | {
      type: 'delta';
      base: number;
      rev: number;
      cells: IDeltaCell[];
      deleted: string[];
      order: number;
      top?: number; // other cells above the first code cell, when that changed
    }
  | { type: 'set_mode'; mode: Mode }
  | { type: 'set_definitions'; definitions: Definitions }
  | { type: 'run_stale' }
  | { type: 'stop' }
  | { type: 'request_state' }
  | { type: 'quick_fix'; request: number; cell: string; name: string; kind: FixKind; to?: string };

export const FRONTEND_MESSAGE_TYPES = [
  'sync',
  'delta',
  'set_mode',
  'set_definitions',
  'run_stale',
  'stop',
  'request_state',
  'quick_fix'
] as const;

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(item => typeof item === 'string');
}

function isCellState(value: unknown): value is ICellState {
  const s = value as ICellState;
  return (
    typeof s === 'object' &&
    s !== null &&
    (STATUSES as readonly string[]).includes(s.status) &&
    isStringList(s.defs) &&
    isStringList(s.refs) &&
    isStringList(s.parents) &&
    isStringList(s.children) &&
    (s.error === null || typeof s.error === 'string') &&
    (s.warnings === undefined || isStringList(s.warnings)) &&
    (s.cached === undefined || typeof s.cached === 'boolean') &&
    (s.origins === undefined || isStringMap(s.origins)) &&
    (s.name === undefined || s.name === null || typeof s.name === 'string') &&
    (s.raised === undefined || typeof s.raised === 'boolean') &&
    (s.fixes === undefined || (Array.isArray(s.fixes) && s.fixes.every(isFix)))
  );
}

function isFix(value: unknown): value is IFix {
  const f = value as IFix;
  return (
    typeof f === 'object' &&
    f !== null &&
    FIX_KINDS.includes(f.kind) &&
    typeof f.name === 'string' &&
    typeof f.to === 'string' &&
    isStringList(f.cells) &&
    f.cells.length > 0
  );
}

function isRewrittenCell(value: unknown): value is IRewrittenCell {
  const c = value as IRewrittenCell;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.id === 'string' &&
    typeof c.before === 'string' &&
    typeof c.after === 'string'
  );
}

function isStringMap(value: unknown): value is Origins {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(item => typeof item === 'string')
  );
}

/** A state as the rest of the extension uses it: fields older kernels leave out get their defaults. */
function withDefaults(s: ICellState): ICellState {
  return {
    ...s,
    warnings: s.warnings ?? [],
    cached: s.cached ?? false,
    origins: s.origins ?? {},
    name: s.name ?? null,
    raised: s.raised ?? false,
    fixes: s.fixes ?? []
  };
}

/**
 * Check a comm message from the kernel; returns null for anything that does not follow the protocol,
 * so a newer or broken kernel cannot break the page.
 */
export function parseKernelMessage(data: unknown): KernelMessage | null {
  const msg = data as { [key: string]: unknown };
  if (typeof msg !== 'object' || msg === null) {
    return null;
  }
  switch (msg.type) {
    case 'hello':
      return typeof msg.version === 'number' &&
        (msg.capabilities === undefined || isStringList(msg.capabilities)) &&
        MODES.includes(msg.mode as Mode) &&
        (msg.definitions === undefined || DEFINITIONS.includes(msg.definitions as Definitions))
        ? (msg as KernelMessage)
        : null;
    case 'mode':
      return MODES.includes(msg.mode as Mode) ? (msg as KernelMessage) : null;
    case 'definitions':
      return DEFINITIONS.includes(msg.definitions as Definitions) ? (msg as KernelMessage) : null;
    case 'run':
      return isStringList(msg.cells) ? (msg as KernelMessage) : null;
    case 'resync':
      return (msg.rev === null || typeof msg.rev === 'number') && typeof msg.reason === 'string'
        ? (msg as KernelMessage)
        : null;
    case 'rewrite':
      return typeof msg.request === 'number' &&
        Array.isArray(msg.cells) &&
        msg.cells.every(isRewrittenCell) &&
        (msg.error === null || typeof msg.error === 'string')
        ? (msg as KernelMessage)
        : null;
    case 'error':
      return typeof msg.message === 'string' ? (msg as KernelMessage) : null;
    case 'state': {
      const cells = msg.cells as { [id: string]: unknown };
      if (typeof cells !== 'object' || cells === null) {
        return null;
      }
      if (!Object.values(cells).every(isCellState)) {
        return null;
      }
      const states: { [id: string]: ICellState } = {};
      for (const [id, state] of Object.entries(cells)) {
        states[id] = withDefaults(state as ICellState);
      }
      return { type: 'state', cells: states };
    }
    default:
      return null;
  }
}
