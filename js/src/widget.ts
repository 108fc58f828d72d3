// anywidget entry. initialize() makes the per-model state (cache + kernel messages) that every
// view of the model shares; render() makes one view and returns its cleanup.

import type { AnyModel } from "@anywidget/types";
import type { ModelLike } from "./model";
import {
  findModelState,
  type ModelState,
  registerModelState,
  unregisterModelState,
} from "./model-state";
import { attachView, detachView, markModel, markModule, renderStarted } from "./timings";
import { ViewerView } from "./viewer-view";

markModule();

function asModelLike(model: AnyModel): ModelLike {
  return model as unknown as ModelLike;
}

export default {
  initialize({ model }: { model: AnyModel }) {
    const state = registerModelState(asModelLike(model));
    markModel(state, "initialize");
    return () => unregisterModelState(state);
  },

  render({ model, el }: { model: AnyModel; el: HTMLElement }) {
    const started = renderStarted();
    const modelLike = asModelLike(model);
    // Without a state from initialize() (an anywidget that skipped it), the view keeps its own.
    const shared = findModelState(modelLike);
    const own: ModelState | null = shared ? null : registerModelState(modelLike);
    const state = (shared ?? own) as ModelState;
    const view = new ViewerView(modelLike, state, el);
    attachView(view.root, state, started);
    return () => {
      detachView(view.root);
      view.dispose();
      if (own) unregisterModelState(own);
    };
  },
};
