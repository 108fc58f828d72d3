// What the volume and slice scenes share: which volumes draw together, and the display maths.

import type { Display } from "../model";
import { type DecodedVolume, sameGrid } from "../payload";
import { ROLES, type Role } from "../protocol";

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
  const hasOverlay = roles.some((r) => r !== "image");
  const b = display.labelBlend;
  return roles.map((role) => {
    if (role === "image") {
      return hasOverlay && display.labelVisible ? Math.min(1, 2 * (1 - b)) : 1;
    }
    if (!display.labelVisible) return 0;
    return hasImage ? Math.min(1, 2 * b) : 1;
  });
}

/** The ray-cast step in world units: sample_distance 0.25 is one voxel of the finest axis. */
export function sampleDistanceOf(sampleDistance: number, minSpacing: number): number {
  const d = Math.min(1, Math.max(0, sampleDistance));
  return minSpacing * 4 ** (2 * d - 0.5);
}
