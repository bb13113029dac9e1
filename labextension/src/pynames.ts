// Which `.py` files open as notebooks: a document registry file type whose name pattern lists the `.py`
// files the server serves as notebooks, with the Reactive Notebook factory as its default.
//
// JupyterLab picks a document's widget factory from its file name alone: a double-click in the file
// browser and the `/lab/tree/<path>` route (`filebrowser:open-path` -> `docmanager:open`) both ask
// `DocumentRegistry.defaultWidgetFactory(path)`, which looks only at the file types matching the name.
// Whether a `.py` file is a notebook is the server's verdict (its contents manager reports `type:
// notebook`), so the names it reported become a file type: a pattern match comes before extension
// matches, so these names get the Reactive Notebook factory and every other `.py` keeps the editor.

import { Contents } from '@jupyterlab/services';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { notebookIcon } from '@jupyterlab/ui-components';
import { IDisposable } from '@lumino/disposable';

import { baseName, exactNamesPattern } from './pyrules';
import { PY_FACTORY } from './tokens';

/** The file type name of `.py` files the server serves as notebooks. */
export const PY_NOTEBOOK_FILE_TYPE = 'reactive-py-notebook';

const SUFFIX = '.py';

export class PyNotebookNames implements IDisposable {
  constructor(private _registry: DocumentRegistry) {}

  /** Take the verdicts of a directory listing: `.py` items of type notebook open as notebooks, others not. */
  addListing(items: Iterable<Contents.IModel>): void {
    for (const item of items) {
      this._record(item);
    }
    this._update();
  }

  /** Take the verdict on one file (the document a page was opened on). */
  addModel(model: Contents.IModel): void {
    this._record(model);
    this._update();
  }

  /** The names that open as notebooks now. */
  get names(): string[] {
    return [...this._verdicts].filter(([, isNotebook]) => isNotebook).map(([name]) => name);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    this._isDisposed = true;
    this._registration?.dispose();
    this._registration = null;
  }

  // A name's latest verdict wins: the registry sees names, not directories, and the file browser shows
  // (and `/lab/tree/<path>` first lists) the directory of the file being opened.
  private _record(item: Contents.IModel): void {
    const name = item.name || baseName(item.path);
    if (item.type !== 'directory' && name.endsWith(SUFFIX)) {
      this._verdicts.set(name, item.type === 'notebook');
    }
  }

  private _update(): void {
    if (this._isDisposed) {
      return;
    }
    const pattern = exactNamesPattern(this.names);
    if (pattern === this._pattern) {
      return;
    }
    this._pattern = pattern;
    this._registration?.dispose(); // a file type's pattern is fixed once added: replace the file type
    this._registration = pattern
      ? this._registry.addFileType(
          {
            name: PY_NOTEBOOK_FILE_TYPE,
            displayName: 'Python Notebook (.py)',
            contentType: 'notebook',
            fileFormat: 'json',
            extensions: [],
            mimeTypes: ['text/x-python'],
            pattern,
            icon: notebookIcon
          },
          [PY_FACTORY]
        )
      : null;
  }

  private _verdicts = new Map<string, boolean>();
  private _pattern: string | null = null;
  private _registration: IDisposable | null = null;
  private _isDisposed = false;
}
