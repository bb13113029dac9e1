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

/** A node of the layered net: a cell's box, or a dummy point of a long edge. */
interface INetNode {
  id?: string; // the cell; undefined for a dummy
  layer: number;
  width: number;
  up: number[]; // neighbours in the layer above
  down: number[]; // neighbours in the layer below
  x: number; // centre
}

interface INet {
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
function buildNet(graph: ICellGraph, layerOf: Map<string, number>, opts: ILayoutOptions): INet {
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
function reduceCrossings(net: INet, sweeps: number): number {
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
function placeX(net: INet, opts: ILayoutOptions): void {
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

/** Place a layer's nodes by priority toward their neighbours on `side` (see placeX), order and spacing kept. */
function placeLayer(net: INet, layer: number[], side: 'up' | 'down', gap: number, frame: number): void {
  const nodes = layer.map(v => net.nodes[v]);
  const sep = (i: number) => (nodes[i - 1].width + nodes[i].width) / 2 + gap; // least distance i-1 .. i
  const before: number[] = []; // room the nodes left of i need, from the frame's left edge to i's centre
  nodes.forEach((node, i) => before.push(i === 0 ? node.width / 2 : before[i - 1] + sep(i)));
  const last = nodes.length - 1;
  const right = (i: number) => before[last] - before[i] + nodes[last].width / 2; // room the nodes right of i need
  const priority = nodes.map(node => (node.id === undefined ? 1e9 : node[side].length));
  const byPriority = nodes.map((_, i) => i).sort((a, b) => priority[b] - priority[a] || a - b);
  const placed = nodes.map(() => false);
  for (const i of byPriority) {
    const links = nodes[i][side];
    const wanted =
      links.length === 0 ? nodes[i].x : links.reduce((sum, u) => sum + net.nodes[u].x, 0) / links.length;
    let [lo, hi] = [before[i], frame - right(i)]; // the frame, then the nearest placed nodes, if any
    for (let j = i - 1, room = 0; j >= 0; j--) {
      room += sep(j + 1);
      if (placed[j]) {
        lo = nodes[j].x + room;
        break;
      }
    }
    for (let j = i + 1, room = 0; j < nodes.length; j++) {
      room += sep(j);
      if (placed[j]) {
        hi = nodes[j].x - room;
        break;
      }
    }
    nodes[i].x = Math.min(hi, Math.max(lo, wanted));
    placed[i] = true;
    for (let j = i + 1; j < nodes.length && !placed[j]; j++) {
      nodes[j].x = Math.max(nodes[j].x, nodes[j - 1].x + sep(j));
    }
    for (let j = i - 1; j >= 0 && !placed[j]; j--) {
      nodes[j].x = Math.min(nodes[j].x, nodes[j + 1].x - sep(j + 1));
    }
  }
}

/** Each edge's points and path; where several edges leave or enter a box, their ends spread along it. */
function routeEdges(net: INet, top: (layer: number) => number, opts: ILayoutOptions): ILaidEdge[] {
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
