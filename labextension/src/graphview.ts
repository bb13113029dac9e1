// Side panel drawing the current notebook's cell DAG with statuses; clicking a node goes to its cell.

import { Widget } from '@lumino/widgets';

import { ITrans, layoutGraph } from './logic';
import { IReactiveController, IReactiveNotebooks } from './tokens';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 86;
const NODE_H = 26;
const GAP_X = 18;
const GAP_Y = 34;

/** The panel's widget id (`reactive:show-graph` activates it). */
export const GRAPH_ID = 'jp-reactive-graph';

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
    _notebooks.currentChanged.connect(this._follow, this);
    this._follow();
  }

  private _follow(): void {
    this._controller?.changed.disconnect(this._draw, this);
    this._controller = this._notebooks.current;
    this._controller?.changed.connect(this._draw, this);
    this._draw();
  }

  protected onAfterShow(): void {
    this._draw();
  }

  private _draw(): void {
    if (!this.isVisible) {
      return; // drawn again when shown
    }
    const c = this._controller;
    const trans = this._trans;
    if (!c || !c.connected) {
      const text = trans.__('Open a notebook on the Python 3 (reactive) kernel to see its cell graph.');
      this.node.replaceChildren(note(text));
      return;
    }
    const ids = c.codeCellIds();
    const layout = layoutGraph(ids, id => c.state(id)?.parents ?? []);
    const at = new Map(
      layout.nodes.map(n => [n.id, { x: GAP_X + n.slot * (NODE_W + GAP_X), y: GAP_Y / 2 + n.layer * (NODE_H + GAP_Y) }])
    );
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('width', String(GAP_X + Math.max(layout.width, 1) * (NODE_W + GAP_X)));
    svg.setAttribute('height', String(GAP_Y + Math.max(layout.layers, 1) * (NODE_H + GAP_Y)));
    for (const edge of layout.edges) {
      const from = at.get(edge.from)!;
      const to = at.get(edge.to)!;
      const line = document.createElementNS(SVG, 'line');
      line.setAttribute('class', 'jp-reactive-graph-edge');
      line.setAttribute('x1', String(from.x + NODE_W / 2));
      line.setAttribute('y1', String(from.y + NODE_H));
      line.setAttribute('x2', String(to.x + NODE_W / 2));
      line.setAttribute('y2', String(to.y));
      svg.appendChild(line);
    }
    for (const node of layout.nodes) {
      const state = c.state(node.id);
      const { x, y } = at.get(node.id)!;
      const g = document.createElementNS(SVG, 'g');
      g.setAttribute('class', 'jp-reactive-graph-node');
      g.setAttribute('data-cell-id', node.id);
      g.setAttribute('data-reactive-status', state?.status ?? 'unrun');
      g.setAttribute('transform', `translate(${x},${y})`);
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('width', String(NODE_W));
      rect.setAttribute('height', String(NODE_H));
      rect.setAttribute('rx', '5');
      const text = document.createElementNS(SVG, 'text');
      text.setAttribute('x', '8');
      text.setAttribute('y', '17');
      const defs = state?.defs.join(', ') || '-';
      const label = c.cellLabel(node.id); // `#3 (load)`, as messages name the cell
      text.textContent = label.length > 14 ? `${label.slice(0, 13)}…` : label;
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${trans.__('%1: %2', label, state?.status ?? 'unrun')}\n${trans.__('defines: %1', defs)}`;
      g.append(rect, text, title);
      g.addEventListener('click', () => c.scrollTo(node.id));
      svg.appendChild(g);
    }
    this.node.replaceChildren(svg);
  }

  private _controller: IReactiveController | undefined;
}

function note(text: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'jp-reactive-graph-note';
  p.textContent = text;
  return p;
}
