// A `.py` notebook stays clean until the user edits it.
//
// JupyterLab marks a notebook dirty when it fills in metadata on its own: an empty `language_info` as the
// document loads (when the file has none), then the kernel's `language_info` and the kernelspec's display
// details once the kernel is up. An `.ipynb` stores those fields and has them after its first save; a
// `.py` does not store `language_info` at all, so every `.py` showed the unsaved dot within a second of
// opening and asked "Save changes?" on close. Here a model that was clean stays clean through those
// fill-ins; any other change (a cell edit, a kernel switch, outputs) still makes it dirty as usual.

import { INotebookModel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';

import { IMetadataChange, isFilledInMetadata } from './pyrules';

export class CleanUntilEdited implements IDisposable {
  constructor(private _model: INotebookModel) {
    _model.metadataChanged.connect(this._onMetadata, this);
    _model.contentChanged.connect(this._onContent, this);
    _model.stateChanged.connect(this._onState, this);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._model.metadataChanged.disconnect(this._onMetadata, this);
    this._model.contentChanged.disconnect(this._onContent, this);
    this._model.stateChanged.disconnect(this._onState, this);
  }

  // The notebook model reports a metadata change, then the content change it makes: remember whether the
  // next content change is a fill-in.
  private _onMetadata(_: unknown, change: IMetadataChange): void {
    this._fillIn = isFilledInMetadata(change);
  }

  private _onContent(): void {
    if (this._fillIn) {
      this._fillIn = false;
    } else {
      this._edits += 1;
    }
  }

  // The model sets `dirty` after the change that caused it; a model whose only changes since it was last
  // clean are fill-ins is put back to clean before anything is drawn. In a microtask, so that every
  // listener sees `dirty` turn on and then off, in that order.
  private _onState(_: unknown, change: { name: string; newValue?: unknown }): void {
    if (change.name !== 'dirty') {
      return;
    }
    if (change.newValue === false) {
      this._edits = 0; // loaded, saved or reverted: compare with this state from now on
    } else if (this._edits === 0) {
      void Promise.resolve().then(() => {
        if (!this._isDisposed && this._edits === 0 && this._model.dirty) {
          this._model.dirty = false;
        }
      });
    }
  }

  private _fillIn = false;
  private _edits = 0;
  private _isDisposed = false;
}
