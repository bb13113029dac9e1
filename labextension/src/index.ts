// The extension's plugins: notebook controllers, commands, status bar item, graph view.

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { LabIcon } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';

import { ReactiveController } from './controller';
import { GraphView } from './graphview';
import { ENGLISH } from './logic';
import { pyFilesPlugin } from './pyfiles';
import { STATUSES } from './protocol';
import { ReactiveStatus } from './statusbar';
import {
  CommandIDs,
  DEFAULT_SETTINGS,
  IReactiveController,
  IReactiveNotebooks,
  ISettings,
  PLUGIN_ID
} from './tokens';

/** Commands that interrupt the kernel; after them the frontend stops its cascade. */
const INTERRUPTS = new Set(['notebook:interrupt-kernel', 'kernelmenu:interrupt', 'runmenu:interrupt']);

const graphIcon = new LabIcon({
  name: 'reactive-kernel-labextension:graph',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">' +
    '<g class="jp-icon3" fill="#616161"><circle cx="8" cy="3" r="2"/><circle cx="3.5" cy="13" r="2"/>' +
    '<circle cx="12.5" cy="13" r="2"/><path d="M7.4 4.6 4 11.2l.9.5 3.4-6.6zM8.6 4.6l3.4 6.6-.9.5-3.4-6.6z"/>' +
    '</g></svg>'
});

class Notebooks implements IReactiveNotebooks {
  constructor(private _tracker: INotebookTracker) {
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
    const controller = new ReactiveController(panel, this._settings, ENGLISH);
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

const notebooksPlugin: JupyterFrontEndPlugin<IReactiveNotebooks> = {
  id: PLUGIN_ID,
  description: 'Connects notebooks on a reactive kernel and shows every cell state.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ISettingRegistry],
  provides: IReactiveNotebooks,
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, registry: ISettingRegistry | null) => {
    const notebooks = new Notebooks(tracker);
    if (registry) {
      void registry.load(PLUGIN_ID).then(settings => {
        const read = () => (notebooks.settings = { ...DEFAULT_SETTINGS, ...(settings.composite as object) });
        settings.changed.connect(read);
        read();
      });
    }
    app.commands.commandExecuted.connect((_, args) => {
      if (INTERRUPTS.has(args.id)) {
        notebooks.current?.stop();
      }
    });
    return notebooks;
  }
};

const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'reactive-kernel-labextension:commands',
  description:
    'Commands: toggle autorun/lazy, run stale cells, run with ancestors, highlight relations, cache cells.',
  autoStart: true,
  requires: [IReactiveNotebooks, INotebookTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    notebooks: IReactiveNotebooks,
    tracker: INotebookTracker,
    palette: ICommandPalette | null
  ) => {
    const enabled = () => !!notebooks.current?.connected;
    const commands: Array<[string, string, () => unknown, (() => boolean)?]> = [
      [
        CommandIDs.toggleMode,
        'Reactive: Toggle Autorun/Lazy',
        () => {
          const c = notebooks.current!;
          c.setMode(c.mode === 'autorun' ? 'lazy' : 'autorun');
        },
        () => notebooks.current?.mode === 'lazy'
      ],
      [
        CommandIDs.toggleDefinitions,
        'Reactive: Toggle Definitions Ordered/Unique',
        () => {
          const c = notebooks.current!;
          c.setDefinitions(c.definitions === 'ordered' ? 'unique' : 'ordered');
        },
        () => notebooks.current?.definitions === 'unique'
      ],
      [CommandIDs.runStale, 'Reactive: Run Stale Cells', () => notebooks.current!.runStale()],
      [CommandIDs.runWithAncestors, 'Reactive: Run Cell with Its Ancestors', () => notebooks.current!.runActiveWithAncestors()],
      [
        CommandIDs.toggleHighlight,
        "Reactive: Highlight the Cell's Parents and Children",
        () => notebooks.current!.toggleHighlight(),
        () => !!notebooks.current?.highlight
      ],
      [CommandIDs.showGraph, 'Reactive: Show Cell Graph', () => app.shell.activateById('jp-reactive-graph')]
    ];
    for (const [id, label, execute, isToggled] of commands) {
      const always = id === CommandIDs.showGraph;
      app.commands.addCommand(id, {
        label,
        caption: label,
        execute,
        isEnabled: always ? () => true : enabled,
        isToggled
      });
      palette?.addItem({ command: id, category: 'Reactive Kernel' });
    }
    // Cell options: on code cells of a reactive notebook; also in the cell context menu (schema/plugin.json),
    // where the label goes without the palette's `Reactive:` prefix.
    const cacheCommands: Array<[string, string, 'memory' | 'disk']> = [
      [CommandIDs.toggleCache, 'Cache Cell Results', 'memory'],
      [CommandIDs.toggleDiskCache, 'Cache Cell Results on Disk', 'disk']
    ];
    for (const [id, label, target] of cacheCommands) {
      app.commands.addCommand(id, {
        label: args => (args.isPalette ? `Reactive: ${label}` : label),
        caption:
          target === 'disk'
            ? 'Skip re-running the cell while its source and inputs are unchanged, across kernel restarts'
            : 'Skip re-running the cell while its source and inputs are unchanged',
        execute: () => notebooks.current?.toggleCache(target),
        isEnabled: () => enabled() && notebooks.current?.activeCacheMode() !== null,
        isVisible: enabled,
        isToggled: () => notebooks.current?.activeCacheMode() === target
      });
      palette?.addItem({ command: id, category: 'Reactive Kernel', args: { isPalette: true } });
    }
    // Enabled and toggled states follow the current notebook's connection and mode.
    let followed: IReactiveController | undefined;
    let shown = '';
    const refresh = () => {
      const c = notebooks.current;
      const now = `${c?.connected}|${c?.mode}|${c?.definitions}|${c?.highlight}|${c?.activeCacheMode()}`;
      if (now !== shown) {
        shown = now; // re-rendering toolbars on every state message would slow cascades down
        app.commands.notifyCommandChanged();
      }
    };
    notebooks.currentChanged.connect(() => {
      followed?.changed.disconnect(refresh);
      followed = notebooks.current;
      followed?.changed.connect(refresh);
      refresh();
    });
    tracker.activeCellChanged.connect(refresh); // the cache toggles follow the active cell
  }
};

