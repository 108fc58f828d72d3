import { describe, expect, it } from "vitest";
import { keyAction, stepBy } from "../src/keyboard";
import type { Grid } from "../src/payload";
import { decodeVolume } from "../src/payload";
import { crosshairSegments, planeOutlines, VIEW_COLOURS, viewOfAxis } from "../src/view/crosshair";
import {
  centreIjk,
  clampIjk,
  cursorIjk,
  fromIjk,
  indexOf,
  toIjk,
  valueAt,
  worldOf,
} from "../src/view/cursor";
import { paneAspect, paneAt, paneLayout } from "../src/view/layout";
import { panCamera, panePoint, zoomCamera } from "../src/view/slice-pointer";
import { meta } from "./helpers";

// anisotropic, permuted and flipped: index i runs along -z, j along +y, k along +x (RAS)
const GRID: Grid = {
  dims: [4, 5, 6],
  spacing: [2, 1, 0.5],
  origin: [10, 20, 30],
  direction: [0, 0, -1, 0, 1, 0, 1, 0, 0],
};

describe("layout", () => {
  it("puts 3D, axial, coronal and sagittal in four quarters, each its own camera", () => {
    const panes = paneLayout("quad", "overlay");
    expect(panes.map((p) => p.view)).toEqual(["volume", "axial", "coronal", "sagittal"]);
    expect(new Set(panes.map((p) => p.cameraGroup)).size).toBe(4);
    expect(panes[0]?.viewport).toEqual([0, 0.5, 0.5, 1]);
    const area = panes.reduce((sum, { viewport: [a, b, c, d] }) => sum + (c - a) * (d - b), 0);
    expect(area).toBeCloseTo(1);
    expect(paneAt(panes, 0.75, 0.75)).toBe(1); // top right: axial
    expect(paneAt(panes, 0.25, 0.25)).toBe(2);
  });

  it("shows one pane per single mode", () => {
    expect(paneLayout("axial", "errors")).toEqual([
      { view: "axial", viewport: [0, 0, 1, 1], overlays: "all", cameraGroup: 0, title: "" },
    ]);
  });

  it("side by side: label left, prediction right, each pair sharing one camera", () => {
    const panes = paneLayout("volume", "side-by-side");
    expect(panes.map((p) => [p.overlays, p.viewport, p.cameraGroup])).toEqual([
      ["label", [0, 0, 0.5, 1], 0],
      ["prediction", [0.5, 0, 1, 1], 0],
    ]);
    const quad = paneLayout("quad", "side-by-side");
    expect(quad).toHaveLength(8);
    expect(quad[5]).toMatchObject({ view: "axial", overlays: "prediction", cameraGroup: 1 });
    expect(quad[5]?.viewport).toEqual([0.75, 0.5, 1, 1]);
    expect(quad.map((p) => p.title)).toContain("3D · prediction");
  });

  it("gives a pane's aspect in window pixels", () => {
    const [volume] = paneLayout("volume", "side-by-side");
    expect(paneAspect(volume as never, 800, 400)).toBe(1);
  });
});

describe("cursor", () => {
  it("maps the array-order cursor to vtk's i, j, k and back", () => {
    expect(toIjk([1, 2, 3], { axes: [2, 1, 0] })).toEqual([3, 2, 1]);
    expect(fromIjk([3, 2, 1], { axes: [2, 1, 0] })).toEqual([1, 2, 3]);
    expect(toIjk([1, 2, 3], { axes: [0, 1, 2] })).toEqual([1, 2, 3]);
  });

  it("keeps the cursor inside the grid, centre when unset", () => {
    expect(centreIjk([4, 5, 6])).toEqual([1, 2, 2]);
    expect(clampIjk([-3, 2.6, 99], [4, 5, 6])).toEqual([0, 3, 5]);
  });

  it("goes from index to world and back on an oblique, anisotropic grid", () => {
    expect(worldOf(GRID, [0, 0, 0])).toEqual([10, 20, 30]);
    expect(worldOf(GRID, [1, 2, 4])).toEqual([12, 22, 28]);
    const back = indexOf(GRID, [12, 22, 28]);
    back.forEach((v, i) => {
      expect(v).toBeCloseTo([1, 2, 4][i] as number);
    });
  });

  it("reads the voxel under the cursor (i fastest)", async () => {
    const values = Float32Array.from({ length: 24 }, (_, n) => n);
    const volume = await decodeVolume(meta(), values);
    // wire shape [2, 3, 4]: vtk dims [4, 3, 2]
    expect(valueAt(volume, [1, 2, 1])).toBe(1 + 4 * 2 + 12 * 1);
    expect(valueAt(volume, [4, 0, 0])).toBeNull();
    // array order (C layout): cursor [k, j, i]
    expect(cursorIjk([1, 2, 3], volume)).toEqual([3, 2, 1]);
    expect(cursorIjk(null, volume)).toEqual([1, 1, 0]);
  });
});

