// 2D slice views: the image slice with window/level from vmin/vmax and the colormap, the label
// and prediction maps as nearest-sampled slices on top, label_blend as their opacity.

import vtkPiecewiseFunction from "@kitware/vtk.js/Common/DataModel/PiecewiseFunction";
import vtkColorTransferFunction from "@kitware/vtk.js/Rendering/Core/ColorTransferFunction";
import vtkImageMapper from "@kitware/vtk.js/Rendering/Core/ImageMapper";
import { SlicingMode } from "@kitware/vtk.js/Rendering/Core/ImageMapper/Constants";
import vtkImageSlice from "@kitware/vtk.js/Rendering/Core/ImageSlice";
import type vtkRenderer from "@kitware/vtk.js/Rendering/Core/Renderer";
import { applyColormap } from "../colormaps";
import { LabelTransferFunctions } from "../labels";
import type { Display, ViewMode } from "../model";
import type { DecodedVolume } from "../payload";
import { ContourLayer } from "./contour";
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
  /** label maps: their transfer functions and, in contour style, the outline layer */
  labelFunctions: LabelTransferFunctions | null;
  contour: ContourLayer | null;
  /** the image's NaN/Inf mask opacity */
  fillOpacity: vtkPiecewiseFunction | null;
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
      let labelFunctions: LabelTransferFunctions | null = null;
      let fillOpacity: vtkPiecewiseFunction | null = null;
      if (volume.meta.role === "image") {
        property.setInterpolationTypeToLinear();
        property.setRGBTransferFunction(0, this.imageColor);
        if (volume.fill !== null) {
          // Voxels that were NaN/Inf hold `fill`, below every finite value: draw them transparent.
          fillOpacity = vtkPiecewiseFunction.newInstance();
          const [lo] = volume.meta.range;
          fillOpacity.addPoint(volume.fill, 0);
          fillOpacity.addPoint(volume.fill + 0.01 * (lo - volume.fill), 0);
          fillOpacity.addPoint(lo, 1);
          property.setPiecewiseFunction(0, fillOpacity);
        }
      } else {
        property.setInterpolationTypeToNearest();
        labelFunctions = new LabelTransferFunctions();
        property.setRGBTransferFunction(0, labelFunctions.color);
        property.setPiecewiseFunction(0, labelFunctions.opacity);
      }
      this.renderer.addActor(actor);
      this.layers.push({ volume, mapper, actor, labelFunctions, contour: null, fillOpacity });
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
    for (const layer of this.layers) {
      const { volume, mapper, actor, labelFunctions } = layer;
      mapper.setSlice(slice);
      if (labelFunctions) {
        labelFunctions.update(volume.meta.role, volume.meta.labels, display, 1);
        const opacity = !display.labelVisible ? 0 : hasImage ? display.labelBlend : 1;
        const contour = display.overlayStyle === "contour" && opacity > 0;
        actor.getProperty().setOpacity(opacity);
        actor.setVisibility(opacity > 0 && !contour);
        if (contour) this.showContour(layer, slice, Math.min(1, 2 * opacity));
        layer.contour?.actor.setVisibility(contour);
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

  /** Draws the layer's label as its outline on `slice`, lines at `opacity`. */
  private showContour(layer: Layer, slice: number, opacity: number): void {
    if (!layer.contour) {
      layer.contour = new ContourLayer(SLICING_MODES[this.axis] as SlicingMode);
      const property = layer.contour.actor.getProperty();
      const tf = layer.labelFunctions as LabelTransferFunctions;
      property.setRGBTransferFunction(0, tf.color);
      property.setPiecewiseFunction(0, tf.opacity);
      this.renderer.addActor(layer.contour.actor);
    }
    layer.contour.update(layer.volume, this.axis, slice);
    layer.contour.actor.getProperty().setOpacity(opacity);
  }

  private clearLayers(): void {
    for (const { mapper, actor, labelFunctions, contour, fillOpacity } of this.layers) {
      this.renderer.removeActor(actor);
      actor.delete();
      mapper.delete();
      labelFunctions?.delete();
      fillOpacity?.delete();
      if (contour) {
        this.renderer.removeActor(contour.actor);
        contour.delete();
      }
    }
    this.layers = [];
  }
}
