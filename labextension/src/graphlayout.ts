// Where the graph view draws each cell and edge: a layered (Sugiyama-style) layout of the cell graph.
// Pure: imports nothing from JupyterLab, so node's test runner covers it (graphlayout.test.ts).
//
// 1. Layers: a cell sits one layer below its deepest parent (longest path). In a cycle (an error the
//    kernel reports) the first unplaced cell in notebook order is placed first, so the layout ends.
// 2. Long edges: an edge spanning several layers passes one dummy point per layer in between, which
//    takes a slot in that layer like a narrow node: edges bend only in the gaps between layers, and
//    cross a layer's row where no box is. The long edges from one cell share their dummy points.
// 3. Order within a layer: notebook order, then barycentre sweeps (a node moves to the mean position of
//    its neighbours in the layer above, sweeping down, then below, sweeping up), keeping the order with
//    the fewest crossings seen (counted exactly between each pair of adjacent layers).
// 4. x: each node goes to the mean x of its neighbours in the layer placed before it, keeping its layer's
//    order and spacing; dummy points have the right of way, so long edges run straight (placeX).
// 5. Cells linked to no other cell go below, in rows as wide as the rest (setApart).
//
// Steps 2-4 and the edges' routes work on a net of boxes and dummy points (graphnet.ts).

import { buildNet, placeX, reduceCrossings, routeEdges } from './graphnet';

export interface IPoint {
  x: number;
  y: number;
}

export interface ILayoutOptions {
  nodeWidth: number; // every cell's box
  nodeHeight: number;
  gapX: number; // least room between boxes (and dummy points) in a layer
  gapY: number; // room between layers, where edges bend
  dummyWidth: number; // room a passing edge takes in a layer
  margin: number;
  sweeps: number; // most barycentre sweeps (one down or one up each)
}

export const DEFAULT_LAYOUT: ILayoutOptions = {
  nodeWidth: 150,
  nodeHeight: 28,
  gapX: 18,
  gapY: 44,
  dummyWidth: 6,
  margin: 16,
  sweeps: 8
};

/** The cells and the edges between them, parent -> child; only cells of `order`, no self-loops. */
export interface ICellGraph {
  order: readonly string[];
  parents: ReadonlyMap<string, readonly string[]>;
  children: ReadonlyMap<string, readonly string[]>;
}

export interface ILaidNode {
  id: string;
  layer: number; // 0 for a cell linked to none, which is set apart below the layers
  order: number; // position within its layer (or its row, set apart), left to right
  x: number; // the box's top-left corner
  y: number;
}

export interface ILaidEdge {
  from: string; // the parent
  to: string; // the child; the drawn path ends here (arrowhead)
  kind: 'down' | 'up' | 'flat'; // child below its parent, above it (a cycle), or in the same layer
  via(): IPoint[]; // the dummy points it passes, one per layer it crosses (worked out when asked)
  points: IPoint[]; // from its start on one box to its end on the other, where it bends
  path: string; // SVG path data: curves in the gaps, straight through the layers it crosses
}

export interface IGraphLayout {
  nodes: Map<string, ILaidNode>;
  edges: ILaidEdge[];
  layers: number;
  width: number;
  height: number;
  crossings: number; // edge crossings between adjacent layers, after the sweeps
  options: ILayoutOptions;
}

/** The graph of `order`'s cells, from each cell's parents (unknown cells, repeats and self-loops dropped). */
export function cellGraph(order: readonly string[], parentsOf: (id: string) => readonly string[]): ICellGraph {
  const present = new Set(order);
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>(order.map(id => [id, []]));
  for (const id of order) {
    const own = [...new Set(parentsOf(id))].filter(p => p !== id && present.has(p));
    parents.set(id, own);
    own.forEach(p => children.get(p)!.push(id));
  }
  return { order, parents, children };
}

/** The cells `id` reads from, directly or not, and those reading from it (neither includes `id`). */
export function relatives(graph: ICellGraph, id: string): { ancestors: Set<string>; descendants: Set<string> } {
  const walk = (links: ReadonlyMap<string, readonly string[]>): Set<string> => {
    const seen = new Set<string>();
    const todo = [...(links.get(id) ?? [])];
    while (todo.length > 0) {
      const next = todo.pop()!;
      if (next !== id && !seen.has(next)) {
        seen.add(next);
        todo.push(...(links.get(next) ?? []));
      }
    }
    return seen;
  };
  return { ancestors: walk(graph.parents), descendants: walk(graph.children) };
}

