// One rendered view of a Viewer model: DOM, panel, GL window (while the pool lends one), the
// panes for the current view mode and compare mode, the step on screen, the linked cursor's
// readout, the keyboard and the slice panes' pointer.

import { type StepVolumes, withChannel } from "./cache";
import { compareVolumes, readCompare } from "./compare";
import { type ContextPool, pageContextPool } from "./context-pool";
import { clearError, describeError, showError } from "./errors";
import { keyAction, stepBy } from "./keyboard";
import { chooseLevel, noteTextureLimit, shapeText } from "./levels";
import {
  DISPLAY_TRAITS,
  type ModelLike,
  readCacheBytes,
  readChannel,
  readDisplay,
  readHeight,
  readStep,
  readSteps,
  readVersion,
} from "./model";
import type { ModelState, StepEvent } from "./model-state";
import { Curves } from "./panel/curves";
import { Panel } from "./panel/panel";
import { injectStyle } from "./panel/style";
import type { DecodedVolume } from "./payload";
import { LABEL_ROLES } from "./protocol";
import { composeFrame, downloadName, frameMessage, offerDownload } from "./screenshot";
import { markView } from "./timings";
import { applyCamera, CameraMemory, gridKey, readCamera } from "./view/camera";
import { applyCameraTrait, cameraTrait, parseCameraTrait, sameCamera } from "./view/camera-trait";
import { clampIjk, cursorIjk, fromIjk, indexOf } from "./view/cursor";
import { FollowNotes } from "./view/follow-notes";
import type { DrawnFrame } from "./view/frame-clock";
import { coarserThanSource, FullPlanes, type PlaneKey, planeAt } from "./view/full-planes";
import { GLWindow } from "./view/gl-window";
import { paneAspect } from "./view/layout";
import { sliceAxis } from "./view/orientation";
import { PaneSet, type PaneSet as Panes, type PaneView } from "./view/panes";
import { QuickFrames } from "./view/quick-frames";
import { ReadoutLine, readCursor, readCursorOnPlanes } from "./view/readout";
import { type SceneVolumes, sceneVolumes } from "./view/scene";
import {
  panCamera,
  panePoint,
  SlicePointer,
  type SliceTarget,
  zoomCamera,
} from "./view/slice-pointer";
import { SliceScene } from "./view/slices";

/** refining: a quick frame is shown (see quick-frames.ts), the full picture is to follow */
type Status = "loading" | "refining" | "ready" | "error";

// view_mode and compare rebuild the panes (onLayout); the rest only redraw them.
const LAYOUT_TRAITS = ["view_mode", "compare"] as const;
// after a settled frame, so a prefetch never competes with what is on screen
const PREFETCH_DELAY_MS = 300;
const REDRAW_TRAITS = DISPLAY_TRAITS.filter(
  (name) => !(LAYOUT_TRAITS as readonly string[]).includes(name),
);

