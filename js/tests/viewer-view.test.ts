// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { ContextPool } from "../src/context-pool";
import { NO_WEBGL2 } from "../src/errors";
import { ModelState } from "../src/model-state";
import { ViewerView } from "../src/viewer-view";
import { FakeModel } from "./fake-model";
import { meta } from "./helpers";

function setup() {
  const model = new FakeModel();
  const state = new ModelState(model);
  const el = document.createElement("div");
  document.body.append(el);
  const pool = new ContextPool(8);
  const view = new ViewerView(model, state, el, pool);
  // The widget scrolls into view (happy-dom's IntersectionObserver never reports by itself).
  pool.setVisible(el.querySelector(".nbviewer3d-canvas") as Element, true);
  return { model, state, el, view };
}

describe("ViewerView", () => {
  it("asks the kernel for the current step once", () => {
    const { model, view } = setup();
    expect(model.sent).toEqual([{ type: "fetch", step: 0 }]);
    view.dispose();
  });

  it("says in the cell that WebGL2 is missing instead of leaving a blank box", () => {
    const { el, view } = setup();
    const root = el.querySelector(".nbviewer3d") as HTMLElement;
    expect(root.dataset.status).toBe("error");
    expect(root.textContent).toContain(NO_WEBGL2);
    view.dispose();
  });

  it("shows a kernel error as a sentence", async () => {
    const { model, el, view } = setup();
    model.emit(
      "msg:custom",
      { type: "error", step: 0, message: "could not load step 0: boom" },
      [],
    );
    await Promise.resolve();
    expect(el.textContent).toContain("could not load step 0: boom");
    view.dispose();
  });

  it("shows a bad payload as a sentence", async () => {
    const { state, el, view } = setup();
    await state.handle(
      { type: "volumes", step: 0, version: 0, volumes: [{ ...meta(), shape: [2, 3] }] },
      [],
    );
    expect(el.textContent).toMatch(/could not read the volumes for step 0: .*shape must be 3/);
    view.dispose();
  });

  it("stops listening and leaves the element empty after cleanup", () => {
    const { model, state, el, view } = setup();
    const withState = new FakeModel();
    new ModelState(withState);
    const stateListeners = withState.listenerCount();
    view.dispose();
    expect(model.listenerCount()).toBe(stateListeners); // only the shared state's own
    expect(el.children.length).toBe(0);
    model.pythonSets("step", 3);
    model.pythonSets("cmap", "magma");
    expect(model.sent).toEqual([{ type: "fetch", step: 0 }]);
    state.dispose();
    expect(model.listenerCount()).toBe(0);
  });
});
