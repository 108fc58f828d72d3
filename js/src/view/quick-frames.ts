// On a slow GPU (software WebGL, a weak laptop's, a large canvas) one ray-cast frame of a volume
// takes up to seconds, and changes that come in a row (the step slider dragged, colormaps tried,
// the camera turned) queue behind each other. The view then draws quick frames at a fraction of
// the resolution while changes come and the full picture once they stop: the interactive level
// of detail of ParaView and itkwidgets. A fast GPU never gets here: its full frames are cheap.

import type { DrawnFrame } from "./frame-clock";

/** A full frame slower than this makes the next changes draw quick frames first. */
export const SLOW_FRAME_MS = 200;
/**
 * What a quick frame's rays should cost. On top comes a cost no divisor lowers: under
 * SwiftShader Chromium's compositor swaps the page (SkiaOutputSurfaceImplOnGpu::SwapBuffers,
 * ~0.1 s for a 1280x900 page in a trace) on the same GPU thread before a frame is on screen.
 */
const QUICK_FRAME_MS = 50;
/** 1/6 of a 468x360 view is 78x60 rays: still the shapes of the step, for a moment */
const MAX_DIVISOR = 6;
/** while the GPU is still drawing, the full picture waits this long before trying again */
const BUSY_RETRY_MS = 50;

/** The resolution divisor for a quick frame, from the last full frame's cost (null: unknown). */
export function quickDivisor(fullFrameMs: number | null): number {
  if (fullFrameMs === null || fullFrameMs < SLOW_FRAME_MS) return 1;
  // rays, and so the cost, scale with the pixels: divisor^2
  return Math.min(MAX_DIVISOR, Math.ceil(Math.sqrt(fullFrameMs / QUICK_FRAME_MS)));
}

/**
 * How long after the last change the full picture is drawn: it cannot be cancelled once the
 * GPU has it, so a change arriving meanwhile waits for all of it.
 */
export function refineDelayMs(fullFrameMs: number): number {
  return Math.min(1000, Math.max(250, fullFrameMs / 4));
}

export class QuickFrames {
  private fullFrameMs: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * `framesInFlight` says how many frames the GPU has yet to finish; `drawFull` draws the
   * full-resolution picture.
   */
  constructor(
    private readonly framesInFlight: () => number,
    private readonly drawFull: () => void,
  ) {}

  /** The resolution divisor for a frame drawn for a change now (1: full). */
  get divisor(): number {
    return quickDivisor(this.fullFrameMs);
  }

  /** The full picture is still to come. */
  get pending(): boolean {
    return this.timer !== null;
  }

  /** The GPU finished a frame: a full one's time is what the next changes go by. */
  drawn(frame: DrawnFrame): void {
    if (frame.scale === 1 && frame.ms !== null) this.fullFrameMs = frame.ms;
  }

  /** A quick frame went out: the full one follows once changes stop and the GPU is free. */
  refineLater(): void {
    this.cancel();
    this.timer = setTimeout(this.refine, refineDelayMs(this.fullFrameMs ?? 0));
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly refine = (): void => {
    if (this.framesInFlight() > 0) {
      this.timer = setTimeout(this.refine, BUSY_RETRY_MS);
      return;
    }
    this.timer = null;
    this.drawFull();
  };
}
