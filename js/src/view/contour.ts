// The outline of a label map on the current slice (overlay_style="contour"): a 2D image of
// class ids, finer than the slice, holding ids only on the boundary of each class, drawn with
// the label's transfer functions in the slice plane. The image under the label stays visible.

import vtkDataArray from "@kitware/vtk.js/Common/Core/DataArray";
import vtkImageData from "@kitware/vtk.js/Common/DataModel/ImageData";
import vtkImageMapper from "@kitware/vtk.js/Rendering/Core/ImageMapper";
import { SlicingMode } from "@kitware/vtk.js/Rendering/Core/ImageMapper/Constants";
import vtkImageSlice from "@kitware/vtk.js/Rendering/Core/ImageSlice";
import { sliceContour } from "../labels";
import type { DecodedVolume } from "../payload";

/** vtk's image mapper's slicing mode along index axis 0, 1, 2. */
export const SLICING_MODES = [SlicingMode.I, SlicingMode.J, SlicingMode.K];

/** The two in-plane index axes of a slice along `axis`, lower first (the faster one). */
export function inPlaneAxes(axis: 0 | 1 | 2): [number, number] {
  return axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
}

/** Slice `index` along `axis` of an x-fastest volume, as a 2D array (first in-plane axis fastest). */
export function sliceValues(
  values: ArrayLike<number>,
  dims: readonly [number, number, number],
  axis: 0 | 1 | 2,
  index: number,
): { ids: Float32Array; width: number; height: number } {
  const [u, v] = inPlaneAxes(axis);
  const width = dims[u] as number;
  const height = dims[v] as number;
  const stride = [1, dims[0], dims[0] * dims[1]];
  const ids = new Float32Array(width * height);
  const base = index * (stride[axis] as number);
  const su = stride[u] as number;
  const sv = stride[v] as number;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      ids[x + width * y] = values[base + x * su + y * sv] as number;
    }
  }
  return { ids, width, height };
}

/**
 * Sub-pixels per voxel side: lines a voxel/factor wide stay 1-2 screen pixels when the slice
 * fills a typical canvas (a 128-voxel slice gets 2, a 64-voxel one 4, 256 and more get 1).
 */
export function contourFactor(width: number, height: number): number {
  return Math.min(4, Math.max(1, Math.floor(256 / Math.max(width, height))));
}

export class ContourLayer {
  readonly mapper = vtkImageMapper.newInstance();
  readonly actor = vtkImageSlice.newInstance();
  private readonly image = vtkImageData.newInstance();
  private key = "";
  private volume: DecodedVolume | null = null;

  constructor() {
    this.mapper.setInputData(this.image);
    this.mapper.setSlice(0);
    this.actor.setMapper(this.mapper);
    const property = this.actor.getProperty();
    property.setUseLookupTableScalarRange(true);
    property.setInterpolationTypeToNearest();
  }

  /** Outlines slice `index` along `axis` of `volume` (recomputed only when they change). */
  update(volume: DecodedVolume, axis: 0 | 1 | 2, index: number): void {
    const key = `${axis}/${index}`;
    if (key === this.key && volume === this.volume) return;
    this.key = key;
    this.volume = volume;
    this.mapper.setSlicingMode(SLICING_MODES[axis] as SlicingMode);
    const { dims, spacing, origin, direction } = volume.grid;
    const { ids, width, height } = sliceValues(volume.values, dims, axis, index);
    const k = contourFactor(width, height);
    const outline = sliceContour(ids, width, height, k);
    const [u, v] = inPlaneAxes(axis);
    const outDims: [number, number, number] = [1, 1, 1];
    const outSpacing: [number, number, number] = [...spacing];
    // index offsets (in voxels) of the outline image's first sub-pixel centre
    const offset = [0, 0, 0];
    for (const a of [u, v]) {
      outDims[a] = (dims[a] as number) * k;
      outSpacing[a] = (spacing[a] as number) / k;
      offset[a] = 0.5 / k - 0.5;
    }
    offset[axis] = index;
    // world = origin + direction * (offset * spacing); direction is column-major
    const [ox, oy, oz] = [0, 1, 2].map(
      (row) =>
        (origin[row] as number) +
        [0, 1, 2].reduce(
          (sum, col) =>
            sum +
            (direction[3 * col + row] as number) *
              (offset[col] as number) *
              (spacing[col] as number),
          0,
        ),
    );
    this.image.setDimensions(outDims);
    this.image.setSpacing(outSpacing);
    this.image.setOrigin([ox as number, oy as number, oz as number]);
    this.image.setDirection(Float32Array.from(direction));
    const scalars = vtkDataArray.newInstance({
      name: "outline",
      numberOfComponents: 1,
      values: outline,
    });
    this.image.getPointData().setScalars(scalars);
    this.image.modified();
  }

  delete(): void {
    this.actor.delete();
    this.mapper.delete();
    this.image.delete();
  }
}
