// Transfer-function presets for the 3D view, read from nbviewer3d/presets.json (the single
// source Python reads too), and the curves one of them gives for the window on screen.
//
// The rule: slice views use cmap over vmin..vmax. In 3D the preset gives colour and opacity.
// "HU" presets sit at their table values while the window's centre is where the viewer
// opened it (_default_level); moving the centre shifts the whole preset by as many HU.
// "window" presets spread 0..1 over vmin..vmax, and colour "cmap" means cmap over vmin..vmax.
// An `opacity` trait (points in data units) replaces the preset's opacity curve as given.

import table from "../../nbviewer3d/presets.json";

export type Units = "HU" | "window";
/** [value, opacity] */
export type OpacityPoint = [number, number];
/** [value, r, g, b] */
export type ColorPoint = [number, number, number, number];

export interface Preset {
  description: string;
  units: Units;
  /** null: the cmap trait over vmin..vmax */
  color: ColorPoint[] | null;
  opacity: OpacityPoint[];
  /** opacities hold per 1/N of the volume's diagonal: more units make surfaces crisper */
  unitsPerDiagonal: number;
}

export const FALLBACK_PRESET = "generic";
// HU presets scale gradient opacity by this many HU (window presets by the window's width)
const HU_GRADIENT_SPAN = 1000;
const UNITS_PER_DIAGONAL = 25;

function points<T extends number[]>(where: string, value: unknown, size: number): T[] {
  if (!Array.isArray(value) || value.length < 2) {
    throw new Error(`${where} must be a list of at least two points`);
  }
  return value.map((p, i) => {
    if (!Array.isArray(p) || p.length !== size || !p.every((v) => Number.isFinite(v))) {
      throw new Error(`${where}[${i}] must be ${size} finite numbers`);
    }
    return p as T;
  });
}

function unitsOf(name: string, value: unknown): number {
  if (value === undefined) return UNITS_PER_DIAGONAL;
  if (typeof value !== "number" || !(value > 0)) {
    throw new Error(`preset ${name}: units_per_diagonal must be a positive number`);
  }
  return value;
}

/** Validates presets.json's content (a name -> preset object). */
export function parsePresets(raw: unknown): Map<string, Preset> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error("presets must be an object of name -> preset");
  }
  const presets = new Map<string, Preset>();
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    const e = entry as Record<string, unknown>;
    if (e.units !== "HU" && e.units !== "window") {
      throw new Error(`preset ${name}: units must be "HU" or "window"`);
    }
    presets.set(name, {
      description: String(e.description ?? ""),
      units: e.units,
      color: e.color === "cmap" ? null : points<ColorPoint>(`preset ${name}.color`, e.color, 4),
      opacity: points<OpacityPoint>(`preset ${name}.opacity`, e.opacity, 2),
      unitsPerDiagonal: unitsOf(name, e.units_per_diagonal),
    });
  }
  if (!presets.has(FALLBACK_PRESET)) throw new Error(`presets must include ${FALLBACK_PRESET}`);
  return presets;
}

export const PRESETS: ReadonlyMap<string, Preset> = parsePresets(table);
export const PRESET_NAMES: readonly string[] = [...PRESETS.keys()];

export interface TransferFunction {
  /** colour points in data units; null: the cmap over the window */
  color: ColorPoint[] | null;
  /** opacity points in data units, sorted by value */
  opacity: OpacityPoint[];
  /** the value span over which gradient opacity reaches full strength per 10 voxels */
  gradientSpan: number;
  unitsPerDiagonal: number;
}

export interface TransferInputs {
  preset: string | null;
  /** [vmin, vmax] */
  window: [number, number];
  /** the window centre HU presets sit at; null: no shift */
  defaultLevel: number | null;
  /** the opacity trait: replaces the preset's curve when given */
  opacity: OpacityPoint[] | null;
}

/** The preset's curves in data units for the window on screen. */
export function transferFunction(inputs: TransferInputs): TransferFunction {
  const preset = PRESETS.get(inputs.preset ?? "") ?? (PRESETS.get(FALLBACK_PRESET) as Preset);
  const [lo, hi] = inputs.window;
  let place: (x: number) => number;
  let gradientSpan: number;
  if (preset.units === "HU") {
    const shift = inputs.defaultLevel === null ? 0 : (lo + hi) / 2 - inputs.defaultLevel;
    place = (x) => x + shift;
    gradientSpan = HU_GRADIENT_SPAN;
  } else {
    place = (x) => lo + x * (hi - lo);
    gradientSpan = hi - lo;
  }
  const opacity = inputs.opacity ?? preset.opacity.map(([x, a]): OpacityPoint => [place(x), a]);
  return {
    color: preset.color?.map(([x, r, g, b]): ColorPoint => [place(x), r, g, b]) ?? null,
    opacity: [...opacity].sort((p, q) => p[0] - q[0]),
    gradientSpan,
    unitsPerDiagonal: preset.unitsPerDiagonal,
  };
}

/** The opacity trait's value as points, or null when it is unset or malformed. */
export function readOpacityPoints(value: unknown): OpacityPoint[] | null {
  if (!Array.isArray(value) || value.length < 2) return null;
  const out: OpacityPoint[] = [];
  for (const p of value) {
    if (!Array.isArray(p) || p.length !== 2) return null;
    const [x, a] = p as unknown[];
    if (typeof x !== "number" || typeof a !== "number" || !Number.isFinite(x + a)) return null;
    out.push([x, a]);
  }
  return out;
}
