// One notebook's link to a reactive kernel: wires the comm (connection.ts), the cells' sync (sync.ts), the
// run cascade (cascade.ts) and the drawing (decorations.ts), answers the kernel's messages, and is what
// other plugins see of the notebook (IReactiveController).

import { NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { ISignal, Signal } from '@lumino/signaling';

import { Cascade } from './cascade';
import { BadgeClearance } from './clearance';
import { ConnectionEvent, ReactiveConnection } from './connection';
import { Decorations } from './decorations';
import { QuickFixes } from './fixes';
import { cacheMode, definitionsFor, ITrans, toggledCacheMode, withCacheMode } from './logic';
import { CellIndex, scrollToCell } from './navigation';
import { OldOutputs } from './oldoutputs';
import {
  CacheMode,
  DELTA_CAPABILITY,
  Definitions,
  FrontendMessage,
  ICellState,
  IFix,
  KernelMessage as ReactiveMessage,
  Mode,
  Status
} from './protocol';
import { StateStore } from './states';
import { CellSync } from './sync';
import { IReactiveController, ISettings } from './tokens';

export class ReactiveController implements IReactiveController {
  constructor(
    readonly panel: NotebookPanel,
    private _settings: ISettings,
    trans: ITrans
  ) {
    this._index = new CellIndex(panel.content);
    this._connection = new ReactiveConnection(panel.sessionContext, () => this._wholeNotebook());
    this._sync = new CellSync(panel, this._index, () => this._settings.debounceMs);
    this._cascade = new Cascade({
      kernel: () => this._connection.kernel,
      cell: id => this._index.cell(id),
      store: this._store
    });
    this._fixes = new QuickFixes({
      cell: id => this._index.cell(id),
      connected: () => this.connected,
      send: message => this._connection.send(message),
      flush: () => this._sync.flush(),
      redraw: ids => this._decorations.redraw(ids),
      label: id => this.cellLabel(id),
      trans
    });
    this._decorations = new Decorations({
      panel,
      index: this._index,
      store: this._store,
      connected: () => this.connected,
      highlight: () => this._highlight,
      label: id => this.cellLabel(id),
      onLink: id => this.scrollTo(id),
      onFix: (id, fix) => void this.quickFix(id, fix),
      fixNote: id => this._fixes.note(id),
      trans
    });
    this._clearance = new BadgeClearance(panel.content);
    this._oldOutputs = new OldOutputs(panel.content);
    this._connection.changed.connect(this._onConnection, this);
    this._connection.received.connect((_, message) => this._handle(message), this);
    this._sync.due.connect(() => this._send(this._sync.next(this._deltas)), this);
    this._sync.cellsChanged.connect((_, ids) => this._decorations.redraw(ids), this);
    this._sync.reshaped.connect(() => this._decorations.relabel(), this);
    this._sync.notebookMetadataChanged.connect(() => this._changed.emit(), this);
    this._cascade.cellStarted.connect((_, id) => this._decorations.redraw([id]), this);
    this._cascade.settled.connect(() => this._decorations.notify(), this);
    this._decorations.drawn.connect(() => this._changed.emit(), this);
    panel.content.activeCellChanged.connect(() => this._decorations.drawRelations(), this);
    panel.disposed.connect(() => this.dispose());
    this._sync.start();
  }

  get connected(): boolean {
    return this._connection.connected;
  }

  get mode(): Mode {
    return this._mode;
  }

  get definitions(): Definitions {
    return this._definitions;
  }

  get highlight(): boolean {
    return this._highlight;
  }

  get progress(): { done: number; total: number } | null {
    return this._cascade.progress;
  }

  get changed(): ISignal<IReactiveController, void> {
    return this._changed;
  }

  codeCellIds(): string[] {
    return [...this._index.codeIds()];
  }

  counts(): Partial<Record<Status, number>> {
    return this._store.totals();
  }

  state(cellId: string): ICellState | undefined {
    return this._store.get(cellId);
  }

  cellLabel(cellId: string): string {
    return this._index.label(cellId, this._store.get(cellId)?.name ?? null);
  }

  scrollTo(cellId: string): void {
    scrollToCell(this.panel.content, cellId);
  }

  quickFix(cellId: string, fix: IFix): Promise<void> {
    return this._fixes.apply(cellId, fix);
  }

  updateSettings(settings: ISettings): void {
    this._settings = settings;
  }

  setMode(mode: Mode): void {
    this.panel.model?.setMetadata('reactive', { ...this._notebookMeta(), mode });
    this._connection.send({ type: 'set_mode', mode });
    this._mode = mode;
    this._changed.emit();
  }

  setDefinitions(definitions: Definitions): void {
    this.panel.model?.setMetadata('reactive', { ...this._notebookMeta(), definitions });
    this._connection.send({ type: 'set_definitions', definitions });
    this._definitions = definitions;
    this._changed.emit();
  }

  runStale(): void {
    this._connection.send({ type: 'run_stale' });
  }

  stop(): void {
    if (this._cascade.progress !== null) {
      this._cascade.cancel();
      this._connection.send({ type: 'stop' });
      this._changed.emit();
    }
  }

  async runActiveWithAncestors(): Promise<void> {
    // The kernel answers a cell with stale ancestors by scheduling them first (docs/protocol.md).
    await NotebookActions.run(this.panel.content, this.panel.sessionContext);
  }

  toggleHighlight(): void {
    this._highlight = !this._highlight;
    this._decorations.drawRelations();
    this._changed.emit();
  }

  activeCacheMode(): CacheMode | null {
    const cell = this.panel.content.activeCell;
    return cell && cell.model.type === 'code' ? cacheMode(cell.model.getMetadata('reactive')) : null;
  }

  toggleCache(target: Exclude<CacheMode, 'off'>): void {
    const current = this.activeCacheMode();
    if (current === null) {
      return;
    }
    const mode = toggledCacheMode(current, target);
    const notebook = this.panel.content;
    const cells = notebook.widgets.filter(cell => cell.model.type === 'code' && notebook.isSelectedOrActive(cell));
    for (const cell of cells) {
      const meta = withCacheMode(cell.model.getMetadata('reactive'), mode);
      if (meta) {
        cell.model.setMetadata('reactive', meta);
      } else {
        cell.model.deleteMetadata('reactive');
      }
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._decorations.dispose(); // first: nothing is drawn while the rest closes
    this._fixes.dispose();
    this._clearance.dispose();
    this._oldOutputs.dispose();
    this._connection.dispose();
    this._cascade.dispose();
    this._sync.dispose();
    Signal.clearData(this);
  }

  private _onConnection(_: unknown, event: ConnectionEvent): void {
    switch (event) {
      case 'reset':
        this._fixes.reset();
        this._cascade.clear();
        this._store.clear();
        this._sync.reset();
        this._deltas = false; // until the next kernel's hello says it takes them
        break;
      case 'foreign':
        this._reactive = false;
        this._oldOutputs.clear();
        this._decorations.redraw(null);
        break;
      case 'lost':
        if (this._reactive) {
          this._oldOutputs.markAll(); // now, before a new kernel's first run (Restart and Run All) replaces any
        }
        this._decorations.redraw(null);
        this._changed.emit();
        break;
      case 'closed':
        this._cascade.clear();
        this._changed.emit();
        break;
    }
  }

  private _handle(message: ReactiveMessage): void {
    switch (message.type) {
      case 'hello':
        this._reactive = true;
        this._deltas = (message.capabilities ?? []).includes(DELTA_CAPABILITY);
        this._mode = message.mode;
        this._definitions = message.definitions ?? 'unique'; // kernels before the policy had one rule
        this._adoptMode();
        break;
      case 'mode':
        this._mode = message.mode;
        break;
      case 'definitions':
        this._definitions = message.definitions;
        break;
      case 'state': {
        // Only the notebook's code cells: the status bar counts what the store holds.
        const cells = Object.entries(message.cells).filter(([id]) => this._index.isCode(id));
        const { changed, renamed } = this._store.merge(Object.fromEntries(cells));
        this._fixes.forget(changed);
        this._decorations.redraw(changed);
        if (renamed.length) {
          this._decorations.relabel(renamed);
        }
        this._cascade.reconcile();
        break;
      }
      case 'run':
        this._cascade.run(message.cells);
        break;
      case 'resync':
        if (this._sync.wantsWhole(message.rev)) {
          this._send(this._sync.whole());
        }
        break;
      case 'rewrite':
        this._fixes.answer(message.request, message.cells, message.error);
        break;
      case 'error':
        console.warn(`reactive_kernel: ${message.message}`);
        break;
    }
    this._decorations.notify();
  }

  /** The notebook remembers its mode and definitions policy; otherwise the user's defaults apply. */
  private _adoptMode(): void {
    const wanted = (this._notebookMeta().mode as Mode | undefined) ?? this._settings.defaultMode;
    if (wanted !== this._mode && (wanted === 'autorun' || wanted === 'lazy')) {
      this._connection.send({ type: 'set_mode', mode: wanted });
      this._mode = wanted;
    }
    const metadata = this.panel.model?.metadata ?? {};
    const definitions = definitionsFor(metadata, this._settings.defaultDefinitions);
    if (definitions !== this._definitions) {
      this._connection.send({ type: 'set_definitions', definitions });
      this._definitions = definitions;
    }
  }

  /** The whole notebook, as the comm opens with it. */
  private _wholeNotebook(): FrontendMessage {
    return this._told(this._sync.whole());
  }

  /** Send a sync or delta (null: nothing changed). */
  private _send(message: FrontendMessage | null): void {
    if (message !== null) {
      this._connection.send(this._told(message));
    }
  }

  /** The kernel is told of the notebook: the states of cells that left it, or are no code cells, go. */
  private _told(message: FrontendMessage): FrontendMessage {
    if (message.type === 'delta') {
      this._store.forget(message.deleted);
    } else if (message.type === 'sync') {
      this._store.retain(message.cells.filter(cell => cell.cell_type === 'code').map(cell => cell.id));
    }
    return message;
  }

  private _notebookMeta(): { [key: string]: unknown } {
    const meta = this.panel.model?.getMetadata('reactive');
    return meta && typeof meta === 'object' ? (meta as { [key: string]: unknown }) : {};
  }

  private readonly _index: CellIndex;
  private readonly _connection: ReactiveConnection;
  private readonly _sync: CellSync;
  private readonly _cascade: Cascade;
  private readonly _decorations: Decorations;
  private readonly _fixes: QuickFixes;
  private readonly _clearance: BadgeClearance;
  private readonly _oldOutputs: OldOutputs;
  private readonly _store = new StateStore();
  private _mode: Mode = 'autorun';
  private _definitions: Definitions = 'ordered';
  private _highlight = false;
  private _deltas = false; // the kernel takes `delta` messages (its hello says so)
  private _reactive = false; // the notebook's last kernel was a reactive one (it said hello)
  private _disposed = false;
  private _changed = new Signal<IReactiveController, void>(this);
}
