import { describe, expect, it } from "vitest";
import {
  CurveView,
  histogram,
  hitPoint,
  insertPoint,
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
