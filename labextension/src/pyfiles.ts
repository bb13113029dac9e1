// `.py` notebooks in JupyterLab: "Open With > Reactive Notebook" for any Python file, and a launcher item
// that creates a new `.py` notebook. The server's contents manager does the reading and writing
// (reactive_kernel/contents.py); a `.py` file it recognises as a notebook is listed as one, so a
// double-click opens it with the ordinary Notebook factory.

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { createToolbarFactory, ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import {
  INotebookTracker,
  INotebookWidgetFactory,
  NotebookPanel,
  NotebookTracker,
  NotebookWidgetFactory
} from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { nullTranslator } from '@jupyterlab/translation';

import { CommandIDs, KERNEL_NAME, PY_FACTORY } from './tokens';

const NOTEBOOK_PANEL_PLUGIN = '@jupyterlab/notebook-extension:panel'; // where Notebook toolbar items live

export const pyFilesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'reactive-kernel-labextension:py-files',
  description: 'Open any .py file as a reactive notebook, and create new .py notebooks from the launcher.',
  autoStart: true,
  requires: [INotebookWidgetFactory, INotebookTracker],
  optional: [ILauncher, IDefaultFileBrowser, ICommandPalette, IToolbarWidgetRegistry, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    notebookFactory: NotebookWidgetFactory.IFactory,
    tracker: INotebookTracker,
    launcher: ILauncher | null,
    browser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null,
    toolbars: IToolbarWidgetRegistry | null,
    settings: ISettingRegistry | null
  ) => {
    if ('rendermime' in notebookFactory && 'contentFactory' in notebookFactory) {
      addPyFactory(app, notebookFactory as NotebookWidgetFactory, tracker, toolbars, settings);
      if (browser) {
        openListedNotebooksAsNotebooks(app, browser);
      }
    } else {
      console.warn('reactive_kernel: an unknown notebook factory; no "Open With > Reactive Notebook"');
    }
    app.commands.addCommand(CommandIDs.newPyNotebook, {
      label: args => (args.isLauncher ? 'Reactive Notebook (.py)' : 'New Reactive Notebook (.py)'),
      caption: 'A new notebook saved as a readable .py file (percent format) on the reactive kernel',
      execute: async () => {
        const path = browser?.model.path ?? '';
        const model = await app.serviceManager.contents.newUntitled({ path, type: 'notebook', ext: '.py' });
        return app.commands.execute('docmanager:open', {
          path: model.path,
          factory: 'Notebook',
          kernel: { name: KERNEL_NAME }
        });
      }
    });
    launcher?.add({ command: CommandIDs.newPyNotebook, category: 'Notebook', rank: 10 });
    palette?.addItem({ command: CommandIDs.newPyNotebook, category: 'Reactive Kernel' });
  }
};

/** "Open With > Reactive Notebook": the Notebook factory's configuration, for the `python` file type. */
function addPyFactory(
  app: JupyterFrontEnd,
  notebookFactory: NotebookWidgetFactory,
  tracker: INotebookTracker,
  toolbars: IToolbarWidgetRegistry | null,
  settings: ISettingRegistry | null
): void {
  const factory = new PyNotebookFactory(notebookFactory, {
    name: PY_FACTORY,
    label: 'Reactive Notebook',
    fileTypes: ['python'],
    modelName: 'notebook', // asks the server for type=notebook: the contents manager converts
    preferKernel: true,
    canStartKernel: true,
    rendermime: notebookFactory.rendermime,
    contentFactory: notebookFactory.contentFactory,
    mimeTypeService: notebookFactory.mimeTypeService,
    editorConfig: notebookFactory.editorConfig,
    notebookConfig: notebookFactory.notebookConfig,
    toolbarFactory:
      toolbars && settings
        ? createToolbarFactory(toolbars, settings, 'Notebook', NOTEBOOK_PANEL_PLUGIN, nullTranslator)
        : undefined
  });
  app.docRegistry.addWidgetFactory(factory);
  // Notebook commands, the reactive controller and the status bar follow the notebook tracker.
  factory.widgetCreated.connect((_, panel: NotebookPanel) => void (tracker as NotebookTracker).add(panel));
}

/**
 * The Notebook factory's twin for `.py` files. It opens documents the way the Notebook factory does:
 * jupyter-collaboration sets `contentProviderId = 'rtc'` on the Notebook factory (whenever its plugin
 * activates), and a factory without it opens a private copy that collaborates with no one and overwrites
 * the others' edits on save (jupytext #1432).
 */
class PyNotebookFactory extends NotebookWidgetFactory {
  constructor(
    private readonly _notebookFactory: NotebookWidgetFactory,
    options: NotebookWidgetFactory.IOptions<NotebookPanel>
  ) {
    super(options);
  }

  get contentProviderId(): string | undefined {
    return super.contentProviderId ?? this._notebookFactory.contentProviderId;
  }

  set contentProviderId(value: string | undefined) {
    super.contentProviderId = value;
  }
}

/**
 * A double-click opens a file with the default factory for its name (`.py`: the editor). The server lists
 * `.py` notebooks as `type: notebook`; for those, the default becomes the Reactive Notebook factory.
 * Other `.py` files keep the editor, unless the user sets Document Manager's `defaultViewers` to
 * `{"python": "Reactive Notebook"}`.
 */
function openListedNotebooksAsNotebooks(app: JupyterFrontEnd, browser: IDefaultFileBrowser): void {
  const registry = app.docRegistry;
  const byName = registry.defaultWidgetFactory.bind(registry);
  registry.defaultWidgetFactory = (path?: string) => {
    if (path?.endsWith('.py')) {
      const listed = Array.from(browser.model.items()).find(item => item.path === path);
      const factory = listed?.type === 'notebook' ? registry.getWidgetFactory(PY_FACTORY) : undefined;
      if (factory) {
        return factory;
      }
    }
    return byName(path);
  };
}
