// Unit tests for the layered net (graphnet.ts), run with node's test runner (jlpm test). The placement of a
// layer is checked against the plain version it replaced (a twin: the same result, found faster).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { INet, INetNode, nearestPlacedBefore, placeLayer } from './graphnet';

/** Numbers from a fixed seed, so the cases repeat. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/**
 * The placement as first written: for each node in priority order, walk out to the nearest placed node on
 * each side, place the node between them, then push the unplaced nodes next to it aside. Quadratic in the
 * layer's width.
 */
function placeLayerPlainly(net: INet, layer: number[], side: 'up' | 'down', gap: number, frame: number): void {
  const nodes = layer.map(v => net.nodes[v]);
  const sep = (i: number) => (nodes[i - 1].width + nodes[i].width) / 2 + gap;
  const before: number[] = [];
  nodes.forEach((node, i) => before.push(i === 0 ? node.width / 2 : before[i - 1] + sep(i)));
  const last = nodes.length - 1;
  const right = (i: number) => before[last] - before[i] + nodes[last].width / 2;
  const priority = nodes.map(node => (node.id === undefined ? 1e9 : node[side].length));
  const byPriority = nodes.map((_, i) => i).sort((a, b) => priority[b] - priority[a] || a - b);
  const placed = nodes.map(() => false);
  for (const i of byPriority) {
    const links = nodes[i][side];
    const wanted =
      links.length === 0 ? nodes[i].x : links.reduce((sum, u) => sum + net.nodes[u].x, 0) / links.length;
    let [lo, hi] = [before[i], frame - right(i)];
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

/**
 * Two layers: `above` (placed, random x) and a layer of `width` boxes and dummy points at random x, each
 * linked to 0-3 nodes above (dummies to one); widths of boxes and dummies as the layout uses them.
 */
function twoLayers(width: number, next: () => number): { net: INet; layer: number[] } {
  const nodes: INetNode[] = [];
  const above: number[] = [];
  for (let i = 0; i < Math.max(1, Math.floor(width / 2)); i++) {
    above.push(nodes.push({ id: `a${i}`, layer: 0, width: 150, up: [], down: [], x: next() * 4000 }) - 1);
  }
  const layer: number[] = [];
  for (let i = 0; i < width; i++) {
    const dummy = next() < 0.4;
    const links = dummy ? 1 : Math.floor(next() * 4);
    const up = Array.from({ length: links }, () => above[Math.floor(next() * above.length)]);
    const node: INetNode = { layer: 1, width: dummy ? 6 : 150, up, down: [], x: next() * 4000 };
    if (!dummy) {
      node.id = `b${i}`;
    }
    layer.push(nodes.push(node) - 1);
    up.forEach(u => nodes[u].down.push(layer[i]));
  }
  return { net: { nodes, layers: [above, layer], pos: [], chains: [] }, layer };
}

test('placeLayer places every node where the plain placement does', () => {
  for (const [width, seed] of [[1, 1], [2, 2], [3, 3], [8, 4], [20, 5], [50, 6], [200, 7], [200, 8], [600, 9]]) {
    const next = random(seed);
    const { net, layer } = twoLayers(width, next);
    const frame = layer.reduce((sum, v) => sum + net.nodes[v].width + 18, 0) * (1 + next());
    const twin: INet = { ...net, nodes: net.nodes.map(node => ({ ...node })) };
    placeLayer(net, layer, 'up', 18, frame);
    placeLayerPlainly(twin, layer, 'up', 18, frame);
    const xs = layer.map(v => net.nodes[v].x);
    const expected = layer.map(v => twin.nodes[v].x);
    xs.forEach((x, i) =>
      assert.ok(Math.abs(x - expected[i]) < 1e-6, `width ${width}, node ${i}: ${x}, not ${expected[i]}`)
    );
    xs.slice(1).forEach((x, i) => assert.ok(x - xs[i] >= 18 - 1e-6, `width ${width}: nodes ${i}, ${i + 1} overlap`));
  }
});

test('nearestPlacedBefore: the nearest position on each side placed earlier', () => {
  const brute = (order: number[]) => {
    const when = new Map(order.map((i, k) => [i, k]));
    const left = order.map(() => -1);
    const right = order.map(() => order.length);
    for (const i of order) {
      for (let j = i - 1; j >= 0; j--) {
        if (when.get(j)! < when.get(i)!) {
          left[i] = j;
          break;
        }
      }
      for (let j = i + 1; j < order.length; j++) {
        if (when.get(j)! < when.get(i)!) {
          right[i] = j;
          break;
        }
      }
    }
    return { left, right };
  };
  const next = random(11);
  const orders: number[][] = [[], [0], [0, 1], [1, 0], [2, 0, 1], [1, 3, 0, 2], [4, 3, 2, 1, 0], [0, 1, 2, 3, 4]];
  for (let n = 5; n < 60; n += 7) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    orders.push(order);
  }
  for (const order of orders) {
    assert.deepEqual(nearestPlacedBefore(order), brute(order), `order ${order}`);
  }
});
