// compare="errors": one map of true positives, false positives and false negatives per class,
// derived in the browser from the label and prediction it already holds, and drawn through the
// label path (3D and slices) with its own colours. Nothing extra travels from the kernel.
//
// Codes: class c (>= 1) and kind k (0 TP, 1 FP, 2 FN) -> 3 (c - 1) + k + 1; 0 is background.
// A voxel of class a predicted as class b (both > 0) is shown as an FN of a (the truth that
// was missed); the metrics count it for both classes (FN of a, FP of b).

import type { RGB } from "./palette";
import type { DecodedVolume } from "./payload";
import type { SceneVolumes } from "./view/scene";

export const COMPARE_MODES = ["overlay", "errors", "side-by-side"] as const;
export type CompareMode = (typeof COMPARE_MODES)[number];

export const ERROR_KINDS = ["TP", "FP", "FN"] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];
export const ERROR_KIND_NAMES: Record<ErrorKind, string> = {
  TP: "true positive",
  FP: "false positive",
  FN: "false negative",
};

export function readCompare(value: unknown): CompareMode {
  return (COMPARE_MODES as readonly unknown[]).includes(value) ? (value as CompareMode) : "overlay";
}

export function errorCode(classId: number, kind: ErrorKind): number {
  return 3 * (classId - 1) + ERROR_KINDS.indexOf(kind) + 1;
}

/** The class and kind of a non-zero error code. */
export function decodeError(code: number): { classId: number; kind: ErrorKind } {
  const k = (code - 1) % 3;
  return { classId: (code - 1 - k) / 3 + 1, kind: ERROR_KINDS[k] as ErrorKind };
}

// Kinds keep their hue family whatever the class: TP greens, FP warm (red, orange, pink),
// FN cold (blue, cyan, violet); classes step through the shades of each family.
const SHADES: Record<ErrorKind, readonly RGB[]> = {
  TP: [
    [0.2, 0.8, 0.3],
    [0.65, 0.9, 0.15],
    [0.1, 0.6, 0.5],
    [0.45, 0.7, 0.35],
  ],
  FP: [
    [1.0, 0.2, 0.15],
    [1.0, 0.6, 0.0],
    [1.0, 0.35, 0.75],
    [0.75, 0.3, 0.1],
  ],
  FN: [
    [0.2, 0.45, 1.0],
    [0.1, 0.85, 1.0],
    [0.65, 0.4, 1.0],
    [0.3, 0.3, 0.8],
  ],
};

/**
 * Opacity of a code relative to the label opacity: true positives are drawn lighter, so the
 * eye goes to the errors while the correct part still shows the organ's shape.
 */
export const TRUE_POSITIVE_OPACITY = 0.4;

export function errorOpacity(code: number): number {
  return decodeError(code).kind === "TP" ? TRUE_POSITIVE_OPACITY : 1;
}

export function errorColor(code: number): RGB {
  const { classId, kind } = decodeError(code);
  const shades = SHADES[kind];
  return shades[(classId - 1) % shades.length] as RGB;
}

/** Class ids of an error map's codes (hidden_labels hides a class's three kinds). */
export function errorClass(code: number): number {
  return decodeError(code).classId;
}

const maps = new WeakMap<DecodedVolume, WeakMap<DecodedVolume, DecodedVolume>>();
const errorMaps = new WeakSet<DecodedVolume>();

export function isErrorMap(volume: DecodedVolume): boolean {
  return errorMaps.has(volume);
}

/** The error map of `label` against `prediction` (same grid), made once per pair. */
export function errorMap(label: DecodedVolume, prediction: DecodedVolume): DecodedVolume {
  let byPrediction = maps.get(label);
  if (!byPrediction) {
    byPrediction = new WeakMap();
    maps.set(label, byPrediction);
  }
  const cached = byPrediction.get(prediction);
  if (cached) return cached;
  const truth = label.values;
  const predicted = prediction.values;
  let top = 0;
  for (let i = 0; i < truth.length; i++) {
    top = Math.max(top, truth[i] as number, predicted[i] as number);
  }
  const wide = errorCode(top, "FN") > 255;
  const codes = wide ? new Uint16Array(truth.length) : new Uint8Array(truth.length);
  const present = new Set<number>();
  for (let i = 0; i < truth.length; i++) {
    const l = truth[i] as number;
    const p = predicted[i] as number;
    if (l === 0 && p === 0) continue;
    const code = l === p ? 3 * l - 2 : l === 0 ? 3 * p - 1 : 3 * l;
    codes[i] = code;
    present.add(code);
  }
  const labels = [0, ...[...present].sort((a, b) => a - b)];
  const volume: DecodedVolume = {
    meta: {
      ...label.meta,
      dtype: wide ? "uint16" : "uint8",
      nbytes: codes.byteLength,
      labels,
      range: [0, labels[labels.length - 1] as number],
    },
    values: codes,
    grid: label.grid,
    fill: null,
  };
  errorMaps.add(volume);
  byPrediction.set(prediction, volume);
  return volume;
}

/**
 * The volumes a scene draws for a compare mode: in "errors", the label and prediction (when
 * both are drawn) become their error map, in the label's place; otherwise unchanged.
 */
export function compareVolumes(volumes: SceneVolumes, mode: CompareMode): SceneVolumes {
  if (mode !== "errors") return volumes;
  const label = volumes.components.find((v) => v.meta.role === "label");
  const prediction = volumes.components.find((v) => v.meta.role === "prediction");
  if (!label || !prediction) return volumes;
  const errors = errorMap(label, prediction);
  return {
    ...volumes,
    components: volumes.components
      .filter((v) => v !== prediction)
      .map((v) => (v === label ? errors : v)),
  };
}
