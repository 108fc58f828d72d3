// Slice views of a step drawn from a coarser level (too large for the texture limit or
// cache_mb, or a lazy input the kernel holds as a level) show the plane at the cursor at full
// resolution: asked for once the cursor rests, kept for the last few planes, drawn in place
// of the coarse slice (nbviewer3d/planes.py sends them).

import type { StepVolumes } from "../cache";
import type { Cursor } from "../model";
import type { Plane } from "../model-state";
import type { DecodedVolume } from "../payload";

/** The cursor rests this long before a plane is asked for (scrolling asks for none). */
const ASK_AFTER_MS = 120;
/** Planes kept: the three of a quad view and a few it came from. */
const KEPT = 6;

export interface PlaneKey {
  step: number;
  version: number;
  /** an array axis of the step (the user's axis order) */
  axis: number;
  /** a voxel along it, on level 0 */
  index: number;
}

function keyText(key: PlaneKey): string {
  return `${key.step}/${key.version}/${key.axis}/${key.index}`;
}

/** Whether the kernel holds finer voxels than the entry's: a browser level or a lazy level. */
export function coarserThanSource(entry: StepVolumes): boolean {
  return entry.level > 0 || [...entry.volumes.values()].some((v) => v.meta.finer);
}

/** The plane a slice view along vtk axis `vtkAxis` shows: array axis and level-0 voxel. */
export function planeAt(
  entry: StepVolumes,
  vtkAxis: number,
  cursor: Cursor | null,
): PlaneKey | null {
  const first = entry.volumes.get("image") ?? [...entry.volumes.values()][0];
  if (!first) return null;
  const axis = first.meta.axes[vtkAxis] as number;
  // the wire shape is C-order: vtk axis a is its axis 2 - a
  const length = first.meta.base.shape[2 - vtkAxis] as number;
  const wanted = cursor ? (cursor[axis] as number) : Math.floor((length - 1) / 2);
  const index = Math.min(length - 1, Math.max(0, Math.round(wanted)));
  return { step: entry.step, version: entry.version, axis, index };
}

export class FullPlanes {
  private readonly kept = new Map<string, Plane>();
  private readonly asked = new Set<string>();
  private wanted: PlaneKey[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `ask` sends a plane request; `arrived` hears that a wanted plane came (redraw). */
  constructor(
    private readonly ask: (key: PlaneKey) => void,
    private readonly arrived: () => void,
  ) {}

  /**
   * The slice views want `keys` now. Returns, for each, the entry's volumes mapped to their
   * full-resolution plane, or null while it is not here (it is asked for once the cursor
   * rests).
   */
  want(entry: StepVolumes, keys: PlaneKey[]): (Map<DecodedVolume, DecodedVolume> | null)[] {
    this.wanted = keys;
    const missing = keys.filter((k) => !this.kept.has(keyText(k)) && !this.asked.has(keyText(k)));
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = missing.length > 0 ? setTimeout(this.askWanted, ASK_AFTER_MS) : null;
    return keys.map((key) => {
      const plane = this.kept.get(keyText(key));
      return plane ? matchVolumes(entry, plane) : null;
    });
  }

  /** Why a plane wanted now came without voxels (the kernel skipped it), else null. */
  skipped(): string | null {
    for (const key of this.wanted) {
      const reason = this.kept.get(keyText(key))?.skipped;
      if (reason) return reason;
    }
    return null;
  }

  /** A plane came: kept; true when a view wants it now. */
  receive(plane: Plane): boolean {
    const text = keyText(plane);
    this.asked.delete(text);
    this.kept.delete(text);
    this.kept.set(text, plane);
    while (this.kept.size > KEPT) this.kept.delete(this.kept.keys().next().value as string);
    const wanted = this.wanted.some((k) => keyText(k) === text);
    if (wanted) this.arrived();
    return wanted;
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.kept.clear();
    this.asked.clear();
    this.wanted = [];
  }

  private readonly askWanted = (): void => {
    this.timer = null;
    for (const key of this.wanted) {
      const text = keyText(key);
      if (this.kept.has(text) || this.asked.has(text)) continue;
      this.asked.add(text);
      this.ask(key);
    }
  };
}

/** Each volume of the entry to its plane (same role and channel); roles without one are left. */
function matchVolumes(entry: StepVolumes, plane: Plane): Map<DecodedVolume, DecodedVolume> {
  const matched = new Map<DecodedVolume, DecodedVolume>();
  for (const volume of plane.volumes) {
    const { role, channel } = volume.meta;
    const coarse = role === "image" ? entry.channels[channel] : entry.volumes.get(role);
    if (coarse) matched.set(coarse, volume);
  }
  return matched;
}