export class ViewerView {
  readonly root: HTMLDivElement;
  private readonly canvasBox: HTMLDivElement;
  private readonly statusLine: HTMLDivElement;
  private readonly errorBox: HTMLDivElement;
  private readonly panel: Panel;
  private readonly curves: Curves;
  private readonly readout: ReadoutLine;
  private readonly followNotes: FollowNotes;
  /** says when the step is shown at a coarser level than the full volume, and why */
  private readonly levelNote: HTMLDivElement;
  /** why the level shown is not level 0, and why its slices are not at full resolution */
  private levelReason = "";
  private planesReason = "";
  private prefetchTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly slicePointer: SlicePointer;
  private glWindow: GLWindow | null = null;
  private panes: Panes | null = null;
  /** The slice pane last pointed at: Page Up/Down step its slices. */
  private activePane = -1;
  /** gridKey of the data the cameras were placed for; null: not placed since the panes were built. */
  private placedGrid: string | null = null;
  private readonly cameras = new CameraMemory();
  private shown: StepVolumes | null = null;
  private frames = 0;
  private snapshot: HTMLCanvasElement | null = null;
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
  /** full-resolution planes through the cursor (array axis `axis`), for the readout */
  private cursorPlanes: { planes: ReadonlyMap<DecodedVolume, DecodedVolume>; axis: number } | null =
    null;
  private readonly planes = new FullPlanes(
    (key) => this.state.askPlane(key.step, key.version, key.axis, key.index),
    () => this.draw(false),
  );
  private readonly quick = new QuickFrames(
    () => this.glWindow?.framesInFlight ?? 0,
    () => this.drawFull(),
  );

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
    this.canvasBox.tabIndex = 0;
    // right-drag zooms: JupyterLab's context menu stays away from the view
    this.canvasBox.dataset.jpSuppressContextMenu = "";
    this.canvasBox.setAttribute("role", "application");
    this.canvasBox.setAttribute(
      "aria-label",
      "nbviewer3d view: arrow keys walk the steps, Page Up and Page Down the slices, " +
        "1 to 5 pick the view mode",
    );
    this.readout = new ReadoutLine(el.ownerDocument);
    this.followNotes = new FollowNotes(el.ownerDocument, model);
    this.levelNote = document.createElement("div");
    this.levelNote.className = "nbviewer3d-level-note";
    this.levelNote.setAttribute("role", "status");
    this.errorBox = document.createElement("div");
    this.errorBox.className = "nbviewer3d-error";
    this.errorBox.setAttribute("role", "alert");
    clearError(this.errorBox);
    this.panel = new Panel(model, { download: () => this.download() });
    this.curves = new Curves(model);
    this.root.append(
      this.canvasBox,
      this.readout.element,
      this.followNotes.element,
      this.levelNote,
      this.errorBox,
      this.curves.element,
      this.panel.element,
    );
    el.append(this.root);
    this.root.dataset.frames = "0";
    this.applyHeight();

    this.unsubscribe = state.subscribe(this.onStepEvent);
    for (const name of REDRAW_TRAITS) model.on(`change:${name}`, this.onDisplay);
    for (const name of LAYOUT_TRAITS) model.on(`change:${name}`, this.onLayout);
    model.on("change:step", this.onStep);
    model.on("change:_versions", this.onStep);
    model.on("change:height", this.onHeight);
    model.on("change:channel", this.onChannel);
    model.on("change:camera", this.onCamera);
    model.on("change:cache_mb", this.onCacheCap);
    this.unsubscribeScreenshots = state.screenshots.subscribe(this.onScreenshotRequest);

