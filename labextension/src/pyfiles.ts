// `.py` notebooks in JupyterLab and Notebook 7, through the document registry: the Reactive Notebook
// widget factory ("Open With > Reactive Notebook", and the default for the `.py` files the server serves as
// notebooks: pynames.ts), clean documents until the user edits (pyclean.ts), and a launcher item that
// creates a new `.py` notebook. The server's contents manager does the reading and writing
// (reactive_kernel/server/contents.py).

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { createToolbarFactory, ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import {
  INotebookModel,
  INotebookTracker,
  INotebookWidgetFactory,
  NotebookPanel,
  NotebookTracker,
  NotebookWidgetFactory
} from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';

import { CleanUntilEdited } from './pyclean';
import { PyNotebookNames } from './pynames';
import { documentPathInUrl } from './pyrules';
import { CommandIDs, KERNEL_NAME, PY_FACTORY, translation } from './tokens';

const NOTEBOOK_FACTORY = 'Notebook';
const NOTEBOOK_PANEL_PLUGIN = '@jupyterlab/notebook-extension:panel'; // where Notebook toolbar items live

export const pyFilesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'reactive-kernel-labextension:py-files',
  description: 'Open .py notebooks as notebooks on their kernel, and create new .py notebooks from the launcher.',
  autoStart: true,
  requires: [INotebookWidgetFactory, INotebookTracker],
  optional: [ILauncher, IDefaultFileBrowser, ICommandPalette, IToolbarWidgetRegistry, ISettingRegistry, ITranslator],
  activate: async (
    app: JupyterFrontEnd,
    notebookFactory: NotebookWidgetFactory.IFactory,
    tracker: INotebookTracker,
    launcher: ILauncher | null,
    browser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null,
    toolbars: IToolbarWidgetRegistry | null,
    settings: ISettingRegistry | null,
    translator: ITranslator | null
  ) => {
    const trans = translation(translator);
    keepPyNotebooksClean(notebookFactory);
    if ('rendermime' in notebookFactory && 'contentFactory' in notebookFactory) {
      const factory = addPyFactory(app, notebookFactory as NotebookWidgetFactory, tracker, toolbars, settings, translator);
      keepPyNotebooksClean(factory);
      forwardWidgetExtensions(app.docRegistry, NOTEBOOK_FACTORY, PY_FACTORY);
      const names = new PyNotebookNames(app.docRegistry);
      if (browser) {
        const listed = () => names.addListing(browser.model.items());
        browser.model.refreshed.connect(listed);
        listed();
      }
      // Before the app starts routing: the page's own document must already open with the right factory.
      await learnPageDocument(app, names);
    } else {
      console.warn('reactive_kernel: an unknown notebook factory; .py notebooks open as text');
    }
    app.commands.addCommand(CommandIDs.newPyNotebook, {
      label: args => (args.isLauncher ? trans.__('Reactive Notebook (.py)') : trans.__('New Reactive Notebook (.py)')),
      caption: trans.__('A new notebook saved as a readable .py file (percent format) on the reactive kernel'),
      execute: async () => {
        const path = browser?.model.path ?? '';
        const model = await app.serviceManager.contents.newUntitled({ path, type: 'notebook', ext: '.py' });
        return app.commands.execute('docmanager:open', {
          path: model.path,
          factory: PY_FACTORY,
          kernel: { name: KERNEL_NAME }
        });
      }
    });
    launcher?.add({ command: CommandIDs.newPyNotebook, category: 'Notebook', rank: 10 });
    palette?.addItem({ command: CommandIDs.newPyNotebook, category: trans.__('Reactive Kernel') });
  }
};

