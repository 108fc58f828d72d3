// One rendered view of a Viewer model: DOM, panel, GL window (while the pool lends one), the
// scene for the current view mode, and the step on screen.

import { type StepVolumes, withChannel } from "./cache";
import { compareVolumes, readCompare } from "./compare";
import { type ContextPool, pageContextPool } from "./context-pool";
import { clearError, describeError, showError } from "./errors";
import {
  DISPLAY_TRAITS,
  type ModelLike,
  readChannel,
  readDisplay,
  readHeight,
  readStep,
  readVersion,
  type ViewMode,
} from "./model";
import type { ModelState, StepEvent } from "./model-state";
import { Curves } from "./panel/curves";
import { Panel } from "./panel/panel";
import { injectStyle } from "./panel/style";
import { LABEL_ROLES } from "./protocol";
import { composeFrame, downloadName, frameMessage, offerDownload } from "./screenshot";
import { applyCamera, CameraMemory, gridKey, readCamera } from "./view/camera";
import { applyCameraTrait, cameraTrait, parseCameraTrait, sameCamera } from "./view/camera-trait";
import { EdgeLetterOverlay } from "./view/edge-letters";
import { GLWindow } from "./view/gl-window";
import { cameraBasis, edgeLetters } from "./view/orientation";
import { OrientationMarker } from "./view/orientation-marker";
import { type SceneVolumes, sceneVolumes } from "./view/scene";
import { SliceScene } from "./view/slices";
import { VolumeScene } from "./view/volume";

type Status = "loading" | "ready" | "error";

// view_mode rebuilds the scene (onViewMode); the rest only redraw it.
const REDRAW_TRAITS = DISPLAY_TRAITS.filter((name) => name !== "view_mode");

export class ViewerView {
  readonly root: HTMLDivElement;
  private readonly canvasBox: HTMLDivElement;
  private readonly statusLine: HTMLDivElement;
  private readonly errorBox: HTMLDivElement;
  private readonly panel: Panel;
  private readonly curves: Curves;
  private readonly marker: OrientationMarker;
  private readonly edgeLetters: EdgeLetterOverlay;
  private glWindow: GLWindow | null = null;
  private scene: VolumeScene | SliceScene | null = null;
  /** The view mode the scene was built for (the trait may already name the next one). */
  private sceneMode: ViewMode = "volume";
  /** gridKey of the data the camera was placed for; null: not placed since the scene was built. */
  private placedGrid: string | null = null;
  private readonly cameras = new CameraMemory();
  private shown: StepVolumes | null = null;
  private frames = 0;
  private snapshot: HTMLImageElement | null = null;
  /** Bumps on every acquire and release, so a snapshot encoded for an older one is dropped. */
  private glGeneration = 0;
  private readonly unsubscribe: () => void;
  private readonly unsubscribeScreenshots: () => void;
  /** A screenshot is being drawn (its render must not answer requests again). */
  private capturing = false;
  private readonly resizeObserver: ResizeObserver | null;
  private disposed = false;
  /** A failure no new data can fix (no WebGL2, context lost): stays shown until GL is back. */
  private glFailure: string | null = null;