    this.resizeObserver =
      typeof ResizeObserver === "undefined" ? null : new ResizeObserver(this.onResize);
    this.resizeObserver?.observe(this.canvasBox);
    this.canvasBox.addEventListener("pointerdown", this.onPointer);
    this.canvasBox.addEventListener("pointerdown", this.onPress, { capture: true });
    // after the pointer is released: the notebook takes the focus on mousedown
    this.canvasBox.addEventListener("pointerup", this.focusView, { capture: true });
    this.canvasBox.addEventListener("wheel", this.onPointer, { passive: true });
    this.root.addEventListener("keydown", keepKeysInControls);
    this.root.addEventListener("keydown", this.onKey);
    this.slicePointer = new SlicePointer(this.canvasBox, {
      hit: (x, y) => this.sliceHit(x, y),
      pointTo: (pane, target) => this.pointTo(pane, target),
      scroll: (pane, slices) => this.scrollSlices(pane, slices),
      zoom: (pane, factor) => this.moveCamera(pane, (c) => zoomCamera(c, factor)),
      pan: (pane, dx, dy, aspect) => this.moveCamera(pane, (c) => panCamera(c, dx, dy, aspect)),
    });
    this.pool.add(this.canvasBox, { acquire: () => this.acquire(), release: () => this.release() });
    this.onStep();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cancelPrefetch();
    this.pool.remove(this.canvasBox);
    this.resizeObserver?.disconnect();
    this.canvasBox.removeEventListener("pointerdown", this.onPointer);
    this.canvasBox.removeEventListener("pointerdown", this.onPress, { capture: true });
    this.canvasBox.removeEventListener("pointerup", this.focusView, { capture: true });
    this.canvasBox.removeEventListener("wheel", this.onPointer);
    this.root.removeEventListener("keydown", keepKeysInControls);
    this.root.removeEventListener("keydown", this.onKey);
    this.slicePointer.dispose();
    for (const name of REDRAW_TRAITS) this.model.off(`change:${name}`, this.onDisplay);
    for (const name of LAYOUT_TRAITS) this.model.off(`change:${name}`, this.onLayout);
    this.model.off("change:step", this.onStep);
    this.model.off("change:_versions", this.onStep);
    this.model.off("change:height", this.onHeight);
    this.model.off("change:channel", this.onChannel);
    this.model.off("change:camera", this.onCamera);
    this.model.off("change:cache_mb", this.onCacheCap);
    this.unsubscribeScreenshots();
    this.state.cache.pin(this, null);
    this.unsubscribe();
    this.destroyGL();
    this.removeSnapshot();
    this.readout.dispose();
    this.followNotes.dispose();
    this.panel.dispose();
    this.curves.dispose();
    this.root.remove();
  }

  // ---- data ---------------------------------------------------------------------------

  private readonly onStep = this.guarded((): void => {
    const step = readStep(this.model);
    const version = readVersion(this.model, step);
    this.cancelPrefetch();
    this.state.want([step]);
    const entry = this.state.cache.get(step, version);
    if (entry) {
      this.show(entry);
      return;
    }
    this.setStatus("loading", `loading step ${step}…`);
    this.state.cache.request(step, version);
  });

  /** A new cache_mb may let the shown step come at a finer level (or need a coarser one). */
  private readonly onCacheCap = this.guarded((): void => {
    if (this.shown) this.refine(this.shown);
  });

  /** Asks for the finer level the browser can hold, once a coarser one is shown. */
  private refine(entry: StepVolumes): void {
    const choice = chooseLevel(entry.levels, readCacheBytes(this.model));
    this.root.dataset.level = String(entry.level);
    this.root.dataset.targetLevel = String(choice.level);
    this.levelReason = choice.reason ?? "";
    this.showLevelNote();
    if (entry.level > choice.level || (entry.level === choice.level && entry.preview)) {
      this.state.cache.request(entry.step, entry.version, choice.level);
    }
  }

  /** In idle time, the steps next to the shown one at the level it is shown at. */
  private schedulePrefetch(): void {
    if (this.prefetchTimer !== null || !this.shown) return;
    this.prefetchTimer = setTimeout(() => {
      this.prefetchTimer = null;
      this.prefetch();
    }, PREFETCH_DELAY_MS);
  }

  private cancelPrefetch(): void {
    if (this.prefetchTimer !== null) clearTimeout(this.prefetchTimer);
    this.prefetchTimer = null;
  }

  private prefetch(): void {
    const shown = this.shown;
    if (this.disposed || !shown || this.state.cache.fetching.length > 0) return;
    const step = readStep(this.model);
    if (shown.step !== step) return;
    const steps = readSteps(this.model);
    const at = steps.indexOf(step);
    const cap = readCacheBytes(this.model);
    const level = shown.level;
    const bytes = shown.levels[level]?.bytes ?? shown.bytes;
    for (const next of [steps[at + 1], steps[at - 1]]) {
      if (next === undefined || this.state.cache.has(next, readVersion(this.model, next))) continue;
      // keep room for the shown step: a prefetch must not push it (or itself) out
      if (this.state.cache.bytes + bytes > cap) return;
      this.state.want([step, next]);
      this.state.cache.request(next, readVersion(this.model, next), level);
      return; // one at a time: the next frame schedules the next one
    }
  }

  private readonly onStepEvent = (event: StepEvent): void => {
    const step = readStep(this.model);
    if (event.kind === "error") {
      if (event.step === null || event.step === step) this.fail(event.message);
      return;
    }
    if (event.kind === "plane") {
      this.planes.receive(event.plane);
      return;
    }
    if (event.kind === "progress") {
      if (event.step === step) this.showProgress(event.level, event.received, event.total);
      if (event.step === step && event.received === event.total) this.schedulePrefetch();
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
    this.refine(entry);
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
      this.panes?.setVolumes(volumes);
      this.updatePanel();
      this.updateReadout();
      if (this.panes) this.draw(true);
      else this.setStatus("loading", "");
    } catch (error) {
      this.fail(`nbviewer3d could not draw step ${entry.step}: ${describeError(error)}`);
    }
  }

  // ---- display ------------------------------------------------------------------------

  private readonly onDisplay = this.guarded((): void => {
    this.updateReadout();
    if (!this.panes || !this.shown) return;
    this.panes.setDisplay(readDisplay(this.model));
    this.draw(false);
  });

  /** Another channel of the image: its voxels are in the step's entry already, none is fetched. */
  private readonly onChannel = this.guarded((): void => {
    if (this.shown) this.show(this.shown);
  });

  private readonly onLayout = this.guarded((): void => {
    if (!this.glWindow) return;
    this.buildPanes();
    this.updatePanel();
    this.draw(false);
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

  /** A click on the view focuses it, so its keys work (vtk's interactor cancels the default). */
  private readonly focusView = (): void => {
    this.canvasBox.focus({ preventScroll: true });
  };

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
      ...this.sliceContext(),
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
      this.glWindow = new GLWindow(this.canvasBox, this.onFrame, this.onContextLost, this.onDrawn);
      noteTextureLimit(this.glWindow.gl);
      markView(this.root, "gl");
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
    this.glWindow.onInteractionStart(this.onInteractionStart);
    this.glWindow.onInteractionEnd(this.onInteractionEnd);
    this.glGeneration += 1;
    this.removeSnapshot();
    this.buildPanes();
    this.updatePanel();
    if (this.shown) this.draw(false);
  }

  private release(): void {
    if (!this.glWindow) return;
    const generation = ++this.glGeneration;
    try {
      if (this.shown) this.glWindow.snapshot((frame) => this.showSnapshot(frame, generation));
    } catch (error) {
      // a blank box is the fallback; the view redraws when scrolled back
      console.warn("nbviewer3d: no snapshot of the released view:", error);
    }
    this.destroyGL();
  }

  private showSnapshot(frame: HTMLCanvasElement | null, generation: number): void {
    // Dropped when the view got its GL window back (or was closed) while the frame was read.
    if (!frame || this.disposed || this.glWindow || generation !== this.glGeneration) return;
    this.removeSnapshot();
    frame.className = "nbviewer3d-snapshot";
    frame.setAttribute("role", "img");
    frame.setAttribute("aria-label", "nbviewer3d view (paused while off screen)");
    this.snapshot = frame;
    this.canvasBox.prepend(frame);
  }

  private removeSnapshot(): void {
    this.snapshot?.remove();
    this.snapshot = null;
  }

  private destroyGL(): void {
    this.quick.cancel();
    this.planes.dispose();
    this.cursorPlanes = null;
    this.saveCamera();
    this.panes?.dispose();
    this.panes = null;
    this.glWindow?.dispose();
    this.glWindow = null;
  }

  private readonly onContextLost = (message: string): void => {
    this.destroyGL();
    this.pool.markReleased(this.canvasBox);
    this.glFailure = message;
    this.fail(message);
  };

  private buildPanes(): void {
    const gl = this.glWindow;
    if (!gl) return;
    const display = readDisplay(this.model);
    this.saveCamera();
    this.panes?.dispose();
    this.panes = new PaneSet(gl, this.canvasBox, display.viewMode, display.compare);
    this.activePane = -1;
    this.placedGrid = null;
    if (this.shown) {
      this.panes.setVolumes(this.sceneVolumesOf(this.shown));
      this.panes.setDisplay(display);
    }
  }

  /** Where each camera group's camera is remembered: one per view mode (and pane of quad). */
  private cameraKeys(panes: Panes): Map<number, string> {
    const keys = new Map<number, string>();
    for (const { spec } of panes.panes) {
      if (keys.has(spec.cameraGroup)) continue;
      // side by side the panes are half as wide: their cameras are framed for that
      const layout = panes.compare === "side-by-side" ? "|side-by-side" : "";
      const view = panes.mode === "quad" ? `quad:${spec.view}` : panes.mode;
      keys.set(spec.cameraGroup, view + layout);
    }
    return keys;
  }

  /** Remembers the user's cameras for the panes' view mode (before the panes or GL go). */
  private saveCamera(): void {
    const panes = this.panes;
    if (!this.glWindow || !panes || this.placedGrid === null) return;
    const grid = this.placedGrid;
    for (const [group, key] of this.cameraKeys(panes)) {
      const pane = panes.panes.find((p) => p.spec.cameraGroup === group);
      // the 3D panes' camera is the `camera` trait, kept across grids, runs and modes
      if (pane && pane.spec.view !== "volume") {
        this.cameras.save(key, grid, readCamera(pane.renderer.getActiveCamera()));
      }
    }
  }

  /** The cameras this mode had over this grid, else the default views; once per panes and grid. */
  private placeCameras(panes: Panes, shown: StepVolumes): void {
    const first = sceneVolumes(shown.volumes).components[0];
    if (!first) return;
    const grid = gridKey(first);
    if (grid === this.placedGrid) return;
    panes.resetCameras();
    const trait = parseCameraTrait(this.model.get("camera"));
    for (const [group, key] of this.cameraKeys(panes)) {
      const pane = panes.panes.find((p) => p.spec.cameraGroup === group);
      if (!pane) continue;
      const camera = pane.renderer.getActiveCamera();
      if (pane.spec.view === "volume") {
        if (trait) applyCameraTrait(camera, trait);
      } else {
        const saved = this.cameras.restore(key, grid);
        if (saved) applyCamera(camera, saved);
      }
    }
    panes.resetClipping();
    this.placedGrid = grid;
  }

  /** Python (or another view of this model) set the camera: show it, or the default view. */
  private readonly onCamera = this.guarded((): void => {
    const camera = this.volumeCamera();
    if (!camera || !this.shown) return;
    const trait = parseCameraTrait(this.model.get("camera"));
    if (trait && sameCamera(trait, cameraTrait(camera))) return; // our own change coming back
    this.saveCamera();
    this.placedGrid = null; // placeCameras applies the trait (or the default view)
    this.draw(false);
  });

  /** The 3D panes' shared camera, if the view mode has one. */
  private volumeCamera(): ReturnType<PaneView["renderer"]["getActiveCamera"]> | null {
    const pane = this.panes?.panes.find((p) => p.spec.view === "volume");
    return pane ? pane.renderer.getActiveCamera() : null;
  }

  /** The camera starts to move: on a slow GPU its frames are quick ones (quick-frames.ts). */
  private readonly onInteractionStart = (): void => {
    this.useQuickFrames();
  };

  /**
   * A press on a 3D pane takes the quick resolution before vtk.js reads where it is: vtk.js
   * gives positions in drawing-buffer pixels, so a divisor set once the drag has begun (at
   * its start-interaction event) would make the drag jump and throw the camera over.
   */
  private readonly onPress = (event: PointerEvent): void => {
    if (this.sliceHit(event.clientX, event.clientY) === null) this.useQuickFrames();
  };

  private useQuickFrames(): void {
    const divisor = this.quick.divisor;
    if (divisor === 1 || !this.glWindow) return;
    this.quick.cancel(); // no full frame (and its divisor) in the middle of a drag
    this.glWindow.setDivisor(divisor);
  }

  /** The user let go of the 3D camera: it becomes the `camera` trait. */
  private readonly onInteractionEnd = (): void => {
    if ((this.glWindow?.resolutionDivisor ?? 1) > 1) this.quick.refineLater();
    const camera = this.volumeCamera();
    if (!camera || this.placedGrid === null) return;
    this.model.set("camera", cameraTrait(camera));
    this.model.save_changes();
  };

  private draw(newData: boolean): void {
    const gl = this.glWindow;
    const panes = this.panes;
    if (!gl || !panes || !this.shown) return;
    try {
      if (newData) panes.setDisplay(readDisplay(this.model));
      this.updatePlanes(panes, this.shown);
      const divisor = this.quick.divisor;
      gl.setDivisor(divisor);
      gl.resize();
      this.placeCameras(panes, this.shown);
      markView(this.root, "uploaded");
      gl.render();
      if (divisor > 1) this.quick.refineLater();
      else this.quick.cancel();
    } catch (error) {
      this.fail(`nbviewer3d could not render: ${describeError(error)}`);
    }
  }

  /**
   * Slice panes of a step shown coarser than the kernel holds it (at the level it settles on)
   * draw the plane at the cursor at full resolution, once it is here (full-planes.ts).
   */
  private updatePlanes(panes: Panes, shown: StepVolumes): void {
    const apply = this.planesApply(shown);
    const slices = panes.panes.flatMap((p) => (p.scene instanceof SliceScene ? [p.scene] : []));
    const cursor = readDisplay(this.model).cursor;
    const keys: (PlaneKey | null)[] = slices.map((scene) =>
      apply ? planeAt(shown, scene.axis, cursor) : null,
    );
    const wanted = keys.filter((k): k is PlaneKey => k !== null);
    const details = this.planes.want(shown, wanted);
    let next = 0;
    this.cursorPlanes = null;
    const lazy = [...shown.volumes.values()].some((v) => v.meta.finer);
    slices.forEach((scene, i) => {
      const key = keys[i];
      const detail = key ? (details[next++] ?? null) : null;
      scene.setDetail(detail);
      // a lazy input's planes are finer than the cursor's voxels: the readout keeps the level's
      if (key && detail && !lazy) this.cursorPlanes ??= { planes: detail, axis: key.axis };
    });
    this.updateReadout();
    this.root.dataset.planes =
      wanted.length === 0 ? "" : slices.every((scene) => scene.detailed) ? "full" : "coarse";
    const skipped = wanted.length === 0 ? null : this.planes.skipped();
    this.planesReason = skipped ? `Slices stay at this level: ${skipped}.` : "";
    this.showLevelNote();
  }

  private showLevelNote(): void {
    this.levelNote.textContent = [this.levelReason, this.planesReason].filter(Boolean).join(" ");
  }

  /** Whether slice views of `shown` draw full-resolution planes: it is coarser than the
   * kernel's voxels and at the level it settles on (not a preview about to be replaced). */
  private planesApply(shown: StepVolumes): boolean {
    const settled = !shown.preview && shown.level >= Number(this.root.dataset.targetLevel ?? "0");
    return settled && coarserThanSource(shown);
  }

  /** The full-resolution picture after quick frames. */
  private drawFull(): void {
    const gl = this.glWindow;
    if (!gl || !this.panes || !this.shown) return;
    try {
      gl.setDivisor(1);
      gl.render();
    } catch (error) {
      this.fail(`nbviewer3d could not render: ${describeError(error)}`);
    }
  }

  /** The GPU finished frame `drawn.frame`: it is on screen. */
  private readonly onDrawn = (drawn: DrawnFrame): void => {
    this.root.dataset.drawn = String(drawn.frame);
    this.root.dataset.drawnScale = String(drawn.scale);
    if (drawn.ms !== null) {
      const key = drawn.scale === 1 ? "fullFrameMs" : "quickFrameMs";
      this.root.dataset[key] = String(Math.round(drawn.ms));
    }
    this.quick.drawn(drawn);
  };

  private readonly onFrame = (): void => {
    this.frames += 1;
    this.root.dataset.frames = String(this.frames);
    if (this.shown) {
      this.showOrientation();
      this.root.dataset.step = String(this.shown.step);
      const step = readStep(this.model);
      const loading = this.state.cache.isFetching(step);
      const transfer = loading ? this.state.transferOf(step) : null;
      const quick = (this.glWindow?.resolutionDivisor ?? 1) > 1;
      if (transfer) this.showProgress(transfer.level, transfer.received, transfer.total);
      else if (loading) this.setStatus("loading", `loading step ${step}…`);
      else this.setStatus(quick ? "refining" : "ready", "");
      markView(this.root, "frame");
      if (!loading) {
        if (!quick) markView(this.root, "full");
        this.schedulePrefetch();
      }
    }
    if (this.state.screenshots.size > 0 && !this.capturing) queueMicrotask(this.answerScreenshots);
  };

  // ---- screenshots (see screenshot.ts) ------------------------------------------------

  private readonly onScreenshotRequest = (): void => {
    this.answerScreenshots();
  };

  /** Drawn and showing the model's current step and version, with GL: what a picture shows. */
  private settled(): boolean {
    if (!this.glWindow || !this.panes || !this.shown || this.glFailure !== null) return false;
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
      if (!blob) this.state.sendFrame(message, null);
      else void blob.arrayBuffer().then((buffer) => this.state.sendFrame(message, buffer));
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
    this.panes?.showOrientation();
  }

  // ---- the linked cursor ----------------------------------------------------------------

  private updateReadout(): void {
    const shown = this.shown ? withChannel(this.shown, readChannel(this.model)) : null;
    const display = readDisplay(this.model);
    const planes = this.cursorPlanes;
    const exact =
      shown && planes ? readCursorOnPlanes(shown, planes.planes, planes.axis, display) : null;
    this.readout.show(exact ?? (shown ? readCursor(shown, display) : null));
  }

  /** The single slice view's axis (array order) and slice count, for the panel's slider. */
  private sliceContext(): { sliceCount: number; sliceAxis: number | null } {
    const pane = this.panes?.panes[0];
    const first = this.shown ? sceneVolumes(this.shown.volumes).components[0] : undefined;
    if (!pane || !first || this.panes?.mode === "quad" || !(pane.scene instanceof SliceScene)) {
      return { sliceCount: 0, sliceAxis: null };
    }
    const axis = pane.scene.axis;
    return { sliceCount: first.grid.dims[axis], sliceAxis: first.meta.axes[axis] };
  }

  /** The slice pane under a client point, with the point in pane units. */
  private sliceHit(clientX: number, clientY: number): (SliceTarget & { pane: number }) | null {
    const panes = this.panes;
    if (!panes || !this.shown) return null;
    const rect = this.canvasBox.getBoundingClientRect();
    if (rect.width <= 0 || rect.height <= 0) return null;
    const fx = (clientX - rect.left) / rect.width;
    const fy = 1 - (clientY - rect.top) / rect.height;
    const pane = panes.paneAt(fx, fy);
    if (!pane || !(pane.scene instanceof SliceScene)) return null;
    const [x0, y0, x1, y1] = pane.spec.viewport;
    const index = panes.panes.indexOf(pane);
    this.activePane = index;
    return {
      pane: index,
      x: (2 * (fx - x0)) / (x1 - x0) - 1,
      y: (2 * (fy - y0)) / (y1 - y0) - 1,
      aspect: paneAspect(pane.spec, rect.width, rect.height),
    };
  }

  private slicePane(index: number): (PaneView & { scene: SliceScene }) | null {
    const pane = this.panes?.panes[index];
    return pane && pane.scene instanceof SliceScene
      ? (pane as PaneView & { scene: SliceScene })
      : null;
  }

  /** Puts the cursor on the voxel under the pointer, in the pane's current slice. */
  private pointTo(index: number, target: SliceTarget): void {
    const pane = this.slicePane(index);
    const first = this.shown ? sceneVolumes(this.shown.volumes).components[0] : undefined;
    if (!pane || !first) return;
    const world = panePoint(pane.renderer.getActiveCamera(), target.x, target.y, target.aspect);
    const ijk = indexOf(first.grid, world);
    ijk[pane.scene.axis] = cursorIjk(readDisplay(this.model).cursor, first)[pane.scene.axis];
    this.setCursor(fromIjk(clampIjk(ijk, first.grid.dims), first.meta));
  }

  /** Moves the cursor `slices` slices along a slice pane's axis (or the axial one). */
  private scrollSlices(index: number, slices: number): void {
    const first = this.shown ? sceneVolumes(this.shown.volumes).components[0] : undefined;
    if (!first) return;
    const axis = this.slicePane(index)?.scene.axis ?? sliceAxis("axial", first.grid.direction);
    const ijk = cursorIjk(readDisplay(this.model).cursor, first);
    if (this.shown && this.planesApply(this.shown)) {
      // the view shows full-resolution planes: one voxel of level 0 at a time
      const cursor = readDisplay(this.model).cursor ?? fromIjk(ijk, first.meta);
      const arrayAxis = first.meta.axes[axis] as number;
      const length = first.meta.base.shape[2 - axis] as number;
      const next: [number, number, number] = [...cursor];
      next[arrayAxis] = Math.min(length - 1, Math.max(0, (cursor[arrayAxis] as number) + slices));
      this.setCursor(next);
      return;
    }
    ijk[axis] += slices;
    this.setCursor(fromIjk(clampIjk(ijk, first.grid.dims), first.meta));
  }

  private setCursor(cursor: [number, number, number]): void {
    const now = readDisplay(this.model).cursor;
    if (now?.every((v, i) => v === cursor[i])) return;
    this.model.set("cursor", cursor);
    this.model.save_changes();
  }

  private moveCamera(
    index: number,
    move: (camera: ReturnType<PaneView["renderer"]["getActiveCamera"]>) => void,
  ): void {
    const pane = this.slicePane(index);
    if (!pane || !this.glWindow) return;
    move(pane.renderer.getActiveCamera());
    this.panes?.resetClipping();
    this.glWindow.render();
  }

  private readonly onKey = this.guardedEvent((event: KeyboardEvent): void => {
    const target = event.target;
    if (
      target instanceof HTMLInputElement ||
      target instanceof HTMLSelectElement ||
      target instanceof HTMLTextAreaElement
    ) {
      return;
    }
    const action = keyAction(event);
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    if (action.kind === "view") {
      this.model.set("view_mode", action.mode);
      this.model.save_changes();
    } else if (action.kind === "step") {
      const step = stepBy(readSteps(this.model), readStep(this.model), action.delta);
      if (step !== readStep(this.model)) {
        this.model.set("step", step);
        this.model.save_changes();
      }
    } else {
      const active = this.slicePane(this.activePane) ? this.activePane : this.firstSlicePane();
      this.scrollSlices(active, action.delta);
    }
  });

  private firstSlicePane(): number {
    return this.panes?.panes.findIndex((p) => p.scene instanceof SliceScene) ?? -1;
  }

  // ---- status -------------------------------------------------------------------------

  /** "loading step 3 at 512×512×512: 40 %" while a level comes in chunks. */
  private showProgress(level: number, received: number, total: number): void {
    const shape = this.shown?.levels[level]?.shape;
    const percent = total > 0 ? Math.floor((100 * received) / total) : 100;
    this.root.dataset.progress = String(percent);
    const what = shape ? ` at ${shapeText(shape)}` : "";
    this.setStatus("loading", `loading step ${readStep(this.model)}${what}: ${percent} %`);
  }

  private setStatus(status: Status, text: string): void {
    this.root.dataset.status = this.glFailure === null ? status : "error";
    this.statusLine.textContent = text;
  }

  private guardedEvent<E>(handler: (event: E) => void): (event: E) => void {
    return (event: E) => {
      try {
        handler(event);
      } catch (error) {
        console.error("nbviewer3d:", error);
        this.fail(`nbviewer3d: ${describeError(error)}`);
      }
    };
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
