// Tokens, command ids and the interfaces the extension's plugins share.

import { NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import { CacheMode, Definitions, ICellState, IFix, Mode, Status } from './protocol';

export const PLUGIN_ID = 'reactive-kernel-labextension:plugin';

/** The kernelspec the package installs. */
export const KERNEL_NAME = 'reactive-python';

/** Widget factory that opens any Python file as a notebook ("Open With > Reactive Notebook"). */
export const PY_FACTORY = 'Reactive Notebook';

/** The gettext domain of the extension's texts (a language pack's `reactive_kernel` catalogue). */
export const TRANSLATION_DOMAIN = 'reactive_kernel';

/** The extension's texts in the user's language; English as written without a translator. */
export function translation(translator: ITranslator | null): TranslationBundle {
  return (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
}

export namespace CommandIDs {
  export const toggleMode = 'reactive:toggle-mode';
  export const toggleDefinitions = 'reactive:toggle-definitions';
  export const runStale = 'reactive:run-stale';
  export const runWithAncestors = 'reactive:run-with-ancestors';
  export const toggleHighlight = 'reactive:toggle-highlight';
  export const showGraph = 'reactive:show-graph';
  export const toggleCache = 'reactive:toggle-cache';
  export const toggleDiskCache = 'reactive:toggle-disk-cache';
  export const newPyNotebook = 'reactive:new-py-notebook';
}

/** User settings (schema/plugin.json). */
export interface ISettings {
  defaultMode: Mode;
  defaultDefinitions: Definitions;
  debounceMs: number;
  colors: { [status: string]: string };
}

export const DEFAULT_SETTINGS: ISettings = {
  defaultMode: 'autorun',
  defaultDefinitions: 'ordered',
  debounceMs: 300,
  colors: {}
};

/** One notebook's link to a reactive kernel. */
export interface IReactiveController {
  readonly panel: NotebookPanel;
  /** Attached to a reactive kernel through the comm. */
  readonly connected: boolean;
  readonly mode: Mode;
  /** Where a read resolves when several cells define a name (notebook metadata `reactive.definitions`). */
  readonly definitions: Definitions;
  readonly highlight: boolean;
  /** `{done, total}` while a cascade runs. */
  readonly progress: { done: number; total: number } | null;
  /** Code cell ids in notebook order. */
  codeCellIds(): string[];
  state(cellId: string): ICellState | undefined;
  /** How many code cells have each status (kept as states arrive, not recounted). */
  counts(): Partial<Record<Status, number>>;
  /** How messages name a cell: `#3 (load)`, its position (every cell type counted) and its name. */
  cellLabel(cellId: string): string;
  /** Something on screen may need redrawing: states, mode, progress. */
  readonly changed: ISignal<IReactiveController, void>;
  setMode(mode: Mode): void;
  setDefinitions(definitions: Definitions): void;
  runStale(): void;
  /** The user interrupted: drop the rest of the cascade. */
  stop(): void;
  runActiveWithAncestors(): Promise<void>;
  /**
   * Make one of a cell's quick fixes (its state's `fixes`): a rename asks for the name first. The new
   * sources go into the cells as one undoable edit each; why a fix was not made shows on the cell.
   */
  quickFix(cellId: string, fix: IFix): Promise<void>;
  toggleHighlight(): void;
  scrollTo(cellId: string): void;
  /** The active cell's cache option (cell metadata `reactive.cache`); null when it is not a code cell. */
  activeCacheMode(): CacheMode | null;
  /**
   * Switch the active and selected code cells' cache to `target`, or off when the active cell already
   * has it; other keys of their `reactive` metadata stay.
   */
  toggleCache(target: Exclude<CacheMode, 'off'>): void;
}

/** The controllers of all open notebooks. */
export interface IReactiveNotebooks {
  controllerFor(panel: NotebookPanel | null): IReactiveController | undefined;
  /** The controller of the current notebook, if it is on a reactive kernel. */
  readonly current: IReactiveController | undefined;
  /** The current notebook changed, or its controller changed. */
  readonly currentChanged: ISignal<IReactiveNotebooks, void>;
}

export const IReactiveNotebooks = new Token<IReactiveNotebooks>(
  'reactive-kernel-labextension:notebooks',
  'The reactive state of open notebooks.'
);
