import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { StepVolumes } from "../src/cache";
import type { Plane } from "../src/model-state";
import type { DecodedVolume } from "../src/payload";
import { parseKernelMessage, type VolumeMeta } from "../src/protocol";
import { coarserThanSource, FullPlanes, type PlaneKey, planeAt } from "../src/view/full-planes";
import { meta } from "./helpers";

function volume(overrides: Partial<VolumeMeta> = {}): DecodedVolume {
  const m = meta(overrides);
  return {
    meta: m,
    values: new Float32Array(m.shape[0] * m.shape[1] * m.shape[2]),
    grid: { dims: [4, 3, 2], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [] },
    fill: null,
  };
}

// a 40x32x24 step (wire and array order alike: C-ordered) held at level 1 (20x16x12)
function entry(level = 1, finer = false): StepVolumes {
  const base = {
    shape: [40, 32, 24] as [number, number, number],
    spacing: [1, 1, 1],
    origin: [0, 0, 0],
  };
  const common = {
    level,
    base: base as VolumeMeta["base"],
    finer,
    shape: [20, 16, 12] as [number, number, number],
  };
  const image = volume({ ...common, nbytes: 20 * 16 * 12 * 4 });
  const label = volume({ ...common, role: "label", dtype: "uint8", nbytes: 20 * 16 * 12 });
  return {
    step: 3,
    version: 2,
    level,
    preview: false,
    levels: [],
    volumes: new Map([
      ["image", image],
      ["label", label],
    ]),
    channels: [image],
    bytes: 0,
  };
}

function plane(key: PlaneKey, roles: ("image" | "label")[] = ["image", "label"]): Plane {
  return { ...key, volumes: roles.map((role) => volume({ role })), skipped: null };
}

describe("which plane a slice view shows", () => {
  it("is a step held coarser than the kernel holds it", () => {
    expect(coarserThanSource(entry(1))).toBe(true);
    expect(coarserThanSource(entry(0))).toBe(false);
    expect(coarserThanSource(entry(0, true))).toBe(true); // a lazy input's level
  });

  it("takes the cursor's voxel along the view's array axis, on level 0", () => {
    // vtk axis 0 (i, fastest) is array axis 2 of a C-ordered array
    expect(planeAt(entry(), 0, [30, 9, 17])).toEqual({ step: 3, version: 2, axis: 2, index: 17 });
    expect(planeAt(entry(), 2, [30, 9, 17])).toEqual({ step: 3, version: 2, axis: 0, index: 30 });
  });

  it("is the middle one without a cursor, and inside the volume always", () => {
    expect(planeAt(entry(), 2, null)?.index).toBe(19);
    expect(planeAt(entry(), 1, null)?.index).toBe(15);
    expect(planeAt(entry(), 2, [99, 0, 0])?.index).toBe(39);
  });
});

describe("FullPlanes", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks once the cursor rests, and only for the latest planes", () => {
    const ask = vi.fn();
    const planes = new FullPlanes(ask, () => {});
    const shown = entry();
    for (const index of [10, 11, 12]) {
      expect(planes.want(shown, [{ step: 3, version: 2, axis: 0, index }])).toEqual([null]);
      vi.advanceTimersByTime(50); // scrolling through slices
    }
    expect(ask).not.toHaveBeenCalled();
    vi.advanceTimersByTime(200);
    expect(ask.mock.calls).toEqual([[{ step: 3, version: 2, axis: 0, index: 12 }]]);
    planes.want(shown, [{ step: 3, version: 2, axis: 0, index: 12 }]);
    vi.advanceTimersByTime(500);
    expect(ask).toHaveBeenCalledTimes(1); // asked already: not again
  });

  it("maps each shown volume to its plane when it comes, and redraws only for a wanted one", () => {
    const arrived = vi.fn();
    const planes = new FullPlanes(() => {}, arrived);
    const shown = entry();
    const key = { step: 3, version: 2, axis: 1, index: 7 };
    planes.want(shown, [key]);
    expect(planes.receive(plane({ ...key, index: 8 }))).toBe(false);
    expect(arrived).not.toHaveBeenCalled();
    const got = plane(key);
    expect(planes.receive(got)).toBe(true);
    expect(arrived).toHaveBeenCalledTimes(1);
    const [detail] = planes.want(shown, [key]);
    expect(detail?.get(shown.volumes.get("image") as DecodedVolume)).toBe(got.volumes[0]);
    expect(detail?.get(shown.volumes.get("label") as DecodedVolume)).toBe(got.volumes[1]);
  });

  it("keeps the last few planes: going back to one asks for nothing", () => {
    const ask = vi.fn();
    const planes = new FullPlanes(ask, () => {});
    const shown = entry();
    for (let index = 0; index < 8; index++) {
      planes.receive(plane({ step: 3, version: 2, axis: 0, index }));
    }
    expect(planes.want(shown, [{ step: 3, version: 2, axis: 0, index: 7 }])[0]).not.toBeNull();
    expect(planes.want(shown, [{ step: 3, version: 2, axis: 0, index: 0 }])[0]).toBeNull();
    vi.advanceTimersByTime(500);
    expect(ask).toHaveBeenCalledTimes(1);
  });

  it("does not use a plane of another version of the step", () => {
    const planes = new FullPlanes(
      () => {},
      () => {},
    );
    planes.receive(plane({ step: 3, version: 1, axis: 0, index: 4 }));
    expect(planes.want(entry(), [{ step: 3, version: 2, axis: 0, index: 4 }])).toEqual([null]);
  });

  it("says why a wanted plane came without voxels, and asks for it no more", () => {
    const asked: PlaneKey[] = [];
    const planes = new FullPlanes(
      (key) => asked.push(key),
      () => {},
    );
    const key = { step: 3, version: 2, axis: 0, index: 4 };
    const reason = "a plane along axis 0 holds 32.0 MiB, above the 16 MiB one message may carry";
    planes.want(entry(), [key]);
    vi.advanceTimersByTime(200);
    expect(planes.skipped()).toBeNull(); // asked, not answered yet
    planes.receive({ ...key, volumes: [], skipped: reason });
    expect(planes.skipped()).toBe(reason);
    const [detail] = planes.want(entry(), [key]);
    expect(detail?.size).toBe(0); // the coarse slice stays
    vi.advanceTimersByTime(200);
    expect(asked).toHaveLength(1);
    planes.want(entry(), [{ ...key, axis: 1 }]);
    expect(planes.skipped()).toBeNull(); // another plane: nothing skipped
  });
});

describe("the plane message", () => {
  it("parses with its sizes and base64 data, and names a bad axis", () => {
    const volumes = [{ ...meta({ shape: [1, 3, 4], nbytes: 48 }), data: "AAAA" }];
    const parsed = parseKernelMessage({
      type: "plane",
      step: 0,
      version: 1,
      axis: 0,
      index: 5,
      volumes,
      sizes: [48],
    });
    expect(parsed).toMatchObject({ type: "plane", axis: 0, index: 5, sizes: [48], data: ["AAAA"] });
    expect(parsed).toMatchObject({ skipped: null });
    const skipped = parseKernelMessage({
      type: "plane",
      step: 0,
      version: 1,
      axis: 2,
      index: 0,
      volumes: [],
      sizes: [],
      skipped: "too large",
    });
    expect(skipped).toMatchObject({ volumes: [], skipped: "too large" });
    expect(() =>
      parseKernelMessage({
        type: "plane",
        step: 0,
        version: 1,
        axis: 3,
        index: 0,
        volumes,
        sizes: [48],
      }),
    ).toThrow(/axis must be 0, 1 or 2, got 3/);
  });
});
