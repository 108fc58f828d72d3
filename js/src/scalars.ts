// Training curves read from the `scalars` trait ({name: {steps, values}}, normalised by
// nbviewer3d/scalars.py), and the arithmetic the charts share: domains, nearest steps.

import type { ModelLike } from "./model";

export interface Curve {
  /** the tag or key as given: untrusted text, never markup */
  name: string;
  steps: number[];
  /** null where the value was NaN/Inf (a gap) */
  values: (number | null)[];
}

export function readCurves(model: ModelLike): Curve[] {
  const raw = model.get("scalars");
  if (typeof raw !== "object" || raw === null) return [];
  const curves: Curve[] = [];
  for (const [name, series] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof series !== "object" || series === null) continue;
    const { steps, values } = series as { steps?: unknown; values?: unknown };
    if (!Array.isArray(steps) || !Array.isArray(values) || steps.length !== values.length) continue;
    curves.push({
      name,
      steps: steps.map((s) => (typeof s === "number" ? s : Number.NaN)),
      values: values.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null)),
    });
  }
  return curves;
}

export type Domain = [number, number];

/** The finite extremes of `values` (nulls skipped), or null when none is finite. A loop, not
 * Math.min(...values): spreading a long training curve overflows the call stack. */
export function extent(values: Iterable<number | null>): Domain | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** The step range every chart shares (curves and volume steps), so markers line up. */
export function stepDomain(curves: readonly Curve[], volumeSteps: readonly number[]): Domain {
  const ends = [...curves.map((c) => extent(c.steps)), extent(volumeSteps)];
  const all = extent(ends.flatMap((e) => e ?? []));
  if (all === null) return [0, 1];
  const [lo, hi] = all;
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** The value range of a curve with a little air; a flat curve gets a band around it. */
export function valueDomain(curve: Curve): Domain | null {
  const range = extent(curve.values);
  if (range === null) return null;
  const [lo, hi] = range;
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 0.5;
    return [lo - pad, hi + pad];
  }
  const pad = (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

/** The step of `steps` closest to `at` (the earlier one on a tie), or null when there is none. */
export function nearestStep(steps: readonly number[], at: number): number | null {
  let best: number | null = null;
  for (const step of steps) {
    if (
      best === null ||
      Math.abs(step - at) < Math.abs(best - at) ||
      (Math.abs(step - at) === Math.abs(best - at) && step < best)
    ) {
      best = step;
    }
  }
  return best;
}

/** The curve's last finite value logged at or before `step` (with its step), else null. */
export function valueAt(curve: Curve, step: number): { step: number; value: number } | null {
  let found: { step: number; value: number } | null = null;
  curve.steps.forEach((s, i) => {
    const value = curve.values[i];
    if (s <= step && value !== null && value !== undefined && (found === null || s > found.step)) {
      found = { step: s, value };
    }
  });
  return found;
}
