// Patient orientation (no vtk.js here). The world frame is RAS+, as in NIfTI, nibabel and
// MONAI: +x points to the patient's Right, +y to Anterior, +z to Superior (DICOM's LPS+ has x
// and y the other way round). Cameras are placed by these world directions; an image's index
// axes enter only through its direction matrix, and may be permuted or flipped.

import type { ViewMode } from "../model";

export type Vec3 = readonly [number, number, number];
export type SliceMode = Exclude<ViewMode, "volume" | "quad">;
export type Axis = 0 | 1 | 2;

/** Where a camera looks (unit vector from the eye to the focal point) and which way is up. */
export interface ViewBasis {
  look: Vec3;
  up: Vec3;
}

/** The world axis each slice view cuts across: sagittal x, coronal y, axial z. */
export const SLICE_WORLD_AXIS: Record<SliceMode, Axis> = { sagittal: 0, coronal: 1, axial: 2 };

/**
 * Radiological convention: the axial view is seen from the feet with anterior up, the coronal
 * from the front with superior up (both put the patient's right on the screen's left), the
 * sagittal from the patient's left with superior up (anterior on the screen's left).
 */
export const RADIOLOGICAL: Record<SliceMode, ViewBasis> = {
  axial: { look: [0, 0, 1], up: [0, 1, 0] },
  coronal: { look: [0, -1, 0], up: [0, 0, 1] },
  sagittal: { look: [1, 0, 0], up: [0, 0, 1] },
};

// The default 3D view: the viewer faces the patient (anterior), turned this far towards the
// patient's right (the liver side of an abdomen) and raised this far above the horizontal.
const FRONT_AZIMUTH_DEG = 30;
const FRONT_ELEVATION_DEG = 15;

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const minus = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

export function normalize(a: Vec3): Vec3 {
  const n = Math.hypot(a[0], a[1], a[2]);
  return n > 0 ? scale(a, 1 / n) : [0, 0, 0];
}

/** `v` made perpendicular to the unit vector `n`, normalised. */
function perpendicular(v: Vec3, n: Vec3): Vec3 {
  return normalize(minus(v, scale(n, dot(v, n))));
}

/** World directions of index axes i, j, k; vtk's direction is column-major (axis a at 3a..3a+2). */
export function indexAxes(direction: ArrayLike<number>): [Vec3, Vec3, Vec3] {
  const column = (a: number): Vec3 =>
    normalize([
      Number(direction[3 * a]),
      Number(direction[3 * a + 1]),
      Number(direction[3 * a + 2]),
    ]);
  return [column(0), column(1), column(2)];
}

const PERMUTATIONS: readonly (readonly [Axis, Axis, Axis])[] = [
  [0, 1, 2],
  [1, 0, 2],
  [0, 2, 1],
  [2, 1, 0],
  [1, 2, 0],
  [2, 0, 1],
];

/**
 * For world x, y and z, the index axis running closest to it: the one-to-one pairing whose
 * directions agree best (an oblique image still gives three different views).
 */
export function matchAxes(direction: ArrayLike<number>): readonly [Axis, Axis, Axis] {
  const axes = indexAxes(direction);
  let best = PERMUTATIONS[0] as readonly [Axis, Axis, Axis];
  let bestScore = -1;
  for (const p of PERMUTATIONS) {
    const score = p.reduce<number>(
      (sum, a, world) => sum + Math.abs((axes[a] as Vec3)[world] as number),
      0,
    );
    if (score > bestScore + 1e-9) {
      best = p;
      bestScore = score;
    }
  }
  return best;
}

/** The index axis a slice view steps along (its slices are the planes across it). */
export function sliceAxis(mode: SliceMode, direction: ArrayLike<number>): Axis {
  return matchAxes(direction)[SLICE_WORLD_AXIS[mode]];
}

/**
 * The camera of a slice view: it looks straight across the image's slices (the plane of the
 * two other index axes) from the side the radiological convention names, with the in-plane
 * index axis closest to the convention's up pointing up, so an oblique image shows upright.
 */
export function sliceViewBasis(mode: SliceMode, direction: ArrayLike<number>): ViewBasis {
  const axes = indexAxes(direction);
  const axis = sliceAxis(mode, direction);
  const [u, v] = ([0, 1, 2] as const).filter((a) => a !== axis).map((a) => axes[a]) as [Vec3, Vec3];
  const want = RADIOLOGICAL[mode];
  const normal = normalize(cross(u, v));
  const look = dot(normal, want.look) < 0 ? scale(normal, -1) : normal;
  const upAxis = Math.abs(dot(u, want.up)) >= Math.abs(dot(v, want.up)) ? u : v;
  const up = dot(upAxis, want.up) < 0 ? scale(upAxis, -1) : upAxis;
  return { look, up: perpendicular(up, look) };
}

/** The default 3D camera: in front of the patient, a little to the right and above. */
export function volumeViewBasis(): ViewBasis {
  const az = (FRONT_AZIMUTH_DEG * Math.PI) / 180;
  const el = (FRONT_ELEVATION_DEG * Math.PI) / 180;
  const eye: Vec3 = [Math.sin(az) * Math.cos(el), Math.cos(az) * Math.cos(el), Math.sin(el)];
  const look = scale(eye, -1);
  return { look, up: perpendicular([0, 0, 1], look) };
}

/** The screen's rightward direction in the world: look x up (vtk's camera frame). */
export function screenRight(basis: ViewBasis): Vec3 {
  return normalize(cross(basis.look, basis.up));
}

/** The patient direction a world vector points to most: R/L, A/P or S/I. */
export function patientLetter(v: Vec3): string {
  const magnitudes = v.map(Math.abs);
  const world = magnitudes.indexOf(Math.max(...magnitudes));
  const positive = (v[world] as number) >= 0;
  return (["RL", "AP", "SI"][world] as string)[positive ? 0 : 1] as string;
}

export interface EdgeLetters {
  top: string;
  bottom: string;
  left: string;
  right: string;
}

/** The patient direction each edge of the screen faces. */
export function edgeLetters(basis: ViewBasis): EdgeLetters {
  const right = screenRight(basis);
  return {
    top: patientLetter(basis.up),
    bottom: patientLetter(scale(basis.up, -1)),
    right: patientLetter(right),
    left: patientLetter(scale(right, -1)),
  };
}

/** A vtkCamera's look and up, the up made perpendicular to the look. */
export function cameraBasis(camera: {
  getDirectionOfProjection(): ArrayLike<number>;
  getViewUp(): ArrayLike<number>;
}): ViewBasis {
  const d = camera.getDirectionOfProjection();
  const u = camera.getViewUp();
  const look = normalize([Number(d[0]), Number(d[1]), Number(d[2])]);
  return { look, up: perpendicular([Number(u[0]), Number(u[1]), Number(u[2])], look) };
}
