// Mouse and wheel in slice panes: a click or drag puts the cursor there, the wheel steps
// through slices, right-drag (or Ctrl+wheel) zooms, middle- or Shift-drag pans. Events over a
// slice pane stop at the container, before the 3D interactor bound to the canvas sees them.

import type { Vec3 } from "../protocol";
import { screenRight } from "./orientation";

/** The part of vtkCamera slice navigation reads and writes (parallel projection). */
export interface SliceCamera {
  getFocalPoint(): ArrayLike<number>;
  getPosition(): ArrayLike<number>;
  getDirectionOfProjection(): ArrayLike<number>;
  getViewUp(): ArrayLike<number>;
  getParallelScale(): number;
  setFocalPoint(x: number, y: number, z: number): unknown;
  setPosition(x: number, y: number, z: number): unknown;
  setParallelScale(scale: number): unknown;
}

const vec = (v: ArrayLike<number>): Vec3 => [Number(v[0]), Number(v[1]), Number(v[2])];

/** Right and up on screen, in world units per half pane width and half pane height. */
function screenAxes(camera: SliceCamera, aspect: number): { right: Vec3; up: Vec3 } {
  const look = vec(camera.getDirectionOfProjection());
  const upRaw = vec(camera.getViewUp());
  const right = screenRight({ look, up: upRaw });
  const s = camera.getParallelScale();
  return {
    right: [right[0] * s * aspect, right[1] * s * aspect, right[2] * s * aspect],
    up: [upRaw[0] * s, upRaw[1] * s, upRaw[2] * s],
  };
}

/** The world point under (x, y), each in -1..1 across the pane (y up), on the focal plane. */
export function panePoint(camera: SliceCamera, x: number, y: number, aspect: number): Vec3 {
  const f = vec(camera.getFocalPoint());
  const { right, up } = screenAxes(camera, aspect);
  return [
    f[0] + x * right[0] + y * up[0],
    f[1] + x * right[1] + y * up[1],
    f[2] + x * right[2] + y * up[2],
  ];
}

/** Moves the camera so the picture follows the pointer by (dx, dy) in -1..1 pane units. */
export function panCamera(camera: SliceCamera, dx: number, dy: number, aspect: number): void {
  const { right, up } = screenAxes(camera, aspect);
  const shift: Vec3 = [
    -(dx * right[0] + dy * up[0]),
    -(dx * right[1] + dy * up[1]),
    -(dx * right[2] + dy * up[2]),
  ];
  const f = vec(camera.getFocalPoint());
  const p = vec(camera.getPosition());
  camera.setFocalPoint(f[0] + shift[0], f[1] + shift[1], f[2] + shift[2]);
  camera.setPosition(p[0] + shift[0], p[1] + shift[1], p[2] + shift[2]);
}

/** Zooms in by `factor` (>1 closer) about the pane's centre. */
export function zoomCamera(camera: SliceCamera, factor: number): void {
  camera.setParallelScale(camera.getParallelScale() / factor);
}

export interface SliceTarget {
  /** pane-relative coordinates of the event, each -1..1 (y up), and the pane's aspect */
  x: number;
  y: number;
  aspect: number;
}

export interface SlicePointerHandlers {
  /** the slice pane under a client point, with the point in pane units; null elsewhere */
  hit(clientX: number, clientY: number): (SliceTarget & { pane: number }) | null;
  pointTo(pane: number, target: SliceTarget): void;
  scroll(pane: number, slices: number): void;
  zoom(pane: number, factor: number): void;
  pan(pane: number, dx: number, dy: number, aspect: number): void;
}

type Drag = "cursor" | "zoom" | "pan";

export class SlicePointer {
  private drag: { kind: Drag; pane: number; pointer: number; x: number; y: number } | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly handlers: SlicePointerHandlers,
  ) {
    container.addEventListener("pointerdown", this.onDown, { capture: true });
    container.addEventListener("pointermove", this.onMove, { capture: true });
    container.addEventListener("pointerup", this.onUp, { capture: true });
    container.addEventListener("pointercancel", this.onUp, { capture: true });
    container.addEventListener("wheel", this.onWheel, { capture: true, passive: false });
    container.addEventListener("contextmenu", this.onContextMenu, { capture: true });
  }

  dispose(): void {
    const c = this.container;
    c.removeEventListener("pointerdown", this.onDown, { capture: true });
    c.removeEventListener("pointermove", this.onMove, { capture: true });
    c.removeEventListener("pointerup", this.onUp, { capture: true });
    c.removeEventListener("pointercancel", this.onUp, { capture: true });
    c.removeEventListener("wheel", this.onWheel, { capture: true });
    c.removeEventListener("contextmenu", this.onContextMenu, { capture: true });
  }

  private readonly onDown = (event: PointerEvent): void => {
    const hit = this.handlers.hit(event.clientX, event.clientY);
    if (!hit) return;
    event.stopPropagation();
    event.preventDefault();
    const kind: Drag =
      event.button === 2 || (event.button === 0 && event.ctrlKey)
        ? "zoom"
        : event.button === 1 || (event.button === 0 && event.shiftKey)
          ? "pan"
          : "cursor";
    this.drag = { kind, pane: hit.pane, pointer: event.pointerId, x: hit.x, y: hit.y };
    this.container.setPointerCapture?.(event.pointerId);
    if (kind === "cursor") this.handlers.pointTo(hit.pane, hit);
  };

  private readonly onMove = (event: PointerEvent): void => {
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointer) return;
    event.stopPropagation();
    const hit = this.handlers.hit(event.clientX, event.clientY);
    if (!hit || hit.pane !== drag.pane) return;
    if (drag.kind === "cursor") this.handlers.pointTo(drag.pane, hit);
    else if (drag.kind === "zoom") this.handlers.zoom(drag.pane, 2 ** (hit.y - drag.y));
    else this.handlers.pan(drag.pane, hit.x - drag.x, hit.y - drag.y, hit.aspect);
    drag.x = hit.x;
    drag.y = hit.y;
  };

  private readonly onUp = (event: PointerEvent): void => {
    if (!this.drag || event.pointerId !== this.drag.pointer) return;
    event.stopPropagation();
    this.container.releasePointerCapture?.(event.pointerId);
    this.drag = null;
  };

  private readonly onWheel = (event: WheelEvent): void => {
    const hit = this.handlers.hit(event.clientX, event.clientY);
    if (!hit) return;
    event.stopPropagation();
    event.preventDefault();
    if (event.ctrlKey) this.handlers.zoom(hit.pane, 2 ** (-event.deltaY / 300));
    else if (event.deltaY !== 0) this.handlers.scroll(hit.pane, Math.sign(event.deltaY));
  };

  private readonly onContextMenu = (event: Event): void => {
    if (
      this.drag ||
      event.target === this.container ||
      this.container.contains(event.target as Node)
    ) {
      event.preventDefault();
    }
  };
}
