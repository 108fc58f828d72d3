// The user's camera per view mode, kept across view-mode switches and across the context
// pool taking the GL window away and giving it back, and the default framing of a view
// (no vtk.js rendering here).

import type { Grid } from "../payload";
import type { BaseGrid } from "../protocol";
import { dot, screenRight, type ViewBasis } from "./orientation";

type Vec3 = [number, number, number];

/** Room left around the volume when a view is framed (the edge letters sit in it). */
export const FRAME_MARGIN = 1.08;

export interface CameraState {
  position: Vec3;
  focalPoint: Vec3;
  viewUp: Vec3;
  parallelScale: number;
}

/** The part of vtkCamera this module reads and writes. */
export interface CameraLike {
  getPosition(): ArrayLike<number>;
  getFocalPoint(): ArrayLike<number>;
  getViewUp(): ArrayLike<number>;
  getParallelScale(): number;
  setPosition(x: number, y: number, z: number): unknown;
  setFocalPoint(x: number, y: number, z: number): unknown;
  setViewUp(x: number, y: number, z: number): unknown;
  setParallelScale(scale: number): unknown;
}

function vec3(v: ArrayLike<number>): Vec3 {
  return [Number(v[0]), Number(v[1]), Number(v[2])];
}

export function readCamera(camera: CameraLike): CameraState {
  return {
    position: vec3(camera.getPosition()),
    focalPoint: vec3(camera.getFocalPoint()),
    viewUp: vec3(camera.getViewUp()),
    parallelScale: camera.getParallelScale(),
  };
}

export function applyCamera(camera: CameraLike, state: CameraState): void {
  camera.setFocalPoint(...state.focalPoint);
  camera.setPosition(...state.position);
  camera.setViewUp(...state.viewUp);
  camera.setParallelScale(state.parallelScale);
}

/** The part of vtkCamera that framing reads and writes. */
export interface FramedCamera {
  getParallelProjection(): boolean;
  getViewAngle(): number;
  setPosition(x: number, y: number, z: number): unknown;
  setFocalPoint(x: number, y: number, z: number): unknown;
  setViewUp(x: number, y: number, z: number): unknown;
  setParallelScale(scale: number): unknown;
}

/** World positions of the eight corner voxels' centres (what vtk draws spans them). */
export function gridCorners(grid: Grid): Vec3[] {
  const axes = [0, 1, 2].map((a) => {
    const d = grid.direction;
    const length = ((grid.dims[a] as number) - 1) * (grid.spacing[a] as number);
    return [0, 1, 2].map((c) => (d[3 * a + c] as number) * length);
  });
  const corners: Vec3[] = [];
  for (let n = 0; n < 8; n++) {
    const p = [...grid.origin] as Vec3;
    axes.forEach((step, a) => {
      if (n & (1 << a)) for (let c = 0; c < 3; c++) p[c] = (p[c] as number) + (step[c] as number);
    });
    corners.push(p);
  }
  return corners;
}

/**
 * Points the camera along `basis` at `corners` (a box) and moves it, or sets the parallel
 * scale, so that every corner is on screen with `margin` to spare: the box fills the view's
 * height or width, whichever binds, rather than its circumscribed sphere. In perspective the
 * box's near end looks larger than its far end, so the focal point moves off the box's
 * centre until the picture of the box is centred on the screen.
 */
export function frameCamera(
  camera: FramedCamera,
  basis: ViewBasis,
  corners: readonly Vec3[],
  aspect: number,
  margin: number,
): void {
  const mean = (c: 0 | 1 | 2) => corners.reduce((sum, p) => sum + p[c], 0) / corners.length;
  let centre: Vec3 = [mean(0), mean(1), mean(2)];
  const right = screenRight(basis);
  const wide = aspect > 0 && Number.isFinite(aspect) ? aspect : 1;
  const tan = Math.tan((camera.getViewAngle() * Math.PI) / 360);
  const parallel = camera.getParallelProjection();
  const around = (c: Vec3) => corners.map((q): Vec3 => [q[0] - c[0], q[1] - c[1], q[2] - c[2]]);
  let scale = 1; // the half height the box needs at the focal point, in world units
  let distance = 1; // from the focal point to the eye
  for (let pass = 0; pass < 6; pass++) {
    const points = around(centre);
    scale = 0;
    distance = 0;
    for (const p of points) {
      const half = Math.max(Math.abs(dot(p, basis.up)), Math.abs(dot(p, right)) / wide) * margin;
      scale = Math.max(scale, half);
      distance = Math.max(distance, half / tan - dot(p, basis.look));
    }
    if (!(scale > 0)) scale = 1;
    if (parallel) {
      distance = 2 * Math.max(...points.map((p) => Math.hypot(...p))) + 1;
      break; // a box seen in parallel projection is centred on its centre already
    }
    // the middle of the box's picture (as tangents of the view angle), moved to the centre
    const seen = (axis: ViewBasis["up"]) =>
      points.map((p) => dot(p, axis) / (distance + dot(p, basis.look)));
    const middle = (values: number[]) =>
      ((Math.min(...values) + Math.max(...values)) / 2) * distance;
    const dy = middle(seen(basis.up));
    const dx = middle(seen(right));
    const [ux, uy, uz] = basis.up;
    const [rx, ry, rz] = right;
    centre = [
      centre[0] + dy * ux + dx * rx,
      centre[1] + dy * uy + dx * ry,
      centre[2] + dy * uz + dx * rz,
    ];
  }
  const [x, y, z] = centre;
  const [lx, ly, lz] = basis.look;
  camera.setFocalPoint(x, y, z);
  camera.setPosition(x - lx * distance, y - ly * distance, z - lz * distance);
  camera.setViewUp(...basis.up);
  camera.setParallelScale(scale);
}

/** Width over height of the canvas a renderer draws into (1 when it has none yet). */
export function viewAspect(renderer: {
  getRenderWindow(): { getViews(): unknown[] } | null;
}): number {
  const view = renderer.getRenderWindow()?.getViews()[0] as
    | { getSize(): [number, number] }
    | undefined;
  const [width, height] = view?.getSize() ?? [1, 1];
  return width > 0 && height > 0 ? width / height : 1;
}

/** Identifies a volume's full-resolution grid: a camera saved over one grid is meaningless over
 * another, and every pyramid level of a volume shares its level 0's. */
export function gridKey(volume: { grid: Grid; meta: { base?: BaseGrid } }): string {
  const { grid, meta } = volume;
  const placed = meta.base ?? { shape: grid.dims, spacing: grid.spacing, origin: grid.origin };
  return JSON.stringify([placed.shape, placed.spacing, placed.origin, grid.direction]);
}

/** One saved camera per view (a view mode, or a pane of quad), all for the same grid; a new
 * grid forgets them. */
export class CameraMemory {
  private readonly saved = new Map<string, CameraState>();
  private grid: string | null = null;

  save(mode: string, grid: string, state: CameraState): void {
    if (grid !== this.grid) {
      this.saved.clear();
      this.grid = grid;
    }
    this.saved.set(mode, state);
  }

  /** The camera saved for this mode over this grid, or null (then the scene's default view). */
  restore(mode: string, grid: string): CameraState | null {
    if (grid !== this.grid) return null;
    return this.saved.get(mode) ?? null;
  }
}
