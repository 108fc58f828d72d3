// Volume rendering: the image and its label/prediction maps as independent components of one
// vtkVolume. Each role is its own input (its own 3D texture in its own dtype) on one grid; the
// colour-mix shader reads label ids exactly (mix-shader.ts), so they never blend into ids that
// are not there.

import vtkPiecewiseFunction from "@kitware/vtk.js/Common/DataModel/PiecewiseFunction";
import type vtkColorTransferFunction from "@kitware/vtk.js/Rendering/Core/ColorTransferFunction";
import vtkColorTransferFunctionClass from "@kitware/vtk.js/Rendering/Core/ColorTransferFunction";
import type vtkRenderer from "@kitware/vtk.js/Rendering/Core/Renderer";
import vtkVolume from "@kitware/vtk.js/Rendering/Core/Volume";
import vtkVolumeMapper from "@kitware/vtk.js/Rendering/Core/VolumeMapper";
import vtkVolumeProperty from "@kitware/vtk.js/Rendering/Core/VolumeProperty";
import { ColorMixPreset } from "@kitware/vtk.js/Rendering/Core/VolumeProperty/Constants";
import { applyColormap } from "../colormaps";
import { type LabelPalette, LabelTransferFunctions, paletteOf } from "../labels";
import type { Display } from "../model";
import type { DecodedVolume, Grid } from "../payload";
import { transferFunction } from "../presets";
import { LABEL_ROLES, type Role } from "../protocol";
import { FRAME_MARGIN, frameCamera, gridCorners, viewAspect } from "./camera";
import { imageDataOf } from "./image-data";
import { customColorMix } from "./mix-shader";
import { volumeViewBasis } from "./orientation";
import {
  displayRange,
  heatmapOpacityPoints,
  heatmapRange,
  overlayWeights,
  type SceneVolumes,
  sampleDistanceOf,
} from "./scene";

// Image opacity (the preset's, see presets.ts) is given per a fraction of the volume's diagonal
// so the look does not depend on the voxel count. Labels are translucent the same way: an organ
// reads as a tinted volume with what lies inside it still visible.
const LABEL_OPACITY = 0.5;
const LABEL_OPACITY_UNITS_PER_DIAGONAL = 4;
// A heat map is denser: a hot spot a fifth of the volume across reads nearly opaque at its
// core, so it shows through the image and labels in front of it.
const HEATMAP_OPACITY_UNITS_PER_DIAGONAL = 20;
const HEATMAP_OPACITY_AT_THRESHOLD = 0.1;

export class VolumeScene {
  private readonly actor = vtkVolume.newInstance();
  private readonly mapper = vtkVolumeMapper.newInstance();
  private readonly properties: vtkVolumeProperty[] = [];
  private readonly imageColor: vtkColorTransferFunction =
    vtkColorTransferFunctionClass.newInstance();
  private readonly imageOpacity = vtkPiecewiseFunction.newInstance();
  private readonly heatmapColor: vtkColorTransferFunction =
    vtkColorTransferFunctionClass.newInstance();
  private readonly heatmapOpacity = vtkPiecewiseFunction.newInstance();
  private heatmap: DecodedVolume | null = null;
  /** one per label-map component, reused across steps; updated in place */
  private readonly labelFunctions = new Map<number, LabelTransferFunctions>();
  private labelIds: number[][] = [];
  private roles: Role[] = [];
  private palettes: LabelPalette[] = [];
  private sharedPalette = false;
  private image: DecodedVolume | null = null;
  private minSpacing = 1;
  private diagonal = 1;
  private display: Display | null = null;
  private grid: Grid | null = null;
  /** the colour-mix shader code the mapper has */
  private mix: string | null = null;

  constructor(private readonly renderer: vtkRenderer) {
    this.actor.setMapper(this.mapper);
    this.mapper.setAutoAdjustSampleDistances(false);
    renderer.addVolume(this.actor);
  }

