// The wire messages between kernel and browser (described in nbviewer3d/delivery.py, planes.py
// and text_transport.py) and their validation.
// A payload that does not match throws a ProtocolError whose message is shown in the cell.

import { DTYPES, ENCODINGS, LABEL_ROLES as LABEL_ROLE_NAMES, ROLES, TRANSPORTS } from "./contract";

export { DTYPES, ENCODINGS, ROLES, TRANSPORTS };
export type Role = (typeof ROLES)[number];
/** The roles drawn as class-id maps (labels); the image and heat map are continuous. */
export const LABEL_ROLES: readonly Role[] = LABEL_ROLE_NAMES;
export type Dtype = (typeof DTYPES)[number];
export type Encoding = (typeof ENCODINGS)[number];
/** How voxels and pictures cross the comm (base64 where a front end drops binary buffers). */
export type Transport = (typeof TRANSPORTS)[number];

export type Vec3 = [number, number, number];

export interface VolumeMeta {
  role: Role;
  /** the channel of a multi-channel image (0 otherwise) */
  channel: number;
  dtype: Dtype;
  /** C-order shape of the bytes sent (the last axis varies fastest) */
  shape: Vec3;
  /** mm, per axis of `shape` */
  spacing: Vec3;
  /** RAS world position of element [0, 0, 0] */
  origin: Vec3;
  /** 3x3 row-major; column a is the RAS world direction of axis a of `shape` */
  direction: number[];
  range: [number, number];
  encoding: Encoding;
  nbytes: number;
  labels: number[];
  nonfinite: number;
  /** value = wire voxel * scale (1 unless floats travel as 16-bit integers) */
  scale: number;
  /** for vtk's index axes i, j, k: the axis of the user's array each one is (a permutation) */
  axes: Vec3;
  /** the pyramid level these voxels are (0: the volume as it is) */
  level: number;
  /** per axis of the user's array: voxel c of level 0 is voxel floor(c / f) of this level */
  factors: Vec3;
  /** level 0's wire shape, spacing and origin: the grid cameras and the cursor belong to */
  base: BaseGrid;
  /** level 0 is itself a level of a larger lazy input the kernel reads planes of */
  finer: boolean;
}

export interface BaseGrid {
  shape: Vec3;
  spacing: Vec3;
  origin: Vec3;
}

/** One level of a step's pyramid: its shape (user's axis order) and bytes once decoded. */
export interface LevelInfo {
  shape: Vec3;
  factors: Vec3;
  bytes: number;
}

export interface VolumesMessage {
  type: "volumes";
  step: number;
  version: number;
  /** the level these volumes are, of `levels` (the step's whole pyramid, finest first) */
  level: number;
  /** sampled, not averaged: the first picture of a step that has finer levels */
  preview: boolean;
  levels: LevelInfo[];
  volumes: VolumeMeta[];
  transport: Transport;
  /** the byte length of each volume's buffer */
  sizes: number[];
  /** 0: the buffers came with this message; else how many chunk messages fill them */
  chunks: number;
  /** chunks the kernel sends unasked; the browser asks for the others */
  pushed: number;
}

/** Bytes of volume `volume` of (step, version, level) from `offset` (buffer or base64). */
export interface ChunkMessage {
  type: "chunk";
  step: number;
  version: number;
  level: number;
  index: number;
  volume: number;
  offset: number;
  /** base64 transport only */
  data: string | null;
}

/** The kernel found that the browser's buffers do not arrive: send base64 from now on. */
export interface TransportMessage {
  type: "transport";
  step: null;
  transport: Transport;
}

export interface ErrorMessage {
  type: "error";
  step: number | null;
  message: string;
}

/** One voxel plane of a step at full resolution, for a slice view drawn from a coarser level
 * (nbviewer3d/planes.py): each volume one voxel thick along array axis `axis`. */
export interface PlaneMessage {
  type: "plane";
  step: number;
  version: number;
  axis: number;
  index: number;
  volumes: VolumeMeta[];
  /** the byte length of each volume's buffer */
  sizes: number[];
  /** base64 transport: each volume's bytes as text; binary: nulls (the bytes are buffers) */
  data: (string | null)[];
  /** why the kernel sent no volumes (a plane too large for one message), else null */
  skipped: string | null;
}

export type KernelMessage =
  | VolumesMessage
  | ChunkMessage
  | PlaneMessage
  | TransportMessage
  | ErrorMessage;

/** Asks for plane `index` along array axis `axis` of a step at full resolution. */
export interface PlaneRequest {
  type: "plane";
  step: number;
  version: number;
  axis: number;
  index: number;
  transport?: Transport;
}