  constructor(
    private readonly model: ModelLike,
    private readonly state: ModelState,
    el: HTMLElement,
    private readonly pool: ContextPool = pageContextPool(),
  ) {
    injectStyle(el.ownerDocument);
    this.root = document.createElement("div");
    this.root.className = "nbviewer3d";
    this.canvasBox = document.createElement("div");
    this.canvasBox.className = "nbviewer3d-canvas";
    this.statusLine = document.createElement("div");
    this.statusLine.className = "nbviewer3d-status";
    this.canvasBox.append(this.statusLine);
    this.marker = new OrientationMarker(this.canvasBox);
    this.edgeLetters = new EdgeLetterOverlay(this.canvasBox);
    this.errorBox = document.createElement("div");
    this.errorBox.className = "nbviewer3d-error";
    this.errorBox.setAttribute("role", "alert");
    clearError(this.errorBox);
    this.panel = new Panel(model, { download: () => this.download() });
    this.curves = new Curves(model);
    this.root.append(this.canvasBox, this.errorBox, this.curves.element, this.panel.element);
    el.append(this.root);
    this.root.dataset.frames = "0";
    this.applyHeight();

    this.unsubscribe = state.subscribe(this.onStepEvent);
    for (const name of REDRAW_TRAITS) model.on(`change:${name}`, this.onDisplay);
    model.on("change:view_mode", this.onViewMode);
    model.on("change:compare", this.onCompare);
    model.on("change:step", this.onStep);
    model.on("change:_versions", this.onStep);
    model.on("change:height", this.onHeight);
    model.on("change:channel", this.onChannel);
    model.on("change:camera", this.onCamera);
    this.unsubscribeScreenshots = state.screenshots.subscribe(this.onScreenshotRequest);

    this.resizeObserver =
      typeof ResizeObserver === "undefined" ? null : new ResizeObserver(this.onResize);
    this.resizeObserver?.observe(this.canvasBox);
    this.canvasBox.addEventListener("pointerdown", this.onPointer);
    this.canvasBox.addEventListener("wheel", this.onPointer, { passive: true });
    this.root.addEventListener("keydown", keepKeysInControls);
    this.pool.add(this.canvasBox, { acquire: () => this.acquire(), release: () => this.release() });
    this.onStep();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool.remove(this.canvasBox);
    this.resizeObserver?.disconnect();
    this.canvasBox.removeEventListener("pointerdown", this.onPointer);
    this.canvasBox.removeEventListener("wheel", this.onPointer);
    this.root.removeEventListener("keydown", keepKeysInControls);
    for (const name of REDRAW_TRAITS) this.model.off(`change:${name}`, this.onDisplay);
    this.model.off("change:view_mode", this.onViewMode);
    this.model.off("change:compare", this.onCompare);
    this.model.off("change:step", this.onStep);
    this.model.off("change:_versions", this.onStep);
    this.model.off("change:height", this.onHeight);
    this.model.off("change:channel", this.onChannel);
    this.model.off("change:camera", this.onCamera);
    this.unsubscribeScreenshots();
    this.state.cache.pin(this, null);
    this.unsubscribe();
    this.destroyGL();
    this.removeSnapshot();
    this.marker.dispose();
    this.edgeLetters.dispose();
    this.panel.dispose();
    this.curves.dispose();
    this.root.remove();
  }

  // ---- data ---------------------------------------------------------------------------

  private readonly onStep = this.guarded((): void => {
    const step = readStep(this.model);
    const version = readVersion(this.model, step);
    const entry = this.state.cache.get(step, version);
    if (entry) {
      this.show(entry);
      return;
    }
    this.setStatus("loading", `loading step ${step}…`);
    this.state.cache.request(step, version);
  });

  private readonly onStepEvent = (event: StepEvent): void => {
    const step = readStep(this.model);
    if (event.kind === "error") {
      if (event.step === null || event.step === step) this.fail(event.message);
      return;
    }
    if (event.entry.step !== step) return;
    if (event.entry.version !== readVersion(this.model, step)) {
      this.onStep(); // an older version arrived: ask for the current one
      return;
    }
    this.show(event.entry);
  };

  private show(entry: StepVolumes): void {
    this.shown = entry;
    this.state.cache.pin(this, entry.step);
    if (this.glFailure === null) clearError(this.errorBox);
    const volumes = this.sceneVolumesOf(entry);
    this.root.dataset.step = String(entry.step);
    if (volumes.components.length === 0) {
      this.fail(`step ${entry.step} holds no volumes`);
      return;
    }
    if (volumes.offGrid.length > 0) {
      showError(
        this.errorBox,
        `The ${volumes.offGrid.join(" and ")} of step ${entry.step} is not on the image's grid ` +
          "(shape, spacing, origin, direction), so it is not drawn.",
      );
    }
    try {
      this.scene?.setVolumes(volumes);
      this.updatePanel();
      if (this.scene) this.draw(true);
      else this.setStatus("loading", "");
    } catch (error) {
      this.fail(`nbviewer3d could not draw step ${entry.step}: ${describeError(error)}`);
    }
  }

