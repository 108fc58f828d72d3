import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { QuickFrames, quickDivisor, refineDelayMs, SLOW_FRAME_MS } from "../src/view/quick-frames";

describe("quickDivisor", () => {
  it("keeps full resolution until a full frame is known to be slow", () => {
    expect(quickDivisor(null)).toBe(1);
    expect(quickDivisor(16)).toBe(1);
    expect(quickDivisor(SLOW_FRAME_MS - 1)).toBe(1);
  });

  it("divides the resolution so a quick frame's rays cost about 50 ms, at most by 6", () => {
    expect(quickDivisor(SLOW_FRAME_MS)).toBe(2);
    expect(quickDivisor(400)).toBe(3);
    expect(quickDivisor(800)).toBe(4);
    expect(quickDivisor(1600)).toBe(6);
    expect(quickDivisor(60_000)).toBe(6);
  });

  it("waits longer before the full picture when it costs more, within 0.25-1 s", () => {
    expect(refineDelayMs(0)).toBe(250);
    expect(refineDelayMs(2000)).toBe(500);
    expect(refineDelayMs(10_000)).toBe(1000);
  });
});

describe("QuickFrames", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("learns from full frames only, and only from those drawn alone", () => {
    const quick = new QuickFrames(
      () => 0,
      () => {},
    );
    quick.drawn({ frame: 1, scale: 4, ms: 5000 });
    expect(quick.divisor).toBe(1);
    quick.drawn({ frame: 2, scale: 1, ms: null });
    expect(quick.divisor).toBe(1);
    quick.drawn({ frame: 3, scale: 1, ms: 2000 });
    expect(quick.divisor).toBe(6);
    quick.drawn({ frame: 4, scale: 1, ms: 20 });
    expect(quick.divisor).toBe(1);
  });

  it("draws the full picture once changes stop and the GPU has finished", () => {
    let inFlight = 1;
    const full = vi.fn();
    const quick = new QuickFrames(() => inFlight, full);
    quick.drawn({ frame: 1, scale: 1, ms: 2000 });
    quick.refineLater();
    vi.advanceTimersByTime(400);
    quick.refineLater(); // another change: the wait starts again
    vi.advanceTimersByTime(400);
    expect(full).not.toHaveBeenCalled();
    vi.advanceTimersByTime(200); // 500 ms after the last change, but the GPU is busy
    expect(full).not.toHaveBeenCalled();
    expect(quick.pending).toBe(true);
    inFlight = 0;
    vi.advanceTimersByTime(60);
    expect(full).toHaveBeenCalledTimes(1);
    expect(quick.pending).toBe(false);
  });

  it("draws nothing after cancel", () => {
    const full = vi.fn();
    const quick = new QuickFrames(() => 0, full);
    quick.refineLater();
    quick.cancel();
    vi.advanceTimersByTime(5000);
    expect(full).not.toHaveBeenCalled();
  });
});
