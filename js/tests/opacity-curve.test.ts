import { describe, expect, it } from "vitest";
import {
  CurveView,
  histogram,
  hitPoint,
  insertPoint,
  keyEdit,
  logHeights,
  movePoint,
  removePoint,
} from "../src/panel/opacity-curve";
import type { OpacityPoint } from "../src/presets";

describe("histogram", () => {
  it("counts values into equal bins, the top value in the last bin", () => {
    const counts = histogram(new Float32Array([0, 0.1, 0.5, 0.99, 1]), 0, 1, 4);
    expect([...counts]).toEqual([2, 0, 1, 2]);
  });

  it("leaves out values outside the range (the NaN fill among them)", () => {
    const counts = histogram(new Float32Array([-5, 0.5, Number.NaN, 7]), 0, 1, 2);
    expect([...counts]).toEqual([0, 1]);
  });

  it("samples big volumes with a stride", () => {
    const values = new Uint8Array(1000).fill(3);
    const counts = histogram(values, 0, 10, 10, 100);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
    expect(counts[3]).toBe(100);
  });

  it("gives log heights scaled to the tallest bar", () => {
    const heights = logHeights(new Float64Array([0, Math.E - 1, Math.E ** 2 - 1]));
    expect(heights[0]).toBe(0);
    expect(heights[1]).toBeCloseTo(0.5);
    expect(heights[2]).toBeCloseTo(1);
  });
});

describe("CurveView", () => {
  const view = new CurveView(-1000, 1000, 240, 70, 4);

  it("maps values and opacities onto the canvas and back", () => {
    expect(view.toCanvas([-1000, 0])).toEqual([4, 66]);
    expect(view.toCanvas([1000, 1])).toEqual([236, 4]);
    const [v, a] = view.fromCanvas(...view.toCanvas([250, 0.4]));
    expect(v).toBeCloseTo(250);
    expect(a).toBeCloseTo(0.4);
  });

  it("clamps pointer positions outside the plot", () => {
    expect(view.fromCanvas(-20, 200)).toEqual([-1000, 0]);
    expect(view.fromCanvas(500, -9)).toEqual([1000, 1]);
  });
});

describe("editing points", () => {
  const view = new CurveView(0, 100, 240, 70, 4);
  const points: OpacityPoint[] = [
    [0, 0],
    [50, 0.5],
    [100, 1],
  ];

  it("hits the nearest point within the radius, else none", () => {
    const [x, y] = view.toCanvas([50, 0.5]);
    expect(hitPoint(points, view, x + 3, y - 2)).toBe(1);
    expect(hitPoint(points, view, x + 30, y)).toBe(-1);
  });

  it("moves a point without passing its neighbours", () => {
    expect(movePoint(points, 1, 70, 0.2)).toEqual([
      [0, 0],
      [70, 0.2],
      [100, 1],
    ]);
    expect(movePoint(points, 1, 150, 2)[1]).toEqual([100, 1]);
    expect(points[1]).toEqual([50, 0.5]);
  });

  it("inserts in value order and removes down to two points", () => {
    expect(insertPoint(points, 20, 0.1)).toEqual([
      [0, 0],
      [20, 0.1],
      [50, 0.5],
      [100, 1],
    ]);
    const two = removePoint(points, 1);
    expect(two).toEqual([
      [0, 0],
      [100, 1],
    ]);
    expect(removePoint(two, 0)).toEqual(two);
  });
});

describe("keyboard editing", () => {
  const curve: OpacityPoint[] = [
    [0, 0],
    [50, 0.5],
    [100, 1],
  ];
  const range = [0, 100] as const;

  it("picks points with Left/Right, staying within the curve", () => {
    expect(keyEdit(curve, 1, "ArrowRight", false, range)?.selected).toBe(2);
    expect(keyEdit(curve, 2, "ArrowRight", false, range)?.selected).toBe(2);
    expect(keyEdit(curve, 0, "ArrowLeft", false, range)?.selected).toBe(0);
    expect(keyEdit(curve, 1, "ArrowLeft", false, range)?.points).toEqual(curve);
  });

  it("changes the picked point's opacity with Up/Down, within 0..1", () => {
    expect(keyEdit(curve, 1, "ArrowUp", false, range)?.points[1]).toEqual([50, 0.55]);
    expect(keyEdit(curve, 1, "ArrowDown", false, range)?.points[1]?.[1]).toBeCloseTo(0.45);
    expect(keyEdit(curve, 2, "ArrowUp", false, range)?.points[2]).toEqual([100, 1]);
  });

  it("moves the picked point's value with Shift, never past its neighbours", () => {
    expect(keyEdit(curve, 1, "ArrowRight", true, range)?.points[1]).toEqual([51, 0.5]);
    const squeezed: OpacityPoint[] = [
      [0, 0],
      [50, 0.5],
      [50.5, 1],
    ];
    expect(keyEdit(squeezed, 1, "ArrowRight", true, range)?.points[1]).toEqual([50.5, 0.5]);
  });

  it("removes the picked point with Delete and adds one halfway with +", () => {
    const removed = keyEdit(curve, 1, "Delete", false, range);
    expect(removed?.points).toEqual([
      [0, 0],
      [100, 1],
    ]);
    expect(removed?.selected).toBe(1);
    // a curve keeps two points
    expect(keyEdit(removed?.points ?? [], 0, "Backspace", false, range)?.points).toHaveLength(2);
    const added = keyEdit(curve, 1, "+", false, range);
    expect(added?.points[2]).toEqual([75, 0.75]);
    expect(added?.selected).toBe(2);
  });

  it("leaves other keys to the page", () => {
    expect(keyEdit(curve, 1, "a", false, range)).toBeNull();
    expect(keyEdit(curve, 1, "Tab", false, range)).toBeNull();
  });
});