  // ---- display ------------------------------------------------------------------------

  private readonly onDisplay = this.guarded((): void => {
    if (!this.scene || !this.shown) return;
    this.scene.setDisplay(readDisplay(this.model));
    this.draw(false);
  });

  /** Another channel of the image: its voxels are in the step's entry already, none is fetched. */
  private readonly onChannel = this.guarded((): void => {
    if (this.shown) this.show(this.shown);
  });

  private readonly onViewMode = this.guarded((): void => {
    if (!this.glWindow) return;
    this.buildScene();
    this.updatePanel();
    this.draw(false);
  });

  private readonly onCompare = this.guarded((): void => {
    if (!this.shown) return;
    this.scene?.setVolumes(this.sceneVolumesOf(this.shown));
    this.updatePanel();
    this.draw(true);
  });

  /** The volumes the scene draws: the step's, combined as the compare mode says. */
  private sceneVolumesOf(entry: StepVolumes): SceneVolumes {
    return compareVolumes(
      sceneVolumes(withChannel(entry, readChannel(this.model))),
      readCompare(this.model.get("compare")),
    );
  }

  private readonly onHeight = this.guarded((): void => {
    this.applyHeight();
    this.onResize();
  });

  private readonly onResize = this.guarded((): void => {
    if (this.glWindow?.resize() && this.shown) this.draw(false);
  });

  private readonly onPointer = (): void => {
    this.pool.touch(this.canvasBox);
  };

  private applyHeight(): void {
    this.canvasBox.style.height = `${readHeight(this.model)}px`;
  }

  private updatePanel(): void {
    const shown = this.shown ? withChannel(this.shown, readChannel(this.model)) : null;
    const image = shown?.get("image");
    const overlays = shown ? [...shown.keys()].some((r) => LABEL_ROLES.includes(r)) : false;
    this.panel.setContext({
      imageRange: image ? image.meta.range : null,
      hasOverlay: overlays,
      sliceCount: this.scene instanceof SliceScene ? this.scene.sliceCount : 0,
      image: image ?? null,
      labelMaps: shown
        ? [...shown.values()]
            .filter((v) => LABEL_ROLES.includes(v.meta.role))
            .map((v) => ({ role: v.meta.role, ids: v.meta.labels }))
        : [],
      heatmap: shown?.get("heatmap") ?? null,
      channels: this.shown?.channels.length ?? 0,
    });
  }

  // ---- GL lifetime (driven by the context pool) ---------------------------------------

  private acquire(): void {
    if (this.disposed || this.glWindow) return;
    try {
      this.glWindow = new GLWindow(this.canvasBox, this.onFrame, this.onContextLost);
    } catch (error) {
      this.pool.markReleased(this.canvasBox);
      this.glFailure = describeError(error);
      this.fail(this.glFailure);
      return;
    }
    if (this.glFailure !== null) {
      this.glFailure = null;
      clearError(this.errorBox);
    }
    this.glWindow.onInteractionEnd(this.onInteractionEnd);
    this.glGeneration += 1;
    this.removeSnapshot();
    this.buildScene();
    this.updatePanel();
    if (this.shown) this.draw(false);
  }

  private release(): void {
    if (!this.glWindow) return;
    const generation = ++this.glGeneration;
    try {
      if (this.shown) this.glWindow.snapshot((blob) => this.showSnapshot(blob, generation));
    } catch (error) {
      // a blank box is the fallback; the view redraws when scrolled back
      console.warn("nbviewer3d: no snapshot of the released view:", error);
    }
    this.destroyGL();
  }

  private showSnapshot(blob: Blob | null, generation: number): void {
    // Dropped when the view got its GL window back (or was closed) while the frame was encoding.
    if (!blob || this.disposed || this.glWindow || generation !== this.glGeneration) return;
    this.removeSnapshot();
    this.snapshot = document.createElement("img");
    this.snapshot.className = "nbviewer3d-snapshot";
    this.snapshot.alt = "nbviewer3d view (paused while off screen)";
    this.snapshot.src = URL.createObjectURL(blob);
    this.canvasBox.prepend(this.snapshot);
  }

