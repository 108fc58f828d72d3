// @vitest-environment happy-dom
import vtkCamera from "@kitware/vtk.js/Rendering/Core/Camera";
import { afterEach, describe, expect, it } from "vitest";
import { ModelState } from "../src/model-state";
import { Panel } from "../src/panel/panel";
import { downloadName, frameMessage, parseScreenshotRequest } from "../src/screenshot";
import {
  applyCameraTrait,
  cameraTrait,
  parseCameraTrait,
  sameCamera,
} from "../src/view/camera-trait";
import { FakeModel } from "./fake-model";

let panel: Panel | null = null;
afterEach(() => panel?.dispose());

function runMenu(p: Panel): HTMLSelectElement {
  return p.element.querySelector('[data-control="run"]') as HTMLSelectElement;
}

describe("camera trait", () => {
  it("round-trips a turned vtkCamera through the trait, view-up square and unit", () => {
    const user = vtkCamera.newInstance();
    user.setPosition(10, -300, 40);
    user.setFocalPoint(5, 0, 20);
    user.setViewUp(0.2, 0.1, 3);
    user.setViewAngle(35);
    const trait = cameraTrait(user);
    const look = trait.focal_point.map((f, i) => f - (trait.position[i] as number));
    const dot = trait.view_up.reduce((s, u, i) => s + u * (look[i] as number), 0);
    expect(Math.abs(dot)).toBeLessThan(1e-9);
    expect(Math.hypot(...trait.view_up)).toBeCloseTo(1, 12);
    const fresh = vtkCamera.newInstance();
    applyCameraTrait(fresh, trait);
    expect(sameCamera(cameraTrait(fresh), trait)).toBe(true);
    expect(sameCamera(cameraTrait(vtkCamera.newInstance()), trait)).toBe(false);
    // what Python sends back (JSON) is the same camera
    expect(parseCameraTrait(JSON.parse(JSON.stringify(trait)))).toEqual(trait);
  });

  it("reads null and malformed values as the default view", () => {
    expect(parseCameraTrait(null)).toBeNull();
    expect(parseCameraTrait({ position: [0, 0] })).toBeNull();
    expect(parseCameraTrait("front")).toBeNull();
  });
});

describe("screenshot requests", () => {
  it("are kept by the model state until a view takes them", () => {
    const model = new FakeModel();
    const state = new ModelState(model);
    let told = 0;
    state.screenshots.subscribe(() => {
      told += 1;
    });
    state.onMessage({ type: "screenshot", id: 3, traits: ["cmap", "step"] });
    expect(model.sent).toEqual([]); // no fetch, no error: not a volumes message
    expect([told, state.screenshots.size]).toEqual([1, 1]);
    const taken = state.screenshots.take();
    expect(taken).toEqual([{ id: 3, traits: ["cmap", "step"] }]);
    expect(state.screenshots.size).toBe(0);
    state.dispose();
  });

  it("answer with the state drawn: the traits asked for and the step's version", () => {
    const model = new FakeModel({ cmap: "magma", step: 0, camera: null });
    const request = parseScreenshotRequest({
      type: "screenshot",
      id: 7,
      traits: ["cmap", "camera"],
    });
    expect(request).not.toBeNull();
    const message = frameMessage(model, [request as NonNullable<typeof request>], 4, [20, 10]);
    expect(message).toEqual({
      type: "frame",
      ids: [7],
      state: { cmap: "magma", camera: null, version: 4 },
      width: 20,
      height: 10,
    });
    expect(parseScreenshotRequest({ type: "volumes", id: 1, traits: [] })).toBeNull();
  });

  it("name downloads with only safe characters from the run name", () => {
    expect(downloadName("unet/fold 1", 12)).toBe("nbviewer3d-unet_fold_1-step12.png");
    expect(downloadName("<img src=x onerror=alert(1)>", 0)).toBe(
      "nbviewer3d-_img_src_x_onerror_alert_1_-step0.png",
    );
    expect(downloadName(null, 3)).toBe("nbviewer3d-step3.png");
  });
});

describe("run menu", () => {
  it("lists the runs as text, follows run and sets it when picked", () => {
    const hostile = "<img src=x onerror=alert(1)>";
    const model = new FakeModel({ runs: ["baseline", hostile], run: "baseline" });
    panel = new Panel(model);
    const menu = runMenu(panel);
    expect([...menu.options].map((o) => o.textContent)).toEqual(["baseline", hostile]);
    expect(menu.querySelector("img")).toBeNull();
    expect((menu.closest("label") as HTMLElement).hidden).toBe(false);
    menu.value = hostile;
    menu.dispatchEvent(new Event("change"));
    expect(model.get("run")).toBe(hostile);
    model.pythonSets("run", "baseline");
    expect(menu.value).toBe("baseline");
  });

  it("is hidden for a single run or a view() viewer", () => {
    panel = new Panel(new FakeModel({ runs: [], run: null }));
    expect((runMenu(panel).closest("label") as HTMLElement).hidden).toBe(true);
  });

  it("offers the save button only when the view gives it an action", () => {
    let saved = 0;
    panel = new Panel(new FakeModel(), { download: () => (saved += 1) });
    const button = panel.element.querySelector('[data-control="download"]') as HTMLButtonElement;
    expect(button.hidden).toBe(false);
    button.click();
    expect(saved).toBe(1);
  });
});
