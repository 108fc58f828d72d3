// One OpenGL render window in a container: its renderers (one per pane, each in its own
// viewport), the interactor, on-demand rendering only. The interactor turns the 3D panes'
// cameras; slice panes are driven by slice-pointer.ts, which keeps their events from it.

import "@kitware/vtk.js/Rendering/OpenGL/Profiles/Volume";
import vtkInteractorStyleTrackballCamera from "@kitware/vtk.js/Interaction/Style/InteractorStyleTrackballCamera";
import vtkRenderer from "@kitware/vtk.js/Rendering/Core/Renderer";
import vtkRenderWindow from "@kitware/vtk.js/Rendering/Core/RenderWindow";
import vtkRenderWindowInteractor from "@kitware/vtk.js/Rendering/Core/RenderWindowInteractor";
import vtkOpenGLRenderWindow from "@kitware/vtk.js/Rendering/OpenGL/RenderWindow";
import { CONTEXT_LOST, NO_WEBGL2 } from "../errors";

export type Viewport = [number, number, number, number];

export class GLWindow {
  readonly renderWindow = vtkRenderWindow.newInstance();
  private readonly renderers = new Set<vtkRenderer>();
  private readonly openGL = vtkOpenGLRenderWindow.newInstance();
  private readonly interactor = vtkRenderWindowInteractor.newInstance();
  private readonly style = vtkInteractorStyleTrackballCamera.newInstance();
  readonly canvas: HTMLCanvasElement;
  private interactionEnd: (() => void) | null = null;
  private readonly interactionEndSubscription: { unsubscribe(): void };

  /** Throws a readable Error when no WebGL2 context can be had. */
  constructor(
    private readonly container: HTMLElement,
    onFrame: () => void,
    private readonly onContextLost: (message: string) => void,
  ) {
    if (typeof WebGL2RenderingContext === "undefined") throw new Error(NO_WEBGL2);
    this.renderWindow.addView(this.openGL);
    this.openGL.setContainer(container);
    this.canvas = this.openGL.getCanvas() as HTMLCanvasElement;
    this.canvas.style.width = "100%";
    this.canvas.style.height = "100%";
    this.canvas.style.display = "block";
    this.canvas.addEventListener("webglcontextlost", this.handleContextLost);
    this.resize();
    try {
      this.openGL.initialize();
    } catch {
      this.dispose();
      throw new Error(NO_WEBGL2);
    }
    this.interactor.setView(this.openGL);
    this.interactor.initialize();
    this.interactor.setInteractorStyle(this.style);
    this.interactionEndSubscription = this.style.onEndInteractionEvent(() =>
      this.interactionEnd?.(),
    );
    // bound to the canvas, so listeners on the container see (and may keep) events first
    this.interactor.bindEvents(this.canvas);
    this.canvas.tabIndex = -1; // the container is the one Tab stop (and holds the label)
    this.interactor.onRenderEvent(onFrame);
  }

  /** A new renderer drawing into `viewport` (fractions of the window, y up). */
  addRenderer(viewport: Viewport): vtkRenderer {
    const renderer = vtkRenderer.newInstance({ background: [0, 0, 0] });
    renderer.setViewport(...viewport);
    this.renderWindow.addRenderer(renderer);
    this.renderers.add(renderer);
    return renderer;
  }

  removeRenderer(renderer: vtkRenderer): void {
    if (!this.renderers.delete(renderer)) return;
    this.renderWindow.removeRenderer(renderer);
    renderer.delete();
  }

  /** The drawing buffer's size in device pixels. */
  get size(): [number, number] {
    const [w, h] = this.openGL.getSize();
    return [w, h];
  }

  get gl(): WebGL2RenderingContext | null {
    const openGL = this.openGL as unknown as { getContext(): WebGL2RenderingContext | null };
    return openGL.getContext() ?? null;
  }

  /** `callback` runs when the user stops rotating, panning or zooming (mouse up, wheel end). */
  onInteractionEnd(callback: () => void): void {
    this.interactionEnd = callback;
  }

  /**
   * Draws a frame and returns it composed by `compose` from the canvas, in the same task (the
   * drawing buffer is not preserved, so it is only readable right after a render).
   */
  capture<T>(compose: (canvas: HTMLCanvasElement) => T): T {
    this.render();
    return compose(this.canvas);
  }

  /** Matches the drawing buffer to the container's CSS size (device pixels). */
  resize(): boolean {
    const ratio = globalThis.devicePixelRatio || 1;
    const width = Math.max(1, Math.floor(this.container.clientWidth * ratio));
    const height = Math.max(1, Math.floor(this.container.clientHeight * ratio));
    const [w, h] = this.openGL.getSize();
    if (w === width && h === height) return false;
    this.openGL.setSize(width, height);
    return true;
  }

  render(): void {
    this.renderWindow.render();
  }

  /**
   * Draws a frame and hands it to `done` as a PNG blob (null if the browser could not encode).
   * The drawing buffer is not preserved (that would cost a copy on every frame), so the frame is
   * redrawn here and read in the same task: toBlob copies the pixels now and encodes them off
   * the main thread, so the context may be lost right after this returns.
   */
  snapshot(done: (blob: Blob | null) => void): void {
    this.render();
    this.canvas.toBlob(done, "image/png");
  }

  private readonly handleContextLost = (): void => {
    if (!this.releasing) this.onContextLost(CONTEXT_LOST);
  };

  private releasing = false;

  /** Frees vtk objects and gives the WebGL context back to the browser. */
  dispose(): void {
    this.releasing = true;
    const gl = this.gl;
    this.canvas.removeEventListener("webglcontextlost", this.handleContextLost);
    if (this.interactor.getContainer()) this.interactor.unbindEvents();
    this.interactionEndSubscription.unsubscribe();
    this.interactionEnd = null;
    this.interactor.delete();
    this.style.delete();
    for (const renderer of this.renderers) renderer.delete();
    this.renderers.clear();
    this.renderWindow.delete();
    this.openGL.delete();
    gl?.getExtension("WEBGL_lose_context")?.loseContext();
    this.canvas.remove();
  }
}