  private removeSnapshot(): void {
    if (!this.snapshot) return;
    URL.revokeObjectURL(this.snapshot.src);
    this.snapshot.remove();
    this.snapshot = null;
  }

  private destroyGL(): void {
    this.saveCamera();
    this.scene?.dispose();
    this.scene = null;
    this.glWindow?.dispose();
    this.glWindow = null;
  }

  private readonly onContextLost = (message: string): void => {
    this.destroyGL();
    this.pool.markReleased(this.canvasBox);
    this.glFailure = message;
    this.fail(message);
  };

  private buildScene(): void {
    const gl = this.glWindow;
    if (!gl) return;
    const mode = readDisplay(this.model).viewMode;
    this.saveCamera();
    this.scene?.dispose();
    this.scene =
      mode === "volume" ? new VolumeScene(gl.renderer) : new SliceScene(gl.renderer, mode);
    this.sceneMode = mode;
    this.placedGrid = null;
    gl.setInteraction(mode === "volume" ? "rotate" : "image");
    if (this.shown) {
      this.scene.setVolumes(this.sceneVolumesOf(this.shown));
      this.scene.setDisplay(readDisplay(this.model));
    }
  }

  /** Remembers the user's camera for the scene's view mode (before the scene or GL goes). */
  private saveCamera(): void {
    if (!this.glWindow || !this.scene || this.placedGrid === null) return;
    const camera = readCamera(this.glWindow.renderer.getActiveCamera());
    this.cameras.save(this.sceneMode, this.placedGrid, camera);
  }

  /** The camera this mode had over this grid, else the scene's default view; once per scene and grid. */
  private placeCamera(gl: GLWindow, scene: VolumeScene | SliceScene, shown: StepVolumes): void {
    const first = sceneVolumes(shown.volumes).components[0];
    if (!first) return;
    const grid = gridKey(first.grid);
    if (grid === this.placedGrid) return;
    scene.resetCamera();
    // the 3D camera is the `camera` trait (kept across grids, runs and modes); slice views
    // keep the user's zoom and pan per mode here
    if (this.sceneMode === "volume") {
      const trait = parseCameraTrait(this.model.get("camera"));
      if (trait) applyCameraTrait(gl.renderer.getActiveCamera(), trait);
    } else {
      const saved = this.cameras.restore(this.sceneMode, grid);
      if (saved) applyCamera(gl.renderer.getActiveCamera(), saved);
    }
    gl.renderer.resetCameraClippingRange();
    this.placedGrid = grid;
  }

  /** Python (or another view of this model) set the camera: show it, or the default view. */
  private readonly onCamera = this.guarded((): void => {
    const gl = this.glWindow;
    if (!gl || !this.scene || !this.shown || this.sceneMode !== "volume") return;
    const camera = gl.renderer.getActiveCamera();
    const trait = parseCameraTrait(this.model.get("camera"));
    if (trait && sameCamera(trait, cameraTrait(camera))) return; // our own change coming back
    if (trait) applyCameraTrait(camera, trait);
    else this.scene.resetCamera();
    gl.renderer.resetCameraClippingRange();
    gl.render();
  });

  /** The user let go of the 3D camera: it becomes the `camera` trait. */
  private readonly onInteractionEnd = (): void => {
    const gl = this.glWindow;
    if (!gl || this.sceneMode !== "volume" || this.placedGrid === null) return;
    this.model.set("camera", cameraTrait(gl.renderer.getActiveCamera()));
    this.model.save_changes();
  };

  private draw(newData: boolean): void {
    const gl = this.glWindow;
    const scene = this.scene;
    if (!gl || !scene || !this.shown) return;
    try {
      if (newData) scene.setDisplay(readDisplay(this.model));
      this.placeCamera(gl, scene, this.shown);
      gl.resize();
      gl.render();
    } catch (error) {
      this.fail(`nbviewer3d could not render: ${describeError(error)}`);
    }
  }

