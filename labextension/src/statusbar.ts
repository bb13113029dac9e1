// Status bar item: the current notebook's mode, what needs attention, and cascade progress.

import { Widget } from '@lumino/widgets';

import { statusBarText } from './logic';
import { IReactiveController, IReactiveNotebooks } from './tokens';

export class ReactiveStatus extends Widget {
  constructor(private _notebooks: IReactiveNotebooks) {
    super();
    this.addClass('jp-reactive-statusbar');
    this.node.title = 'Reactive kernel: mode, stale and failed cells (click to switch autorun/lazy)';
    _notebooks.currentChanged.connect(this._follow, this);
    this._follow();
  }

  /** Clicking switches the mode, the most common thing to want from here. */
  onClick(): void {
    const controller = this._controller;
    if (controller?.connected) {
      controller.setMode(controller.mode === 'autorun' ? 'lazy' : 'autorun');
    }
  }

  private _follow(): void {
    this._controller?.changed.disconnect(this._update, this);
    this._controller = this._notebooks.current;
    this._controller?.changed.connect(this._update, this);
    this._update();
  }

  private _update(): void {
    const c = this._controller;
    const visible = !!c && c.connected;
    this.setHidden(!visible);
    if (c && visible) {
      const ids = c.codeCellIds();
      const counts: { [status: string]: number } = {};
      for (const id of ids) {
        const status = c.state(id)?.status;
        if (status) {
          counts[status] = (counts[status] ?? 0) + 1;
        }
      }
      this.node.textContent = statusBarText(c.mode, counts, c.progress);
    }
  }

  private _controller: IReactiveController | undefined;
}
