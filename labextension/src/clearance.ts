// Keeps the active cell's status badge out from under JupyterLab's cell toolbar: the toolbar sits at the
// top right of the active cell (@jupyterlab/cell-toolbar-extension), which in a cell of one or two lines
// is where the badge is, and it is drawn above the badge.
// Imports only types from JupyterLab, so `toolbarClearance` is unit-tested with node's test runner.

import type { Cell } from '@jupyterlab/cells';
import type { Notebook } from '@jupyterlab/notebook';
import type { IDisposable } from '@lumino/disposable';

/** JupyterLab's class of the cell toolbar, which it puts first in the active cell's input area. */
const TOOLBAR = 'jp-cell-toolbar';
const HOST = 'jp-Cell-inputWrapper'; // where render.ts puts the badge
const BADGE = 'jp-reactive-badge';
/** Set on the active cell's node: how far left of its place the badge moves (CSS `right`). */
export const CLEARANCE = '--jp-reactive-toolbar-clearance';
/** The badge's distance from the bottom of the input (style/base.css). */
export const BADGE_BOTTOM = 2;

/** The part of a DOMRect this needs. */
export interface IBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * How far (px) the badge must move left of its place, at the bottom right of the cell's input (`host`), to
 * clear the cell toolbar: 0 when there is no toolbar, when it is hidden (JupyterLab hides it, at zero size,
 * when the cell's code reaches under it) or when it ends above the badge.
 */
export function toolbarClearance(toolbar: IBox | null, host: IBox, badgeHeight: number): number {
  if (!toolbar || toolbar.right <= toolbar.left || toolbar.bottom <= toolbar.top) {
    return 0;
  }
  const badgeTop = host.bottom - BADGE_BOTTOM - badgeHeight;
  if (toolbar.bottom <= badgeTop || toolbar.top >= host.bottom) {
    return 0;
  }
  return Math.max(0, Math.ceil(host.right - toolbar.left));
}

/** Follows a notebook's active cell and keeps its badge beside the cell toolbar, never under it. */
export class BadgeClearance implements IDisposable {
  constructor(private readonly _notebook: Notebook) {
    _notebook.activeCellChanged.connect(this._follow, this);
    this._follow();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._notebook.activeCellChanged.disconnect(this._follow, this);
    this._release();
  }

  private _follow(): void {
    this._release();
    const cell = this._notebook.activeCell;
    if (cell) {
      // A cell of a windowed notebook builds its DOM when it is first shown, maybe after it became active.
      void cell.ready.then(() => {
        if (!this._disposed && this._cell === null && this._notebook.activeCell === cell) {
          this._attach(cell);
        }
      });
    }
  }

  private _attach(cell: Cell): void {
    const host = cell.node.querySelector(`.${HOST}`);
    const inputArea = host?.querySelector('.jp-InputArea');
    if (!host || !inputArea) {
      return;
    }
    this._cell = cell;
    // The toolbar comes and goes as a child of the input area, some time after the cell became active, and
    // the badge as a child of the input wrapper (the host); their sizes change as the toolbar shows or hides
    // and as the cell grows or shrinks. Only the children are watched, not the editor's text.
    this._children = new MutationObserver(() => this._observe(cell));
    this._children.observe(host, { childList: true });
    this._children.observe(inputArea, { childList: true });
    this._sizes = new ResizeObserver(() => this._measure(cell));
    this._observe(cell);
  }

  private _observe(cell: Cell): void {
    const sizes = this._sizes;
    if (!sizes) {
      return;
    }
    sizes.disconnect();
    for (const selector of [HOST, TOOLBAR, BADGE]) {
      const node = cell.node.querySelector(`.${selector}`);
      if (node) {
        sizes.observe(node); // the first callback comes at once: it measures
      }
    }
  }

  private _measure(cell: Cell): void {
    const host = cell.node.querySelector(`.${HOST}`);
    const toolbar = cell.node.querySelector(`.${TOOLBAR}`);
    const badge = cell.node.querySelector<HTMLElement>(`.${BADGE}`);
    const clearance =
      host && badge
        ? toolbarClearance(toolbar?.getBoundingClientRect() ?? null, host.getBoundingClientRect(), badge.offsetHeight)
        : 0;
    if (clearance > 0) {
      cell.node.style.setProperty(CLEARANCE, `${clearance}px`);
    } else {
      cell.node.style.removeProperty(CLEARANCE);
    }
  }

  private _release(): void {
    this._children?.disconnect();
    this._sizes?.disconnect();
    this._children = this._sizes = null;
    this._cell?.node.style.removeProperty(CLEARANCE);
    this._cell = null;
  }

  private _cell: Cell | null = null;
  private _children: MutationObserver | null = null;
  private _sizes: ResizeObserver | null = null;
  private _disposed = false;
}
