// One OpenGL render window in a container: renderer, interactor, on-demand rendering only.

import "@kitware/vtk.js/Rendering/OpenGL/Profiles/Volume";
import vtkInteractorStyleImage from "@kitware/vtk.js/Interaction/Style/InteractorStyleImage";
import vtkInteractorStyleTrackballCamera from "@kitware/vtk.js/Interaction/Style/InteractorStyleTrackballCamera";
import vtkRenderer from "@kitware/vtk.js/Rendering/Core/Renderer";
import vtkRenderWindow from "@kitware/vtk.js/Rendering/Core/RenderWindow";
import vtkRenderWindowInteractor from "@kitware/vtk.js/Rendering/Core/RenderWindowInteractor";
import vtkOpenGLRenderWindow from "@kitware/vtk.js/Rendering/OpenGL/RenderWindow";
import { CONTEXT_LOST, NO_WEBGL2 } from "../errors";

export type InteractionKind = "rotate" | "image";

export class GLWindow {
  readonly renderWindow = vtkRenderWindow.newInstance();
  readonly renderer = vtkRenderer.newInstance({ background: [0, 0, 0] });
  private readonly openGL = vtkOpenGLRenderWindow.newInstance();
  private readonly interactor = vtkRenderWindowInteractor.newInstance();
  private readonly canvas: HTMLCanvasElement;
  private interaction: InteractionKind | null = null;
  private interactionEnd: (() => void) | null = null;
  private interactionEndSubscription: { unsubscribe(): void } | null = null;
  private style:
    | ReturnType<typeof vtkInteractorStyleTrackballCamera.newInstance>
    | ReturnType<typeof vtkInteractorStyleImage.newInstance>
    | null = null;

  /** Throws a readable Error when no WebGL2 context can be had. */
  constructor(
    private readonly container: HTMLElement,
    onFrame: () => void,
    private readonly onContextLost: (message: string) => void,
  ) {
    if (typeof WebGL2RenderingContext === "undefined") throw new Error(NO_WEBGL2);
    this.renderWindow.addRenderer(this.renderer);
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
    this.interactor.bindEvents(container);
    this.interactor.onRenderEvent(onFrame);
  }

  get gl(): WebGL2RenderingContext | null {
    const openGL = this.openGL as unknown as { getContext(): WebGL2RenderingContext | null };
    return openGL.getContext() ?? null;
  }

  setInteraction(kind: InteractionKind): void {
    if (kind === this.interaction) return;
    const previous = this.style;
    this.style =
      kind === "rotate"
        ? vtkInteractorStyleTrackballCamera.newInstance()
        : vtkInteractorStyleImage.newInstance();
    // Swap first: the interactor detaches the previous style, which must still be alive.
    this.interactor.setInteractorStyle(this.style);
    this.interactionEndSubscription?.unsubscribe();
    this.interactionEndSubscription = this.style.onEndInteractionEvent(() =>
      this.interactionEnd?.(),
    );
    previous?.delete();
    this.interaction = kind;
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
    this.interactionEndSubscription?.unsubscribe();
    this.interactionEnd = null;
    this.interactor.delete();
    this.style?.delete();
    this.renderer.delete();
    this.renderWindow.delete();
    this.openGL.delete();
    gl?.getExtension("WEBGL_lose_context")?.loseContext();
    this.canvas.remove();
  }
}
