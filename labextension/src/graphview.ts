// Side panel drawing the current notebook's cell graph: graphlayout.ts places it, graphcanvas.ts draws
// it, panzoom.ts moves it. The graph is laid out again only when its cells or edges change; otherwise
// only the boxes whose status or label changed are touched, so an open panel does not slow a cascade.
// It marks the notebook's active cell with its ancestors and descendants; clicking a box goes to its cell.

import { ICellModel } from '@jupyterlab/cells';
import { Widget } from '@lumino/widgets';

import { GraphCanvas } from './graphcanvas';
import { cellGraph, ICellGraph, layoutGraph, relatives } from './graphlayout';
import { nodeLabel } from './graphtext';
import { cacheMode, describe, ITrans, titleOf } from './logic';
import { PanZoom } from './panzoom';
import { IReactiveController, IReactiveNotebooks } from './tokens';

/** The panel's widget id (`reactive:show-graph` activates it). */
export const GRAPH_ID = 'jp-reactive-graph';

const ZOOM_STEP = 1.25;
const EMPTY: ICellGraph = { order: [], parents: new Map(), children: new Map() };

export class GraphView extends Widget {
  constructor(
    private _notebooks: IReactiveNotebooks,
    private _trans: ITrans
  ) {
    super();
    this.id = GRAPH_ID;
    this.addClass('jp-reactive-graph');
    this.title.caption = _trans.__('Reactive dependency graph');
    this.title.label = _trans.__('Cell graph');
    this._canvas = new GraphCanvas(
      id => this._controller?.scrollTo(id),
      id => this._tooltip(id)
    );
    const svg = this._canvas.svg;
    svg.setAttribute(
      'aria-label',
      _trans.__('Cell graph: drag or use the arrow keys to pan, the wheel or + and - to zoom, 0 to fit')
    );
    this._panZoom = new PanZoom(
      svg,
      this._canvas.viewport,
      () => this._canvas.layout,
      (view, size) => this._canvas.setView(view, size)
    );
    svg.addEventListener('focusin', event => this._revealFocused(event.target as Element));
    this._note.className = 'jp-reactive-graph-note';
    this._note.textContent = _trans.__('Open a notebook on the Python 3 (reactive) kernel to see its cell graph.');
    this.node.append(this._toolbar(), this._note, svg);
    _notebooks.currentChanged.connect(this._follow, this);
    this._follow();
  }

  dispose(): void {
    this._watch(undefined);
    this._panZoom.dispose();
    super.dispose();
  }

  protected onAfterShow(): void {
    this._update();
  }

  /** Show the current notebook's graph, from scratch. */
  private _follow(): void {
    const next = this._notebooks.current;
    if (next === this._controller) {
      this._update();
      return;
    }
    this._watch(next);
    this._canvas.clear();
    this._cellsChanged = true;
    this._ids = [];
    this._parents.clear();
    this._drawn.clear();
    this._labels.clear();
    this._positions.clear();
    this._models.clear();
    this._graph = EMPTY;
    this._active = null;
    this._update();
  }

  private _watch(controller: IReactiveController | undefined): void {
    this._controller?.changed.disconnect(this._update, this);
    this._controller?.panel.content.activeCellChanged.disconnect(this._update, this);
    this._controller?.panel.content.model?.cells.changed.disconnect(this._onCellsChanged, this);
    this._controller = controller;
    controller?.changed.connect(this._update, this);
    controller?.panel.content.activeCellChanged.connect(this._update, this);
    const model = controller?.panel.content.model;
    if (model) {
      model.cells.changed.connect(this._onCellsChanged, this);
    } else if (controller) {
      void controller.panel.context.ready.then(() => {
        if (this._controller === controller) {
          controller.panel.content.model?.cells.changed.connect(this._onCellsChanged, this);
          this._onCellsChanged();
          this._update();
        }
      });
    }
  }

  /** Cells were inserted, moved, deleted or changed type: the code cells' list is read again. */
  private _onCellsChanged(): void {
    this._cellsChanged = true;
  }

  private _update(): void {
    if (!this.isVisible || this.isDisposed) {
      return; // brought up to date when shown
    }
    const c = this._controller;
    const shown = !!c && c.connected;
    this._note.hidden = shown;
    this._canvas.svg.style.display = shown ? '' : 'none';
    if (!c || !shown) {
      return;
    }
    // A cascade calls this once a frame: with the same cells, only the states that changed are looked at
    const cellsChanged = this._cellsChanged || c.panel.content.widgets.length !== this._widgets;
    this._cellsChanged = false;
    const ids = cellsChanged ? this._readCells(c) : this._ids;
    const relaid = this._layOutIfChanged(c, ids, cellsChanged);
    const moved = relaid || (cellsChanged && this._positionsChanged);
    for (const id of ids) {
      this._drawNode(c, id, this._models.get(id)!, moved);
    }
    this._drawRelations(c, relaid);
  }

  /** The code cells in notebook order, their positions and models; whether a position changed. */
  private _readCells(c: IReactiveController): string[] {
    const ids: string[] = [];
    const positions = new Map<string, number>();
    const models = new Map<string, ICellModel>();
    const cells = c.panel.content.widgets;
    cells.forEach((cell, i) => {
      if (cell.model.type === 'code') {
        ids.push(cell.model.id);
        positions.set(cell.model.id, i + 1);
        models.set(cell.model.id, cell.model);
      }
    });
    this._widgets = cells.length;
    this._positionsChanged = ids.some(id => positions.get(id) !== this._positions.get(id));
    this._positions = positions;
    this._models = models;
    return ids;
  }