  private readonly onFrame = (): void => {
    this.frames += 1;
    this.root.dataset.frames = String(this.frames);
    if (this.shown) {
      this.showOrientation();
      this.root.dataset.step = String(this.shown.step);
      const loading = this.state.cache.isFetching(readStep(this.model));
      this.setStatus(
        loading ? "loading" : "ready",
        loading ? `loading step ${readStep(this.model)}…` : "",
      );
    }
    if (this.state.screenshots.size > 0 && !this.capturing) queueMicrotask(this.answerScreenshots);
  };

  // ---- screenshots (see screenshot.ts) ------------------------------------------------

  private readonly onScreenshotRequest = (): void => {
    this.answerScreenshots();
  };

  /** Drawn and showing the model's current step and version, with GL: what a picture shows. */
  private settled(): boolean {
    if (!this.glWindow || !this.scene || !this.shown || this.glFailure !== null) return false;
    const step = readStep(this.model);
    return (
      this.shown.step === step &&
      this.shown.version === readVersion(this.model, step) &&
      !this.state.cache.isFetching(step)
    );
  }

  /** Answers the kernel's pending requests with the settled frame (else waits for one). */
  private readonly answerScreenshots = (): void => {
    if (this.disposed || this.capturing || this.state.screenshots.size === 0) return;
    if (!this.settled()) return;
    const picture = this.picture();
    if (!picture) return;
    const requests = this.state.screenshots.take();
    const step = readStep(this.model);
    const message = frameMessage(this.model, requests, readVersion(this.model, step), [
      picture.width,
      picture.height,
    ]);
    picture.toBlob((blob) => {
      if (this.disposed) return;
      // without a picture the kernel still hears back, and says the save failed
      if (!blob) this.model.send(message, undefined, []);
      else void blob.arrayBuffer().then((buffer) => this.model.send(message, undefined, [buffer]));
    }, "image/png");
  };

  /** The view as shown (3D or slices with the cube or edge letters), drawn now; null without GL. */
  private picture(): HTMLCanvasElement | null {
    const gl = this.glWindow;
    if (!gl || !this.shown) return null;
    this.capturing = true;
    try {
      return gl.capture((canvas) => composeFrame(this.canvasBox, canvas));
    } finally {
      this.capturing = false;
    }
  }

  /** The panel's download button: the picture as a PNG file, straight from the browser. */
  private download(): void {
    const picture = this.picture();
    if (!picture) return;
    const name = downloadName(this.model.get("run"), readStep(this.model));
    picture.toBlob((blob) => {
      if (blob) offerDownload(this.root.ownerDocument, blob, name);
    }, "image/png");
  }

  /** The orientation marker (3D) or the edge letters (slices) for the camera just drawn. */
  private showOrientation(): void {
    const camera = this.glWindow?.renderer.getActiveCamera();
    if (!camera || !this.scene) return;
    const basis = cameraBasis(camera);
    if (this.sceneMode === "volume") {
      this.edgeLetters.hide();
      this.marker.show(basis);
    } else {
      this.marker.hide();
      this.edgeLetters.show(edgeLetters(basis));
    }
  }

  // ---- status -------------------------------------------------------------------------

  private setStatus(status: Status, text: string): void {
    this.root.dataset.status = this.glFailure === null ? status : "error";
    this.statusLine.textContent = text;
  }

  /** Wraps an event handler so a failure reads as a sentence in the cell (and in the console). */
  private guarded(handler: () => void): () => void {
    return () => {
      try {
        handler();
      } catch (error) {
        console.error("nbviewer3d:", error);
        this.fail(`nbviewer3d: ${describeError(error)}`);
      }
    };
  }

  private fail(message: string): void {
    showError(this.errorBox, message);
    this.setStatus("error", "");
  }
}

/**
 * JupyterLab's command-mode shortcuts match a focused element inside the notebook, so arrow
 * keys and Enter meant for a panel control would move cells instead. Keys typed into a form
 * control stay with it; keys elsewhere in the widget still reach the notebook.
 */
function keepKeysInControls(event: KeyboardEvent): void {
  const target = event.target;
  if (
    target instanceof HTMLInputElement ||
    target instanceof HTMLSelectElement ||
    target instanceof HTMLButtonElement ||
    target instanceof HTMLTextAreaElement
  ) {
    event.stopPropagation();
  }
}
