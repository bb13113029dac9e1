// Runs what the kernel schedules (a `run` list): sends the listed cells ahead, lets a cell's output area
// follow its execution once the kernel starts it, and keeps the run queue in step with the kernel.

import { Cell, CodeCell } from '@jupyterlab/cells';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { RunQueue } from './logic';
import { StateStore } from './states';
import { SCHEDULED_KEY } from './protocol';

type ExecuteFuture = Kernel.IShellFuture<KernelMessage.IExecuteRequestMsg, KernelMessage.IExecuteReplyMsg>;

export namespace Cascade {
  export interface IOptions {
    /** The kernel to send cells to: null while no comm is open. */
    kernel: () => Kernel.IKernelConnection | null;
    /** The notebook's cell with this id. */
    cell: (id: string) => Cell | undefined;
    /** The kernel's latest states: which cells are queued; a cell we start is `running` here. */
    store: StateStore;
  }
}

export class Cascade implements IDisposable {
  constructor(private readonly _options: Cascade.IOptions) {}

  /** `{done, total}` while a cascade runs. */
  get progress(): { done: number; total: number } | null {
    return this._queue.progress;
  }

  /** The kernel started a cell we sent: it shows as running now. */
  get cellStarted(): ISignal<this, string> {
    return this._cellStarted;
  }

  /** A cell sent ahead came back (ran, skipped or failed): progress may have moved. */
  get settled(): ISignal<this, void> {
    return this._settled;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Take the kernel's latest `run` list and send what is due. */
  run(cells: readonly string[]): void {
    this._queue.replace(cells);
    this._dispatch();
  }

  /** Send nothing more; the kernel skips what is in flight after an interrupt. */
  cancel(): void {
    this._queue.replace([]);
  }

  /** Forget the list and what is in flight: the comm is gone. */
  clear(): void {
    this._queue.clear();
  }

  /** Stop waiting for listed cells the kernel no longer has queued: JupyterLab (Run All) ran them. */
  reconcile(): void {
    this._queue.reconcile(id => this._options.store.get(id)?.status);
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    Signal.clearData(this);
  }

  /**
   * Send every listed cell that is due, all at once: the kernel runs them back to back, as with Run All,
   * and skips any that stopped being due (docs/protocol.md). A cell's outputs are cleared only when the
   * kernel starts it, so a skipped cell keeps what it showed.
   */
  private _dispatch(): void {
    const kernel = this._options.kernel();
    if (!kernel) {
      return;
    }
    const store = this._options.store;
    const ready = (id: string): boolean => {
      const cell = this._options.cell(id);
      // Gone, not queued, or JupyterLab is already running it (Run All): never run a cell twice.
      return (
        cell instanceof CodeCell && cell.model.executionState !== 'running' && store.get(id)?.status === 'queued'
      );
    };
    for (const id of this._queue.due(ready)) {
      this._sendAhead(kernel, this._options.cell(id) as CodeCell);
    }
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
      attached = attach(cell, future);
      if (attached) {
        this._queue.started(id);
        this._options.store.setStatus(id, 'running');
        this._cellStarted.emit(id);
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
        this.reconcile(); // a skipped cell gets no new state: it may have run elsewhere
        this._settled.emit();
        this._dispatch(); // a skipped cell the kernel still lists goes again
      });
  }

  private _queue = new RunQueue();
  private _disposed = false;
  private _cellStarted = new Signal<this, string>(this);
  private _settled = new Signal<this, void>(this);
}

/** The kernel started a cell sent ahead: from here it shows as running and its output area follows it. */
function attach(cell: CodeCell, future: ExecuteFuture): boolean {
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
