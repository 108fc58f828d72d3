// The linked cursor (no vtk.js here): the `cursor` trait is a voxel index in the user's array
// axis order; the views work in vtk's index axes i, j, k and in RAS world millimetres.

import type { Cursor } from "../model";
import type { DecodedVolume, Grid } from "../payload";
import type { Vec3 } from "../protocol";

/** How a volume's voxels relate to the cursor: `axes[a]` is the array axis of vtk axis a, and
 * voxel c of the full volume is voxel floor(c / factors[axis]) of a coarser level. */
export interface CursorFrame {
  axes: Vec3;
  factors?: Vec3;
  base?: { shape: Vec3 };
}

const ONE: Vec3 = [1, 1, 1];

/** vtk's (i, j, k) of a cursor given in array order (on the volume's level). */
export function toIjk(cursor: Cursor, frame: CursorFrame): Vec3 {
  const factors = frame.factors ?? ONE;
  const at = (a: number) => {
    const axis = frame.axes[a] as number;
    return Math.floor((cursor[axis] as number) / (factors[axis] as number));
  };
  return [at(0), at(1), at(2)];
}

/** The cursor (array order, full volume) of vtk's (i, j, k) on the volume's level: the voxel
 * at the middle of the block it stands for. */
export function fromIjk(ijk: Vec3, frame: CursorFrame): Cursor {
  const factors = frame.factors ?? ONE;
  const cursor: Cursor = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const axis = frame.axes[a] as number;
    const f = factors[axis] as number;
    let c = (ijk[a] as number) * f + Math.floor((f - 1) / 2);
    // the wire shape is C-order: vtk axis a is its axis 2 - a
    const full = frame.base?.shape[2 - a];
    if (full !== undefined) c = Math.min(c, full - 1);
    cursor[axis] = c;
  }
  return cursor;
}

/** The middle voxel of each axis (the kernel's default cursor: (n - 1) // 2). */
export function centreIjk(dims: Vec3): Vec3 {
  const middle = (n: number) => Math.floor((n - 1) / 2);
  return [middle(dims[0]), middle(dims[1]), middle(dims[2])];
}

/** `ijk` rounded and kept inside the grid. */
export function clampIjk(ijk: Vec3, dims: Vec3): Vec3 {
  const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, Math.round(v)));
  return [clamp(ijk[0], dims[0]), clamp(ijk[1], dims[1]), clamp(ijk[2], dims[2])];
}

/** The cursor on this volume in vtk's index axes: the trait's voxel, else the centre. */
export function cursorIjk(cursor: Cursor | null, volume: DecodedVolume): Vec3 {
  const { dims } = volume.grid;
  return cursor ? clampIjk(toIjk(cursor, volume.meta), dims) : centreIjk(dims);
}

/** The columns of the index-to-world matrix: index axis a's step in world mm. */
function steps(grid: Grid): [Vec3, Vec3, Vec3] {
  const column = (a: number): Vec3 => [
    (grid.direction[3 * a] as number) * (grid.spacing[a] as number),
    (grid.direction[3 * a + 1] as number) * (grid.spacing[a] as number),
    (grid.direction[3 * a + 2] as number) * (grid.spacing[a] as number),
  ];
  return [column(0), column(1), column(2)];
}

/** World (RAS mm) position of a (possibly fractional) index. */
export function worldOf(grid: Grid, ijk: Vec3): Vec3 {
  const [u, v, w] = steps(grid);
  const p: Vec3 = [...grid.origin];
  for (let c = 0; c < 3; c++) {
    p[c] = (p[c] as number) + (u[c] as number) * ijk[0] + (v[c] as number) * ijk[1];
    p[c] = (p[c] as number) + (w[c] as number) * ijk[2];
  }
  return p;
}

/** The fractional index of a world point (the inverse of worldOf). */
export function indexOf(grid: Grid, world: Vec3): Vec3 {
  const [u, v, w] = steps(grid);
  const d: Vec3 = [world[0] - grid.origin[0], world[1] - grid.origin[1], world[2] - grid.origin[2]];
  const det = dot3(u, cross3(v, w));
  if (det === 0) return [0, 0, 0];
  // Cramer's rule on [u v w] x = d
  return [dot3(d, cross3(v, w)) / det, dot3(u, cross3(d, w)) / det, dot3(u, cross3(v, d)) / det];
}

const dot3 = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross3 = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

/** The value stored at `ijk` (i fastest), or null outside the grid. */
export function valueAt(volume: DecodedVolume, ijk: Vec3): number | null {
  const [nx, ny, nz] = volume.grid.dims;
  const [i, j, k] = ijk;
  if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return null;
  const value = volume.values[i + nx * (j + ny * k)];
  return value === undefined ? null : value;
}
