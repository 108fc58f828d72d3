// What the volume and slice scenes share: which volumes draw together, and the display maths.

import type { Display } from "../model";
import { type DecodedVolume, sameGrid } from "../payload";
import { LABEL_ROLES, ROLES, type Role } from "../protocol";

export interface SceneVolumes {
  /** image first, then label, then prediction: those present and on the first one's grid */
  components: DecodedVolume[];
  /** roles left out because their grid differs from the first volume's */
  offGrid: Role[];
  /** every label map in the label's colours (side by side: a class reads the same in both) */
  sharedPalette?: boolean;
}

export function sceneVolumes(volumes: ReadonlyMap<Role, DecodedVolume>): SceneVolumes {
  const components: DecodedVolume[] = [];
  const offGrid: Role[] = [];
  for (const role of ROLES) {
    const volume = volumes.get(role);
    if (!volume) continue;
    const first = components[0];
    if (first && !sameGrid(first.grid, volume.grid)) offGrid.push(role);
    else components.push(volume);
  }
  return { components, offGrid };
}

/** [vmin, vmax] from the traits, falling back on the image's finite range. */
export function displayRange(display: Display, image: DecodedVolume | null): [number, number] {
  const [rlo, rhi] = image?.meta.range ?? [0, 1];
  const lo = display.vmin ?? rlo;
  let hi = display.vmax ?? rhi;
  if (!(hi > lo)) hi = lo + 1;
  return [lo, hi];
}

/**
 * Component weights for the volume mix: label_blend 0 shows the image only, 1 the label maps
 * only, 0.5 both at full strength; label_visible=false drops the label maps.
 */
export function overlayWeights(display: Display, roles: readonly Role[]): number[] {
  const hasImage = roles.includes("image");
  const hasOverlay = roles.some((r) => LABEL_ROLES.includes(r));
  const b = display.labelBlend;
  return roles.map((role) => {
    // the heat map's opacity scales its samples and its tint in the volume shader
    if (role === "heatmap") return display.heatmap.visible ? display.heatmap.opacity : 0;
    if (role === "image") {
      return hasOverlay && display.labelVisible ? Math.min(1, 2 * (1 - b)) : 1;
    }
    if (!display.labelVisible) return 0;
    return hasImage ? Math.min(1, 2 * b) : 1;
  });
}

/** The heat map's [vmin, vmax] from the traits, falling back on its finite range. */
export function heatmapRange(display: Display, heatmap: DecodedVolume | null): [number, number] {
  const [rlo, rhi] = heatmap?.meta.range ?? [0, 1];
  const lo = display.heatmap.vmin ?? rlo;
  let hi = display.heatmap.vmax ?? rhi;
  if (!(hi > lo)) hi = lo + 1;
  return [lo, hi];
}

/**
 * The heat map's opacity points [value, opacity]: transparent below the threshold, `opacity`
 * from it on (a step one thousandth of the range wide keeps the edge sharp yet interpolable).
 * `rampFrom` below 1 makes the opacity rise from `rampFrom * opacity` at the threshold to
 * `opacity` at vmax: in 3D the hot core then shows through the cooler shell around it.
 */
export function heatmapOpacityPoints(
  display: Display,
  range: [number, number],
  opacity: number,
  rampFrom = 1,
): number[][] {
  const [lo, hi] = range;
  const span = hi - lo;
  const threshold = display.heatmap.threshold;
  const start = threshold ?? lo;
  const points =
    threshold === null
      ? []
      : [
          [Math.min(lo, start) - span, 0],
          [start - span * 1e-3, 0],
        ];
  points.push([threshold === null ? lo - span : start, rampFrom * opacity]);
  if (rampFrom < 1 && start < hi) points.push([hi, opacity]);
  points.push([Math.max(hi, start) + span, opacity]);
  return points;
}

/** The ray-cast step in world units: sample_distance 0.25 is one voxel of the finest axis. */
export function sampleDistanceOf(sampleDistance: number, minSpacing: number): number {
  const d = Math.min(1, Math.max(0, sampleDistance));
  return minSpacing * 4 ** (2 * d - 0.5);
}
