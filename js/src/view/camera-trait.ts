// The `camera` trait: the 3D view's camera as Python sees it (RAS mm, see nbviewer3d/camera.py).
// null is the default view; the view writes the trait when the user stops moving the camera.

type Vec3 = [number, number, number];

export interface CameraTrait {
  position: Vec3;
  focal_point: Vec3;
  view_up: Vec3;
  view_angle: number;
  parallel_scale: number;
}

/** The part of vtkCamera the trait reads and writes. */
export interface TraitCamera {
  getPosition(): ArrayLike<number>;
  getFocalPoint(): ArrayLike<number>;
  getViewUp(): ArrayLike<number>;
  getViewAngle(): number;
  getParallelScale(): number;
  setPosition(x: number, y: number, z: number): unknown;
  setFocalPoint(x: number, y: number, z: number): unknown;
  setViewUp(x: number, y: number, z: number): unknown;
  setViewAngle(angle: number): unknown;
  setParallelScale(scale: number): unknown;
}

function vec3(value: unknown): Vec3 | null {
  if (!Array.isArray(value) || value.length !== 3) return null;
  const v = value.map(Number);
  return v.every(Number.isFinite) ? (v as Vec3) : null;
}

function positive(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
}

/** The trait's value as a camera, or null (the default view, or a value that isn't one). */
export function parseCameraTrait(value: unknown): CameraTrait | null {
  if (typeof value !== "object" || value === null) return null;
  const raw = value as Record<string, unknown>;
  const position = vec3(raw.position);
  const focal = vec3(raw.focal_point);
  const up = vec3(raw.view_up);
  const angle = positive(raw.view_angle) ?? 30;
  const scale = positive(raw.parallel_scale) ?? 1;
  if (!position || !focal || !up) return null;
  return { position, focal_point: focal, view_up: up, view_angle: angle, parallel_scale: scale };
}

/** The camera as the trait holds it; view-up made square to the view and unit, as Python does. */
export function cameraTrait(camera: TraitCamera): CameraTrait {
  const position = Array.from(camera.getPosition(), Number) as Vec3;
  const focal = Array.from(camera.getFocalPoint(), Number) as Vec3;
  const up = Array.from(camera.getViewUp(), Number) as Vec3;
  const look = focal.map((f, i) => f - (position[i] as number));
  const length = Math.hypot(...look) || 1;
  const unit = look.map((c) => c / length);
  const along = up.reduce((sum, u, i) => sum + u * (unit[i] as number), 0);
  const square = up.map((u, i) => u - along * (unit[i] as number));
  const norm = Math.hypot(...square) || 1;
  return {
    position,
    focal_point: focal,
    view_up: square.map((c) => c / norm) as Vec3,
    view_angle: camera.getViewAngle(),
    parallel_scale: camera.getParallelScale(),
  };
}

export function applyCameraTrait(camera: TraitCamera, trait: CameraTrait): void {
  camera.setFocalPoint(...trait.focal_point);
  camera.setPosition(...trait.position);
  camera.setViewUp(...trait.view_up);
  camera.setViewAngle(trait.view_angle);
  camera.setParallelScale(trait.parallel_scale);
}

/** Whether two cameras are the same to rounding (so an echo of our own change is skipped). */
export function sameCamera(a: CameraTrait, b: CameraTrait): boolean {
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x));
  const vectors = ["position", "focal_point", "view_up"] as const;
  return (
    vectors.every((k) => a[k].every((v, i) => close(v, b[k][i] as number))) &&
    close(a.view_angle, b.view_angle) &&
    close(a.parallel_scale, b.parallel_scale)
  );
}