/** Lay the graph out (see the steps at the top of this file). */
export function layoutGraph(graph: ICellGraph, options: Partial<ILayoutOptions> = {}): IGraphLayout {
  const opts = { ...DEFAULT_LAYOUT, ...options };
  const linked = graph.order.filter(id => graph.parents.get(id)!.length + graph.children.get(id)!.length > 0);
  const alone = graph.order.filter(id => graph.parents.get(id)!.length + graph.children.get(id)!.length === 0);
  const layered = { ...graph, order: linked };
  const net = buildNet(layered, assignLayers(layered), opts);
  const crossings = reduceCrossings(net, opts.sweeps);
  placeX(net, opts);
  const top = (layer: number) => opts.margin + layer * (opts.nodeHeight + opts.gapY);
  const nodes = new Map<string, ILaidNode>();
  net.layers.forEach((layer, l) =>
    layer.forEach((v, order) => {
      const node = net.nodes[v];
      if (node.id !== undefined) {
        nodes.set(node.id, { id: node.id, layer: l, order, x: node.x - opts.nodeWidth / 2, y: top(l) });
      }
    })
  );
  const edges = routeEdges(net, top, opts);
  const rows = net.layers.length;
  const dip = edges.some(e => e.kind === 'flat' && nodes.get(e.from)!.layer === rows - 1) ? opts.gapY / 2 : 0;
  let width = net.nodes.reduce((most, node) => Math.max(most, node.x + node.width / 2), 0) + opts.margin;
  let height = rows === 0 ? 0 : top(rows - 1) + opts.nodeHeight + dip + opts.margin;
  if (alone.length > 0) {
    const below = rows === 0 ? opts.margin : height - opts.margin + opts.gapY;
    const apart = setApart(alone, Math.max(width - 2 * opts.margin, 0), below, opts);
    apart.forEach(node => nodes.set(node.id, node));
    width = Math.max(width, ...apart.map(node => node.x + opts.nodeWidth + opts.margin));
    height = Math.max(...apart.map(node => node.y)) + opts.nodeHeight + opts.margin;
  }
  return { nodes, edges, layers: rows, width, height, crossings, options: opts };
}

/**
 * Cells linked to no other cell, set apart below the layers in notebook order, in rows as wide as the
 * layered drawing (one column when there is none): they would otherwise all sit in the first layer,
 * which would grow as wide as the notebook is long.
 */
function setApart(ids: readonly string[], width: number, y: number, opts: ILayoutOptions): ILaidNode[] {
  const slot = opts.nodeWidth + opts.gapX;
  const columns = Math.max(1, Math.floor((width + opts.gapX) / slot));
  return ids.map((id, i) => ({
    id,
    layer: 0,
    order: i % columns,
    x: opts.margin + (i % columns) * slot,
    y: y + Math.floor(i / columns) * (opts.nodeHeight + opts.gapX)
  }));
}

/** Longest-path layers; a cycle is entered at its first cell in notebook order. */
function assignLayers(graph: ICellGraph): Map<string, number> {
  const waiting = new Map(graph.order.map(id => [id, graph.parents.get(id)!.length]));
  const layer = new Map<string, number>();
  const ready = graph.order.filter(id => waiting.get(id) === 0);
  const place = (id: string) => {
    let l = 0;
    for (const p of graph.parents.get(id)!) {
      const placed = layer.get(p);
      l = placed === undefined ? l : Math.max(l, placed + 1);
    }
    layer.set(id, l);
    for (const c of graph.children.get(id)!) {
      const left = waiting.get(c)! - 1;
      waiting.set(c, left);
      if (left === 0 && !layer.has(c)) {
        ready.push(c);
      }
    }
  };
  let head = 0;
  let cursor = 0;
  while (layer.size < graph.order.length) {
    if (head < ready.length) {
      const id = ready[head++];
      if (!layer.has(id)) {
        place(id);
      }
      continue;
    }
    while (layer.has(graph.order[cursor])) {
      cursor++;
    }
    place(graph.order[cursor]); // every cell left waits on another: a cycle
  }
  return layer;
}