  /** Shows `volumes` (its components share one grid). */
  setVolumes(volumes: SceneVolumes): void {
    const first = volumes.components[0];
    if (!first) return;
    this.roles = volumes.components.map((v) => v.meta.role);
    this.palettes = volumes.components.map(paletteOf);
    this.sharedPalette = volumes.sharedPalette ?? false;
    this.image = volumes.components.find((v) => v.meta.role === "image") ?? null;
    this.heatmap = volumes.components.find((v) => v.meta.role === "heatmap") ?? null;
    this.grid = first.grid;
    const { dims, spacing } = first.grid;
    this.minSpacing = Math.min(...spacing);
    this.diagonal = Math.hypot(...dims.map((d, i) => d * (spacing[i] as number)));

    const previousPorts = this.mapper.getNumberOfInputPorts();
    volumes.components.forEach((volume, port) => {
      if (port < this.mapper.getNumberOfInputPorts()) {
        this.mapper.setInputData(imageDataOf(volume), port);
      } else {
        this.mapper.addInputData(imageDataOf(volume));
      }
    });
    for (let port = volumes.components.length; port < previousPorts; port++) {
      this.mapper.setInputData(null as never, port);
    }

    const main = this.property(0);
    main.setIndependentComponents(true);
    main.setColorMixPreset(ColorMixPreset.CUSTOM);
    this.labelIds = volumes.components.map((v) => v.meta.labels);
    volumes.components.forEach((volume, component) => {
      const input = this.property(component);
      if (volume.meta.role === "image") {
        input.setInterpolationTypeToLinear();
        main.setRGBTransferFunction(component, this.imageColor);
        main.setScalarOpacity(component, this.imageOpacity);
      } else if (volume.meta.role === "heatmap") {
        input.setInterpolationTypeToLinear();
        main.setRGBTransferFunction(component, this.heatmapColor);
        main.setScalarOpacity(component, this.heatmapOpacity);
        main.setUseGradientOpacity(component, false);
      } else {
        // linear filtering only tells the shader where ids change; it reads exact ids itself
        input.setInterpolationTypeToLinear();
        const tf = this.labelFunction(component);
        main.setRGBTransferFunction(component, tf.color);
        main.setScalarOpacity(component, tf.opacity);
        main.setUseGradientOpacity(component, false);
      }
      if (volume.meta.role !== "image") {
        const units =
          volume.meta.role === "heatmap"
            ? HEATMAP_OPACITY_UNITS_PER_DIAGONAL
            : LABEL_OPACITY_UNITS_PER_DIAGONAL;
        main.setScalarOpacityUnitDistance(component, this.diagonal / units);
      }
    });
    this.actor.setProperties(this.properties.slice(0, Math.max(1, volumes.components.length)));

    const lit = this.roles.indexOf("image");
    const labelComponents = this.roles.flatMap((r, c) => (LABEL_ROLES.includes(r) ? [c] : []));
    const heatmapComponents = this.roles.flatMap((r, c) => (r === "heatmap" ? [c] : []));
    const mix = customColorMix(
      this.roles.length,
      lit >= 0 ? lit : null,
      labelComponents,
      heatmapComponents,
    );
    // a new shader replacement rebuilds (and recompiles) the volume shader: seconds under
    // software GL, so a step switch with the same roles keeps the one it has
    if (mix !== this.mix) {
      this.mix = mix;
      const viewSpecific = {
        OpenGL: {
          ShaderReplacements: [
            {
              shaderType: "Fragment",
              originalValue: "//VTK::CustomColorMix",
              replacementValue: mix,
              replaceFirst: false,
              replaceAll: false,
            },
          ],
        },
      };
      (
        this.mapper as unknown as { setViewSpecificProperties(p: object): void }
      ).setViewSpecificProperties(viewSpecific);
    }
    if (this.display) this.setDisplay(this.display);
  }

