// The extension's notebook commands (CommandIDs): their labels, when they are enabled and toggled, and
// their palette items.

import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import { GRAPH_ID } from './graphview';
import { CommandIDs, IReactiveController, IReactiveNotebooks } from './tokens';

export function addCommands(
  app: JupyterFrontEnd,
  notebooks: IReactiveNotebooks,
  tracker: INotebookTracker,
  palette: ICommandPalette | null,
  trans: TranslationBundle
): void {
  const category = trans.__('Reactive Kernel');
  const enabled = () => !!notebooks.current?.connected;
  const commands: Array<[string, string, () => unknown, (() => boolean)?]> = [
    [
      CommandIDs.toggleMode,
      trans.__('Reactive: Toggle Autorun/Lazy'),
      () => {
        const c = notebooks.current!;
        c.setMode(c.mode === 'autorun' ? 'lazy' : 'autorun');
      },
      () => notebooks.current?.mode === 'lazy'
    ],
    [
      CommandIDs.toggleDefinitions,
      trans.__('Reactive: Toggle Definitions Ordered/Unique'),
      () => {
        const c = notebooks.current!;
        c.setDefinitions(c.definitions === 'ordered' ? 'unique' : 'ordered');
      },
      () => notebooks.current?.definitions === 'unique'
    ],
    [CommandIDs.runStale, trans.__('Reactive: Run Stale Cells'), () => notebooks.current!.runStale()],
    [
      CommandIDs.runWithAncestors,
      trans.__('Reactive: Run Cell with Its Ancestors'),
      () => notebooks.current!.runActiveWithAncestors()
    ],
    [
      CommandIDs.toggleHighlight,
      trans.__("Reactive: Highlight the Cell's Parents and Children"),
      () => notebooks.current!.toggleHighlight(),
      () => !!notebooks.current?.highlight
    ],
    [CommandIDs.showGraph, trans.__('Reactive: Show Cell Graph'), () => app.shell.activateById(GRAPH_ID)]
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
    palette?.addItem({ command: id, category });
  }
  addCacheCommands(app, notebooks, palette, trans, enabled);
  followCurrent(app, notebooks, tracker);
}

/**
 * Cell options: on code cells of a reactive notebook; also in the cell context menu (schema/plugin.json),
 * where the label goes without the palette's `Reactive:` prefix.
 */
function addCacheCommands(
  app: JupyterFrontEnd,
  notebooks: IReactiveNotebooks,
  palette: ICommandPalette | null,
  trans: TranslationBundle,
  enabled: () => boolean
): void {
  const category = trans.__('Reactive Kernel');
  const cacheCommands: Array<[string, string, string, string, 'memory' | 'disk']> = [
    [
      CommandIDs.toggleCache,
      trans.__('Cache Cell Results'),
      trans.__('Reactive: Cache Cell Results'),
      trans.__('Skip re-running the cell while its source and inputs are unchanged'),
      'memory'
    ],
    [
      CommandIDs.toggleDiskCache,
      trans.__('Cache Cell Results on Disk'),
      trans.__('Reactive: Cache Cell Results on Disk'),
      trans.__('Skip re-running the cell while its source and inputs are unchanged, across kernel restarts'),
      'disk'
    ]
  ];
  for (const [id, label, paletteLabel, caption, target] of cacheCommands) {
    app.commands.addCommand(id, {
      label: args => (args.isPalette ? paletteLabel : label),
      caption,
      execute: () => notebooks.current?.toggleCache(target),
      isEnabled: () => enabled() && notebooks.current?.activeCacheMode() !== null,
      isVisible: enabled,
      isToggled: () => notebooks.current?.activeCacheMode() === target
    });
    palette?.addItem({ command: id, category, args: { isPalette: true } });
  }
}

/** Enabled and toggled states follow the current notebook's connection and mode, and its active cell. */
function followCurrent(app: JupyterFrontEnd, notebooks: IReactiveNotebooks, tracker: INotebookTracker): void {
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
