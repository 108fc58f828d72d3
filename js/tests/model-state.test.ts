// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { ContextPool } from "../src/context-pool";
import { ModelState } from "../src/model-state";
import { ViewerView } from "../src/viewer-view";
import { FakeModel } from "./fake-model";

function fetches(model: FakeModel): unknown[] {
  return model.sent.filter((m) => (m as { type?: string }).type === "fetch");
}

function viewOf(model: FakeModel, state: ModelState): ViewerView {
  const el = document.createElement("div");
  document.body.append(el);
  return new ViewerView(model, state, el, new ContextPool(8));
}

describe("ModelState asks for the first step ahead of the first view", () => {
  it("asks as soon as it is made when the kernel holds the step, and the view asks no more", () => {
    const model = new FakeModel({ steps: [0, 5], step: 5, _versions: { "0": 0, "5": 2 } });
    const state = new ModelState(model);
    expect(fetches(model)).toEqual([{ type: "fetch", step: 5 }]);
    const view = viewOf(model, state);
    expect(fetches(model)).toEqual([{ type: "fetch", step: 5 }]);
    view.dispose();
    state.dispose();
  });

  it("waits for the kernel's add() when the model opens empty, then asks once", () => {
    const model = new FakeModel({ steps: [], step: 0, _versions: {} });
    const state = new ModelState(model);
    expect(fetches(model)).toEqual([]);
    model.pythonSets("steps", [0]);
    model.pythonSets("_versions", { "0": 0 });
    expect(fetches(model)).toEqual([{ type: "fetch", step: 0 }]);
    model.pythonSets("steps", [0, 1]);
    model.pythonSets("_versions", { "0": 0, "1": 0 });
    model.pythonSets("step", 1);
    expect(fetches(model)).toEqual([{ type: "fetch", step: 0 }]); // no view: nothing more
    state.dispose();
    expect(model.listenerCount()).toBe(0);
  });

  it("leaves the asking to the views once one is there", () => {
    const model = new FakeModel({ steps: [], step: 0, _versions: {} });
    const state = new ModelState(model);
    const view = viewOf(model, state);
    model.pythonSets("steps", [0]);
    model.pythonSets("_versions", { "0": 0 });
    expect(fetches(model)).toEqual([{ type: "fetch", step: 0 }]); // the view's, not a second
    view.dispose();
    state.dispose();
  });
});
