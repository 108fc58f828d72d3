// 2D slice views: the image slice with window/level from vmin/vmax and the colormap, the label
// and prediction maps as nearest-sampled slices on top, label_blend as their opacity.

import vtkPiecewiseFunction from "@kitware/vtk.js/Common/DataModel/PiecewiseFunction";
import vtkColorTransferFunction from "@kitware/vtk.js/Rendering/Core/ColorTransferFunction";
import vtkImageMapper from "@kitware/vtk.js/Rendering/Core/ImageMapper";
import type { SlicingMode } from "@kitware/vtk.js/Rendering/Core/ImageMapper/Constants";
import vtkImageSlice from "@kitware/vtk.js/Rendering/Core/ImageSlice";
import type vtkRenderer from "@kitware/vtk.js/Rendering/Core/Renderer";
import { applyColormap } from "../colormaps";
import { LabelTransferFunctions, paletteOf } from "../labels";
import type { Display } from "../model";
import type { DecodedVolume } from "../payload";
import { FRAME_MARGIN, frameCamera, gridCorners, viewAspect } from "./camera";
import { ContourLayer, SLICING_MODES } from "./contour";
import { cursorIjk } from "./cursor";
import { imageDataOf } from "./image-data";
import { type Axis, type SliceMode, sliceAxis, sliceViewBasis } from "./orientation";
import { displayRange, heatmapOpacityPoints, heatmapRange, type SceneVolumes } from "./scene";

function constantOpacity(value: number): vtkPiecewiseFunction {
  const opacity = vtkPiecewiseFunction.newInstance();
  opacity.addPoint(0, value);
  opacity.addPoint(1, value);
  return opacity;
}

/** Voxels that were NaN/Inf hold `fill`, below every finite value: drawn transparent. */
function setFillOpacity(opacity: vtkPiecewiseFunction, volume: DecodedVolume): void {
  const fill = volume.fill as number;
  const [lo] = volume.meta.range;
  opacity.removeAllPoints();
  opacity.addPoint(fill, 0);
  opacity.addPoint(fill + 0.01 * (lo - fill), 0);
  opacity.addPoint(lo, 1);
}

interface Layer {
  volume: DecodedVolume;
  /** what the mapper draws: the volume, or its full-resolution plane at the cursor */
  input: DecodedVolume;
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
  private readonly heatmapColor = vtkColorTransferFunction.newInstance();
  private readonly heatmapOpacity = vtkPiecewiseFunction.newInstance();
  private readonly opaque = constantOpacity(1);
  private display: Display | null = null;
  /** The index axis whose world direction is closest to this view's normal (orientation.ts). */
  private sliceAxis: Axis = 0;
  private sharedPalette = false;
  /** the full-resolution planes drawn in place of the coarse slices (full-planes.ts) */
  private detail: ReadonlyMap<DecodedVolume, DecodedVolume> | null = null;

  constructor(
    private readonly renderer: vtkRenderer,
    readonly mode: SliceMode,
  ) {}

  get axis(): Axis {
    return this.sliceAxis;
  }

  /** Number of slices along this view's axis (0 before data arrives). */
  get sliceCount(): number {
    return this.layers[0]?.volume.grid.dims[this.axis] ?? 0;
  }

  setVolumes(volumes: SceneVolumes): void {
    this.sharedPalette = volumes.sharedPalette ?? false;
    const first = volumes.components[0];
    if (first) this.sliceAxis = sliceAxis(this.mode, first.grid.direction);
    if (this.sameLayout(volumes.components)) {
      // the next step of the same kind: the layers (and their GL objects) take the new voxels
      volumes.components.forEach((volume, i) => {
        const layer = this.layers[i] as Layer;
        layer.volume = volume;
        layer.input = volume;
        layer.mapper.setInputData(imageDataOf(volume));
        layer.mapper.setSlicingMode(SLICING_MODES[this.axis] as SlicingMode);
        if (layer.fillOpacity) setFillOpacity(layer.fillOpacity, volume);
      });
    } else {
      this.clearLayers();
      for (const volume of volumes.components) this.layers.push(this.newLayer(volume));
    }
    if (this.display) this.setDisplay(this.display);
  }

  /** Whether `volumes` are drawn by the present layers: the same roles, NaN masks alike. */
  private sameLayout(volumes: DecodedVolume[]): boolean {
    return (
      volumes.length === this.layers.length &&
      volumes.every((volume, i) => {
        const layer = this.layers[i] as Layer;
        return (
          layer.volume.meta.role === volume.meta.role &&
          (layer.fillOpacity === null) === (volume.fill === null)
        );
      })
    );
  }

