// Class ids -> colour and opacity: the palettes, the user's label_colors / hidden_labels, and
// the vtk.js transfer functions the views draw labels with.

import vtkPiecewiseFunction from "@kitware/vtk.js/Common/DataModel/PiecewiseFunction";
import vtkColorTransferFunction from "@kitware/vtk.js/Rendering/Core/ColorTransferFunction";
import { errorClass, errorColor, errorOpacity, isErrorMap } from "./compare";
import type { Display } from "./model";
import { LABEL_PALETTE, PREDICTION_PALETTE, type RGB } from "./palette";
import type { DecodedVolume } from "./payload";
import type { Role } from "./protocol";

/** How a label map's ids are coloured: as a label, a prediction, or compare="errors" codes. */
export type LabelPalette = Role | "errors";

export function paletteOf(volume: DecodedVolume): LabelPalette {
  return isErrorMap(volume) ? "errors" : volume.meta.role;
}

/** The colour of class `id` for a label map of `role`; label_colors applies to the label. */
export function labelColor(
  display: Pick<Display, "labelColors">,
  role: LabelPalette,
  id: number,
): RGB {
  if (role === "errors") return errorColor(id);
  if (role === "prediction") return PREDICTION_PALETTE.color(id);
  return display.labelColors.get(id) ?? LABEL_PALETTE.color(id);
}

let live = 0;

/** Transfer functions made and not yet deleted (a leak shows as growth). */
export function liveLabelTransferFunctions(): number {
  return live;
}

/**
 * Step functions over the class ids of one label map: id k maps to its colour on
 * [k - 0.45, k + 0.45] with `opacity`, background (0) and hidden ids are transparent. Meant
 * for nearest-neighbour lookups of exact ids. Updated in place; delete() frees them.
 */
export class LabelTransferFunctions {
  readonly color = vtkColorTransferFunction.newInstance();
  readonly opacity = vtkPiecewiseFunction.newInstance();
  private key = "";

  constructor() {
    live += 1;
  }

  update(
    role: LabelPalette,
    ids: readonly number[],
    display: Pick<Display, "labelColors" | "hiddenLabels">,
    opacity: number,
  ): void {
    const present = [...new Set(ids)].filter((id) => id > 0).sort((a, b) => a - b);
    const colors = present.map((id) => labelColor(display, role, id));
    const classOf = role === "errors" ? errorClass : (id: number) => id;
    const weight = role === "errors" ? errorOpacity : () => 1;
    const alphas = present.map((id) =>
      display.hiddenLabels.has(classOf(id)) ? 0 : opacity * weight(id),
    );
    const key = JSON.stringify([present, colors, alphas]);
    if (key === this.key) return; // unchanged: keep vtk's cached textures
    this.key = key;
    this.color.removeAllPoints();
    this.opacity.removeAllPoints();
    this.color.addRGBPoint(-0.5, 0, 0, 0);
    this.opacity.addPoint(-0.5, 0);
    this.opacity.addPoint(0.45, 0);
    present.forEach((id, i) => {
      const [r, g, b] = colors[i] as RGB;
      const a = alphas[i] as number;
      this.color.addRGBPoint(id - 0.45, r, g, b);
      this.color.addRGBPoint(id + 0.45, r, g, b);
      this.opacity.addPoint(id - 0.45, a);
      this.opacity.addPoint(id + 0.45, a);
    });
    if (present.length === 0) {
      this.color.addRGBPoint(1, 0, 0, 0);
      this.opacity.addPoint(1, 0);
    }
  }

  delete(): void {
    this.color.delete();
    this.opacity.delete();
    live -= 1;
  }
}

/**
 * The outline of a 2D slice of class ids, `factor` times finer than the slice: a sub-pixel
 * holds its voxel's id when it lies on a side of that voxel whose neighbour (across the side)
 * holds another id, else 0. Lines are thus 1/factor of a voxel wide and lie inside each
 * class; outside the slice counts as background. `ids` is `width` x `height`, x fastest.
 */
export function sliceContour(
  ids: ArrayLike<number>,
  width: number,
  height: number,
  factor: number,
): Float32Array {
  const k = Math.max(1, Math.trunc(factor));
  const out = new Float32Array(width * k * height * k);
  const rowLength = width * k;
  const at = (x: number, y: number) =>
    x < 0 || y < 0 || x >= width || y >= height ? 0 : (ids[x + width * y] as number);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const id = at(x, y);
      if (id === 0) continue;
      const left = at(x - 1, y) !== id;
      const right = at(x + 1, y) !== id;
      const below = at(x, y - 1) !== id;
      const above = at(x, y + 1) !== id;
      if (!(left || right || below || above)) continue;
      for (let sy = 0; sy < k; sy++) {
        for (let sx = 0; sx < k; sx++) {
          const edge =
            (left && sx === 0) ||
            (right && sx === k - 1) ||
            (below && sy === 0) ||
            (above && sy === k - 1);
          if (edge) out[x * k + sx + rowLength * (y * k + sy)] = id;
        }
      }
    }
  }
  return out;
}
