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
import { type DrawnFrame, FrameClock } from "./frame-clock";

export type Viewport = [number, number, number, number];

export class GLWindow {
  readonly renderWindow = vtkRenderWindow.newInstance();
  private readonly renderers = new Set<vtkRenderer>();
  private readonly openGL = vtkOpenGLRenderWindow.newInstance();
  private readonly interactor = vtkRenderWindowInteractor.newInstance();
  private readonly style = vtkInteractorStyleTrackballCamera.newInstance();
  readonly canvas: HTMLCanvasElement;
  private interactionEnd: (() => void) | null = null;
  private interactionStart: (() => void) | null = null;
  private readonly interactionSubscriptions: { unsubscribe(): void }[];
  private readonly clock: FrameClock;
  private frame = 0;
  /** the drawing buffer is the container's device-pixel size divided by this */
  private divisor = 1;

  /** Throws a readable Error when no WebGL2 context can be had. */
  /** `onDrawn` hears when the GPU has finished each frame (see frame-clock.ts). */
  constructor(
    private readonly container: HTMLElement,
    onFrame: () => void,
    private readonly onContextLost: (message: string) => void,
    onDrawn: (drawn: DrawnFrame) => void = () => {},
  ) {
    this.clock = new FrameClock(() => this.gl, onDrawn);
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
    this.interactionSubscriptions = [
      this.style.onStartInteractionEvent(() => this.interactionStart?.()),
      this.style.onEndInteractionEvent(() => this.interactionEnd?.()),
    ];
    // bound to the canvas, so listeners on the container see (and may keep) events first
    this.interactor.bindEvents(this.canvas);
    this.canvas.tabIndex = -1; // the container is the one Tab stop (and holds the label)
    this.interactor.onRenderEvent(() => {
      this.frame += 1;
      this.clock.submitted(this.frame, this.divisor);
      onFrame();
    });
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

  /** `callback` runs when the user starts rotating, panning or zooming. */
  onInteractionStart(callback: () => void): void {
    this.interactionStart = callback;
  }

  /** `callback` runs when the user stops rotating, panning or zooming (mouse up, wheel end). */
  onInteractionEnd(callback: () => void): void {
    this.interactionEnd = callback;
  }

  /** The number of the last frame submitted (frames count from 1). */
  get frameNumber(): number {
    return this.frame;
  }

  /** Frames handed to the GPU that it has not finished. */
  get framesInFlight(): number {
    return this.clock.inFlight;
  }

  /**
   * Draws the next frames at 1/`divisor` of the resolution in each direction (the browser
   * scales the canvas up): `divisor`^2 fewer rays through the volume, for quick frames on a
   * slow GPU. 1 is full resolution.
   */
  setDivisor(divisor: number): void {
    if (divisor === this.divisor) return;
    this.divisor = divisor;
    this.resize();
  }

  get resolutionDivisor(): number {
    return this.divisor;
  }

  /**
   * Draws a frame and returns it composed by `compose` from the canvas, in the same task (the
   * drawing buffer is not preserved, so it is only readable right after a render).
   */
  capture<T>(compose: (canvas: HTMLCanvasElement) => T): T {
    this.setDivisor(1);
    this.render();
    return compose(this.canvas);
  }

  /** Matches the drawing buffer to the container's CSS size (device pixels). */
  resize(): boolean {
    const ratio = (globalThis.devicePixelRatio || 1) / this.divisor;
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
   * Draws a frame and reads it back without waiting on the GPU: the drawing buffer is not
   * preserved (that would cost a copy on every frame), so the frame is redrawn and copied into a
   * pixel buffer behind a fence in the same task, and `done` gets it as a 2D canvas once the
   * fence has passed (null if it could not be read). A synchronous read (toBlob, readPixels to
   * memory) would stall the page for as long as the GPU takes to draw the frame: seconds of a
   * volume under software WebGL. A window disposed meanwhile keeps its context and canvas (on
   * top, inert) until the copy is done.
   */
  snapshot(done: (frame: HTMLCanvasElement | null) => void): void {
    const gl = this.gl;
    if (!gl) {
      done(null);
      return;
    }
    this.setDivisor(1);
    this.render();
    const [width, height] = [gl.drawingBufferWidth, gl.drawingBufferHeight];
    const buffer = gl.createBuffer();
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
    gl.bufferData(gl.PIXEL_PACK_BUFFER, width * height * 4, gl.STREAM_READ);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, 0);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    const fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    gl.flush();
    const finish = (frame: HTMLCanvasElement | null): void => {
      if (fence) gl.deleteSync(fence);
      gl.deleteBuffer(buffer);
      this.reading = false;
      done(frame);
      if (this.disposed) this.loseContext(gl);
    };
    this.reading = true;
    const poll = (): void => {
      if (gl.isContextLost()) {
        finish(null);
      } else if (fence && gl.getSyncParameter(fence, gl.SYNC_STATUS) !== gl.SIGNALED) {
        setTimeout(poll, 8);
      } else {
        finish(frameCanvas(gl, buffer, width, height));
      }
    };
    setTimeout(poll, 0);
  }

  private readonly handleContextLost = (): void => {
    if (!this.releasing) this.onContextLost(CONTEXT_LOST);
  };

  private releasing = false;

  /** a snapshot's copy is in flight: the context outlives dispose() until it is read */
  private reading = false;
  private disposed = false;

  /**
   * Frees vtk objects and gives the WebGL context back to the browser (after a snapshot still
   * being read, if any).
   */
  dispose(): void {
    this.releasing = true;
    this.disposed = true;
    const gl = this.gl;
    this.canvas.removeEventListener("webglcontextlost", this.handleContextLost);
    if (this.interactor.getContainer()) this.interactor.unbindEvents();
    for (const subscription of this.interactionSubscriptions) subscription.unsubscribe();
    this.interactionEnd = null;
    this.interactionStart = null;
    this.clock.dispose();
    this.interactor.delete();
    this.style.delete();
    for (const renderer of this.renderers) renderer.delete();
    this.renderers.clear();
    this.renderWindow.delete();
    this.openGL.delete();
    if (this.reading) {
      // its last frame stays on screen, above whatever takes its place, until the copy is read
      this.canvas.classList.add("nbviewer3d-released");
      return;
    }
    if (gl) this.loseContext(gl);
  }

  private loseContext(gl: WebGL2RenderingContext): void {
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    this.canvas.remove();
  }
}

/** The pixels read into `buffer` (bottom row first) as a 2D canvas, top row first. */
function frameCanvas(
  gl: WebGL2RenderingContext,
  buffer: WebGLBuffer | null,
  width: number,
  height: number,
): HTMLCanvasElement | null {
  const pixels = new Uint8ClampedArray(width * height * 4);
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
  gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, pixels);
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) return null;
  const image = context.createImageData(width, height);
  const row = width * 4;
  for (let y = 0; y < height; y++) {
    image.data.set(pixels.subarray((height - 1 - y) * row, (height - y) * row), y * row);
  }
  context.putImageData(image, 0, 0);
  return canvas;
}