/** The Reactive Notebook factory: the Notebook factory's configuration, for `python` files. */
function addPyFactory(
  app: JupyterFrontEnd,
  notebookFactory: NotebookWidgetFactory,
  tracker: INotebookTracker,
  toolbars: IToolbarWidgetRegistry | null,
  settings: ISettingRegistry | null,
  translator: ITranslator | null
): NotebookWidgetFactory {
  const trans = translation(translator);
  const toolbarFactory =
    toolbars && settings
      ? createToolbarFactory(toolbars, settings, NOTEBOOK_FACTORY, NOTEBOOK_PANEL_PLUGIN, translator ?? nullTranslator)
      : undefined;
  const factory = new PyNotebookFactory(notebookFactory, {
    name: PY_FACTORY, // an id other settings name (defaultViewers): never translated
    label: trans.__('Reactive Notebook'),
    fileTypes: ['python'], // "Open With" on any .py; Document Manager's defaultViewers can name it
    modelName: 'notebook', // asks the server for type=notebook: the contents manager converts
    preferKernel: true,
    canStartKernel: true,
    rendermime: notebookFactory.rendermime,
    contentFactory: notebookFactory.contentFactory,
    mimeTypeService: notebookFactory.mimeTypeService,
    editorConfig: notebookFactory.editorConfig,
    notebookConfig: notebookFactory.notebookConfig,
    toolbarFactory,
    translator: translator ?? undefined // the panel's own texts, as in the Notebook factory's panels
  });
  app.docRegistry.addWidgetFactory(factory);
  const icon = app.docRegistry.getFileType('notebook')?.icon;
  factory.widgetCreated.connect((_, panel: NotebookPanel) => {
    panel.title.icon = icon;
    // Notebook commands, the reactive controller and the status bar follow the notebook tracker, which
    // only the notebook extension fills; its `add` is public on the class, not on the token's interface.
    void (tracker as NotebookTracker).add(panel);
  });
  return factory;
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
 * Widget extensions registered for one factory (`addWidgetExtension('Notebook', ...)`: the cell toolbar,
 * other extensions' toolbar buttons) also extend another: the registry keys them by factory name.
 */
function forwardWidgetExtensions(registry: DocumentRegistry, from: string, to: string): void {
  const forwarded = new Map<DocumentRegistry.WidgetExtension, IDisposable>();
  const sync = () => {
    const wanted = new Set(registry.widgetExtensions(from));
    for (const [extension, registration] of forwarded) {
      if (!wanted.has(extension)) {
        registration.dispose();
        forwarded.delete(extension);
      }
    }
    for (const extension of wanted) {
      if (!forwarded.has(extension)) {
        forwarded.set(extension, registry.addWidgetExtension(to, extension));
      }
    }
  };
  registry.changed.connect((_, change) => {
    // The registry reports factory names in lower case.
    if (change.type === 'widgetExtension' && change.name?.toLowerCase() === from.toLowerCase()) {
      sync();
    }
  });
  sync();
}

/** Every `.py` notebook a factory opens stays clean until edited (once per document model). */
function keepPyNotebooksClean(factory: DocumentRegistry.IWidgetFactory<NotebookPanel, INotebookModel>): void {
  factory.widgetCreated.connect((_, panel) => {
    const { context } = panel;
    if (!context.path.endsWith('.py') || kept.has(context.model)) {
      return;
    }
    kept.add(context.model);
    const clean = new CleanUntilEdited(context.model);
    context.disposed.connect(() => clean.dispose());
  });
}

const kept = new WeakSet<INotebookModel>();

/**
 * A page opened on a `.py` document (`/lab/tree/<path>`, Notebook 7's `/notebooks/<path>`): ask the server
 * whether it is a notebook before the router opens it by name. Notebook 7's notebook page has no file
 * browser listing to learn that from.
 */
async function learnPageDocument(app: JupyterFrontEnd, names: PyNotebookNames): Promise<void> {
  const base = new URL(app.serviceManager.serverSettings.baseUrl, window.location.href).pathname;
  const path = documentPathInUrl(window.location.pathname, base);
  if (!path?.endsWith('.py')) {
    return;
  }
  try {
    names.addModel(await app.serviceManager.contents.get(path, { content: false }));
  } catch {
    // missing or unreadable: the router shows its own error when it opens the path
  }
}
