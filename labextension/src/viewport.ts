// The graph view's pan and zoom as numbers: where the drawing sits in the panel, and how gestures move it.
// Pure: imports nothing from JupyterLab, so node's test runner covers it (viewport.test.ts).

/** A point of the drawing at (x, y) shows at (x * k + dx, y * k + dy) in the panel. */
export interface IView {
  dx: number;
  dy: number;
  k: number;
}

export interface ISize {
  width: number;
  height: number;
}

export interface IRect extends ISize {
  x: number;
  y: number;
}

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 3;
/** Below this zoom the labels are too small to read: the first view of a big graph stops here. */
export const READABLE_ZOOM = 0.75;
const PAD = 8;

export function clampZoom(k: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));
}

/** The SVG `transform` attribute that applies the view. */
export function transformOf(view: IView): string {
  return `translate(${round(view.dx)},${round(view.dy)}) scale(${round(view.k, 1000)})`;
}

/** Zoom by `factor` about the panel point (px, py), which keeps showing the same point of the drawing. */
export function zoomAt(view: IView, factor: number, px: number, py: number): IView {
  const k = clampZoom(view.k * factor);
  const s = k / view.k;
  return { k, dx: px - (px - view.dx) * s, dy: py - (py - view.dy) * s };
}

export function panBy(view: IView, x: number, y: number): IView {
  return { ...view, dx: view.dx + x, dy: view.dy + y };
}

/** The whole drawing in the box, centred; never magnified past 1. */
export function fitView(content: ISize, box: ISize): IView {
  const fit = Math.min((box.width - 2 * PAD) / content.width, (box.height - 2 * PAD) / content.height, 1);
  const k = clampZoom(Number.isFinite(fit) && fit > 0 ? fit : 1);
  return { k, dx: (box.width - content.width * k) / 2, dy: (box.height - content.height * k) / 2 };
}

/**
 * How a graph first shows: the whole of it when that is readable; otherwise as wide as fits at a
 * readable zoom (at most 1), from its top, centred when narrower than the box.
 */
export function initialView(content: ISize, box: ISize): IView {
  const fitted = fitView(content, box);
  if (fitted.k >= READABLE_ZOOM) {
    return fitted;
  }
  const k = clampZoom(Math.max(READABLE_ZOOM, Math.min(1, (box.width - 2 * PAD) / content.width)));
  const dx = content.width * k <= box.width ? (box.width - content.width * k) / 2 : PAD;
  return { k, dx, dy: PAD };
}

/** The view moved as little as needed to show `rect` (drawing coordinates) whole in the box. */
export function reveal(view: IView, rect: IRect, box: ISize): IView {
  const shift = (start: number, size: number, room: number) => {
    if (start < PAD) {
      return PAD - start;
    }
    const end = start + size;
    return end > room - PAD ? Math.max(room - PAD - end, PAD - start) : 0;
  };
  const x = shift(rect.x * view.k + view.dx, rect.width * view.k, box.width);
  const y = shift(rect.y * view.k + view.dy, rect.height * view.k, box.height);
  return panBy(view, x, y);
}

function round(value: number, scale = 10): number {
  return Math.round(value * scale) / scale;
}
