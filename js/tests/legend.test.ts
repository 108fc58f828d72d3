// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { Panel } from "../src/panel/panel";
import { FakeModel } from "./fake-model";

let panel: Panel | null = null;
afterEach(() => panel?.dispose());

describe("label legend", () => {
  it("lists the ids present with their names and toggles hidden_labels", () => {
    const model = new FakeModel({
      label_names: { "1": "liver", "2": "tumour" },
      hidden_labels: [],
    });
    panel = new Panel(model);
    panel.setContext({
      imageRange: [0, 1],
      hasOverlay: true,
      sliceCount: 0,
      labelMaps: [
        { role: "label", ids: [0, 1, 2] },
        { role: "prediction", ids: [0, 1, 3] },
      ],
    });
    const rows = [...panel.element.querySelectorAll(".nbviewer3d-legend-row")];
    expect(rows.map((r) => r.textContent)).toEqual(["1 liver", "2 tumour", "3"]);
    // one swatch for the label's colour, one for the prediction's
    expect(rows[0]?.querySelectorAll(".nbviewer3d-swatch")).toHaveLength(2);
    const box = panel.element.querySelector('input[data-label-id="2"]') as HTMLInputElement;
    box.checked = false;
    box.dispatchEvent(new Event("change", { bubbles: true }));
    expect(model.get("hidden_labels")).toEqual([2]);
    model.pythonSets("hidden_labels", []);
    const again = panel.element.querySelector('input[data-label-id="2"]') as HTMLInputElement;
    expect(again.checked).toBe(true);
  });

  it("is hidden without label maps", () => {
    const model = new FakeModel();
    panel = new Panel(model);
    const legend = panel.element.querySelector(".nbviewer3d-legend") as HTMLElement;
    expect(legend.hidden).toBe(true);
  });
});
