// The user's camera per view mode, kept across view-mode switches and across the context
// pool taking the GL window away and giving it back (no vtk.js rendering here).

import type { ViewMode } from "../model";
import type { Grid } from "../payload";
import type { ViewBasis } from "./orientation";

type Vec3 = [number, number, number];

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

/** Points the camera along `basis` (position and scale are left to renderer.resetCamera). */
export function aimCamera(camera: CameraLike, basis: ViewBasis): void {
  camera.setFocalPoint(0, 0, 0);
  camera.setPosition(-basis.look[0], -basis.look[1], -basis.look[2]);
  camera.setViewUp(...basis.up);
}

/** Identifies a grid: a camera saved over one grid is meaningless over another. */
export function gridKey(grid: Grid): string {
  return JSON.stringify([grid.dims, grid.spacing, grid.origin, grid.direction]);
}

/** One saved camera per view mode, all for the same grid; a new grid forgets them. */
export class CameraMemory {
  private readonly saved = new Map<ViewMode, CameraState>();
  private grid: string | null = null;

  save(mode: ViewMode, grid: string, state: CameraState): void {
    if (grid !== this.grid) {
      this.saved.clear();
      this.grid = grid;
    }
    this.saved.set(mode, state);
  }

  /** The camera saved for this mode over this grid, or null (then the scene's default view). */
  restore(mode: ViewMode, grid: string): CameraState | null {
    if (grid !== this.grid) return null;
    return this.saved.get(mode) ?? null;
  }
}
