// The panes of one view mode in one GL window (layout.ts says where): each pane a vtk renderer
// in its viewport with its scene, a DOM frame over it for the orientation marker or edge
// letters and its heading, and in multi-pane layouts the linked cursor drawn in it.

import type vtkRenderer from "@kitware/vtk.js/Rendering/Core/Renderer";
import type { CompareMode, Display, ViewMode } from "../model";
import type { Vec3 } from "../protocol";
import { crosshairSegments, LineActor, planeOutlines, VIEW_COLOURS } from "./crosshair";
import { cursorIjk } from "./cursor";
import { EdgeLetterOverlay } from "./edge-letters";
import type { GLWindow } from "./gl-window";
import { type Pane, type PaneOverlays, paneAspect, paneAt, paneLayout } from "./layout";
import { cameraBasis, edgeLetters } from "./orientation";
import { OrientationMarker } from "./orientation-marker";
import type { SceneVolumes } from "./scene";
import { SliceScene } from "./slices";
import { VolumeScene } from "./volume";

export interface PaneView {
  readonly spec: Pane;
  readonly renderer: vtkRenderer;
  readonly scene: VolumeScene | SliceScene;
  /** the cursor's lines (slice panes) or plane outlines (3D): multi-pane layouts only */
  readonly lines: LineActor | null;
  readonly frame: HTMLDivElement;
  readonly marker: OrientationMarker | null;
  readonly letters: EdgeLetterOverlay | null;
}

/** The volumes a pane draws: the image and the label maps its overlays name. */
export function paneVolumes(volumes: SceneVolumes, overlays: PaneOverlays): SceneVolumes {
  if (overlays === "all") return volumes;
  return {
    components: volumes.components.filter(
      (v) => v.meta.role === "image" || v.meta.role === overlays,
    ),
    offGrid: volumes.offGrid,
    sharedPalette: true,
  };
}

export class PaneSet {
  readonly panes: PaneView[];
  private volumes: SceneVolumes | null = null;
  private display: Display | null = null;

  constructor(
    private readonly gl: GLWindow,
    container: HTMLElement,
    readonly mode: ViewMode,
    readonly compare: CompareMode,
  ) {
    const layout = paneLayout(mode, compare);
    const linked = layout.length > 1;
    const leaders = new Map<number, vtkRenderer>();
    this.panes = layout.map((spec) => {
      const renderer = gl.addRenderer(spec.viewport);
      const leader = leaders.get(spec.cameraGroup);
      if (leader) renderer.setActiveCamera(leader.getActiveCamera());
      else leaders.set(spec.cameraGroup, renderer);
      const scene =
        spec.view === "volume" ? new VolumeScene(renderer) : new SliceScene(renderer, spec.view);
      const lines = linked && mode === "quad" ? new LineActor() : null;
      if (lines) renderer.addActor(lines.actor);
      const frame = paneFrame(container, spec, linked);
      return {
        spec,
        renderer,
        scene,
        lines,
        frame,
        marker: spec.view === "volume" ? new OrientationMarker(frame) : null,
        letters: spec.view === "volume" ? null : new EdgeLetterOverlay(frame),
      };
    });
  }

  setVolumes(volumes: SceneVolumes): void {
    this.volumes = volumes;
    for (const pane of this.panes) pane.scene.setVolumes(paneVolumes(volumes, pane.spec.overlays));
    this.updateLines();
  }

  setDisplay(display: Display): void {
    this.display = display;
    for (const pane of this.panes) pane.scene.setDisplay(display);
    this.updateLines();
  }

  /** Frames every camera group's view of the data (its first pane's default view). */
  resetCameras(): void {
    const [width, height] = this.gl.size;
    const done = new Set<number>();
    for (const pane of this.panes) {
      if (done.has(pane.spec.cameraGroup)) continue;
      done.add(pane.spec.cameraGroup);
      pane.scene.resetCamera(paneAspect(pane.spec, width, height));
    }
    this.updateLines();
    this.resetClipping();
  }

  resetClipping(): void {
    for (const pane of this.panes) pane.renderer.resetCameraClippingRange();
  }

  /** The pane under a point given as fractions of the window (y up), or null. */
  paneAt(x: number, y: number): PaneView | null {
    return (
      this.panes[
        paneAt(
          this.panes.map((p) => p.spec),
          x,
          y,
        )
      ] ?? null
    );
  }

  /** The orientation marker (3D panes) or edge letters (slice panes) for the cameras drawn. */
  showOrientation(): void {
    for (const pane of this.panes) {
      const basis = cameraBasis(pane.renderer.getActiveCamera());
      pane.marker?.show(basis);
      pane.letters?.show(edgeLetters(basis));
    }
  }

  dispose(): void {
    for (const pane of this.panes) {
      pane.scene.dispose();
      if (pane.lines) {
        pane.renderer.removeActor(pane.lines.actor);
        pane.lines.dispose();
      }
      pane.marker?.dispose();
      pane.letters?.dispose();
      pane.frame.remove();
      this.gl.removeRenderer(pane.renderer);
    }
  }

  private updateLines(): void {
    const first = this.volumes?.components[0];
    if (!first || !this.display) return;
    const ijk = cursorIjk(this.display.cursor, first);
    const grid = first.grid;
    for (const pane of this.panes) {
      if (!pane.lines) continue;
      if (pane.scene instanceof SliceScene) {
        // just in front of the slice, so the image does not hide the lines
        const look = cameraBasis(pane.renderer.getActiveCamera()).look;
        const lift = -0.5 * Math.min(...grid.spacing);
        const offset: Vec3 = [look[0] * lift, look[1] * lift, look[2] * lift];
        pane.lines.set(crosshairSegments(grid, ijk, pane.scene.axis), offset);
      } else {
        pane.lines.set(planeOutlines(grid, ijk));
      }
    }
  }
}

/** The DOM box over a pane's viewport: holds its marker or letters and, when linked, a heading. */
function paneFrame(container: HTMLElement, spec: Pane, linked: boolean): HTMLDivElement {
  const doc = container.ownerDocument;
  const frame = doc.createElement("div");
  frame.className = "nbviewer3d-pane";
  frame.dataset.view = spec.view;
  frame.dataset.overlays = spec.overlays;
  const [x0, y0, x1, y1] = spec.viewport;
  Object.assign(frame.style, {
    position: "absolute",
    left: `${x0 * 100}%`,
    top: `${(1 - y1) * 100}%`,
    width: `${(x1 - x0) * 100}%`,
    height: `${(y1 - y0) * 100}%`,
    pointerEvents: "none",
    boxSizing: "border-box",
  });
  if (linked) {
    frame.style.boxShadow = "inset 0 0 0 1px #3a3a3a";
    const title = doc.createElement("div");
    title.className = "nbviewer3d-pane-title";
    title.textContent = spec.title;
    if (spec.view !== "volume") {
      const [r, g, b] = VIEW_COLOURS[spec.view];
      title.style.color = `rgb(${r}, ${g}, ${b})`;
    }
    frame.append(title);
  }
  container.append(frame);
  return frame;
}