  /**
   * Lay the graph out again when its cells or edges are not the ones drawn; whether it did. Only the
   * cells whose state changed since their box was drawn can have new parents (a state is replaced, not
   * changed, when it changes), so the same cells with the same states need no look at their parents.
   */
  private _layOutIfChanged(c: IReactiveController, ids: string[], cellsChanged: boolean): boolean {
    const parentsOf = (id: string) => c.state(id)?.parents ?? [];
    const sameCells = !cellsChanged || (ids.length === this._ids.length && ids.every((id, i) => id === this._ids[i]));
    const same =
      sameCells &&
      ids.every(id => c.state(id) === this._drawn.get(id) || sameList(parentsOf(id), this._parents.get(id)!));
    if (same) {
      return false;
    }
    const first = this._canvas.layout === null;
    this._ids = ids;
    this._parents = new Map(ids.map(id => [id, [...parentsOf(id)]]));
    this._graph = cellGraph(ids, id => this._parents.get(id)!);
    for (const id of [...this._drawn.keys()]) {
      if (!this._parents.has(id)) {
        this._drawn.delete(id);
        this._labels.delete(id);
      }
    }
    this._canvas.setLayout(layoutGraph(this._graph));
    this._layouts += 1;
    this._canvas.svg.setAttribute('data-reactive-layouts', String(this._layouts));
    if (first) {
      this._panZoom.start();
    }
    return true;
  }

  /** Draw a box again if its cell's state or position changed since it was drawn. */
  private _drawNode(c: IReactiveController, id: string, model: ICellModel, moved: boolean): void {
    const state = c.state(id);
    if (!moved && this._drawn.has(id) && this._drawn.get(id) === state) {
      return;
    }
    this._drawn.set(id, state);
    const title = titleOf(model.metadata);
    const position = this._name(id);
    const label = title
      ? `${position} (${title})` // the name it was given, as messages show it
      : nodeLabel(position, state?.defs ?? [], model.sharedModel.getSource(), this._trans);
    this._labels.set(id, label);
    this._canvas.setNode(id, state?.status ?? 'unrun', label);
  }

  /** A box's tooltip: its full label, then what the cell's badge says on hover. */
  private _tooltip(id: string): string {
    const c = this._controller;
    const state = c?.state(id);
    const model = this._models.get(id);
    const about = state
      ? describe(state, other => c!.cellLabel(other), cacheMode(model?.getMetadata('reactive')), this._trans)
      : this._trans.__('status: %1', 'unrun');
    return `${this._labels.get(id) ?? this._name(id)}\n${about}`;
  }

  /** `#5` for the notebook's fifth cell. */
  private _name(id: string): string {
    const position = this._positions.get(id);
    return position === undefined ? id : `#${position}`;
  }

  /** Mark the active cell's ancestors and descendants when it or the graph changed; show its box. */
  private _drawRelations(c: IReactiveController, relaid: boolean): void {
    const id = c.panel.content.activeCell?.model.id;
    const active = id !== undefined && this._graph.parents.has(id) ? id : null;
    if (!relaid && active === this._active) {
      return;
    }
    const moved = active !== this._active;
    this._active = active;
    const none = new Set<string>();
    const { ancestors, descendants } = active ? relatives(this._graph, active) : { ancestors: none, descendants: none };
    this._canvas.setRelations(active, ancestors, descendants);
    const box = active && moved ? this._canvas.box(active) : null;
    if (box) {
      this._panZoom.reveal(box);
    }
  }

  private _revealFocused(target: Element): void {
    const id = target.closest('.jp-reactive-graph-node')?.getAttribute('data-cell-id');
    const box = id ? this._canvas.box(id) : null;
    if (box) {
      this._panZoom.reveal(box);
    }
  }

  private _toolbar(): HTMLElement {
    const bar = document.createElement('div');
    bar.className = 'jp-reactive-graph-toolbar';
    const button = (action: string, text: string, title: string, run: () => void) => {
      const b = document.createElement('button');
      b.className = 'jp-reactive-graph-button';
      b.type = 'button';
      b.dataset.action = action;
      b.textContent = text;
      b.title = title;
      b.setAttribute('aria-label', title);
      b.addEventListener('click', run);
      return b;
    };
    const trans = this._trans;
    bar.append(
      button('fit', trans.__('Fit'), trans.__('Fit the whole graph in the panel (0)'), () => this._panZoom.fit()),
      button('zoom-in', '+', trans.__('Zoom in (+)'), () => this._panZoom.zoom(ZOOM_STEP)),
      button('zoom-out', '\u2212', trans.__('Zoom out (-)'), () => this._panZoom.zoom(1 / ZOOM_STEP))
    );
    return bar;
  }

  private readonly _canvas: GraphCanvas;
  private readonly _panZoom: PanZoom;
  private readonly _note = document.createElement('p');
  private _controller: IReactiveController | undefined;
  private _ids: string[] = []; // code cells drawn, in notebook order
  private _parents = new Map<string, readonly string[]>(); // each cell's parents as drawn
  private _graph: ICellGraph = EMPTY;
  private _drawn = new Map<string, unknown>(); // cell id -> the state object its box shows
  private _labels = new Map<string, string>(); // cell id -> its box's full label
  private _positions = new Map<string, number>(); // cell id -> its position in the notebook (1-based)
  private _models = new Map<string, ICellModel>(); // code cell id -> its model
  private _active: string | null = null;
  private _cellsChanged = true; // the code cells' list is to be read again
  private _positionsChanged = false; // a code cell's position changed when it was last read
  private _widgets = 0; // the notebook's cells, every type, when last read
  private _layouts = 0; // layouts done, for tests (`data-reactive-layouts`)
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
