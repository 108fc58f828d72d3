// 2D slice views: the image slice with window/level from vmin/vmax and the colormap, the label
// and prediction maps as nearest-sampled slices on top, label_blend as their opacity.

import vtkPiecewiseFunction from "@kitware/vtk.js/Common/DataModel/PiecewiseFunction";
import vtkColorTransferFunction from "@kitware/vtk.js/Rendering/Core/ColorTransferFunction";
import vtkImageMapper from "@kitware/vtk.js/Rendering/Core/ImageMapper";
import { SlicingMode } from "@kitware/vtk.js/Rendering/Core/ImageMapper/Constants";
import vtkImageSlice from "@kitware/vtk.js/Rendering/Core/ImageSlice";
import type vtkRenderer from "@kitware/vtk.js/Rendering/Core/Renderer";
import { applyColormap } from "../colormaps";
import { LABEL_PALETTE, labelTransferFunctions, PREDICTION_PALETTE } from "../labels";
import type { Display, ViewMode } from "../model";
import type { DecodedVolume } from "../payload";
import { imageDataOf } from "./image-data";
import { displayRange, type SceneVolumes, sliceIndexOf } from "./scene";

export type SliceMode = Exclude<ViewMode, "volume">;

/** The index axis each mode slices along: axial = k (z), coronal = j (y), sagittal = i (x). */
export const SLICE_AXIS: Record<SliceMode, 0 | 1 | 2> = { sagittal: 0, coronal: 1, axial: 2 };
const SLICING_MODES = [SlicingMode.I, SlicingMode.J, SlicingMode.K];

interface Layer {
  volume: DecodedVolume;
  mapper: ReturnType<typeof vtkImageMapper.newInstance>;
  actor: ReturnType<typeof vtkImageSlice.newInstance>;
}

export class SliceScene {
  private layers: Layer[] = [];
  private readonly imageColor = vtkColorTransferFunction.newInstance();
  private display: Display | null = null;

  constructor(
    private readonly renderer: vtkRenderer,
    readonly mode: SliceMode,
  ) {}

  get axis(): 0 | 1 | 2 {
    return SLICE_AXIS[this.mode];
  }

  /** Number of slices along this view's axis (0 before data arrives). */
  get sliceCount(): number {
    return this.layers[0]?.volume.grid.dims[this.axis] ?? 0;
  }

  setVolumes(volumes: SceneVolumes): void {
    this.clearLayers();
    for (const volume of volumes.components) {
      const mapper = vtkImageMapper.newInstance();
      mapper.setInputData(imageDataOf(volume));
      mapper.setSlicingMode(SLICING_MODES[this.axis] as SlicingMode);
      const actor = vtkImageSlice.newInstance();
      actor.setMapper(mapper);
      const property = actor.getProperty();
      property.setUseLookupTableScalarRange(true);
      if (volume.meta.role === "image") {
        property.setInterpolationTypeToLinear();
        property.setRGBTransferFunction(0, this.imageColor);
        if (volume.fill !== null) {
          // Voxels that were NaN/Inf hold `fill`, below every finite value: draw them transparent.
          const pwf = vtkPiecewiseFunction.newInstance();
          const [lo] = volume.meta.range;
          pwf.addPoint(volume.fill, 0);
          pwf.addPoint(volume.fill + 0.01 * (lo - volume.fill), 0);
          pwf.addPoint(lo, 1);
          property.setPiecewiseFunction(0, pwf);
        }
      } else {
        property.setInterpolationTypeToNearest();
        const palette = volume.meta.role === "label" ? LABEL_PALETTE : PREDICTION_PALETTE;
        const tf = labelTransferFunctions(volume.meta.labels, palette, 1);
        property.setRGBTransferFunction(0, tf.color);
        property.setPiecewiseFunction(0, tf.opacity);
      }
      this.renderer.addActor(actor);
      this.layers.push({ volume, mapper, actor });
    }
    if (this.display) this.setDisplay(this.display);
  }

  setDisplay(display: Display): void {
    this.display = display;
    const image = this.layers.find((l) => l.volume.meta.role === "image")?.volume ?? null;
    const [lo, hi] = displayRange(display, image);
    applyColormap(this.imageColor, display.cmap, lo, hi);
    const slice = sliceIndexOf(display.sliceIndex, this.sliceCount);
    const hasImage = image !== null;
    for (const { volume, mapper, actor } of this.layers) {
      mapper.setSlice(slice);
      if (volume.meta.role !== "image") {
        const opacity = !display.labelVisible ? 0 : hasImage ? display.labelBlend : 1;
        actor.getProperty().setOpacity(opacity);
        actor.setVisibility(opacity > 0);
      }
    }
    this.renderer.resetCameraClippingRange();
  }

  resetCamera(): void {
    const first = this.layers[0]?.volume;
    const camera = this.renderer.getActiveCamera();
    camera.setParallelProjection(true);
    if (!first) return;
    // Axis directions in world space: vtk's direction is column-major, axis a at [3a, 3a+3).
    const d = first.grid.direction;
    const axisDir = (a: number) =>
      [d[3 * a], d[3 * a + 1], d[3 * a + 2]] as [number, number, number];
    const normal = axisDir(this.axis);
    const up = this.mode === "axial" ? axisDir(1).map((v) => -v) : axisDir(2);
    // Axial looks from the feet (+k into the screen); coronal and sagittal from the front/side.
    const sign = this.mode === "axial" ? -1 : 1;
    camera.setFocalPoint(0, 0, 0);
    camera.setPosition(sign * normal[0], sign * normal[1], sign * normal[2]);
    camera.setViewUp(up[0] as number, up[1] as number, up[2] as number);
    this.renderer.resetCamera();
    this.renderer.resetCameraClippingRange();
  }

  dispose(): void {
    this.clearLayers();
    this.imageColor.delete();
  }

  private clearLayers(): void {
    for (const { mapper, actor } of this.layers) {
      this.renderer.removeActor(actor);
      actor.delete();
      mapper.delete();
    }
    this.layers = [];
  }
}
