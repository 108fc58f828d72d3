// The colormap presets the viewer offers: names from nbviewer3d/colormaps.json (the single
// source Python reads too), points from vtk.js's lite presets plus matplotlib's maps.

import type vtkColorTransferFunction from "@kitware/vtk.js/Rendering/Core/ColorTransferFunction";
import vtkColorMapsLite from "@kitware/vtk.js/Rendering/Core/ColorTransferFunction/ColorMapsLite";
import names from "../../nbviewer3d/colormaps.json";
import { MATPLOTLIB_PRESETS } from "./colormaps-matplotlib";

for (const preset of MATPLOTLIB_PRESETS) vtkColorMapsLite.addPreset(preset);

export const COLORMAP_NAMES: readonly string[] = names;
export const DEFAULT_COLORMAP = "Grayscale";

/** The preset's RGB points as [x, r, g, b, ...] with x rescaled to 0..1, or null if unknown. */
export function colormapPoints(name: string): number[] | null {
  const preset = COLORMAP_NAMES.includes(name) ? vtkColorMapsLite.getPresetByName(name) : undefined;
  if (!preset) return null;
  const points = preset.RGBPoints;
  const first = points[0] as number;
  const last = points[points.length - 4] as number;
  const width = last - first || 1;
  return points.map((v, i) => (i % 4 === 0 ? (v - first) / width : v));
}

/** Fills `ctf` with the named preset spread over [lo, hi]; unknown names fall back to gray. */
export function applyColormap(
  ctf: vtkColorTransferFunction,
  name: string,
  lo: number,
  hi: number,
): void {
  const points = colormapPoints(name) ?? (colormapPoints(DEFAULT_COLORMAP) as number[]);
  const width = hi > lo ? hi - lo : 1;
  ctf.removeAllPoints();
  for (let i = 0; i < points.length; i += 4) {
    const [x, r, g, b] = points.slice(i, i + 4) as [number, number, number, number];
    ctf.addRGBPoint(lo + x * width, r, g, b);
  }
}
