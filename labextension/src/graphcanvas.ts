// The graph view's SVG: one element per cell and edge, kept by id and changed in place. A new layout
// moves the boxes and redraws the edges; a status, label or highlight change touches only its element.
// Only the boxes and edges in view (and a margin around it, graphcull.ts) are on the page: the others
// wait off the page, kept up to date, and come back when a pan or zoom brings them into view. A page
// restyles and repaints every element of an SVG it holds, so thousands of boxes would slow a cascade.

import { edgeRect, inView, shownRect, tabNeighbours } from './graphcull';
import { IGraphLayout } from './graphlayout';
import { fitText } from './graphtext';
import { IRect, ISize, IView } from './viewport';

const SVG = 'http://www.w3.org/2000/svg';
const ARROW = 'jp-reactive-graph-arrow';
const ARROW_RELATED = 'jp-reactive-graph-arrow-related';
const TEXT_X = 8; // the label's left padding in its box
const CHAR_WIDTH = 6.7; // px per character of the 11px code font (monospace), until measured

export type Relation = 'active' | 'ancestor' | 'descendant';

interface IShown {
  attached: boolean; // on the page (in view), or kept off it
  rect: IRect; // where it is drawn, in drawing coordinates
}

interface INodeView extends IShown {
  g: SVGGElement;
  text: SVGTextElement;
  title: SVGTitleElement;
  status: string;
  label: string;
  relation: Relation | undefined;
}

interface IEdgeView extends IShown {
  path: SVGPathElement;
  relation: Relation | undefined;
}

export class GraphCanvas {
  /**
   * `onActivate` is called with a cell id when its box is clicked, or pressed with Enter or Space;
   * `describe` gives a box's tooltip, asked when the pointer or the focus comes to the box (not on every
   * state change: a cascade changes many boxes, and nobody reads their tooltips meanwhile).
   */
  constructor(
    private readonly _onActivate: (id: string) => void,
    private readonly _describe: (id: string) => string
  ) {
    const svg = (this.svg = el('svg', { class: 'jp-reactive-graph-canvas', tabindex: '0', role: 'group' }));
    const defs = el('defs', {});
    defs.append(
      arrowhead(ARROW, 'jp-reactive-graph-arrowhead'),
      arrowhead(ARROW_RELATED, 'jp-reactive-graph-arrowhead-related')
    );
    this.viewport = el('g', { class: 'jp-reactive-graph-viewport' });
    this._edges = el('g', { class: 'jp-reactive-graph-edges' });
    this._nodes = el('g', { class: 'jp-reactive-graph-nodes' });
    this.viewport.append(this._edges, this._nodes);
    svg.append(defs, this.viewport);
    this._nodes.addEventListener('click', event => this._activate(event));
    this._nodes.addEventListener('pointerover', event => this._explain(event.target as Element));
    this._nodes.addEventListener('focusin', event => {
      this._explain(event.target as Element);
      this._cull(); // the focused box's neighbours in the Tab order come on the page
    });
    this._nodes.addEventListener('keydown', event => {
      if (event.key === 'Enter' || event.key === ' ') {
        this._activate(event);
      }
    });
  }

  /** The root element: created once, never replaced. */
  readonly svg: SVGSVGElement;
  /** The group that pan and zoom transform. */
  readonly viewport: SVGGElement;

  /** The layout drawn, or null before the first one. */
  get layout(): IGraphLayout | null {
    return this._layout;
  }

  /** Characters of a label that fit in a box. */
  get labelChars(): number {
    return Math.floor((this._width - 2 * TEXT_X) / this._charWidth);
  }

  /** Move every box to its new place (new cells get a box, gone ones lose theirs) and redraw the edges. */
  setLayout(layout: IGraphLayout): void {
    this._layout = layout;
    const { nodeWidth, nodeHeight } = layout.options;
    this._width = nodeWidth;
    this._measureFont();
    for (const [id, view] of this._nodeViews) {
      if (!layout.nodes.has(id)) {
        view.g.remove();
        this._nodeViews.delete(id);
      }
    }
    for (const node of layout.nodes.values()) {
      let view = this._nodeViews.get(node.id);
      if (!view) {
        view = this._newNode(node.id, nodeWidth, nodeHeight); // put on the page if in view (_cull)
      }
      view.g.setAttribute('transform', `translate(${node.x},${node.y})`);
      view.rect = { x: node.x, y: node.y, width: nodeWidth, height: nodeHeight };
    }
    this._edgeViews.clear();
    this._edges.replaceChildren();
    for (const edge of layout.edges) {
      const path = el('path', {
        class: 'jp-reactive-graph-edge',
        d: edge.path,
        'data-from': edge.from,
        'data-to': edge.to,
        'marker-end': `url(#${ARROW})`
      });
      const rect = edgeRect(edge.points, layout.options.gapY);
      this._edgeViews.set(edgeKey(edge.from, edge.to), { path, rect, attached: false, relation: undefined });
    }
    this.svg.setAttribute('data-graph-size', `${Math.round(layout.width)}x${Math.round(layout.height)}`);
    this._cull();
  }