describe("crosshair", () => {
  it("colours each line as the view whose plane it is", () => {
    // world x (sagittal) runs along k, y (coronal) along j, z (axial) along i
    expect(viewOfAxis(GRID, 2)).toBe("sagittal");
    expect(viewOfAxis(GRID, 1)).toBe("coronal");
    expect(viewOfAxis(GRID, 0)).toBe("axial");
    // the axial view's slice (across i): lines along j and k, gaps around the cursor
    const segments = crosshairSegments(GRID, [1, 2, 3], 0);
    expect(segments).toHaveLength(4);
    for (const { a, b } of segments) expect(a[2]).toBeCloseTo(b[2]); // in the slice's plane
    const colours = new Set(segments.map((s) => s.rgb));
    expect(colours).toEqual(new Set([VIEW_COLOURS.coronal, VIEW_COLOURS.sagittal]));
    const cursor = worldOf(GRID, [1, 2, 3]);
    for (const { a, b } of segments) {
      // the cursor itself is never under a line
      const t = (cursor[0] - a[0]) / (b[0] - a[0] || 1);
      if (b[0] !== a[0]) expect(t < 0 || t > 1).toBe(true);
    }
  });

  it("outlines the three planes through the cursor across the whole grid", () => {
    const segments = planeOutlines(GRID, [1, 2, 3]);
    expect(segments).toHaveLength(12);
    const axial = segments.filter((s) => s.rgb === VIEW_COLOURS.axial);
    // the axial plane is at i = 1: z = 30 - 2
    for (const { a } of axial) expect(a[2]).toBeCloseTo(28);
  });
});

describe("slice navigation", () => {
  function camera() {
    let focal = [0, 0, 0];
    let position = [0, 0, 10];
    let scale = 5;
    return {
      getFocalPoint: () => focal,
      getPosition: () => position,
      getDirectionOfProjection: () => [0, 0, -1],
      getViewUp: () => [0, 1, 0],
      getParallelScale: () => scale,
      setFocalPoint: (x: number, y: number, z: number) => {
        focal = [x, y, z];
      },
      setPosition: (x: number, y: number, z: number) => {
        position = [x, y, z];
      },
      setParallelScale: (s: number) => {
        scale = s;
      },
    };
  }

  it("finds the world point under the pointer", () => {
    const c = camera();
    expect(panePoint(c, 0, 0, 2)).toEqual([0, 0, 0]);
    // looking down -z with y up: screen right is +x; half a pane is scale * aspect wide
    expect(panePoint(c, 1, 0, 2)).toEqual([10, 0, 0]);
    expect(panePoint(c, 0, -1, 2)).toEqual([0, -5, 0]);
  });

  it("zooms about the centre and pans with the pointer", () => {
    const c = camera();
    zoomCamera(c, 2);
    expect(c.getParallelScale()).toBe(2.5);
    panCamera(c, 0.2, 0, 1);
    // the picture follows the pointer right: the camera moves left
    expect(c.getFocalPoint()).toEqual([-0.5, 0, 0]);
    expect(c.getPosition()).toEqual([-0.5, 0, 10]);
  });
});

describe("keyboard", () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean }> = {}) =>
    keyAction({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });

  it("maps arrows to steps, Page Up/Down to slices, 1-5 to view modes", () => {
    expect(key("ArrowRight")).toEqual({ kind: "step", delta: 1 });
    expect(key("ArrowLeft")).toEqual({ kind: "step", delta: -1 });
    expect(key("PageDown")).toEqual({ kind: "slice", delta: 1 });
    expect(key("PageUp")).toEqual({ kind: "slice", delta: -1 });
    expect(key("1")).toEqual({ kind: "view", mode: "volume" });
    expect(key("5")).toEqual({ kind: "view", mode: "quad" });
    expect(key("6")).toBeNull();
    expect(key("ArrowRight", { ctrlKey: true })).toBeNull();
  });

  it("walks the logged steps, held at the ends", () => {
    expect(stepBy([0, 10, 20], 10, 1)).toBe(20);
    expect(stepBy([0, 10, 20], 20, 1)).toBe(20);
    expect(stepBy([0, 10, 20], 0, -1)).toBe(0);
  });
});
