// Unit tests for the graph view's pan and zoom (viewport.ts), run with node's test runner (jlpm test).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  fitView,
  initialView,
  IView,
  MAX_ZOOM,
  MIN_ZOOM,
  panBy,
  READABLE_ZOOM,
  reveal,
  transformOf,
  zoomAt
} from './viewport';

const shown = (view: IView, x: number, y: number) => [x * view.k + view.dx, y * view.k + view.dy];

test('zoomAt keeps the point under the pointer, within the zoom limits', () => {
  const view = { dx: 30, dy: -40, k: 1.5 };
  for (const factor of [0.5, 0.9, 1.1, 2, 100, 0.001]) {
    const zoomed = zoomAt(view, factor, 120, 80);
    const [x, y] = [(120 - view.dx) / view.k, (80 - view.dy) / view.k]; // the drawing's point under it
    const [sx, sy] = shown(zoomed, x, y);
    assert.ok(Math.abs(sx - 120) < 1e-9 && Math.abs(sy - 80) < 1e-9, `factor ${factor}`);
    assert.ok(zoomed.k >= MIN_ZOOM && zoomed.k <= MAX_ZOOM);
  }
});

test('fitView shows the whole drawing, centred, never magnified', () => {
  const cases: Array<[number, number, number, number]> = [
    // content width, height, box width, height
    [1000, 400, 300, 600],
    [200, 5000, 300, 600],
    [100, 100, 300, 600]
  ];
  for (const [cw, ch, bw, bh] of cases) {
    const view = fitView({ width: cw, height: ch }, { width: bw, height: bh });
    assert.ok(view.k <= 1);
    const [x0, y0] = shown(view, 0, 0);
    const [x1, y1] = shown(view, cw, ch);
    assert.ok(Math.abs(x0 - (bw - x1)) < 1e-9 && Math.abs(y0 - (bh - y1)) < 1e-9, 'centred');
    if (view.k > MIN_ZOOM) {
      assert.ok(x0 >= 0 && y0 >= 0 && x1 <= bw && y1 <= bh, 'inside the box');
    }
  }
});

test('initialView: the whole graph when readable, else its top at a readable zoom', () => {
  const small = initialView({ width: 200, height: 300 }, { width: 300, height: 600 });
  assert.deepEqual(small, fitView({ width: 200, height: 300 }, { width: 300, height: 600 }));
  const tall = initialView({ width: 190, height: 14000 }, { width: 300, height: 600 });
  assert.equal(tall.k, 1);
  assert.ok(shown(tall, 0, 0)[1] >= 0 && shown(tall, 0, 0)[1] < 20, 'starts at the top');
  const wide = initialView({ width: 4000, height: 14000 }, { width: 300, height: 600 });
  assert.equal(wide.k, READABLE_ZOOM);
});

test('reveal moves the view only as far as needed', () => {
  const view = { dx: 0, dy: 0, k: 1 };
  const box = { width: 300, height: 600 };
  assert.deepEqual(reveal(view, { x: 10, y: 10, width: 100, height: 20 }, box), view, 'already shown');
  const below = reveal(view, { x: 10, y: 1000, width: 100, height: 20 }, box);
  const [, bottom] = shown(below, 10, 1020);
  assert.ok(bottom <= 600 && bottom > 560, `brought up to the bottom edge: ${bottom}`);
  const left = reveal({ dx: 0, dy: 0, k: 2 }, { x: -50, y: 0, width: 10, height: 10 }, box);
  assert.ok(shown(left, -50, 0)[0] >= 0);
});

test('panBy and transformOf', () => {
  const view = panBy({ dx: 1, dy: 2, k: 0.5 }, 10.04, -3);
  assert.equal(transformOf(view), 'translate(11,-1) scale(0.5)');
});
