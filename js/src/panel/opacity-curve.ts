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
