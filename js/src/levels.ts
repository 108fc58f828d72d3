// Which pyramid level of a step the browser holds (nbviewer3d/delivery.py): the finest one
// whose longest axis fits the page's 3D texture limit and whose bytes fit `cache_mb`.

import type { LevelInfo } from "./protocol";

// WebGL2 guarantees 256; every desktop GPU and SwiftShader give 2048 or more.
let textureLimit = 2048;

/** Records the 3D texture limit of a WebGL2 context the page made. */
export function noteTextureLimit(gl: WebGL2RenderingContext | null): void {
  const limit = gl?.getParameter(gl.MAX_3D_TEXTURE_SIZE);
  if (typeof limit === "number" && limit > 0) textureLimit = limit;
}

export interface LevelChoice {
  level: number;
  /** why a coarser level than the full volume is held, or null */
  reason: string | null;
}

const MIB = 1024 * 1024;

function sizeText(bytes: number): string {
  return bytes >= 1024 * MIB
    ? `${(bytes / (1024 * MIB)).toFixed(1)} GiB`
    : `${Math.round(bytes / MIB)} MiB`;
}

export function shapeText(shape: readonly number[]): string {
  return shape.join("×");
}

export function chooseLevel(levels: readonly LevelInfo[], capBytes: number): LevelChoice {
  if (levels.length === 0) return { level: 0, reason: null };
  const fits = (info: LevelInfo) =>
    Math.max(...info.shape) <= textureLimit && info.bytes <= capBytes;
  const found = levels.findIndex(fits);
  const level = found === -1 ? levels.length - 1 : found;
  if (level === 0) return { level, reason: null };
  const full = levels[0] as LevelInfo;
  const shown = levels[level] as LevelInfo;
  const why =
    Math.max(...full.shape) > textureLimit
      ? `its longest axis is beyond this browser's 3D texture limit (${textureLimit})`
      : `it needs ${sizeText(full.bytes)} in the browser, more than cache_mb (${sizeText(capBytes)})`;
  return {
    level,
    reason:
      `Shown at ${shapeText(shown.shape)} (level ${level}, every ${shapeText(shown.factors)} ` +
      `voxels averaged) of ${shapeText(full.shape)}: ${why}.`,
  };
}