  private newLayer(volume: DecodedVolume): Layer {
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
        fillOpacity = vtkPiecewiseFunction.newInstance();
        setFillOpacity(fillOpacity, volume);
        property.setPiecewiseFunction(0, fillOpacity);
      } else {
        // vtk.js's image mapper makes a new opacity texture for a missing function on every
        // rebuild and never frees it: an explicit opaque one is shared instead
        property.setPiecewiseFunction(0, this.opaque);
      }
    } else if (volume.meta.role === "heatmap") {
      property.setInterpolationTypeToLinear();
      property.setRGBTransferFunction(0, this.heatmapColor);
      property.setPiecewiseFunction(0, this.heatmapOpacity);
    } else {
      property.setInterpolationTypeToNearest();
      labelFunctions = new LabelTransferFunctions();
      property.setRGBTransferFunction(0, labelFunctions.color);
      property.setPiecewiseFunction(0, labelFunctions.opacity);
    }
    this.renderer.addActor(actor);
    return { volume, input: volume, mapper, actor, labelFunctions, contour: null, fillOpacity };
  }

  /**
   * Full-resolution planes of the shown volumes (each volume to its plane at the cursor) to
   * draw instead of their coarse slices, or null.
   */
  setDetail(detail: ReadonlyMap<DecodedVolume, DecodedVolume> | null): void {
    const before = this.detail;
    const same =
      (before?.size ?? 0) === (detail?.size ?? 0) &&
      [...(detail ?? [])].every(([volume, plane]) => before?.get(volume) === plane);
    this.detail = detail;
    if (!same && this.display) this.setDisplay(this.display);
  }

  /** Whether every layer draws a full-resolution plane. */
  get detailed(): boolean {
    return this.layers.length > 0 && this.layers.every((l) => l.input !== l.volume);
  }

  /** Points the layer's mapper at its plane (when there is one) or at the volume's `slice`. */
  private place(layer: Layer, slice: number): { input: DecodedVolume; slice: number } {
    const plane = this.detail?.get(layer.volume) ?? null;
    const input = plane ?? layer.volume;
    // the plane's index axes need not be the volume's (an F-ordered volume's plane is C-ordered)
    const arrayAxis = layer.volume.meta.axes[this.axis] as number;
    const axis = plane ? plane.meta.axes.indexOf(arrayAxis) : this.axis;
    if (layer.input !== input) {
      layer.mapper.setInputData(imageDataOf(input));
      layer.input = input;
    }
    layer.mapper.setSlicingMode(SLICING_MODES[axis] as SlicingMode);
    const at = plane ? 0 : slice;
    layer.mapper.setSlice(at);
    return { input, slice: at };
  }

  setDisplay(display: Display): void {
    this.display = display;
    const image = this.layers.find((l) => l.volume.meta.role === "image")?.volume ?? null;
    const [lo, hi] = displayRange(display, image);
    applyColormap(this.imageColor, display.cmap, lo, hi);
    const first = this.layers[0]?.volume;
    const slice = first ? cursorIjk(display.cursor, first)[this.axis] : 0;
    const hasImage = image !== null;
    const heatmap = this.layers.find((l) => l.volume.meta.role === "heatmap");
    if (heatmap) {
      const range = heatmapRange(display, heatmap.volume);
      applyColormap(this.heatmapColor, display.heatmap.cmap, ...range);
      this.heatmapOpacity.removeAllPoints();
      for (const [x, a] of heatmapOpacityPoints(display, range, display.heatmap.opacity)) {
        this.heatmapOpacity.addPoint(x as number, a as number);
      }
      heatmap.actor.setVisibility(display.heatmap.visible && display.heatmap.opacity > 0);
    }
    for (const layer of this.layers) {
      const { volume, actor, labelFunctions } = layer;
      const drawn = this.place(layer, slice);
      if (labelFunctions) {
        const own = paletteOf(volume);
        const palette = this.sharedPalette && own !== "errors" ? "label" : own;
        labelFunctions.update(palette, volume.meta.labels, display, 1);
        const opacity = !display.labelVisible ? 0 : hasImage ? display.labelBlend : 1;
        const contour = display.overlayStyle === "contour" && opacity > 0;
        actor.getProperty().setOpacity(opacity);
        actor.setVisibility(opacity > 0 && !contour);
        if (contour) this.showContour(layer, drawn.input, drawn.slice, Math.min(1, 2 * opacity));
        layer.contour?.actor.setVisibility(contour);
      }
    }
    this.renderer.resetCameraClippingRange();
  }

  resetCamera(aspect: number = viewAspect(this.renderer)): void {
    const first = this.layers[0]?.volume;
    const camera = this.renderer.getActiveCamera();
    camera.setParallelProjection(true);
    if (!first) return;
    const basis = sliceViewBasis(this.mode, first.grid.direction);
    frameCamera(camera, basis, gridCorners(first.grid), aspect, FRAME_MARGIN);
    this.renderer.resetCameraClippingRange();
  }

  dispose(): void {
    this.clearLayers();
    this.imageColor.delete();
    this.heatmapColor.delete();
    this.heatmapOpacity.delete();
    this.opaque.delete();
  }

  /** Draws the layer's label as its outline on `slice` of `volume`, lines at `opacity`. */
  private showContour(layer: Layer, volume: DecodedVolume, slice: number, opacity: number): void {
    if (!layer.contour) {
      layer.contour = new ContourLayer();
      const property = layer.contour.actor.getProperty();
      const tf = layer.labelFunctions as LabelTransferFunctions;
      property.setRGBTransferFunction(0, tf.color);
      property.setPiecewiseFunction(0, tf.opacity);
      this.renderer.addActor(layer.contour.actor);
    }
    const axis = volume.meta.axes.indexOf(layer.volume.meta.axes[this.axis] as number) as Axis;
    layer.contour.update(volume, axis, slice);
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
