// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { Curves } from "../src/panel/curves";
import { nearestStep, readCurves, stepDomain, valueAt, valueDomain } from "../src/scalars";
import { FakeModel } from "./fake-model";

const HOSTILE = "<img src=x onerror=alert(1)>";

let curves: Curves | null = null;
afterEach(() => {
  curves?.dispose();
  curves = null;
});

function scalars(series: Record<string, [number[], (number | null)[]]>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(series).map(([name, [steps, values]]) => [name, { steps, values }]),
  );
}

describe("scalar series", () => {
  it("reads the trait, keeping gaps as null and skipping malformed entries", () => {
    const model = new FakeModel({
      scalars: {
        loss: { steps: [0, 10, 20], values: [1, null, 0.5] },
        broken: { steps: [0, 1], values: [1] },
        odd: "not a series",
      },
    });
    expect(readCurves(model)).toEqual([
      { name: "loss", steps: [0, 10, 20], values: [1, null, 0.5] },
    ]);
    expect(readCurves(new FakeModel())).toEqual([]);
  });

  it("shares one step domain between curves and volume steps", () => {
    const curve = { name: "a", steps: [5, 10], values: [1, 2] };
    expect(stepDomain([curve], [0, 40])).toEqual([0, 40]);
    expect(stepDomain([], [7])).toEqual([6.5, 7.5]);
    expect(stepDomain([], [])).toEqual([0, 1]);
  });

  it("takes the extent of a curve far longer than the call stack allows to spread", () => {
    const steps = Array.from({ length: 1_000_000 }, (_, i) => i);
    const values = steps.map((i) => (i === 500 ? null : Math.sin(i / 1000)));
    const curve = { name: "loss per iteration", steps, values };
    expect(stepDomain([curve], [0, 10])).toEqual([0, 999_999]);
    const [lo, hi] = valueDomain(curve) ?? [0, 0];
    expect(lo).toBeLessThan(-1);
    expect(hi).toBeGreaterThan(1);
  });

  it("pads the value domain, and gives a flat curve a band", () => {
    expect(valueDomain({ name: "a", steps: [0, 1], values: [0, 1] })).toEqual([-0.06, 1.06]);
    expect(valueDomain({ name: "a", steps: [0], values: [2] })).toEqual([1.8, 2.2]);
    expect(valueDomain({ name: "a", steps: [0], values: [null] })).toBeNull();
  });

  it("finds the nearest volume step (the earlier on a tie) and the value at a step", () => {
    expect(nearestStep([0, 10, 20], 14)).toBe(10);
    expect(nearestStep([0, 10, 20], 15)).toBe(10);
    expect(nearestStep([0, 10, 20], 16)).toBe(20);
    expect(nearestStep([0, 10, 20], -50)).toBe(0);
    expect(nearestStep([], 3)).toBeNull();
    const curve = { name: "a", steps: [0, 5, 9], values: [3, 2, null] };
    expect(valueAt(curve, 5)).toEqual({ step: 5, value: 2 });
    expect(valueAt(curve, 12)).toEqual({ step: 5, value: 2 });
    expect(valueAt(curve, -1)).toBeNull();
  });
});

