// One notebook's comm to a reactive kernel: found, opened, closed, reopened after a restart; sends the
// frontend's messages and hands on the kernel's after checking them (parseKernelMessage).

import { ISessionContext } from '@jupyterlab/apputils';
import { Kernel } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { COMM_TARGET, FrontendMessage, KernelMessage as ReactiveMessage, parseKernelMessage } from './protocol';

const REACTIVE_IMPLEMENTATION = 'reactive_kernel';

/**
 * What happened to the connection, for the parts that keep what the kernel reported:
 * - `reset`: our comm is gone (a new attempt, a restart, disposal): forget every state and run list;
 * - `foreign`: the session's kernel is not a reactive kernel, or there is none;
 * - `lost`: the kernel is restarting or dead, or the session moved to another kernel;
 * - `closed`: the kernel closed the comm.
 * `reset` comes first whenever we close the comm ourselves, so `foreign` and `lost` follow one.
 */
export type ConnectionEvent = 'reset' | 'foreign' | 'lost' | 'closed';

export class ReactiveConnection implements IDisposable {
  /** `opening` gives the data the comm opens with (the first `sync`, so the kernel knows the cells). */
  constructor(
    private readonly _context: ISessionContext,
    private readonly _opening: () => FrontendMessage
  ) {
    _context.kernelChanged.connect((_, change) => {
      if (change.oldValue && change.oldValue.id !== change.newValue?.id) {
        this._changed.emit('lost'); // what the page shows came from the kernel it left
      }
      void this._connect();
    }, this);
    _context.statusChanged.connect(this._onKernelStatus, this);
    void _context.ready.then(() => this._connect());
  }

  get connected(): boolean {
    return this._comm !== null;
  }

  /** The session's kernel, when the comm is open on it: where cells sent ahead go. */
  get kernel(): Kernel.IKernelConnection | null {
    return this._comm ? (this._context.session?.kernel ?? null) : null;
  }

  /** A checked message from the kernel, on the open comm. */
  get received(): ISignal<this, ReactiveMessage> {
    return this._received;
  }

  get changed(): ISignal<this, ConnectionEvent> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Send on the open comm; without one the message is dropped (the next comm opens with a full sync). */
  send(message: FrontendMessage): void {
    if (this._comm && !this._comm.isDisposed) {
      this._comm.send(message as any);
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._close();
    Signal.clearData(this);
  }

  private async _connect(): Promise<void> {
    const attempt = ++this._attempts; // ready, kernelChanged and idle can all ask at once
    this._close();
    const kernel = this._context.session?.kernel;
    const ours = !!kernel && !this._disposed && this._foreign !== kernel.id && (await isReactive(kernel));
    if (attempt !== this._attempts) {
      return; // a newer attempt owns the connection
    }
    if (!kernel || !ours) {
      this._foreign = kernel?.id ?? null; // not ours: do not ask this kernel again on every idle
      this._changed.emit('foreign');
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
        this._changed.emit('closed');
      }
    };
    this._comm = comm;
    comm.open(this._opening() as any);
  }

  private _close(): void {
    const comm = this._comm;
    this._comm = null;
    this._changed.emit('reset');
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
      this._close();
      this._changed.emit('lost');
    } else if (status === 'idle' && !this._comm && !this._connecting) {
      this._connecting = true;
      void this._connect().finally(() => (this._connecting = false));
    }
  }

  private _receive(data: unknown): void {
    const message = parseKernelMessage(data);
    if (!message) {
      console.warn('reactive_kernel: ignoring a message that does not follow the protocol', data);
      return;
    }
    this._received.emit(message);
  }

  private _comm: Kernel.IComm | null = null;
  private _foreign: string | null = null; // id of the last kernel found not to be reactive
  private _attempts = 0;
  private _connecting = false;
  private _disposed = false;
  private _received = new Signal<this, ReactiveMessage>(this);
  private _changed = new Signal<this, ConnectionEvent>(this);
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
