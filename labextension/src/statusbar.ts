// Status bar item: the current notebook's mode, what needs attention, and cascade progress.

import { Widget } from '@lumino/widgets';

import { ITrans, statusBarParts } from './logic';
import { IReactiveController, IReactiveNotebooks } from './tokens';

export class ReactiveStatus extends Widget {
  constructor(
    private _notebooks: IReactiveNotebooks,
    private _trans: ITrans
  ) {
    super();
    this.addClass('jp-reactive-statusbar');
    // One literal per text, so translation tools can extract it.
    this.node.title = _trans.__(
      'Reactive kernel: mode, definitions policy, stale and failed cells (click the mode to switch autorun/lazy, the policy to switch ordered/unique)'
    );
    _notebooks.currentChanged.connect(this._follow, this);
    this._follow();
  }

  /** Clicking the definitions policy switches it; clicking anywhere else switches the mode. */
  onClick(target?: EventTarget | null): void {
    const controller = this._controller;
    if (!controller?.connected) {
      return;
    }
    if (target instanceof HTMLElement && target.dataset.part === 'definitions') {
      controller.setDefinitions(controller.definitions === 'ordered' ? 'unique' : 'ordered');
    } else {
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
      const trans = this._trans;
      const parts = statusBarParts(c.mode, c.counts(), c.progress, c.definitions, trans);
      this.node.replaceChildren(
        ...parts.flatMap((text, i) => {
          const span = document.createElement('span');
          span.textContent = text;
          if (i === 1) {
            span.dataset.part = 'definitions';
            span.classList.add('jp-reactive-statusbar-definitions');
            span.title =
              c.definitions === 'ordered'
                ? trans.__('Definitions: ordered, a read takes the nearest definition above (click for unique)')
                : trans.__('Definitions: unique, a name defined in two cells is an error (click for ordered)');
          }
          return i === 0 ? [span] : [document.createTextNode(' · '), span];
        })
      );
    }
  }

  private _controller: IReactiveController | undefined;
}
