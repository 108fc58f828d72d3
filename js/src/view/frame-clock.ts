// When the GPU has finished the frames handed to it. render() returns once vtk.js has issued
// its GL calls; the picture appears when the GPU has drawn them, which for a ray-cast volume
// under software WebGL is seconds later. A fence after each frame, polled between tasks (never
// waited on), tells how long each frame took and which one is on screen.

const POLL_MS = 8;

interface Pending {
  fence: WebGLSync | null;
  frame: number;
  scale: number;
  submitted: number;
  /** nothing else was in flight when it was submitted: its time is its own */
  alone: boolean;
}

export interface DrawnFrame {
  frame: number;
  /** the drawing buffer's divisor it was drawn at (1: full resolution) */
  scale: number;
  /** submit -> GPU done, or null when it queued behind another frame */
  ms: number | null;
}

export class FrameClock {
  private readonly pending: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly gl: () => WebGL2RenderingContext | null,
    private readonly onDrawn: (drawn: DrawnFrame) => void,
  ) {}

  /** Frames handed to the GPU and not yet drawn. */
  get inFlight(): number {
    return this.pending.length;
  }

  /** Frame number `frame` was just submitted, drawn at 1/`scale` resolution. */
  submitted(frame: number, scale: number): void {
    const gl = this.gl();
    const fence = gl && !gl.isContextLost() ? gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0) : null;
    gl?.flush();
    this.pending.push({
      fence,
      frame,
      scale,
      submitted: performance.now(),
      alone: this.pending.length === 0,
    });
    this.timer ??= setTimeout(this.poll, 0);
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const gl = this.gl();
    for (const p of this.pending) if (p.fence && gl) gl.deleteSync(p.fence);
    this.pending.length = 0;
  }

  private readonly poll = (): void => {
    this.timer = null;
    const gl = this.gl();
    const now = performance.now();
    while (this.pending.length > 0) {
      const first = this.pending[0] as Pending;
      const lost = !gl || gl.isContextLost() || first.fence === null;
      if (!lost && gl.getSyncParameter(first.fence as WebGLSync, gl.SYNC_STATUS) !== gl.SIGNALED) {
        break;
      }
      this.pending.shift();
      if (first.fence && gl) gl.deleteSync(first.fence);
      const ms = first.alone ? now - first.submitted : null;
      this.onDrawn({ frame: first.frame, scale: first.scale, ms });
    }
    if (this.pending.length > 0) this.timer = setTimeout(this.poll, POLL_MS);
  };
}
