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
type Vec3 = [number, number, number];

/**
 * Each mode cuts across one RAS world axis and is seen radiologically: axial from the feet
 * with anterior up, coronal from the front, sagittal from the patient's left, superior up.
 */
const VIEWS: Record<SliceMode, { world: 0 | 1 | 2; look: Vec3; up: Vec3 }> = {
  sagittal: { world: 0, look: [1, 0, 0], up: [0, 0, 1] },
  coronal: { world: 1, look: [0, -1, 0], up: [0, 0, 1] },
  axial: { world: 2, look: [0, 0, 1], up: [0, 1, 0] },
};

/** The index axis whose world direction (vtk's column-major direction) runs closest to `world`. */
export function sliceAxisOf(direction: ArrayLike<number>, world: 0 | 1 | 2): 0 | 1 | 2 {
  const along = [0, 1, 2].map((a) => Math.abs(Number(direction[3 * a + world])));
  const best = along.indexOf(Math.max(...along));
  return best === 1 ? 1 : best === 2 ? 2 : 0;
}
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
  private sliceAxis: 0 | 1 | 2 = 0;

  constructor(
    private readonly renderer: vtkRenderer,
    readonly mode: SliceMode,
  ) {}

  get axis(): 0 | 1 | 2 {
    return this.sliceAxis;
  }

  /** Number of slices along this view's axis (0 before data arrives). */
  get sliceCount(): number {
    return this.layers[0]?.volume.grid.dims[this.axis] ?? 0;
  }

  setVolumes(volumes: SceneVolumes): void {
    this.clearLayers();
    const first = volumes.components[0];
    if (first) this.sliceAxis = sliceAxisOf(first.grid.direction, VIEWS[this.mode].world);
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
    const { look, up } = VIEWS[this.mode];
    camera.setFocalPoint(0, 0, 0);
    camera.setPosition(-look[0], -look[1], -look[2]);
    camera.setViewUp(up[0], up[1], up[2]);
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
