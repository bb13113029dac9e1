// One notebook's link to a reactive kernel: the comm, syncing cells, running what the kernel asks.

import { Cell, CodeCell, ICellModel } from '@jupyterlab/cells';
import { NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import {
  cacheMode,
  definitionsFor,
  RunQueue,
  StateStore,
  toggledCacheMode,
  withCacheMode
} from './logic';
import {
  CacheMode,
  COMM_TARGET,
  Definitions,
  FrontendMessage,
  ICellState,
  ISyncCell,
  KernelMessage as ReactiveMessage,
  Mode,
  parseKernelMessage,
  SCHEDULED_KEY
} from './protocol';
import { clearCell, IRenderContext, renderCell } from './render';
import { IReactiveController, ISettings } from './tokens';

const REACTIVE_IMPLEMENTATION = 'reactive_kernel';

type ExecuteFuture = Kernel.IShellFuture<KernelMessage.IExecuteRequestMsg, KernelMessage.IExecuteReplyMsg>;

export class ReactiveController implements IReactiveController {
  constructor(
    readonly panel: NotebookPanel,
    private _settings: ISettings
  ) {
    const context = panel.sessionContext;
    context.kernelChanged.connect(() => void this._connect(), this);
    context.statusChanged.connect(this._onKernelStatus, this);
    panel.content.activeCellChanged.connect(() => this._renderRelations(), this);
    panel.disposed.connect(() => this.dispose());
    void context.ready.then(() => this._connect());
    this._watchCells();
  }

  get connected(): boolean {
    return this._comm !== null;
  }

  get mode(): Mode {
    return this._mode;
  }

  get highlight(): boolean {
    return this._highlight;
  }

  get progress(): { done: number; total: number } | null {
    return this._queue.progress;
  }

  get changed(): ISignal<IReactiveController, void> {
    return this._changed;
  }

  codeCellIds(): string[] {
    return this._cells()
      .filter(cell => cell.model.type === 'code')
      .map(cell => cell.model.id);
  }

  state(cellId: string): ICellState | undefined {
    return this._store.get(cellId);
  }

  cellLabel(cellId: string): string {
    return `#${this._cells().findIndex(c => c.model.id === cellId) + 1}`;
  }

  updateSettings(settings: ISettings): void {
    this._settings = settings;
  }

  setMode(mode: Mode): void {
    this.panel.model?.setMetadata('reactive', { ...this._notebookMeta(), mode });
    this._send({ type: 'set_mode', mode });
    this._mode = mode;
    this._changed.emit();
  }

  get definitions(): Definitions {
    return this._definitions;
  }

  setDefinitions(definitions: Definitions): void {
    this.panel.model?.setMetadata('reactive', { ...this._notebookMeta(), definitions });
    this._send({ type: 'set_definitions', definitions });
    this._definitions = definitions;
    this._changed.emit();
  }

  runStale(): void {
    this._send({ type: 'run_stale' });
  }

  stop(): void {
    if (this._queue.progress !== null) {
      this._queue.replace([]); // send nothing more; the kernel skips what is in flight after an interrupt
      this._send({ type: 'stop' });
      this._changed.emit();
    }
  }

  async runActiveWithAncestors(): Promise<void> {
    // The kernel answers a cell with stale ancestors by scheduling them first (docs/protocol.md).
    await NotebookActions.run(this.panel.content, this.panel.sessionContext);
  }

  toggleHighlight(): void {
    this._highlight = !this._highlight;
    this._renderRelations();
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

  scrollTo(cellId: string): void {
    const notebook = this.panel.content;
    const index = this._cells().findIndex(cell => cell.model.id === cellId);
    if (index >= 0) {
      notebook.activeCellIndex = index;
      void notebook.scrollToCell(notebook.widgets[index]);
    }
  }

  dispose(): void {
    this._disposed = true;
    cancelAnimationFrame(this._frame);
    this._closeComm();
    Signal.clearData(this);
  }

  // ---- the comm ------------------------------------------------------------------------------------

  private async _connect(): Promise<void> {
    const attempt = ++this._attempts; // ready, kernelChanged and idle can all ask at once
    this._closeComm();
    const kernel = this.panel.sessionContext.session?.kernel;
    const ours = !!kernel && !this._disposed && this._foreign !== kernel.id && (await isReactive(kernel));
    if (attempt !== this._attempts) {
      return; // a newer attempt owns the connection
    }
    if (!kernel || !ours) {
      this._foreign = kernel?.id ?? null; // not ours: do not ask this kernel again on every idle
      this._renderAll();
      return;
    }
    const comm = kernel.createComm(COMM_TARGET);
    comm.onMsg = msg => {
      if (this._comm === comm) {
        this._receive(msg.content.data); // a superseded comm's late messages are not ours to apply
      }
    };
    comm.onClose = () => {
      if (this._comm === comm) {
        this._comm = null;
        this._queue.clear();
        this._changed.emit();
      }
    };
    this._comm = comm;
    comm.open(this._syncMessage() as any);
  }

  private _closeComm(): void {
    const comm = this._comm;
    this._comm = null;
    this._queue.clear();
    this._store.clear();
    if (comm && !comm.isDisposed) {
      try {
        comm.close();
      } catch {
        // the kernel is gone already
      }
    }
  }

  private _onKernelStatus(_: unknown, status: Kernel.Status): void {
    if (status === 'restarting' || status === 'autorestarting' || status === 'dead') {
      this._closeComm();
      this._renderAll();
      this._changed.emit();
    } else if (status === 'idle' && !this._comm && !this._connecting) {
      this._connecting = true;
      void this._connect().finally(() => (this._connecting = false));
    }
  }

  private _send(message: FrontendMessage): void {
    if (this._comm && !this._comm.isDisposed) {
      this._comm.send(message as any);
    }
  }

  private _receive(data: unknown): void {
    const message = parseKernelMessage(data);
    if (!message) {
      console.warn('reactive_kernel: ignoring a message that does not follow the protocol', data);
      return;
    }
    this._handle(message);
  }

  private _handle(message: ReactiveMessage): void {
    switch (message.type) {
      case 'hello':
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
      case 'state':
        this._renderCells(this._store.merge(message.cells));
        this._reconcile();
        break;
      case 'run':
        this._queue.replace(message.cells);
        this._dispatch();
        break;
      case 'error':
        console.warn(`reactive_kernel: ${message.message}`);
        break;
    }
    this._notify();
  }

  /** The notebook remembers its mode and definitions policy; otherwise the user's defaults apply. */
  private _adoptMode(): void {
    const wanted = (this._notebookMeta().mode as Mode | undefined) ?? this._settings.defaultMode;
    if (wanted !== this._mode && (wanted === 'autorun' || wanted === 'lazy')) {
      this._send({ type: 'set_mode', mode: wanted });
      this._mode = wanted;
    }
    const metadata = this.panel.model?.metadata ?? {};
    const definitions = definitionsFor(metadata, this._settings.defaultDefinitions);
    if (definitions !== this._definitions) {
      this._send({ type: 'set_definitions', definitions });
      this._definitions = definitions;
    }
  }

  // ---- running what the kernel schedules -----------------------------------------------------------

  /**
   * Send every listed cell that is due, all at once: the kernel runs them back to back, as with Run All,
   * and skips any that stopped being due (docs/protocol.md). A cell's outputs are cleared only when the
   * kernel starts it, so a skipped cell keeps what it showed.
   */
  private _dispatch(): void {
    const kernel = this.panel.sessionContext.session?.kernel;
    if (!kernel || !this._comm) {
      return;
    }
    const cells = new Map(this._cells().map(c => [c.model.id, c]));
    const ready = (id: string): boolean => {
      const cell = cells.get(id);
      // Gone, not queued, or JupyterLab is already running it (Run All): never run a cell twice.
      return (
        cell instanceof CodeCell &&
        cell.model.executionState !== 'running' &&
        this._store.get(id)?.status === 'queued'
      );
    };
    for (const id of this._queue.due(ready)) {
      this._sendAhead(kernel, cells.get(id) as CodeCell);
    }
  }

  /** Stop waiting for listed cells the kernel no longer has queued: JupyterLab (Run All) ran them. */
  private _reconcile(): void {
    this._queue.reconcile(id => this._store.get(id)?.status);
  }

  private _sendAhead(kernel: Kernel.IKernelConnection, cell: CodeCell): void {
    const model = cell.model;
    const id = model.id;
    const metadata = { ...model.metadata, cellId: id, [SCHEDULED_KEY]: true };
    const future = kernel.requestExecute(
      { code: model.sharedModel.getSource(), stop_on_error: false },
      false,
      metadata
    );
    this._queue.sent(id);
    let attached = false;
    future.onIOPub = msg => {
      if (msg.header.msg_type !== 'execute_input' || attached || cell.isDisposed) {
        return;
      }
      attached = this._attach(cell, future);
      if (attached) {
        this._queue.started(id);
        this._store.setStatus(id, 'running');
        this._renderCells([id]);
      }
    };
    future.done
      .then(reply => {
        if (attached && !cell.isDisposed && reply.content.status !== 'aborted') {
          model.executionCount = reply.content.execution_count; // also marks the cell idle
        }
      })
      .catch(() => {
        // cancelled: the user ran the cell themselves, or the kernel went away
      })
      .finally(() => {
        if (!attached) {
          future.dispose();
        }
        this._queue.finished(id);
        this._reconcile(); // a skipped cell gets no new state: it may have run elsewhere
        this._notify();
        this._dispatch(); // a skipped cell the kernel still lists goes again
      });
  }

  /** The kernel started a cell sent ahead: from here it shows as running and its output area follows it. */
  private _attach(cell: CodeCell, future: ExecuteFuture): boolean {
    const model = cell.model;
    if (model.executionState === 'running') {
      return false; // the user ran it meanwhile: that execution owns the output area
    }
    model.sharedModel.transact(
      () => {
        model.clearExecution();
        cell.outputHidden = false;
      },
      false,
      'silent-change'
    );
    model.executionState = 'running';
    model.trusted = true;
    cell.outputArea.future = future; // clears the outputs, then takes this request's messages
    return true;
  }

  // ---- following the notebook's cells --------------------------------------------------------------

  private _watchCells(): void {
    const model = this.panel.model;
    if (!model) {
      this.panel.context.ready.then(() => this._watchCells());
      return;
    }
    model.cells.changed.connect(() => {
      this._watchEach();
      this._syncSoon(0);
    }, this);
    model.metadataChanged.connect(() => this._changed.emit(), this);
    this._watchEach();
  }

  private _watchEach(): void {
    for (const cell of this._cells()) {
      const m = cell.model;
      if (!this._watched.has(m)) {
        this._watched.add(m);
        m.contentChanged.connect(() => this._syncSoon(this._settings.debounceMs), this);
        m.metadataChanged.connect(() => {
          this._syncSoon(0); // disabled, reactive.cache
          this._renderCells([m.id]);
        }, this);
      }
    }
    this._renderAll();
  }

  private _syncSoon(delay: number): void {
    if (this._syncTimer !== undefined) {
      window.clearTimeout(this._syncTimer);
    }
    this._syncTimer = window.setTimeout(() => {
      this._syncTimer = undefined;
      this._send(this._syncMessage());
    }, delay);
  }

  private _syncMessage(): FrontendMessage {
    const cells: ISyncCell[] = this._cells().map(cell => ({
      id: cell.model.id,
      source: cell.model.sharedModel.getSource(),
      cell_type: cell.model.type as ISyncCell['cell_type'],
      disabled: cell.model.getMetadata('disabled') === true,
      cache: cacheMode(cell.model.getMetadata('reactive'))
    }));
    this._store.retain(cells.map(c => c.id));
    return { type: 'sync', cells };
  }

  private _cells(): Cell[] {
    return [...this.panel.content.widgets];
  }

  private _notebookMeta(): { [key: string]: unknown } {
    const meta = this.panel.model?.getMetadata('reactive');
    return meta && typeof meta === 'object' ? (meta as { [key: string]: unknown }) : {};
  }

  // ---- drawing -------------------------------------------------------------------------------------

  private _renderAll(): void {
    this._renderCells(null);
  }

  /**
   * Mark cells to redraw (all cells when null). Drawing and telling listeners happen once per animation
   * frame: during a cascade, state messages arrive faster than frames, and each draw would otherwise
   * force JupyterLab to lay the notebook out again.
   */
  private _renderCells(ids: readonly string[] | null): void {
    if (ids === null) {
      this._dirty = null;
    } else if (this._dirty !== null) {
      ids.forEach(id => this._dirty?.add(id));
    }
    this._notify();
  }

  /** Emit `changed` in the next frame (with any redraw). */
  private _notify(): void {
    if (this._frame === 0 && !this._disposed) {
      this._frame = requestAnimationFrame(() => this._flush());
    }
  }

  private _flush(): void {
    this._frame = 0;
    const dirty = this._dirty;
    this._dirty = new Set();
    if (dirty === null || dirty.size > 0) {
      this._draw(dirty);
    }
    this._changed.emit();
  }

  private _draw(only: ReadonlySet<string> | null): void {
    const cells = this._cells();
    const ctx: IRenderContext = {
      known: new Set(cells.map(c => c.model.id)),
      label: id => this.cellLabel(id),
      onLink: id => this.scrollTo(id)
    };
    for (const cell of cells) {
      if (only && !only.has(cell.model.id)) {
        continue;
      }
      if (this._comm && cell.model.type === 'code') {
        renderCell(cell, this._store.get(cell.model.id), ctx, cacheMode(cell.model.getMetadata('reactive')));
      } else {
        clearCell(cell);
      }
    }
    this._renderRelations();
  }

  private _renderRelations(): void {
    const active = this.panel.content.activeCell?.model.id;
    const state = active && this._highlight ? this._store.get(active) : undefined;
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

  private _comm: Kernel.IComm | null = null;
  private _foreign: string | null = null; // id of the last kernel found not to be reactive
  private _attempts = 0;
  private _mode: Mode = 'autorun';
  private _definitions: Definitions = 'ordered';
  private _highlight = false;
  private _disposed = false;
  private _connecting = false;
  private _syncTimer: number | undefined;
  private _frame = 0; // pending animation frame for _flush
  private _dirty: Set<string> | null = new Set(); // cells to redraw in it; null: all
  private _queue = new RunQueue();
  private _store = new StateStore();
  private _watched = new WeakSet<ICellModel>();
  private _changed = new Signal<IReactiveController, void>(this);
}

/** A kernel is ours if its implementation says so, whatever its kernelspec is called. */
async function isReactive(kernel: Kernel.IKernelConnection): Promise<boolean> {
  try {
    const info = await kernel.info;
    return info.implementation === REACTIVE_IMPLEMENTATION;
  } catch {
    return false;
  }
}
