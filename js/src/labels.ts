// Fixed colours for class ids. Labels (ground truth) and predictions get different palettes
// so both can be read where they overlap.

import vtkPiecewiseFunction from "@kitware/vtk.js/Common/DataModel/PiecewiseFunction";
import vtkColorTransferFunction from "@kitware/vtk.js/Rendering/Core/ColorTransferFunction";

type RGB = [number, number, number];

export const LABEL_PALETTE: readonly RGB[] = [
  [0.9, 0.1, 0.1], // 1 red
  [0.1, 0.8, 0.1], // 2 green
  [0.15, 0.35, 1.0], // 3 blue
  [1.0, 0.85, 0.1], // 4 yellow
  [0.9, 0.2, 0.9], // 5 magenta
  [0.1, 0.85, 0.9], // 6 cyan
  [1.0, 0.55, 0.1], // 7 orange
  [0.55, 0.3, 0.9], // 8 purple
];

export const PREDICTION_PALETTE: readonly RGB[] = [
  [0.1, 0.85, 0.9], // 1 cyan
  [1.0, 0.55, 0.1], // 2 orange
  [0.9, 0.2, 0.9], // 3 magenta
  [1.0, 0.85, 0.1], // 4 yellow
  [0.9, 0.1, 0.1],
  [0.1, 0.8, 0.1],
  [0.15, 0.35, 1.0],
  [0.55, 0.3, 0.9],
];

export function labelColor(palette: readonly RGB[], id: number): RGB {
  return palette[(id - 1) % palette.length] as RGB;
}

/**
 * Step functions over class ids: id k maps to its colour on [k - 0.45, k + 0.45], background
 * (0) is transparent, every other id has `opacity`. Meant for nearest-neighbour sampling.
 */
export function labelTransferFunctions(
  ids: readonly number[],
  palette: readonly RGB[],
  opacity: number,
): { color: vtkColorTransferFunction; opacity: vtkPiecewiseFunction } {
  const color = vtkColorTransferFunction.newInstance();
  const alpha = vtkPiecewiseFunction.newInstance();
  const top = Math.max(1, ...ids);
  color.addRGBPoint(-0.5, 0, 0, 0);
  alpha.addPoint(-0.5, 0);
  alpha.addPoint(0.45, 0);
  for (let id = 1; id <= top; id++) {
    const [r, g, b] = labelColor(palette, id);
    color.addRGBPoint(id - 0.45, r, g, b);
    color.addRGBPoint(id + 0.45, r, g, b);
    alpha.addPoint(id - 0.45, opacity);
    alpha.addPoint(id + 0.45, opacity);
  }
  return { color, opacity: alpha };
}
