// The line under the view saying what lies at the cursor: voxel index (array order), RAS
// position in mm, the image's and heat map's values, the label's and the prediction's class id
// and name.

import type { Cursor, Display } from "../model";
import { formatNumber } from "../panel/controls";
import type { DecodedVolume } from "../payload";
import type { Role } from "../protocol";
import { cursorIjk, fromIjk, valueAt, worldOf } from "./cursor";

export interface CursorReadout {
  cursor: Cursor;
  /** RAS mm */
  position: [number, number, number];
  /** one "role value" entry per volume present */
  values: { role: Role; text: string }[];
}

export function readCursor(
  volumes: ReadonlyMap<Role, DecodedVolume>,
  display: Display,
): CursorReadout | null {
  const reference = volumes.get("image") ?? [...volumes.values()][0];
  if (!reference) return null;
  const ijk = cursorIjk(display.cursor, reference);
  const values: CursorReadout["values"] = [];
  for (const [role, volume] of volumes) {
    const value = valueAt(volume, ijk);
    if (value === null) continue;
    if (role === "image" || role === "heatmap") {
      const finite = volume.fill === null || value !== volume.fill;
      values.push({ role, text: finite ? formatNumber(value) : "not finite" });
    } else {
      const name = display.labelNames.get(value);
      values.push({ role, text: name ? `${value} ${name}` : String(value) });
    }
  }
  return {
    cursor: fromIjk(ijk, reference.meta),
    position: worldOf(reference.grid, ijk),
    values,
  };
}

/**
 * The readout from full-resolution planes through the cursor (full-planes.ts, `planes` maps
 * each shown volume to its plane along array axis `axis`): the cursor's own voxel, where the
 * shown volumes hold the block of a coarser level around it. Null unless every shown volume
 * has its plane and the cursor is set.
 */
export function readCursorOnPlanes(
  volumes: ReadonlyMap<Role, DecodedVolume>,
  planes: ReadonlyMap<DecodedVolume, DecodedVolume>,
  axis: number,
  display: Display,
): CursorReadout | null {
  const cursor = display.cursor;
  if (!cursor) return null;
  const onPlanes = new Map<Role, DecodedVolume>();
  for (const [role, volume] of volumes) {
    const plane = planes.get(volume);
    if (!plane) return null;
    onPlanes.set(role, plane);
  }
  const inPlane: Cursor = [...cursor];
  inPlane[axis] = 0; // a plane is one voxel thick
  const readout = readCursor(onPlanes, { ...display, cursor: inPlane });
  return readout ? { ...readout, cursor: [...cursor] } : null;
}

export function readoutText(readout: CursorReadout): string {
  const mm = readout.position.map((v) => v.toFixed(1)).join(", ");
  const parts = [`voxel [${readout.cursor.join(", ")}]`, `RAS (${mm}) mm`];
  for (const { role, text } of readout.values) parts.push(`${role} ${text}`);
  return parts.join(" · ");
}

export class ReadoutLine {
  readonly element: HTMLDivElement;

  constructor(doc: Document) {
    this.element = doc.createElement("div");
    this.element.className = "nbviewer3d-readout";
    this.element.setAttribute("aria-live", "polite");
    this.element.setAttribute("aria-label", "cursor");
  }

  show(readout: CursorReadout | null): void {
    const text = readout ? readoutText(readout) : "";
    // textContent: class names come from files anyone may have written
    if (this.element.textContent !== text) this.element.textContent = text;
  }

  dispose(): void {
    this.element.remove();
  }
}
