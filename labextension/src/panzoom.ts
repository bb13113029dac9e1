// Pan and zoom of the graph view's drawing: the wheel zooms about the pointer, a drag pans, and the keys
// do both while the drawing has focus (arrows pan, + and - zoom, 0 fits). The numbers are viewport.ts's.
// The panel's size comes from a ResizeObserver, so moving the view never makes the page lay itself out.

import { fitView, initialView, ISize, IView, panBy, reveal, transformOf, zoomAt } from './viewport';

const STEP = 48; // px an arrow key pans
const KEY_ZOOM = 1.25;
const DRAG_START = 4; // px a press moves before it is a drag, not a click

export class PanZoom {
  /**
   * Transforms `viewport` (a group in `svg`), whose drawing has the size `content()` says; `changed` is
   * told the view and the panel's size whenever either changes.
   */
  constructor(
    private readonly _svg: SVGSVGElement,
    private readonly _viewport: SVGGElement,
    private readonly _content: () => ISize | null,
    private readonly _changed: (view: IView, size: ISize) => void = () => undefined
  ) {
    _svg.addEventListener('wheel', this._onWheel, { passive: false });
    _svg.addEventListener('pointerdown', this._onPointerDown);
    _svg.addEventListener('pointermove', this._onPointerMove);
    _svg.addEventListener('pointerup', this._onPointerUp);
    _svg.addEventListener('pointercancel', this._onPointerUp);
    _svg.addEventListener('click', this._onClick, true);
    _svg.addEventListener('keydown', this._onKeyDown);
    this._resize.observe(_svg);
    this._apply();
  }

  dispose(): void {
    this._resize.disconnect();
  }

  get view(): IView {
    return this._view;
  }

  set view(view: IView) {
    this._view = view;
    this._apply();
  }

  /** The whole drawing in the panel. */
  fit(): void {
    const content = this._content();
    if (content) {
      this.view = fitView(content, this._box());
    }
  }

  /** How a newly shown graph starts: whole if readable, else its top (viewport.ts `initialView`). */
  start(): void {
    const content = this._content();
    if (content) {
      this.view = initialView(content, this._box());
    }
  }

  /** Zoom by `factor` about the panel's centre. */
  zoom(factor: number): void {
    const box = this._box();
    this.view = zoomAt(this._view, factor, box.width / 2, box.height / 2);
  }

  /** Pan as little as needed to show `rect` (drawing coordinates). */
  reveal(rect: { x: number; y: number; width: number; height: number }): void {
    const next = reveal(this._view, rect, this._box());
    if (next.dx !== this._view.dx || next.dy !== this._view.dy) {
      this.view = next;
    }
  }

  /** The panel's size: the last one observed, or read now (a layout) before any was. */
  private _box(): ISize {
    return this._size ?? { width: this._svg.clientWidth, height: this._svg.clientHeight };
  }

  private _apply(): void {
    this._viewport.setAttribute('transform', transformOf(this._view));
    this._changed(this._view, this._box());
  }

  /** A hidden panel measures 0 x 0: its last size is kept, for what it shows when it comes back. */
  private _onResize = (entries: ResizeObserverEntry[]): void => {
    const { width, height } = entries[entries.length - 1].contentRect;
    if (width > 0 && height > 0 && (width !== this._size?.width || height !== this._size?.height)) {
      this._size = { width, height };
      this._changed(this._view, this._size);
    }
  };

  private _onWheel = (event: WheelEvent): void => {
    event.preventDefault();
    const lines = event.deltaMode === WheelEvent.DOM_DELTA_LINE ? 16 : 1;
    const at = this._svg.getBoundingClientRect();
    const factor = Math.exp(-event.deltaY * lines * 0.002);
    this.view = zoomAt(this._view, factor, event.clientX - at.left, event.clientY - at.top);
  };

  private _onPointerDown = (event: PointerEvent): void => {
    this._dragged = false;
    if (event.button === 0) {
      this._press = { x: event.clientX, y: event.clientY, view: this._view, pointer: event.pointerId };
    }
  };

  private _onPointerMove = (event: PointerEvent): void => {
    const press = this._press;
    if (!press || press.pointer !== event.pointerId) {
      return;
    }
    const [dx, dy] = [event.clientX - press.x, event.clientY - press.y];
    if (!this._dragged && Math.hypot(dx, dy) < DRAG_START) {
      return;
    }
    if (!this._dragged) {
      this._dragged = true;
      this._svg.setPointerCapture(event.pointerId);
      this._svg.classList.add('jp-mod-panning');
    }
    this.view = panBy(press.view, dx, dy);
  };

  private _onPointerUp = (event: PointerEvent): void => {
    if (this._press?.pointer === event.pointerId) {
      this._press = null;
      this._svg.classList.remove('jp-mod-panning');
    }
  };

  /** A drag that ends on a box is not a click on it. */
  private _onClick = (event: MouseEvent): void => {
    if (this._dragged) {
      this._dragged = false;
      event.stopPropagation();
      event.preventDefault();
    }
  };

  private _onKeyDown = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    const pans: { [key: string]: [number, number] } = {
      ArrowLeft: [STEP, 0],
      ArrowRight: [-STEP, 0],
      ArrowUp: [0, STEP],
      ArrowDown: [0, -STEP]
    };
    if (pans[event.key]) {
      this.view = panBy(this._view, ...pans[event.key]);
    } else if (event.key === '+' || event.key === '=') {
      this.zoom(KEY_ZOOM);
    } else if (event.key === '-' || event.key === '_') {
      this.zoom(1 / KEY_ZOOM);
    } else if (event.key === '0') {
      this.fit();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  };

  private _view: IView = { dx: 0, dy: 0, k: 1 };
  private _size: ISize | null = null; // the panel's, observed
  private readonly _resize = new ResizeObserver(this._onResize);
  private _press: { x: number; y: number; view: IView; pointer: number } | null = null;
  private _dragged = false;
}
