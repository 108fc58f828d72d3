// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { attachView, detachView, markModel, markModule, markView } from "../src/timings";

function marks(root: HTMLElement): Record<string, number> {
  return JSON.parse(root.dataset.timings ?? "{}");
}

describe("timings", () => {
  it("shows model and view milestones on the view's root, the first time only", () => {
    markModule();
    const owner = {};
    markModel(owner, "initialize");
    const root = document.createElement("div");
    markView(root, "gl"); // reached inside the view's constructor, before attachView
    attachView(root, owner, 1.5);
    const first = marks(root);
    expect(Object.keys(first).sort()).toEqual(["gl", "initialize", "module", "render"]);
    expect(first.render).toBe(1.5);
    markModel(owner, "fetch");
    markView(root, "frame");
    const second = marks(root);
    expect(second.fetch).toBeGreaterThanOrEqual(0);
    expect(second.frame).toBeGreaterThanOrEqual(second.gl as number);
    markView(root, "frame");
    markModel(owner, "fetch");
    expect(marks(root)).toEqual(second);
  });

  it("a second view of the model gets the model's marks; a detached one no longer follows", () => {
    const owner = {};
    const a = document.createElement("div");
    const b = document.createElement("div");
    attachView(a, owner, 1);
    markModel(owner, "received");
    attachView(b, owner, 2);
    expect(marks(b).received).toBe(marks(a).received);
    detachView(a);
    markModel(owner, "decoded");
    expect(marks(a).decoded).toBeUndefined();
    expect(marks(b).decoded).toBeDefined();
  });
});
