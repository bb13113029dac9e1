// The controllers of all open notebooks (IReactiveNotebooks), and the user's settings applied to them.

import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISignal, Signal } from '@lumino/signaling';

import { ReactiveController } from './controller';
import { ITrans } from './logic';
import { STATUSES } from './protocol';
import { DEFAULT_SETTINGS, IReactiveController, IReactiveNotebooks, ISettings } from './tokens';

export class Notebooks implements IReactiveNotebooks {
  constructor(
    private readonly _tracker: INotebookTracker,
    private readonly _trans: ITrans
  ) {
    _tracker.widgetAdded.connect((_, panel) => this._add(panel));
    _tracker.currentChanged.connect(() => this._currentChanged.emit());
    _tracker.forEach(panel => this._add(panel));
  }

  controllerFor(panel: NotebookPanel | null): IReactiveController | undefined {
    return panel ? this._controllers.get(panel) : undefined;
  }

  get current(): IReactiveController | undefined {
    return this.controllerFor(this._tracker.currentWidget);
  }

  get currentChanged(): ISignal<IReactiveNotebooks, void> {
    return this._currentChanged;
  }

  set settings(settings: ISettings) {
    this._settings = settings;
    this._controllers.forEach(c => c.updateSettings(settings));
    applyColors(settings);
  }

  private _add(panel: NotebookPanel): void {
    const controller = new ReactiveController(panel, this._settings, this._trans);
    this._controllers.set(panel, controller);
    panel.disposed.connect(() => this._controllers.delete(panel));
    this._currentChanged.emit();
  }

  private _settings: ISettings = DEFAULT_SETTINGS;
  private _controllers = new Map<NotebookPanel, ReactiveController>();
  private _currentChanged = new Signal<IReactiveNotebooks, void>(this);
}

/** User colours override the stylesheet's per-status CSS variables. */
function applyColors(settings: ISettings): void {
  for (const status of STATUSES) {
    const colour = settings.colors[status];
    const name = `--jp-reactive-${status}`;
    if (colour) {
      document.documentElement.style.setProperty(name, colour);
    } else {
      document.documentElement.style.removeProperty(name);
    }
  }
}