describe("training curves under the view", () => {
  it("draws one labelled chart per scalar, hidden when there are none", () => {
    const model = new FakeModel({ steps: [0, 10], step: 10 });
    curves = new Curves(model);
    expect(curves.element.hidden).toBe(true);
    model.pythonSets(
      "scalars",
      scalars({
        loss: [
          [0, 5, 10],
          [1, 0.5, 0.25],
        ],
        dice: [[10], [0.8]],
      }),
    );
    expect(curves.element.hidden).toBe(false);
    const names = [...curves.element.querySelectorAll(".nbviewer3d-curve-name")];
    expect(names.map((n) => n.textContent)).toEqual(["loss", "dice"]);
    const values = [...curves.element.querySelectorAll(".nbviewer3d-curve-value")];
    expect(values.map((v) => v.textContent)).toEqual(["0.25", "0.8"]);
    model.pythonSets("step", 0);
    expect(values.map((v) => v.textContent)).toEqual(["1", "–"]);
  });

  it("shows an untrusted name as text, in the caption and in attributes only", () => {
    const model = new FakeModel({ scalars: scalars({ [HOSTILE]: [[0], [1]] }) });
    curves = new Curves(model);
    expect(curves.element.querySelector("img")).toBeNull();
    const name = curves.element.querySelector(".nbviewer3d-curve-name") as HTMLElement;
    expect(name.textContent).toBe(HOSTILE);
    expect(name.title).toBe(HOSTILE);
    const canvas = curves.element.querySelector("canvas") as HTMLCanvasElement;
    expect(canvas.getAttribute("aria-label")).toContain(HOSTILE);
  });

  it("new points redraw the chart; a new name adds one", () => {
    const model = new FakeModel({ scalars: scalars({ loss: [[0], [1]] }), steps: [0, 1], step: 1 });
    curves = new Curves(model);
    const figure = curves.element.querySelector("figure");
    model.pythonSets(
      "scalars",
      scalars({
        loss: [
          [0, 1],
          [1, 0.5],
        ],
      }),
    );
    expect(curves.element.querySelector("figure")).toBe(figure); // same chart, redrawn
    expect(curves.element.querySelector(".nbviewer3d-curve-value")?.textContent).toBe("0.5");
    model.pythonSets(
      "scalars",
      scalars({
        loss: [
          [0, 1],
          [1, 0.5],
        ],
        lr: [[0], [0.1]],
      }),
    );
    expect(curves.element.querySelectorAll("figure")).toHaveLength(2);
  });

  it("arrow keys on a focused chart walk the volume steps and stay in the widget", () => {
    const model = new FakeModel({
      scalars: scalars({
        loss: [
          [0, 5, 10],
          [1, 0.5, 0.25],
        ],
      }),
      steps: [0, 10],
      step: 0,
    });
    curves = new Curves(model);
    const canvas = curves.element.querySelector("canvas") as HTMLCanvasElement;
    expect(canvas.tabIndex).toBe(0);
    let reachedNotebook = false;
    curves.element.addEventListener("keydown", () => {
      reachedNotebook = true;
    });
    canvas.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(model.get("step")).toBe(10);
    expect(model.saves).toBe(1);
    expect(reachedNotebook).toBe(false);
    canvas.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(model.saves).toBe(1); // already on the last step
    canvas.dispatchEvent(new KeyboardEvent("keydown", { key: "Home", bubbles: true }));
    expect(model.get("step")).toBe(0);
    expect(canvas.getAttribute("aria-valuenow")).toBe("0");
  });

  it("a click moves step to the nearest step with volumes", () => {
    const model = new FakeModel({
      scalars: scalars({
        loss: [
          [0, 50, 100],
          [1, 0.5, 0.25],
        ],
      }),
      steps: [0, 40, 100],
      step: 0,
    });
    curves = new Curves(model);
    const canvas = curves.element.querySelector("canvas") as HTMLCanvasElement;
    // happy-dom lays nothing out: the canvas box reads as 0 wide at x = 0, so the chart's own
    // CSS width applies; plot area 40..244 px spans steps 0..100
    const at = (step: number) => 40 + (step / 100) * (250 - 40 - 6);
    canvas.dispatchEvent(new MouseEvent("click", { clientX: at(55), bubbles: true }));
    expect(model.get("step")).toBe(40);
    canvas.dispatchEvent(new MouseEvent("click", { clientX: at(80), bubbles: true }));
    expect(model.get("step")).toBe(100);
  });

  it("stops listening when disposed", () => {
    const model = new FakeModel({ scalars: scalars({ loss: [[0], [1]] }) });
    const before = model.listenerCount();
    const own = new Curves(model);
    expect(model.listenerCount()).toBeGreaterThan(before);
    own.dispose();
    expect(model.listenerCount()).toBe(before);
  });
});
