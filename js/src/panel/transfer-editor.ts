// The transfer-function editor: the image histogram (log counts) with the 3D opacity curve
// over it. Dragging a point sets the `opacity` trait (saved on release), a double-click adds a
// point (or removes the one under the pointer), "reset" goes back to the preset's curve.

import type { Display, ModelLike } from "../model";
import type { DecodedVolume, VoxelArray } from "../payload";
import { type OpacityPoint, transferFunction } from "../presets";
import { displayRange } from "../view/scene";
import {
  CurveView,
  histogram,
  hitPoint,
  insertPoint,
  keyEdit,
  logHeights,
  movePoint,
  removePoint,
} from "./opacity-curve";

const WIDTH = 240;
const HEIGHT = 70;
// one histogram per decoded volume, whichever views show it
const HISTOGRAMS = new WeakMap<VoxelArray, Float64Array>();

function heightsOf(image: DecodedVolume): Float64Array {
  let heights = HISTOGRAMS.get(image.values);
  if (!heights) {
    const [lo, hi] = image.meta.range;
    heights = logHeights(histogram(image.values, lo, hi, WIDTH));
    HISTOGRAMS.set(image.values, heights);
  }
  return heights;
}

export class TransferEditor {
  readonly element: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  private readonly reset: HTMLButtonElement;
  private image: DecodedVolume | null = null;
  private points: OpacityPoint[] = [];
  private dragging = -1;
  /** the point the keyboard edits (drawn ringed while the curve has focus) */
  private selected = 0;
  /** requestAnimationFrame id of the pending `opacity` update while dragging, or 0 */
  private pendingFrame = 0;
  private histogramTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly model: ModelLike) {
    this.element = document.createElement("div");
    this.element.className = "nbviewer3d-tf";
    this.canvas = document.createElement("canvas");
    this.canvas.width = WIDTH;
    this.canvas.height = HEIGHT;
    this.canvas.dataset.control = "opacity";
    this.canvas.title =
      "3D opacity over the image histogram: drag a point, double-click to add or remove one; " +
      "keys: Left/Right pick a point, Up/Down its opacity, Shift+Left/Right its value, " +
      "Delete removes it, + adds one";
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "application");
    this.canvas.setAttribute("aria-label", "3D opacity curve");
    this.reset = document.createElement("button");
    this.reset.type = "button";
    this.reset.textContent = "reset";
    this.reset.title = "back to the preset's opacity curve";
    this.reset.dataset.control = "opacity-reset";
    this.element.append(this.canvas, this.reset);
    this.listen(this.canvas, "pointerdown", this.onDown);
    this.listen(this.canvas, "pointermove", this.onMove);
    this.listen(this.canvas, "pointerup", this.onUp);
    this.listen(this.canvas, "pointercancel", this.onUp);
    this.listen(this.canvas, "dblclick", this.onDoubleClick);
    this.listen(this.canvas, "keydown", this.onKey);
    this.listen(this.canvas, "focus", () => this.draw());
    this.listen(this.canvas, "blur", () => this.draw());
    this.listen(this.reset, "click", () => this.save(null));
  }

  setImage(image: DecodedVolume | null): void {
    this.image = image;
  }

  /** Redraws for the model's display traits (the points follow them unless being dragged). */
  sync(display: Display): void {
    if (this.dragging < 0) {
      const window = displayRange(display, this.image);
      this.points = transferFunction({
        preset: display.preset,
        window,
        defaultLevel: display.defaultLevel,
        opacity: display.opacity,
      }).opacity;
    }
    this.reset.disabled = display.opacity === null;
    this.draw();
  }

  dispose(): void {
    if (this.pendingFrame !== 0) cancelAnimationFrame(this.pendingFrame);
    this.pendingFrame = 0;
    if (this.histogramTimer !== null) clearTimeout(this.histogramTimer);
    this.histogramTimer = null;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.element.remove();
  }

  private view(): CurveView | null {
    if (!this.image) return null;
    const [lo, hi] = this.image.meta.range;
    return new CurveView(lo, hi, WIDTH, HEIGHT);
  }

  /** The pointer's position in canvas pixels. */
  private at(event: MouseEvent): [number, number] {
    const rect = this.canvas.getBoundingClientRect();
    const sx = rect.width > 0 ? WIDTH / rect.width : 1;
    const sy = rect.height > 0 ? HEIGHT / rect.height : 1;
    return [(event.clientX - rect.left) * sx, (event.clientY - rect.top) * sy];
  }

  private readonly onDown = (event: PointerEvent): void => {
    const view = this.view();
    if (!view) return;
    const [x, y] = this.at(event);
    this.dragging = hitPoint(this.points, view, x, y);
    if (this.dragging >= 0) this.canvas.setPointerCapture?.(event.pointerId);
  };

  private readonly onMove = (event: PointerEvent): void => {
    const view = this.view();
    if (this.dragging < 0 || !view) return;
    const [value, opacity] = view.fromCanvas(...this.at(event));
    this.points = movePoint(this.points, this.dragging, value, opacity);
    this.draw();
    // the 3D view follows the drag once a frame; the kernel hears of it on release
    if (this.pendingFrame === 0 && typeof requestAnimationFrame === "function") {
      this.pendingFrame = requestAnimationFrame(() => {
        this.pendingFrame = 0;
        if (this.dragging >= 0) this.model.set("opacity", this.points);
      });
    }
  };

  private readonly onUp = (event: PointerEvent): void => {
    if (this.dragging < 0) return;
    this.dragging = -1;
    if (this.canvas.hasPointerCapture?.(event.pointerId)) {
      this.canvas.releasePointerCapture(event.pointerId);
    }
    this.save(this.points);
  };

  private readonly onDoubleClick = (event: MouseEvent): void => {
    const view = this.view();
    if (!view) return;
    const [x, y] = this.at(event);
    const hit = hitPoint(this.points, view, x, y);
    const [value, opacity] = view.fromCanvas(x, y);
    this.save(hit >= 0 ? removePoint(this.points, hit) : insertPoint(this.points, value, opacity));
  };

  private readonly onKey = (event: KeyboardEvent): void => {
    if (!this.image || event.altKey || event.ctrlKey || event.metaKey) return;
    const edit = keyEdit(this.points, this.selected, event.key, event.shiftKey, [
      this.image.meta.range[0],
      this.image.meta.range[1],
    ]);
    if (!edit) return;
    event.preventDefault();
    event.stopPropagation(); // keep the keys from the notebook and the viewer's step keys
    const changed = edit.points.some(
      (p, i) => p[0] !== this.points[i]?.[0] || p[1] !== this.points[i]?.[1],
    );
    this.selected = edit.selected;
    if (changed || edit.points.length !== this.points.length) {
      this.points = edit.points;
      this.save(this.points);
    }
    this.draw();
  };

  private save(points: OpacityPoint[] | null): void {
    this.model.set("opacity", points);
    this.model.save_changes();
  }

  private draw(): void {
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    ctx.fillStyle = "#1b1b1b";
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    const view = this.view();
    if (!view || !this.image) return;
    const heights = HISTOGRAMS.get(this.image.values);
    if (heights) this.drawHistogram(ctx, view, heights);
    else this.histogramLater();
    this.drawCurve(ctx, view);
  }

  /** The histogram waits until the first frame is out (the timer runs after this task). */
  private histogramLater(): void {
    if (this.histogramTimer !== null) return;
    this.histogramTimer = setTimeout(() => {
      this.histogramTimer = null;
      if (this.image) heightsOf(this.image);
      this.draw();
    }, 0);
  }

  private drawHistogram(
    ctx: CanvasRenderingContext2D,
    view: CurveView,
    heights: Float64Array,
  ): void {
    ctx.fillStyle = "#5a5a5a";
    const base = HEIGHT - view.pad;
    const top = HEIGHT - 2 * view.pad;
    const barWidth = (WIDTH - 2 * view.pad) / heights.length;
    heights.forEach((h, i) => {
      ctx.fillRect(view.pad + i * barWidth, base - h * top, Math.max(1, barWidth), h * top);
    });
  }

  private drawCurve(ctx: CanvasRenderingContext2D, view: CurveView): void {
    const pixels = this.points.map((p) => view.toCanvas(p));
    ctx.strokeStyle = "#ffb74d";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    pixels.forEach(([x, y], i) => {
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
    ctx.fillStyle = "#fff";
    for (const [x, y] of pixels) {
      ctx.beginPath();
      ctx.arc(x, y, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
    const picked = pixels[this.selected];
    if (picked && this.canvas.ownerDocument.activeElement === this.canvas) {
      ctx.strokeStyle = "#4dabf7";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(picked[0], picked[1], 6, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  private listen<K extends keyof HTMLElementEventMap>(
    target: HTMLElement,
    event: K,
    handler: (e: HTMLElementEventMap[K]) => void,
  ): void {
    target.addEventListener(event, handler);
    this.cleanups.push(() => target.removeEventListener(event, handler));
  }
}
