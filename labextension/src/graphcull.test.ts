// Unit tests for which boxes and edges the graph view keeps on the page (graphcull.ts), run with node's
// test runner (jlpm test).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { edgeRect, inView, meets, shownRect, tabNeighbours } from './graphcull';
import { IRect } from './viewport';

test('shownRect is the panel in drawing coordinates, grown by the margin', () => {
  const cases: Array<[string, { dx: number; dy: number; k: number }, number, IRect]> = [
    ['no pan, no zoom', { dx: 0, dy: 0, k: 1 }, 0, { x: 0, y: 0, width: 300, height: 600 }],
    ['a margin on every side', { dx: 0, dy: 0, k: 1 }, 50, { x: -50, y: -50, width: 400, height: 700 }],
    ['panned right and down', { dx: 100, dy: 40, k: 1 }, 0, { x: -100, y: -40, width: 300, height: 600 }],
    ['zoomed out: more drawing', { dx: 0, dy: 0, k: 0.5 }, 0, { x: 0, y: 0, width: 600, height: 1200 }],
    ['zoomed in, panned', { dx: -200, dy: -100, k: 2 }, 10, { x: 95, y: 45, width: 160, height: 310 }]
  ];
  for (const [what, view, margin, expected] of cases) {
    assert.deepEqual(shownRect(view, { width: 300, height: 600 }, margin), expected, what);
  }
});

test('shownRect of a panel not measured yet is empty', () => {
  for (const size of [
    { width: 0, height: 600 },
    { width: 300, height: 0 },
    { width: 0, height: 0 }
  ]) {
    assert.equal(shownRect({ dx: 0, dy: 0, k: 1 }, size).width, 0, JSON.stringify(size));
  }
});

test('edgeRect bounds an edge’s points, padded', () => {
  const points = [
    { x: 40, y: 28 },
    { x: 10, y: 100 },
    { x: 10, y: 300 },
    { x: 75, y: 344 }
  ];
  assert.deepEqual(edgeRect(points, 0), { x: 10, y: 28, width: 65, height: 316 });
  assert.deepEqual(edgeRect(points, 44), { x: -34, y: -16, width: 153, height: 404 });
  assert.equal(edgeRect([], 44).width, 0, 'no points: nothing');
});

test('meets: rectangles that share a point, not empty ones', () => {
  const a = { x: 0, y: 0, width: 10, height: 10 };
  const cases: Array<[IRect, boolean, string]> = [
    [{ x: 5, y: 5, width: 10, height: 10 }, true, 'overlapping'],
    [{ x: 2, y: 2, width: 2, height: 2 }, true, 'inside'],
    [{ x: -5, y: -5, width: 30, height: 30 }, true, 'around'],
    [{ x: 10, y: 0, width: 5, height: 5 }, true, 'touching'],
    [{ x: 11, y: 0, width: 5, height: 5 }, false, 'right of it'],
    [{ x: 0, y: -6, width: 5, height: 5 }, false, 'above it'],
    [{ x: 0, y: 20, width: 5, height: 5 }, false, 'below it'],
    [{ x: 2, y: 2, width: 0, height: 0 }, false, 'empty']
  ];
  for (const [b, expected, what] of cases) {
    assert.equal(meets(a, b), expected, what);
    assert.equal(meets(b, a), expected, `${what}, reversed`);
  }
});

test('inView: a tall graph at the top of a panel keeps the boxes near the top, in order', () => {
  // 2,000 boxes of 150 x 28, one per layer, 72 apart: the panel shows the top few only
  const boxes: Array<[string, IRect]> = Array.from({ length: 2000 }, (_, i) => [
    `c${i}`,
    { x: 16, y: 16 + 72 * i, width: 150, height: 28 }
  ]);
  const shown = shownRect({ dx: 8, dy: 8, k: 0.75 }, { width: 300, height: 700 }, 240);
  const keys = inView(boxes, shown);
  const last = Math.floor((700 + 240 - 8) / 0.75 - 16) / 72; // the last box whose top is in the margin
  assert.deepEqual(
    keys,
    boxes.slice(0, Math.floor(last) + 1).map(([key]) => key)
  );
  assert.ok(keys.length < 30, `${keys.length} boxes kept of 2,000`);

  const panned = shownRect({ dx: 8, dy: 8 - 72 * 0.75 * 1000, k: 0.75 }, { width: 300, height: 700 }, 0);
  const middle = inView(boxes, panned);
  assert.equal(middle[0], 'c1000', 'panned down 1,000 boxes: the 1,001st box is the first shown');
  assert.ok(!middle.includes('c0'));
});

test('tabNeighbours: the key with the ones before and after it', () => {
  const order = ['a', 'b', 'c', 'd'];
  const cases: Array<[string, string[]]> = [
    ['a', ['a', 'b']],
    ['b', ['a', 'b', 'c']],
    ['d', ['c', 'd']],
    ['x', ['x']]
  ];
  for (const [id, expected] of cases) {
    assert.deepEqual(tabNeighbours(order, id), expected, id);
  }
});