  setDisplay(display: Display): void {
    this.display = display;
    const main = this.property(0);
    const [lo, hi] = displayRange(display, this.image);
    const tf = transferFunction({
      preset: display.preset,
      window: [lo, hi],
      defaultLevel: display.defaultLevel,
      opacity: display.opacity,
    });
    if (tf.color) {
      this.imageColor.removeAllPoints();
      for (const [x, r, g, b] of tf.color) this.imageColor.addRGBPoint(x, r, g, b);
    } else {
      applyColormap(this.imageColor, display.cmap, lo, hi);
    }
    this.imageOpacity.removeAllPoints();
    for (const [x, a] of tf.opacity) this.imageOpacity.addPoint(x, a);

    if (this.heatmap) {
      const range = heatmapRange(display, this.heatmap);
      applyColormap(this.heatmapColor, display.heatmap.cmap, ...range);
      this.heatmapOpacity.removeAllPoints();
      for (const [x, a] of heatmapOpacityPoints(display, range, 1, HEATMAP_OPACITY_AT_THRESHOLD)) {
        this.heatmapOpacity.addPoint(x as number, a as number);
      }
    }
    this.roles.forEach((role, component) => {
      if (LABEL_ROLES.includes(role)) {
        this.labelFunction(component).update(
          this.sharedPalette && this.palettes[component] !== "errors"
            ? "label"
            : (this.palettes[component] ?? role),
          this.labelIds[component] ?? [],
          display,
          LABEL_OPACITY,
        );
      }
    });

    const weights = overlayWeights(display, this.roles);
    weights.forEach((w, component) => {
      main.setComponentWeight(component, w);
    });

    const imageComponent = this.roles.indexOf("image");
    if (imageComponent >= 0) {
      main.setScalarOpacityUnitDistance(imageComponent, this.diagonal / tf.unitsPerDiagonal);
      const g = display.gradientOpacity;
      main.setUseGradientOpacity(imageComponent, g > 0);
      if (g > 0) {
        main.setGradientOpacityMinimumValue(imageComponent, 0);
        main.setGradientOpacityMaximumValue(
          imageComponent,
          (0.1 * tf.gradientSpan) / this.minSpacing,
        );
        main.setGradientOpacityMinimumOpacity(imageComponent, 1 - g);
        main.setGradientOpacityMaximumOpacity(imageComponent, 1);
      }
    }
    main.setShade(imageComponent >= 0);
    // vtk.js's automatic light is a headlight: it follows the camera
    main.setAmbient(0.25);
    main.setDiffuse(0.75);
    main.setSpecular(0.35);
    main.setSpecularPower(24);

    const distance = sampleDistanceOf(display.sampleDistance, this.minSpacing);
    this.mapper.setSampleDistance(distance);
    this.mapper.setMaximumSamplesPerRay(Math.max(1000, Math.ceil(this.diagonal / distance) + 10));
  }

  resetCamera(aspect: number = viewAspect(this.renderer)): void {
    const camera = this.renderer.getActiveCamera();
    camera.setParallelProjection(false);
    const grid = this.grid;
    if (!grid) return;
    frameCamera(camera, volumeViewBasis(), gridCorners(grid), aspect, FRAME_MARGIN);
    this.renderer.resetCameraClippingRange();
  }

  dispose(): void {
    this.renderer.removeVolume(this.actor);
    this.actor.delete();
    this.mapper.delete();
    for (const p of this.properties) p.delete();
    for (const tf of this.labelFunctions.values()) tf.delete();
    this.imageColor.delete();
    this.imageOpacity.delete();
    this.heatmapColor.delete();
    this.heatmapOpacity.delete();
  }

  private labelFunction(component: number): LabelTransferFunctions {
    let tf = this.labelFunctions.get(component);
    if (!tf) {
      tf = new LabelTransferFunctions();
      this.labelFunctions.set(component, tf);
    }
    return tf;
  }

  private property(index: number): vtkVolumeProperty {
    while (this.properties.length <= index) this.properties.push(vtkVolumeProperty.newInstance());
    return this.properties[index] as vtkVolumeProperty;
  }
}
