// The layered net behind graphlayout.ts: boxes and dummy points in layers, their order (barycentre
// sweeps), their x (priority placement) and each edge's route through them. Pure, like graphlayout.ts.

import type { ICellGraph, ILaidEdge, ILayoutOptions, IPoint } from './graphlayout';

/** A node of the layered net: a cell's box, or a dummy point of a long edge. */
export interface INetNode {
  id?: string; // the cell; undefined for a dummy
  layer: number;
  width: number;
  up: number[]; // neighbours in the layer above
  down: number[]; // neighbours in the layer below
  x: number; // centre
}

export interface INet {
  nodes: INetNode[];
  layers: number[][]; // node indexes per layer, left to right
  pos: number[]; // node index -> its index in its layer
  chains: IChain[];
}

/** An edge in the net: from its upper box down its cell's trunk of dummy points to its lower box. */
interface IChain {
  from: string;
  to: string;
  kind: ILaidEdge['kind'];
  upper: number;
  lower: number;
  trunk: number[]; // the upper box's dummy points, one per layer below it; this edge uses the first `span`
  span: number;
}

/**
 * The net of boxes and dummy points, every link between adjacent layers, in notebook order. The long
 * edges leaving one cell share their dummy points (one trunk per cell, branching off at each child's
 * layer): a cell read by every cell below it adds one lane to each layer, not one per reader.
 */
export function buildNet(graph: ICellGraph, layerOf: Map<string, number>, opts: ILayoutOptions): INet {
  const nodes: INetNode[] = graph.order.map(id => ({
    id,
    layer: layerOf.get(id)!,
    width: opts.nodeWidth,
    up: [],
    down: [],
    x: 0
  }));
  const index = new Map(graph.order.map((id, i) => [id, i]));
  const rank: number[] = graph.order.map((_, i) => i); // initial order key
  const link = (upper: number, lower: number) => {
    nodes[upper].down.push(lower);
    nodes[lower].up.push(upper);
  };
  const trunks = new Map<string, number[]>(); // `${upper} ${kind}` -> its dummy per layer below it
  const chains: IChain[] = [];
  for (const to of graph.order) {
    for (const from of graph.parents.get(to)!) {
      const [a, b] = [index.get(from)!, index.get(to)!];
      const kind = nodes[b].layer > nodes[a].layer ? 'down' : nodes[b].layer < nodes[a].layer ? 'up' : 'flat';
      const [upper, lower] = kind === 'up' ? [b, a] : [a, b];
      const key = `${upper} ${kind}`;
      const trunk = trunks.get(key) ?? [];
      trunks.set(key, trunk);
      const span = kind === 'flat' ? 0 : nodes[lower].layer - nodes[upper].layer - 1;
      for (let at = trunk.length; at < span; at++) {
        const dummy = { layer: nodes[upper].layer + at + 1, width: opts.dummyWidth, up: [], down: [], x: 0 };
        trunk.push(nodes.push(dummy) - 1);
        rank.push(upper + 0.5);
        link(at === 0 ? upper : trunk[at - 1], trunk[at]);
      }
      if (kind !== 'flat') {
        link(span === 0 ? upper : trunk[span - 1], lower);
      }
      chains.push({ from, to, kind, upper, lower, trunk, span });
    }
  }
  let count = 0;
  nodes.forEach(node => (count = Math.max(count, node.layer + 1)));
  const layers: number[][] = Array.from({ length: count }, () => []);
  nodes.forEach((n, i) => layers[n.layer].push(i));
  layers.forEach(layer => layer.sort((a, b) => rank[a] - rank[b] || a - b));
  const pos: number[] = new Array(nodes.length).fill(0);
  layers.forEach(layer => layer.forEach((v, i) => (pos[v] = i)));
  return { nodes, layers, pos, chains };
}

/** Barycentre sweeps, down then up, keeping the order with the fewest crossings; returns that count. */
export function reduceCrossings(net: INet, sweeps: number): number {
  let best = countCrossings(net);
  let bestLayers = net.layers.map(layer => [...layer]);
  for (let sweep = 0; sweep < sweeps && best > 0; sweep++) {
    const down = sweep % 2 === 0;
    const count = net.layers.length;
    for (let step = 1; step < count; step++) {
      const l = down ? step : count - 1 - step;
      sortByBarycentre(net, net.layers[l], down ? 'up' : 'down');
    }
    const crossings = countCrossings(net);
    if (crossings < best) {
      best = crossings;
      bestLayers = net.layers.map(layer => [...layer]);
    }
  }
  net.layers = bestLayers;
  net.layers.forEach(layer => layer.forEach((v, i) => (net.pos[v] = i)));
  return best;
}

/** Order a layer by the mean position of each node's neighbours on `side`; a node with none stays put. */
function sortByBarycentre(net: INet, layer: number[], side: 'up' | 'down'): void {
  const key = new Map<number, number>();
  for (const v of layer) {
    const links = net.nodes[v][side];
    key.set(v, links.length === 0 ? net.pos[v] : links.reduce((sum, u) => sum + net.pos[u], 0) / links.length);
  }
  layer.sort((a, b) => key.get(a)! - key.get(b)! || net.pos[a] - net.pos[b]);
  layer.forEach((v, i) => (net.pos[v] = i));
}

