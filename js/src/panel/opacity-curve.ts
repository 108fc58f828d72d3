// The transfer-function editor's maths, free of the DOM: the image histogram, the mapping
// between (value, opacity) and canvas pixels, hit-testing and editing the opacity points.

import type { OpacityPoint } from "../presets";

/** Samples at most this many voxels (strided) for the histogram. */
export const HISTOGRAM_SAMPLES = 1 << 18;

/**
 * Counts of `values` in `bins` equal bins over [lo, hi], from a strided sample of at most
 * `maxSamples` voxels. Values outside [lo, hi] (the NaN fill among them) are left out.
 */
export function histogram(
  values: ArrayLike<number>,
  lo: number,
  hi: number,
  bins: number,
  maxSamples = HISTOGRAM_SAMPLES,
): Float64Array {
  const counts = new Float64Array(bins);
  if (!(hi > lo) || bins < 1) return counts;
  const stride = Math.max(1, Math.ceil(values.length / maxSamples));
  const scale = bins / (hi - lo);
  for (let i = 0; i < values.length; i += stride) {
    const v = values[i] as number;
    if (!(v >= lo && v <= hi)) continue;
    const bin = Math.min(bins - 1, Math.floor((v - lo) * scale));
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts;
}

/** Bar heights in 0..1: log(1 + count) over the largest. */
export function logHeights(counts: Float64Array): Float64Array {
  const heights = counts.map((c) => Math.log1p(c));
  let top = 0;
  for (const h of heights) top = Math.max(top, h);
  return top > 0 ? heights.map((h) => h / top) : heights;
}

/** Maps data values (x) and opacities (y, 0 at the bottom) onto a canvas of width x height. */
export class CurveView {
  constructor(
    readonly lo: number,
    readonly hi: number,
    readonly width: number,
    readonly height: number,
    /** pixels kept free around the plot so points at the edges can be grabbed */
    readonly pad = 4,
  ) {}

  toCanvas([value, opacity]: OpacityPoint): [number, number] {
    const span = this.hi > this.lo ? this.hi - this.lo : 1;
    const x = this.pad + ((value - this.lo) / span) * (this.width - 2 * this.pad);
    const y = this.height - this.pad - opacity * (this.height - 2 * this.pad);
    return [x, y];
  }

  /** The (value, opacity) under a canvas pixel, clamped to the plot. */
  fromCanvas(x: number, y: number): OpacityPoint {
    const span = this.hi > this.lo ? this.hi - this.lo : 1;
    const fx = clamp((x - this.pad) / (this.width - 2 * this.pad), 0, 1);
    const fy = clamp((this.height - this.pad - y) / (this.height - 2 * this.pad), 0, 1);
    return [this.lo + fx * span, fy];
  }
}

/** The index of the point nearest (x, y) within `radius` pixels, or -1. */
export function hitPoint(
  points: readonly OpacityPoint[],
  view: CurveView,
  x: number,
  y: number,
  radius = 6,
): number {
  let best = -1;
  let bestDistance = radius;
  points.forEach((p, i) => {
    const [px, py] = view.toCanvas(p);
    const d = Math.hypot(px - x, py - y);
    if (d <= bestDistance) {
      best = i;
      bestDistance = d;
    }
  });
  return best;
}

/** The points with point `index` moved to (value, opacity), kept between its neighbours. */
export function movePoint(
  points: readonly OpacityPoint[],
  index: number,
  value: number,
  opacity: number,
): OpacityPoint[] {
  const before = points[index - 1];
  const after = points[index + 1];
  const lo = before ? before[0] : Number.NEGATIVE_INFINITY;
  const hi = after ? after[0] : Number.POSITIVE_INFINITY;
  return points.map(
    (p, i): OpacityPoint =>
      i === index ? [clamp(value, lo, hi), clamp(opacity, 0, 1)] : [p[0], p[1]],
  );
}

/** The points with (value, opacity) inserted in value order. */
export function insertPoint(
  points: readonly OpacityPoint[],
  value: number,
  opacity: number,
): OpacityPoint[] {
  const out = points.map((p): OpacityPoint => [p[0], p[1]]);
  const at = out.findIndex((p) => p[0] > value);
  out.splice(at < 0 ? out.length : at, 0, [value, clamp(opacity, 0, 1)]);
  return out;
}

/** The points without point `index`; a curve keeps at least two points. */
export function removePoint(points: readonly OpacityPoint[], index: number): OpacityPoint[] {
  if (points.length <= 2) return points.map((p): OpacityPoint => [p[0], p[1]]);
  return points.filter((_, i) => i !== index).map((p): OpacityPoint => [p[0], p[1]]);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** A keyboard edit of the curve: the new points and the point then selected. */
export interface KeyEdit {
  points: OpacityPoint[];
  selected: number;
}

// one key press moves a point by this much of the value range or of the opacity
const KEY_VALUE_STEP = 0.01;
const KEY_OPACITY_STEP = 0.05;

/**
 * What a key does to the curve with point `selected` picked: Left/Right pick the previous or
 * next point, Up/Down change its opacity, Shift+Left/Right move it along the values, Delete or
 * Backspace remove it, Insert or "+" add one halfway to the next. Null: not a curve key.
 */
export function keyEdit(
  points: readonly OpacityPoint[],
  selected: number,
  key: string,
  shift: boolean,
  range: readonly [number, number],
): KeyEdit | null {
  const copy = (): OpacityPoint[] => points.map((p): OpacityPoint => [p[0], p[1]]);
  const last = points.length - 1;
  const index = Math.min(Math.max(selected, 0), last);
  const point = points[index];
  if (!point) return null;
  const [value, opacity] = point;
  const valueStep = (range[1] - range[0]) * KEY_VALUE_STEP;
  switch (key) {
    case "ArrowLeft":
    case "ArrowRight": {
      const sign = key === "ArrowLeft" ? -1 : 1;
      if (shift) {
        return {
          points: movePoint(points, index, value + sign * valueStep, opacity),
          selected: index,
        };
      }
      return { points: copy(), selected: Math.min(Math.max(index + sign, 0), last) };
    }
    case "ArrowUp":
    case "ArrowDown": {
      const sign = key === "ArrowDown" ? -1 : 1;
      return {
        points: movePoint(points, index, value, opacity + sign * KEY_OPACITY_STEP),
        selected: index,
      };
    }
    case "Delete":
    case "Backspace": {
      const out = removePoint(points, index);
      return { points: out, selected: Math.min(index, out.length - 1) };
    }
    case "Insert":
    case "+": {
      const next = points[index + 1] ?? points[index - 1];
      if (!next) return null;
      const mid: OpacityPoint = [(value + next[0]) / 2, (opacity + next[1]) / 2];
      const out = insertPoint(points, mid[0], mid[1]);
      return { points: out, selected: out.findIndex((p) => p[0] === mid[0] && p[1] === mid[1]) };
    }
    default:
      return null;
  }
}