  /** The panel shows the drawing through `view` at `size`: put what it shows on the page, and only that. */
  setView(view: IView, size: ISize): void {
    this._shown = shownRect(view, size);
    this._cull();
  }

  /** Bring one box in line with its cell: attributes and texts are set only where they changed. */
  setNode(id: string, status: string, label: string): void {
    const view = this._nodeViews.get(id);
    if (!view) {
      return;
    }
    if (view.status !== status) {
      view.status = status;
      view.g.setAttribute('data-reactive-status', status);
    }
    if (view.label !== label) {
      view.label = label;
      view.text.textContent = fitText(label, this.labelChars);
      view.g.setAttribute('aria-label', label);
    }
  }

  /**
   * Mark the active cell, its ancestors and descendants, and the edges between them (each set excludes
   * the active cell); only the elements whose mark changes are touched.
   */
  setRelations(active: string | null, ancestors: ReadonlySet<string>, descendants: ReadonlySet<string>): void {
    const nodes = new Map<string, Relation>();
    ancestors.forEach(id => nodes.set(id, 'ancestor'));
    descendants.forEach(id => nodes.set(id, 'descendant'));
    if (active !== null) {
      nodes.set(active, 'active');
    }
    const edges = new Map<string, Relation>(); // an edge on a path from an ancestor, or to a descendant
    for (const edge of this._layout?.edges ?? []) {
      const [from, to] = [nodes.get(edge.from), nodes.get(edge.to)];
      if (from === 'ancestor' && (to === 'ancestor' || to === 'active')) {
        edges.set(edgeKey(edge.from, edge.to), 'ancestor');
      } else if ((from === 'active' || from === 'descendant') && to === 'descendant') {
        edges.set(edgeKey(edge.from, edge.to), 'descendant');
      }
    }
    for (const [id, view] of this._nodeViews) {
      const relation = nodes.get(id);
      if (view.relation !== relation) {
        view.relation = relation;
        setOrRemove(view.g, 'data-reactive-relation', relation);
      }
    }
    for (const [key, view] of this._edgeViews) {
      const relation = edges.get(key);
      if (view.relation !== relation) {
        view.relation = relation;
        setOrRemove(view.path, 'data-reactive-relation', relation);
        view.path.setAttribute('marker-end', `url(#${relation ? ARROW_RELATED : ARROW})`);
      }
    }
    setOrRemove(this.svg, 'data-reactive-active', active ?? undefined);
  }

  /** The box of a cell in drawing coordinates, or null. */
  box(id: string): { x: number; y: number; width: number; height: number } | null {
    const node = this._layout?.nodes.get(id);
    const options = this._layout?.options;
    return node && options ? { x: node.x, y: node.y, width: options.nodeWidth, height: options.nodeHeight } : null;
  }

  /** Forget every box and edge (another notebook is shown). */
  clear(): void {
    this._nodeViews.clear();
    this._edgeViews.clear();
    this._nodes.replaceChildren();
    this._edges.replaceChildren();
    this._layout = null;
    this.svg.removeAttribute('data-reactive-active');
    this.svg.removeAttribute('data-reactive-drawn');
  }

  private _newNode(id: string, width: number, height: number): INodeView {
    const g = el('g', { class: 'jp-reactive-graph-node', 'data-cell-id': id, tabindex: '0', role: 'button' });
    const title = el('title', {});
    const box = el('rect', { width: String(width), height: String(height), rx: '5' });
    const text = el('text', { x: String(TEXT_X), y: String(height / 2 + 4) });
    g.append(title, box, text);
    const rect = { x: 0, y: 0, width, height };
    const view: INodeView = { g, text, title, rect, attached: false, status: '', label: '', relation: undefined };
    this._nodeViews.set(id, view);
    return view;
  }