/** Crossings between every pair of adjacent layers: inversions of the lower ends, counted in a tree. */
function countCrossings(net: INet): number {
  let total = 0;
  for (let l = 0; l + 1 < net.layers.length; l++) {
    const ends: Array<[number, number]> = [];
    for (const u of net.layers[l]) {
      net.nodes[u].down.forEach(w => ends.push([net.pos[u], net.pos[w]]));
    }
    ends.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const size = net.layers[l + 1].length;
    const tree = new Array(size + 1).fill(0); // Fenwick tree of lower ends seen so far
    ends.forEach(([, w], seen) => {
      let atMost = 0;
      for (let i = w + 1; i > 0; i -= i & -i) {
        atMost += tree[i];
      }
      total += seen - atMost; // earlier edges ending right of w cross this one
      for (let i = w + 1; i <= size; i += i & -i) {
        tree[i] += 1;
      }
    });
  }
  return total;
}

/**
 * Centres, by the priority method: packed, then layer by layer (down, up, down, up, down) each node is
 * placed at the mean x of its neighbours in the layer just placed, dummy points first (so long edges run
 * straight), then boxes by how many links they have there; a node may push the ones not yet placed, never
 * one placed before it. The last round goes down: a trunk of dummy points ends under its cell. Pushes
 * drift one way, so this is done twice, once on the mirrored layers, and the two are averaged (each keeps
 * the spacing, so their mean does); and no node leaves the width of the widest layer packed, so the
 * drawing cannot drift sideways as it goes down. Then the left edge moves to the margin.
 */
export function placeX(net: INet, opts: ILayoutOptions): void {
  let frame = 0; // the widest layer, packed: no layer is spread wider
  const once = (layers: number[][]) => {
    for (const layer of layers) {
      let x = 0;
      for (const v of layer) {
        net.nodes[v].x = x + net.nodes[v].width / 2;
        x += net.nodes[v].width + opts.gapX;
      }
      frame = Math.max(frame, x - opts.gapX);
    }
    const count = layers.length;
    for (let round = 0; round < 5; round++) {
      const side = round % 2 === 0 ? 'up' : 'down';
      for (let step = 1; step < count; step++) {
        placeLayer(net, layers[side === 'up' ? step : count - 1 - step], side, opts.gapX, frame);
      }
    }
    return net.nodes.map(node => node.x);
  };
  const right = once(net.layers);
  const left = once(net.layers.map(layer => [...layer].reverse())); // x grows right to left here
  net.nodes.forEach((node, i) => (node.x = (right[i] - left[i]) / 2));
  const least = net.nodes.reduce((most, node) => Math.min(most, node.x - node.width / 2), Infinity);
  net.nodes.forEach(n => (n.x += opts.margin - least));
}

/**
 * Place a layer's nodes by priority toward their neighbours on `side` (see placeX), order and spacing kept:
 * each node goes as near its neighbours' mean x as the nodes placed before it allow (the nearest one on
 * each side, found for all nodes at once, so a layer costs its sort, not its width squared).
 * Exported for its twin test (graphnet.test.ts).
 */
export function placeLayer(net: INet, layer: number[], side: 'up' | 'down', gap: number, frame: number): void {
  const nodes = layer.map(v => net.nodes[v]);
  const sep = (i: number) => (nodes[i - 1].width + nodes[i].width) / 2 + gap; // least distance i-1 .. i
  const before: number[] = []; // room the nodes left of i need, from the frame's left edge to i's centre
  nodes.forEach((node, i) => before.push(i === 0 ? node.width / 2 : before[i - 1] + sep(i)));
  const last = nodes.length - 1;
  const right = (i: number) => before[last] - before[i] + nodes[last].width / 2; // room the nodes right of i need
  const priority = nodes.map(node => (node.id === undefined ? 1e9 : node[side].length));
  const byPriority = nodes.map((_, i) => i).sort((a, b) => priority[b] - priority[a] || a - b);
  const placed = nearestPlacedBefore(byPriority);
  for (const i of byPriority) {
    const links = nodes[i][side];
    const wanted =
      links.length === 0 ? nodes[i].x : links.reduce((sum, u) => sum + net.nodes[u].x, 0) / links.length;
    // The frame, or the nearest nodes placed before this one: they stay where they are. (Nodes not placed
    // yet need not be pushed aside: each is placed in turn within the same bounds.)
    const [l, r] = [placed.left[i], placed.right[i]];
    const lo = l < 0 ? before[i] : nodes[l].x + (before[i] - before[l]);
    const hi = r > last ? frame - right(i) : nodes[r].x - (before[r] - before[i]);
    nodes[i].x = Math.min(hi, Math.max(lo, wanted));
  }
}

