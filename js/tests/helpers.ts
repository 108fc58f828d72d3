import { deflateSync } from "node:zlib";
import type { VolumeMeta } from "../src/protocol";

export function meta(overrides: Partial<VolumeMeta> = {}): VolumeMeta {
  return {
    role: "image",
    channel: 0,
    dtype: "float32",
    shape: [2, 3, 4],
    spacing: [1, 1, 1],
    origin: [0, 0, 0],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    range: [0, 1],
    encoding: "raw",
    nbytes: 2 * 3 * 4 * 4,
    labels: [],
    nonfinite: 0,
    scale: 1,
    axes: [2, 1, 0],
    level: 0,
    factors: [1, 1, 1],
    base: { shape: [2, 3, 4], spacing: [1, 1, 1], origin: [0, 0, 0] },
    finer: false,
    ...overrides,
  };
}

export function zlib(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(deflateSync(bytes));
}
