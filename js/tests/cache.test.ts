import { describe, expect, it } from "vitest";
import { StepCache, type StepVolumes } from "../src/cache";

function entry(step: number, bytes: number, version = 0): StepVolumes {
  return {
    step,
    version,
    level: 0,
    preview: false,
    levels: [],
    volumes: new Map(),
    channels: [],
    bytes,
  };
}

describe("StepCache", () => {
  it("evicts the least recently used steps once over the byte cap", () => {
    const cache = new StepCache(300, () => {});
    cache.put(entry(1, 100));
    cache.put(entry(2, 100));
    cache.put(entry(3, 100));
    cache.get(1, 0); // 1 is now the most recently used
    cache.put(entry(4, 100));
    expect(cache.steps.sort()).toEqual([1, 3, 4]);
    expect(cache.bytes).toBe(300);
  });

  it("never evicts a step a view has on screen", () => {
    const cache = new StepCache(150, () => {});
    const view = {};
    cache.put(entry(1, 100));
    cache.pin(view, 1);
    cache.put(entry(2, 100));
    cache.put(entry(3, 100));
    expect(cache.steps).toContain(1);
    expect(cache.steps).toContain(3);
    expect(cache.steps).not.toContain(2);
    cache.pin(view, null);
    cache.setCap(100);
    expect(cache.steps).toEqual([3]);
  });

  it("sends one fetch per step while it is on its way", () => {
    const fetched: number[] = [];
    const cache = new StepCache(1000, (step) => fetched.push(step));
    expect(cache.request(5, 0)).toBe(true);
    expect(cache.request(5, 0)).toBe(false);
    expect(fetched).toEqual([5]);
    cache.put(entry(5, 10));
    expect(cache.request(5, 0)).toBe(false);
    expect(fetched).toEqual([5]);
  });

  it("fetches again when the kernel's version of a step moves on", () => {
    const fetched: number[] = [];
    const cache = new StepCache(1000, (step) => fetched.push(step));
    cache.put(entry(5, 10, 0));
    expect(cache.get(5, 1)).toBeUndefined();
    expect(cache.request(5, 1)).toBe(true);
    expect(fetched).toEqual([5]);
  });

  it("asks again after a failed fetch is settled", () => {
    const fetched: number[] = [];
    const cache = new StepCache(1000, (step) => fetched.push(step));
    cache.request(2, 0);
    cache.settle(2);
    cache.request(2, 0);
    expect(fetched).toEqual([2, 2]);
  });
});
