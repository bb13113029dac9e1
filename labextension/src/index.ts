// The extension's plugins: notebook controllers, commands, status bar item, graph view, `.py` notebooks.

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator } from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';

import { addCommands } from './commands';
import { GraphView } from './graphview';
import { Notebooks } from './notebooks';
import { pyFilesPlugin } from './pyfiles';
import { ReactiveStatus } from './statusbar';
import { DEFAULT_SETTINGS, IReactiveNotebooks, PLUGIN_ID, translation } from './tokens';

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

const notebooksPlugin: JupyterFrontEndPlugin<IReactiveNotebooks> = {
  id: PLUGIN_ID,
  description: 'Connects notebooks on a reactive kernel and shows every cell state.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ISettingRegistry, ITranslator],
  provides: IReactiveNotebooks,
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    registry: ISettingRegistry | null,
    translator: ITranslator | null
  ) => {
    const notebooks = new Notebooks(tracker, translation(translator));
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
  optional: [ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    notebooks: IReactiveNotebooks,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ) => addCommands(app, notebooks, tracker, palette, translation(translator))
};

const statusPlugin: JupyterFrontEndPlugin<void> = {
  id: 'reactive-kernel-labextension:status',
  description: 'Status bar item with the mode, stale and failed cells, and cascade progress.',
  autoStart: true,
  requires: [IReactiveNotebooks],
  optional: [IStatusBar, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    notebooks: IReactiveNotebooks,
    statusBar: IStatusBar | null,
    translator: ITranslator | null
  ) => {
    if (!statusBar) {
      return;
    }
    const item = new ReactiveStatus(notebooks, translation(translator));
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
  optional: [ITranslator],
  activate: (app: JupyterFrontEnd, notebooks: IReactiveNotebooks, translator: ITranslator | null) => {
    const view = new GraphView(notebooks, translation(translator));
    view.title.icon = graphIcon;
    app.shell.add(view, 'right', { rank: 900 });
  }
};

export default [notebooksPlugin, commandsPlugin, statusPlugin, graphPlugin, pyFilesPlugin];