const statusPlugin: JupyterFrontEndPlugin<void> = {
  id: 'reactive-kernel-labextension:status',
  description: 'Status bar item with the mode, stale and failed cells, and cascade progress.',
  autoStart: true,
  requires: [IReactiveNotebooks],
  optional: [IStatusBar],
  activate: (app: JupyterFrontEnd, notebooks: IReactiveNotebooks, statusBar: IStatusBar | null) => {
    if (!statusBar) {
      return;
    }
    const item = new ReactiveStatus(notebooks);
    item.node.addEventListener('click', event => item.onClick(event.target));
    statusBar.registerStatusItem('reactive-kernel-labextension:status', {
      item,
      align: 'left',
      rank: 5,
      isActive: () => !!notebooks.current?.connected,
      activeStateChanged: notebooks.currentChanged
    });
  }
};

const graphPlugin: JupyterFrontEndPlugin<void> = {
  id: 'reactive-kernel-labextension:graph',
  description: 'Side panel drawing the notebook cell graph with statuses.',
  autoStart: true,
  requires: [IReactiveNotebooks],
  activate: (app: JupyterFrontEnd, notebooks: IReactiveNotebooks) => {
    const view = new GraphView(notebooks);
    view.title.icon = graphIcon;
    app.shell.add(view, 'right', { rank: 900 });
  }
};

export default [notebooksPlugin, commandsPlugin, statusPlugin, graphPlugin, pyFilesPlugin];
