// Unit tests for the graph view's layout (graphlayout.ts), run with node's test runner (jlpm test).

import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';

import { cellGraph, DEFAULT_LAYOUT, ICellGraph, IGraphLayout, layoutGraph, relatives } from './graphlayout';
import { pathData } from './graphnet';

/** A graph from `{child: [parents]}`, cells in the object's order. */
function graph(parents: { [id: string]: string[] }): ICellGraph {
  return cellGraph(Object.keys(parents), id => parents[id] ?? []);
}

/** A random DAG: each cell reads up to three cells above it (a fixed seed, so the cases repeat). */
function randomDag(cells: number, seed: number): ICellGraph {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const parents: { [id: string]: string[] } = {};
  for (let i = 0; i < cells; i++) {
    const reads = i === 0 ? 0 : Math.floor(next() * 4);
    parents[`c${i}`] = Array.from({ length: reads }, () => `c${Math.floor(next() * i)}`);
  }
  return graph(parents);
}

const chain = (n: number) =>
  graph(Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i}`, i ? [`c${i - 1}`] : []])));

const CASES: Array<[string, ICellGraph]> = [
  ['empty', graph({})],
  ['one cell', graph({ a: [] })],
  ['chain', chain(6)],
  ['diamond', graph({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] })],
  ['fan out and in', graph({ a: [], b: ['a'], c: ['a'], d: ['a'], e: ['a'], f: ['b', 'c', 'd', 'e'] })],
  ['skip edges', graph({ a: [], b: ['a'], c: ['b'], d: ['c'], e: ['a', 'd'], f: ['a', 'b'] })],
  ['separate parts', graph({ a: [], b: ['a'], x: [], y: ['x'], z: ['y', 'a'] })],
  ['cycle', graph({ a: ['c'], b: ['a'], c: ['b'], d: ['c'] })],
  ['two-cell cycle and a reader', graph({ a: ['b'], b: ['a'], c: ['a', 'b'] })],
  ...[1, 2, 3, 4, 5].map((seed): [string, ICellGraph] => [`random DAG ${seed}`, randomDag(40, seed)])
];

const box = (layout: IGraphLayout, id: string) => layout.nodes.get(id)!;

/** Every curve of the path crosses one gap between layers, top to bottom; every line is vertical. */
function assertBendsInGaps(path: string, layers: number): void {
  const { margin, nodeHeight, gapY } = DEFAULT_LAYOUT;
  const bottoms = Array.from({ length: layers }, (_, l) => margin + l * (nodeHeight + gapY) + nodeHeight);
  const steps = [...path.matchAll(/([MLC])([^MLC]*)/g)].map(
    ([, op, args]): [string, number[]] => [op, args.trim().split(/[ ,]+/).map(Number)]
  );
  let [x, y] = steps[0][1];
  for (const [op, args] of steps.slice(1)) {
    const [x1, y1] = args.slice(-2);
    if (op === 'L') {
      assert.equal(x1, x, `a line of ${path} is not vertical`);
    } else {
      const [upper, lower] = [Math.min(y, y1), Math.max(y, y1)];
      assert.ok(bottoms.includes(upper) && lower === upper + gapY, `a curve of ${path} leaves its gap`);
    }
    [x, y] = [x1, y1];
  }
}

suite('layoutGraph', () => {
  for (const [name, g] of CASES) {
    test(`${name}: every cell is placed, parents above children unless in a cycle`, () => {
      const layout = layoutGraph(g);
      assert.equal(layout.nodes.size, g.order.length);
      for (const edge of layout.edges) {
        const [from, to] = [box(layout, edge.from), box(layout, edge.to)];
        const expected = to.layer > from.layer ? 'down' : to.layer < from.layer ? 'up' : 'flat';
        assert.equal(edge.kind, expected, `${edge.from} -> ${edge.to}`);
      }
      if (!name.includes('cycle')) {
        assert.ok(layout.edges.every(e => e.kind === 'down'), 'a DAG has only downward edges');
        for (const id of g.order) {
          const deepest = Math.max(-1, ...g.parents.get(id)!.map(p => box(layout, p).layer));
          assert.equal(box(layout, id).layer, deepest + 1, `${id} sits one layer below its deepest parent`);
        }
      }
    });

    test(`${name}: no two boxes overlap, and no edge passes through a box`, () => {
      const layout = layoutGraph(g);
      const { nodeWidth, nodeHeight, gapX, dummyWidth } = DEFAULT_LAYOUT;
      const boxes = [...layout.nodes.values()];
      for (const node of boxes) {
        assert.ok(node.x >= 0 && node.x + nodeWidth <= layout.width, 'inside the drawing');
        assert.ok(node.y >= 0 && node.y + nodeHeight <= layout.height, 'inside the drawing');
      }
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          const apart = Math.abs(a.x - b.x) >= nodeWidth + gapX - 1e-6 || Math.abs(a.y - b.y) >= nodeHeight + gapX;
          assert.ok(apart, `${a.id} and ${b.id} overlap`);
        }
      }
      const rows = new Map<number, number[]>(); // the layered boxes' left edges, by layer
      for (const node of boxes.filter(b => g.parents.get(b.id)!.length + g.children.get(b.id)!.length > 0)) {
        rows.set(node.layer, [...(rows.get(node.layer) ?? []), node.x]);
      }
      for (const edge of layout.edges) {
        if (edge.kind !== 'flat') {
          assertBendsInGaps(edge.path, layout.layers);
        }
        for (const point of edge.via()) {
          const layer = Math.round((point.y - DEFAULT_LAYOUT.margin) / (nodeHeight + DEFAULT_LAYOUT.gapY));
          for (const x of rows.get(layer) ?? []) {
            const clear = Math.abs(point.x - (x + nodeWidth / 2)) >= (nodeWidth + dummyWidth) / 2 + gapX - 1e-6;
            assert.ok(clear, `${edge.from} -> ${edge.to} passes the box at x=${x} in layer ${layer}`);
          }
        }
      }
    });

    test(`${name}: the sweeps never add crossings`, () => {
      assert.ok(layoutGraph(g).crossings <= layoutGraph(g, { sweeps: 0 }).crossings);
    });
  }

  test('an edge over several layers passes one dummy point per layer between, and bends only in gaps', () => {
    const layout = layoutGraph(graph({ a: [], b: ['a'], c: ['b'], d: ['c', 'a'] }));
    const { nodeHeight, gapY, margin } = DEFAULT_LAYOUT;
    const long = layout.edges.find(e => e.from === 'a' && e.to === 'd')!;
    assert.equal(long.via().length, 2);
    assert.deepEqual(
      long.via().map(p => p.y),
      [1, 2].map(l => margin + l * (nodeHeight + gapY) + nodeHeight / 2)
    );
    const [a, d] = [box(layout, 'a'), box(layout, 'd')];
    assert.deepEqual(long.points[0].y, a.y + nodeHeight, 'starts at the bottom of the parent');
    assert.deepEqual(long.points[long.points.length - 1].y, d.y, 'ends at the top of the child');
    assert.ok(long.points[0].x > a.x && long.points[0].x < a.x + DEFAULT_LAYOUT.nodeWidth);
    for (const point of long.via()) {
      const bend = long.points.findIndex(p => p.y >= point.y);
      const [above, below] = [long.points[bend - 1], long.points[bend]];
      assert.ok(above.x === point.x && below.x === point.x, 'passes its dummy point on a vertical line');
    }
    assertBendsInGaps(long.path, 4);
    const short = layout.edges.find(e => e.from === 'a' && e.to === 'b')!;
    assert.deepEqual(short.via(), []);
  });

  test("the long edges from one cell share their dummy points: one lane per layer", () => {
    // c0 -> c1 -> ... -> c49, and every cell also reads c0 (an import cell, say)
    const parents = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`c${i}`, i === 0 ? [] : i === 1 ? ['c0'] : [`c${i - 1}`, 'c0']])
    );
    const layout = layoutGraph(graph(parents));
    const lanes = new Set(layout.edges.flatMap(e => e.via().map(p => `${p.x},${p.y}`)));
    assert.equal(lanes.size, 48, 'one dummy point in each of layers 1..48 (the reads of c2..c49 from c0)');
    const xs = new Set([...layout.edges.flatMap(e => e.via().map(p => p.x))]);
    assert.equal(xs.size, 1, 'a straight trunk');
    const longest = layout.edges.find(e => e.from === 'c0' && e.to === 'c49')!;
    assert.equal(longest.via().length, 48);
    assert.ok(layout.width < 2 * DEFAULT_LAYOUT.nodeWidth + 2 * DEFAULT_LAYOUT.margin, 'two columns at most');
  });

  test('cells linked to none are set apart below, in rows as wide as the layers', () => {
    const wide = layoutGraph(graph({ a: [], b: ['a'], c: ['a'], d: ['a'], x: [], y: [], z: [], w: [] }));
    const { nodeWidth, gapX } = DEFAULT_LAYOUT;
    const lowest = Math.max(...['a', 'b', 'c', 'd'].map(id => box(wide, id).y));
    const apart = ['x', 'y', 'z', 'w'].map(id => box(wide, id));
    assert.ok(apart.every(node => node.y > lowest), 'below the layered cells');
    assert.deepEqual(
      apart.map(node => [node.x, node.y]),
      [0, 1, 2, 0].map((column, i) => [DEFAULT_LAYOUT.margin + column * (nodeWidth + gapX), apart[i < 3 ? 0 : 3].y])
    );
    assert.ok(apart[3].y > apart[0].y, 'three to a row: as wide as b, c, d');
    const alone = layoutGraph(graph({ x: [], y: [] }));
    assert.equal(box(alone, 'x').x, box(alone, 'y').x, 'one column when nothing is linked');
    assert.equal(alone.layers, 0);
  });

  test('an edge up a cycle is drawn from the parent to the child', () => {
    const layout = layoutGraph(graph({ a: ['c'], b: ['a'], c: ['b'] }));
    const back = layout.edges.find(e => e.from === 'c' && e.to === 'a')!;
    assert.equal(back.kind, 'up');
    assert.equal(back.points[0].y, box(layout, 'c').y, 'leaves the top of the parent, below');
    assert.equal(back.points[back.points.length - 1].y, box(layout, 'a').y + DEFAULT_LAYOUT.nodeHeight);
    assert.equal(back.via().length, 1);
    assertBendsInGaps(back.path, 3);
  });

  test('barycentre sweeps untangle crossings that notebook order makes', () => {
    const crossed = graph({ a: [], b: [], c: ['b'], d: ['a'] });
    assert.equal(layoutGraph(crossed, { sweeps: 0 }).crossings, 1);
    const layout = layoutGraph(crossed);
    assert.equal(layout.crossings, 0);
    assert.ok(box(layout, 'd').x < box(layout, 'c').x === box(layout, 'a').x < box(layout, 'b').x);
  });

  test('a chain is one straight column', () => {
    const layout = layoutGraph(chain(200));
    assert.equal(layout.layers, 200);
    assert.equal(new Set([...layout.nodes.values()].map(n => n.x)).size, 1);
    assert.ok(layout.edges.every(e => e.via().length === 0 && e.points[0].x === e.points[1].x));
    assert.equal(layout.width, DEFAULT_LAYOUT.nodeWidth + 2 * DEFAULT_LAYOUT.margin);
  });

  test('a long chain lays out without deep recursion', () => {
    assert.equal(layoutGraph(chain(20000)).layers, 20000);
  });
});

suite('cellGraph', () => {
  test('keeps parents among the cells, once each, and no cell is its own parent', () => {
    const g = cellGraph(['a', 'b', 'c'], id => ({ a: ['a'], b: ['a', 'a', 'gone'], c: ['b', 'a'] })[id]!);
    assert.deepEqual(Object.fromEntries(g.parents), { a: [], b: ['a'], c: ['b', 'a'] });
    assert.deepEqual(Object.fromEntries(g.children), { a: ['b', 'c'], b: ['c'], c: [] });
  });
});

suite('relatives', () => {
  const cases: Array<[string, { [id: string]: string[] }, string, string[], string[]]> = [
    // name, parents, cell, ancestors, descendants
    ['middle of a chain', { a: [], b: ['a'], c: ['b'], d: ['c'] }, 'b', ['a'], ['c', 'd']],
    ['diamond top', { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }, 'a', [], ['b', 'c', 'd']],
    ['diamond side', { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }, 'b', ['a'], ['d']],
    ['unrelated cell', { a: [], b: ['a'], x: [] }, 'x', [], []],
    ['in a cycle', { a: ['c'], b: ['a'], c: ['b'] }, 'a', ['b', 'c'], ['b', 'c']]
  ];
  for (const [name, parents, cell, ancestors, descendants] of cases) {
    test(name, () => {
      const found = relatives(graph(parents), cell);
      assert.deepEqual([...found.ancestors].sort(), ancestors);
      assert.deepEqual([...found.descendants].sort(), descendants);
    });
  }
});

test('pathData: curves where the points are not one above the other, lines where they are', () => {
  const points = [
    { x: 0, y: 0 },
    { x: 5, y: 10 },
    { x: 5, y: 20 },
    { x: 0, y: 30 }
  ];
  assert.equal(pathData(points), 'M0,0 C0,5 5,5 5,10 L5,20 C5,25 0,25 0,30');
  assert.equal(pathData([...points].reverse()), 'M0,30 C0,25 5,25 5,20 L5,10 C5,5 0,5 0,0');
});