export interface FetchMessage {
  type: "fetch";
  step: number;
  /** absent: the step's coarsest level, drawn first */
  level?: number;
  transport?: Transport;
}

/** Asks for `count` more chunks of a reply, from chunk `first`. */
export interface ChunksMessage {
  type: "chunks";
  step: number;
  version: number;
  level: number;
  first: number;
  count: number;
  preview: boolean;
  transport?: Transport;
}

export class ProtocolError extends Error {
  override name = "ProtocolError";
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(where: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  throw new ProtocolError(
    `${where} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`,
  );
}

function numbers(where: string, value: unknown, length: number | null): number[] {
  if (
    !Array.isArray(value) ||
    (length !== null && value.length !== length) ||
    !value.every((v) => typeof v === "number" && Number.isFinite(v))
  ) {
    const size = length === null ? "a list of" : `${length}`;
    throw new ProtocolError(
      `${where} must be ${size} finite numbers, got ${JSON.stringify(value)}`,
    );
  }
  return value as number[];
}

function integer(where: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new ProtocolError(`${where} must be an integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function vec3(where: string, value: unknown): Vec3 {
  const [a, b, c] = numbers(where, value, 3);
  return [a as number, b as number, c as number];
}

export const BYTES_PER_VOXEL: Record<Dtype, number> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  float32: 4,
};

export function parseMeta(value: unknown, index: number): VolumeMeta {
  const where = `volumes[${index}]`;
  if (!isObject(value)) throw new ProtocolError(`${where} must be an object`);
  const role = oneOf(`${where}.role`, value.role, ROLES);
  const channel = value.channel === undefined ? 0 : integer(`${where}.channel`, value.channel);
  if (channel < 0) throw new ProtocolError(`${where}.channel must be >= 0, got ${channel}`);
  const dtype = oneOf(`${where}.dtype`, value.dtype, DTYPES);
  const shape = vec3(`${where}.shape`, value.shape);
  if (!shape.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new ProtocolError(`${where}.shape must be three positive integers [z, y, x]`);
  }
  const spacing = vec3(`${where}.spacing`, value.spacing);
  if (!spacing.every((s) => s > 0)) {
    throw new ProtocolError(`${where}.spacing must be positive, got ${JSON.stringify(spacing)}`);
  }
  const origin = vec3(`${where}.origin`, value.origin);
  const direction = numbers(`${where}.direction`, value.direction, 9);
  const [lo, hi] = numbers(`${where}.range`, value.range, 2) as [number, number];
  const encoding = oneOf(`${where}.encoding`, value.encoding ?? "raw", ENCODINGS);
  const nbytes = integer(`${where}.nbytes`, value.nbytes);
  const expected = shape[0] * shape[1] * shape[2] * BYTES_PER_VOXEL[dtype];
  if (nbytes !== expected) {
    throw new ProtocolError(
      `${where}.nbytes is ${nbytes} but shape ${JSON.stringify(shape)} of ${dtype} needs ${expected}`,
    );
  }
  const labels = value.labels === undefined ? [] : numbers(`${where}.labels`, value.labels, null);
  const nonfinite =
    value.nonfinite === undefined ? 0 : integer(`${where}.nonfinite`, value.nonfinite);
  const scale =
    value.scale === undefined ? 1 : (numbers(`${where}.scale`, [value.scale], 1)[0] as number);
  if (!(scale > 0)) throw new ProtocolError(`${where}.scale must be positive, got ${scale}`);
  const axes = value.axes === undefined ? ([2, 1, 0] as Vec3) : vec3(`${where}.axes`, value.axes);
  if (![...axes].sort().every((a, i) => a === i)) {
    throw new ProtocolError(`${where}.axes must be a permutation of [0, 1, 2], got ${axes}`);
  }
  const level = value.level === undefined ? 0 : integer(`${where}.level`, value.level);
  const factors =
    value.factors === undefined ? ([1, 1, 1] as Vec3) : vec3(`${where}.factors`, value.factors);
  if (!factors.every((f) => Number.isInteger(f) && f >= 1)) {
    throw new ProtocolError(`${where}.factors must be positive integers, got ${factors}`);
  }
  const base = isObject(value.base)
    ? {
        shape: vec3(`${where}.base.shape`, value.base.shape),
        spacing: vec3(`${where}.base.spacing`, value.base.spacing),
        origin: vec3(`${where}.base.origin`, value.base.origin),
      }
    : { shape, spacing, origin };
  return {
    role,
    channel,
    dtype,
    shape,
    spacing,
    origin,
    direction,
    range: [lo, hi],
    encoding,
    nbytes,
    labels,
    nonfinite,
    scale,
    axes,
    level,
    factors,
    base,
    finer: value.finer === true,
  };
}

function parseLevels(value: unknown): LevelInfo[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ProtocolError("levels must be a list");
  return value.map((item, i) => {
    if (!isObject(item)) throw new ProtocolError(`levels[${i}] must be an object`);
    return {
      shape: vec3(`levels[${i}].shape`, item.shape),
      factors: vec3(`levels[${i}].factors`, item.factors),
      bytes: integer(`levels[${i}].bytes`, item.bytes),
    };
  });
}

/** Returns null for messages that are not meant for this front end. */
export function parseKernelMessage(value: unknown): KernelMessage | null {
  if (!isObject(value)) return null;
  if (value.type === "error") {
    const step = typeof value.step === "number" ? value.step : null;
    return { type: "error", step, message: String(value.message ?? "unknown error") };
  }
  if (value.type === "transport") {
    return {
      type: "transport",
      step: null,
      transport: oneOf("transport", value.transport, TRANSPORTS),
    };
  }
  if (value.type === "chunk") return parseChunk(value);
  if (value.type === "plane") return parsePlane(value);
  if (value.type !== "volumes") return null;
  const step = integer("step", value.step);
  const version = integer("version", value.version ?? 0);
  if (!Array.isArray(value.volumes)) throw new ProtocolError("volumes must be a list");
  const volumes = value.volumes.map(parseMeta);
  const roles = volumes.map((v) => `${v.role}${v.channel > 0 ? ` channel ${v.channel}` : ""}`);
  if (new Set(roles).size !== roles.length) {
    throw new ProtocolError(`each role may appear once per step, got ${roles.join(", ")}`);
  }
  const transport = oneOf("transport", value.transport ?? "binary", TRANSPORTS);
  const level = value.level === undefined ? 0 : integer("level", value.level);
  const levels = parseLevels(value.levels);
  const preview = value.preview === true;
  const chunks = value.chunks === undefined ? 0 : integer("chunks", value.chunks);
  const pushed = value.pushed === undefined ? 0 : integer("pushed", value.pushed);
  if (chunks === 0 && transport === "binary") {
    const sizes = volumes.map(() => 0);
    return {
      type: "volumes",
      step,
      version,
      level,
      preview,
      levels,
      volumes,
      transport,
      sizes,
      chunks,
      pushed,
    };
  }
  const sizes = numbers("sizes", value.sizes, volumes.length);
  if (!sizes.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new ProtocolError(`sizes must be byte counts, got ${JSON.stringify(sizes)}`);
  }
  if (pushed < 0 || pushed > chunks) {
    throw new ProtocolError(`pushed must be within 0..chunks (${chunks}), got ${pushed}`);
  }
  return {
    type: "volumes",
    step,
    version,
    level,
    preview,
    levels,
    volumes,
    transport,
    sizes,
    chunks,
    pushed,
  };
}

function parseChunk(value: Json): ChunkMessage {
  const data = value.data;
  if (data !== undefined && typeof data !== "string") {
    throw new ProtocolError("a chunk's data must be base64 text");
  }
  return {
    type: "chunk",
    step: integer("step", value.step),
    version: integer("version", value.version),
    level: value.level === undefined ? 0 : integer("level", value.level),
    index: value.index === undefined ? 0 : integer("index", value.index),
    volume: integer("volume", value.volume),
    offset: integer("offset", value.offset),
    data: data ?? null,
  };
}

function parsePlane(value: Json): PlaneMessage {
  if (!Array.isArray(value.volumes)) throw new ProtocolError("a plane's volumes must be a list");
  const volumes = value.volumes.map(parseMeta);
  const axis = integer("axis", value.axis);
  if (axis < 0 || axis > 2)
    throw new ProtocolError(`a plane's axis must be 0, 1 or 2, got ${axis}`);
  const data = value.volumes.map((meta: unknown) => {
    const text = isObject(meta) ? meta.data : undefined;
    if (text !== undefined && typeof text !== "string") {
      throw new ProtocolError("a plane's data must be base64 text");
    }
    return text ?? null;
  });
  return {
    type: "plane",
    step: integer("step", value.step),
    version: integer("version", value.version),
    axis,
    index: integer("index", value.index),
    volumes,
    sizes: numbers("sizes", value.sizes, volumes.length),
    data,
    skipped: typeof value.skipped === "string" ? value.skipped : null,
  };
}
