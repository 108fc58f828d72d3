// Wire buffer + meta -> typed voxels and the grid that places them (no vtk.js here).

import { BYTES_PER_VOXEL, type Dtype, ProtocolError, type Vec3, type VolumeMeta } from "./protocol";

export type VoxelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Float32Array;

export type WireBuffer = ArrayBuffer | ArrayBufferView;

const ARRAY_TYPES = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  float32: Float32Array,
} as const;

/**
 * The vtk-side geometry: dims and spacing per vtk index axis (i fastest), origin in RAS world
 * space; direction column-major as vtkImageData wants it (its first three numbers are the
 * RAS direction of index axis i).
 */
export interface Grid {
  dims: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: number[];
}

export interface DecodedVolume {
  meta: VolumeMeta;
  values: VoxelArray;
  grid: Grid;
  /** The value that replaced NaN/Inf voxels (below range[0]; drawn transparent), or null. */
  fill: number | null;
}

/** A byte view over a buffer as anywidget hands it over (DataView, ArrayBuffer, typed array). */
export function bytesOf(buffer: WireBuffer): Uint8Array {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Views the bytes as `dtype`, copying only when the byte offset is not a multiple of its size. */
export function typedArray(dtype: Dtype, bytes: Uint8Array): VoxelArray {
  const size = BYTES_PER_VOXEL[dtype];
  if (bytes.byteLength % size !== 0) {
    throw new ProtocolError(`a ${dtype} buffer must hold a multiple of ${size} bytes`);
  }
  const ArrayType = ARRAY_TYPES[dtype];
  const length = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) {
    return new ArrayType(bytes.buffer as ArrayBuffer, bytes.byteOffset, length);
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new ArrayType(copy.buffer, 0, length);
}

/** Inflates a zlib ("deflate" in the Compression Streams spec) stream. */
export async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Replaces NaN/Inf voxels (in the browser's own copy) by a value one range-width below the
 * finite minimum, so transfer functions can make them transparent. Returns that value.
 */
export function replaceNonFinite(values: Float32Array, range: [number, number]): number {
  const fill = range[0] - Math.max(range[1] - range[0], 1);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) values[i] = fill;
  }
  return fill;
}

/** The values of floats that travelled as integers: wire voxel * scale, exact for 2^-k scales. */
export function unscale(wire: VoxelArray, scale: number): Float32Array {
  const values = new Float32Array(wire.length);
  for (let i = 0; i < wire.length; i++) values[i] = (wire[i] as number) * scale;
  return values;
}

/**
 * The wire sends C-order bytes: its LAST axis varies fastest, which is vtk's axis 0 (i). So
 * vtk's (i, j, k) are wire axes (2, 1, 0): dims and spacing reversed, and vtk axis a's
 * direction is wire column 2 - a. The wire's direction is row-major with the axes as columns
 * (RAS); vtk reads it column-major, axis 0 first.
 */
export function gridOf(meta: VolumeMeta): Grid {
  const [n0, n1, n2] = meta.shape;
  const [s0, s1, s2] = meta.spacing;
  const d = meta.direction;
  return {
    dims: [n2, n1, n0],
    spacing: [s2, s1, s0],
    origin: [...meta.origin],
    direction: [2, 5, 8, 1, 4, 7, 0, 3, 6].map((i) => d[i] as number),
  };
}

export async function decodeVolume(meta: VolumeMeta, buffer: WireBuffer): Promise<DecodedVolume> {
  let bytes = bytesOf(buffer);
  if (meta.encoding === "deflate") {
    try {
      bytes = await inflate(bytes);
    } catch (error) {
      throw new ProtocolError(`the ${meta.role} voxels are not a valid deflate stream (${error})`);
    }
  }
  if (bytes.byteLength !== meta.nbytes) {
    throw new ProtocolError(
      `the ${meta.role} buffer holds ${bytes.byteLength} bytes, its metadata says ${meta.nbytes}`,
    );
  }
  const wire = typedArray(meta.dtype, bytes);
  const values = meta.scale === 1 ? wire : unscale(wire, meta.scale);
  const decodedMeta: VolumeMeta = meta.scale === 1 ? meta : { ...meta, dtype: "float32", scale: 1 };
  let fill: number | null = null;
  if (values instanceof Float32Array && meta.nonfinite > 0) {
    fill = replaceNonFinite(values, meta.range);
  }
  return { meta: decodedMeta, values, grid: gridOf(meta), fill };
}

/** Same grid (dims, spacing, origin, direction) within float tolerance. */
export function sameGrid(a: Grid, b: Grid): boolean {
  const close = (p: number[], q: number[]) =>
    p.length === q.length &&
    p.every((v, i) => Math.abs(v - (q[i] as number)) <= 1e-4 * Math.max(1, Math.abs(v)));
  return (
    a.dims.every((d, i) => d === b.dims[i]) &&
    close(a.spacing, b.spacing) &&
    close(a.origin, b.origin) &&
    close(a.direction, b.direction)
  );
}
