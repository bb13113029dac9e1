// Which of the graph's boxes and edges the panel shows: only those are kept on the page, so a status
// change in a 2,000-cell graph restyles and repaints a screenful of boxes, not all of them.
// Pure: imports nothing from JupyterLab, so node's test runner covers it (graphcull.test.ts).

import { IPoint } from './graphlayout';
import { IRect, ISize, IView } from './viewport';

/** Panel pixels around the panel drawn too: a short pan or a Tab to a neighbour finds its box there. */
export const CULL_MARGIN = 240;

/**
 * The part of the drawing the panel shows, in drawing coordinates, grown by `margin` panel pixels on
 * each side. An unknown panel size (0) shows nothing.
 */
export function shownRect(view: IView, size: ISize, margin = CULL_MARGIN): IRect {
  if (!(size.width > 0 && size.height > 0 && view.k > 0)) {
    return { x: 0, y: 0, width: 0, height: 0 };
  }
  const x = (0 - view.dx - margin) / view.k; // not -view.dx: no -0 for a view at the origin
  const y = (0 - view.dy - margin) / view.k;
  return { x, y, width: (size.width + 2 * margin) / view.k, height: (size.height + 2 * margin) / view.k };
}

/**
 * The rectangle an edge's drawing stays within: its points' bounds grown by `pad` (its curves bend
 * between its points, a flat edge's dips below them, and the arrowhead sticks out).
 */
export function edgeRect(points: readonly IPoint[], pad: number): IRect {
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of points) {
    left = Math.min(left, p.x);
    right = Math.max(right, p.x);
    top = Math.min(top, p.y);
    bottom = Math.max(bottom, p.y);
  }
  if (left > right) {
    return { x: 0, y: 0, width: 0, height: 0 };
  }
  return { x: left - pad, y: top - pad, width: right - left + 2 * pad, height: bottom - top + 2 * pad };
}

/** Whether two rectangles share any point (touching edges count); an empty one meets nothing. */
export function meets(a: IRect, b: IRect): boolean {
  if (a.width <= 0 || a.height <= 0 || b.width <= 0 || b.height <= 0) {
    return false;
  }
  return a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height;
}

/** The keys of `items` whose rectangle meets `shown`, in the items' order. */
export function inView<K>(items: Iterable<[K, IRect]>, shown: IRect): K[] {
  const keys: K[] = [];
  for (const [key, rect] of items) {
    if (meets(rect, shown)) {
      keys.push(key);
    }
  }
  return keys;
}

/** `id` with the keys before and after it in `order` (the Tab order), those that exist. */
export function tabNeighbours(order: readonly string[], id: string): string[] {
  const at = order.indexOf(id);
  return at < 0 ? [id] : order.slice(Math.max(0, at - 1), at + 2);
}