  /**
   * Put on the page the boxes and edges in view, and take the others off, keeping their order (the
   * boxes' order is the Tab order). The box with the focus stays, so the keys keep working on it, and so
   * do the boxes before and after it in the Tab order, so Tab and Shift+Tab reach them wherever they are
   * (focusing a box pans it into view).
   */
  private _cull(): void {
    const focused = (document.activeElement as Element | null)?.closest?.('.jp-reactive-graph-node');
    const id = focused && this._nodes.contains(focused) ? focused.getAttribute('data-cell-id') : null;
    const nodes = new Set(inView(rectsOf(this._nodeViews), this._shown));
    if (id !== null) {
      tabNeighbours([...this._nodeViews.keys()], id).forEach(other => nodes.add(other));
    }
    attachOnly(this._nodes, this._nodeViews, nodes, view => view.g);
    const edges = new Set(inView(rectsOf(this._edgeViews), this._shown));
    attachOnly(this._edges, this._edgeViews, edges, view => view.path);
    const drawn = `${nodes.size} ${edges.size}`; // a test's handle: boxes and edges on the page
    if (this.svg.getAttribute('data-reactive-drawn') !== drawn) {
      this.svg.setAttribute('data-reactive-drawn', drawn);
    }
  }

  /** The width of a character of the labels' font, measured once while the drawing is on screen. */
  private _measureFont(): void {
    if (this._measured || !this.svg.isConnected) {
      return;
    }
    const probe = el('text', {});
    probe.textContent = '0'.repeat(20);
    const box = el('g', { class: 'jp-reactive-graph-node' }); // the labels' style applies to its text
    box.appendChild(probe);
    this._nodes.appendChild(box);
    const width = probe.getComputedTextLength() / 20;
    box.remove();
    if (width > 0) {
      this._charWidth = width;
      this._measured = true;
    }
  }

  /** Fill in the tooltip of the box under the pointer or with the focus. */
  private _explain(target: Element): void {
    const id = target.closest('.jp-reactive-graph-node')?.getAttribute('data-cell-id');
    const view = id ? this._nodeViews.get(id) : undefined;
    if (id && view) {
      const text = this._describe(id);
      if (view.title.textContent !== text) {
        view.title.textContent = text;
      }
    }
  }

  private _activate(event: Event): void {
    const node = (event.target as Element).closest('.jp-reactive-graph-node');
    const id = node?.getAttribute('data-cell-id');
    if (id) {
      event.preventDefault();
      this._onActivate(id);
    }
  }

  private _layout: IGraphLayout | null = null;
  private _shown: IRect = { x: 0, y: 0, width: 0, height: 0 }; // the drawing's part in view, with a margin
  private _width = 0;
  private _charWidth = CHAR_WIDTH;
  private _measured = false;
  private readonly _edges: SVGGElement;
  private readonly _nodes: SVGGElement;
  private readonly _nodeViews = new Map<string, INodeView>();
  private readonly _edgeViews = new Map<string, IEdgeView>();
}

function* rectsOf<V extends IShown>(views: Map<string, V>): Iterable<[string, IRect]> {
  for (const [key, view] of views) {
    yield [key, view.rect];
  }
}

/**
 * Make `parent`'s children the elements of the views whose keys are in `keep`, in the views' order;
 * an element already on the page and kept is not moved (so it keeps its focus and hover).
 */
function attachOnly<V extends IShown>(
  parent: Element,
  views: Map<string, V>,
  keep: ReadonlySet<string>,
  element: (view: V) => Element
): void {
  let next: Element | null = parent.firstElementChild; // the first attached element not yet passed
  for (const [key, view] of views) {
    const node = element(view);
    if (view.attached) {
      next = node.nextElementSibling;
      if (!keep.has(key)) {
        node.remove();
        view.attached = false;
      }
    } else if (keep.has(key)) {
      parent.insertBefore(node, next);
      view.attached = true;
    }
  }
}

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: { [name: string]: string }
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
  return node;
}

function arrowhead(id: string, className: string): SVGMarkerElement {
  const marker = el('marker', {
    id,
    viewBox: '0 0 10 10',
    refX: '9',
    refY: '5',
    markerWidth: '6',
    markerHeight: '6',
    orient: 'auto'
  });
  marker.appendChild(el('path', { class: className, d: 'M0,0 L10,5 L0,10 z' }));
  return marker;
}

function setOrRemove(node: Element, name: string, value: string | undefined): void {
  if (value === undefined) {
    node.removeAttribute(name);
  } else {
    node.setAttribute(name, value);
  }
}

function edgeKey(from: string, to: string): string {
  return `${from}\n${to}`;
}