/**
 * For positions 0..n-1 placed in the order `order`: the nearest position left of each (-1: none) and right of
 * it (n: none) placed before it. Undone in reverse from a list of all positions, each removal in O(1).
 */
export function nearestPlacedBefore(order: readonly number[]): { left: number[]; right: number[] } {
  const n = order.length;
  const prev = order.map((_, i) => i - 1);
  const next = order.map((_, i) => i + 1);
  const left = new Array<number>(n);
  const right = new Array<number>(n);
  for (let k = n - 1; k >= 0; k--) {
    const i = order[k]; // the list holds what was placed up to i: its neighbours there are the nearest
    left[i] = prev[i];
    right[i] = next[i];
    if (prev[i] >= 0) {
      next[prev[i]] = next[i];
    }
    if (next[i] < n) {
      prev[next[i]] = prev[i];
    }
  }
  return { left, right };
}

/** Each edge's points and path; where several edges leave or enter a box, their ends spread along it. */
export function routeEdges(net: INet, top: (layer: number) => number, opts: ILayoutOptions): ILaidEdge[] {
  const h = opts.nodeHeight;
  const ports = new Map<string, number>(); // `${box} ${side} ${neighbour}` -> x where that link meets the box
  const port = (v: number, other: number, side: 'up' | 'down') => {
    const node = net.nodes[v];
    if (node.id === undefined || node[side].length < 2) {
      return node.x;
    }
    if (!ports.has(`${v} ${side} ${other}`)) {
      const links = [...node[side]].sort((a, b) => net.nodes[a].x - net.nodes[b].x || a - b);
      const span = node.width * 0.6;
      links.forEach((u, i) => ports.set(`${v} ${side} ${u}`, node.x - span / 2 + (span * i) / (links.length - 1)));
    }
    return ports.get(`${v} ${side} ${other}`)!;
  };
  const bends = new Map<number[], number[]>(); // trunk -> where it shifts sideways (indexes), and 0
  const bendsOf = (trunk: number[]) => {
    if (!bends.has(trunk)) {
      const x = (i: number) => net.nodes[trunk[i]].x;
      bends.set(
        trunk,
        trunk.map((_, i) => i).filter(i => i === 0 || x(i) !== x(i - 1))
      );
    }
    return bends.get(trunk)!;
  };
  return net.chains.map(chain => {
    const { from, to, kind, upper, lower, trunk, span } = chain;
    const [a, b] = [net.nodes[upper], net.nodes[lower]];
    if (kind === 'flat') {
      const y = top(a.layer) + h;
      const dip = y + opts.gapY * 0.6; // a curve in the gap below the layer: past no box
      const points = [
        { x: a.x, y },
        { x: b.x, y }
      ];
      const path = `M${n(a.x)},${n(y)} C${n(a.x)},${n(dip)} ${n(b.x)},${n(dip)} ${n(b.x)},${n(y)}`;
      return { from, to, kind, via: () => [], points, path };
    }
    // Only where the edge bends: its two ends, and each stretch of its trunk that runs straight down.
    const points = [{ x: port(upper, span > 0 ? trunk[0] : lower, 'down'), y: top(a.layer) + h }];
    const stretches = bendsOf(trunk).filter(i => i < span);
    stretches.forEach((start, k) => {
      const [first, last] = [net.nodes[trunk[start]], net.nodes[trunk[(stretches[k + 1] ?? span) - 1]]];
      points.push({ x: first.x, y: top(first.layer) }, { x: last.x, y: top(last.layer) + h });
    });
    points.push({ x: port(lower, span > 0 ? trunk[span - 1] : upper, 'up'), y: top(b.layer) });
    const route = straight(points);
    if (kind === 'up') {
      route.reverse(); // drawn from the parent (below) to the child (above), arrowhead on the child
    }
    const via = () => {
      const centres = trunk.slice(0, span).map(v => ({ x: net.nodes[v].x, y: top(net.nodes[v].layer) + h / 2 }));
      return kind === 'up' ? centres.reverse() : centres;
    };
    return { from, to, kind, via, points: route, path: pathData(route) };
  });
}

/** The points without the middle ones of a vertical run. */
function straight(points: IPoint[]): IPoint[] {
  return points.filter(
    (q, i) => i === 0 || i === points.length - 1 || !(points[i - 1].x === q.x && points[i + 1].x === q.x)
  );
}

/**
 * Straight lines where the points are one above the other (through a layer, down a trunk), curves
 * elsewhere: those cross a gap between layers, and start and end vertical, so arrowheads point straight.
 */
export function pathData(points: readonly IPoint[]): string {
  let d = `M${n(points[0].x)},${n(points[0].y)}`;
  for (let i = 1; i < points.length; i++) {
    const [p, q] = [points[i - 1], points[i]];
    if (p.x === q.x) {
      d += ` L${n(q.x)},${n(q.y)}`;
    } else {
      const mid = (p.y + q.y) / 2;
      d += ` C${n(p.x)},${n(mid)} ${n(q.x)},${n(mid)} ${n(q.x)},${n(q.y)}`;
    }
  }
  return d;
}

function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}
