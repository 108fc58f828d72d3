// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import {
  compareVolumes,
  decodeError,
  ERROR_KINDS,
  errorCode,
  errorColor,
  errorMap,
  isErrorMap,
  TRUE_POSITIVE_OPACITY,
} from "../src/compare";
import { LabelTransferFunctions, labelColor, paletteOf } from "../src/labels";
import { Panel } from "../src/panel/panel";
import { gridOf } from "../src/payload";
import type { Role } from "../src/protocol";
import { FakeModel } from "./fake-model";
import { meta } from "./helpers";

function labelVolume(role: Role, values: number[]) {
  const m = meta({ role, dtype: "uint8", shape: [1, 1, values.length], nbytes: values.length });
  return { meta: m, values: Uint8Array.from(values), grid: gridOf(m), fill: null };
}

let panel: Panel | null = null;
afterEach(() => panel?.dispose());

describe("error map", () => {
  it("codes TP, FP and FN per class, a confused voxel as the missed class's FN", () => {
    const label = labelVolume("label", [0, 1, 1, 0, 2, 2, 1]);
    const prediction = labelVolume("prediction", [0, 1, 0, 1, 2, 1, 2]);
    const errors = errorMap(label, prediction);
    const kinds = [...errors.values].map((code) =>
      code === 0 ? "-" : `${decodeError(code).kind}${decodeError(code).classId}`,
    );
    expect(kinds).toEqual(["-", "TP1", "FN1", "FP1", "TP2", "FN2", "FN1"]);
    expect(errors.meta.labels).toEqual(
      [0, errorCode(1, "TP"), errorCode(1, "FN")]
        .concat([errorCode(1, "FP"), errorCode(2, "TP"), errorCode(2, "FN")])
        .sort((a, b) => a - b),
    );
    expect(isErrorMap(errors)).toBe(true);
    expect(paletteOf(errors)).toBe("errors");
    expect(errorMap(label, prediction)).toBe(errors); // made once per pair
  });

  it("widens to 16 bits when the codes need it", () => {
    const errors = errorMap(labelVolume("label", [0, 90]), labelVolume("prediction", [0, 0]));
    expect(errors.values).toBeInstanceOf(Uint16Array);
    expect(decodeError(errors.values[1] as number)).toEqual({ classId: 90, kind: "FN" });
  });

  it("gives every class and kind of the first classes its own colour", () => {
    const colors = new Set<string>();
    for (let c = 1; c <= 4; c++) {
      for (const kind of ERROR_KINDS) colors.add(String(errorColor(errorCode(c, kind))));
    }
    expect(colors.size).toBe(12);
  });

  it("replaces label and prediction in errors mode only", () => {
    const image = { ...labelVolume("image", [0, 0]) };
    const label = labelVolume("label", [1, 0]);
    const prediction = labelVolume("prediction", [1, 1]);
    const volumes = { components: [image, label, prediction], offGrid: [] };
    expect(compareVolumes(volumes, "overlay")).toBe(volumes);
    const errors = compareVolumes(volumes, "errors").components;
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBe(image);
    expect(isErrorMap(errors[1] as never)).toBe(true);
    const labelOnly = { components: [image, label], offGrid: [] };
    expect(compareVolumes(labelOnly, "errors")).toBe(labelOnly);
  });

  it("hides a class's three kinds with hidden_labels and draws true positives lighter", () => {
    const tf = new LabelTransferFunctions();
    const display = { labelColors: new Map(), hiddenLabels: new Set([2]) };
    const codes = [errorCode(1, "TP"), errorCode(1, "FP"), errorCode(2, "FP"), errorCode(2, "FN")];
    tf.update("errors", codes, display, 1);
    const opacityAt = (x: number) => {
      const table = new Float32Array(1);
      tf.opacity.getTable(x, x, 1, table, 1);
      return table[0] as number;
    };
    // true positives lighter than the errors
    expect(opacityAt(errorCode(1, "TP"))).toBeCloseTo(TRUE_POSITIVE_OPACITY);
    expect(opacityAt(errorCode(1, "FP"))).toBeCloseTo(1);
    expect(opacityAt(errorCode(2, "FP"))).toBeCloseTo(0);
    expect(opacityAt(errorCode(2, "FN"))).toBeCloseTo(0);
    const rgb = [0, 0, 0];
    tf.color.getColor(errorCode(1, "TP"), rgb);
    expect(rgb).toEqual(labelColor(display, "errors", errorCode(1, "TP")));
    tf.delete();
  });
});

describe("panel in errors mode", () => {
  it("shows TP/FP/FN swatches per class, the compare control and the metrics as text", () => {
    const model = new FakeModel({
      compare: "errors",
      label_names: { "1": "<b>liver</b>" },
      _metrics: [
        {
          class: 1,
          name: "<b>liver</b>",
          dice: 0.8123,
          hd95_mm: 3.5,
          label_ml: 12.5,
          prediction_ml: 11,
          tp_voxels: 10,
          fp_voxels: 2,
          fn_voxels: 3,
        },
        { class: 2, name: "", dice: 0, hd95_mm: null, label_ml: 0, prediction_ml: 1 },
      ],
    });
    panel = new Panel(model);
    panel.setContext({
      imageRange: [0, 1],
      hasOverlay: true,
      sliceCount: 0,
      labelMaps: [
        { role: "label", ids: [0, 1] },
        { role: "prediction", ids: [0, 1, 2] },
      ],
    });
    const rows = [...panel.element.querySelectorAll(".nbviewer3d-legend-row")];
    expect(rows.map((r) => r.textContent)).toEqual(["1 <b>liver</b>", "2"]);
    const swatches = [...(rows[0]?.querySelectorAll<HTMLElement>(".nbviewer3d-swatch") ?? [])];
    expect(swatches.map((s) => s.title.split(" colour")[0])).toEqual([
      "true positive",
      "false positive",
      "false negative",
    ]);
    const heading = panel.element.querySelector(".nbviewer3d-legend-heading") as HTMLElement;
    expect(heading.hidden).toBe(false);
    const compare = panel.element.querySelector('[data-control="compare"]') as HTMLSelectElement;
    expect(compare.value).toBe("errors");
    expect(compare.disabled).toBe(false);
    const cells = [...panel.element.querySelectorAll(".nbviewer3d-metrics tr[data-class-id]")].map(
      (tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent),
    );
    expect(cells).toEqual([
      ["1 <b>liver</b>", "0.812", "3.5", "12.5", "11"],
      ["2", "0.000", "–", "0", "1"],
    ]);
    expect(panel.element.querySelector(".nbviewer3d-metrics b")).toBeNull();
    compare.value = "overlay";
    compare.dispatchEvent(new Event("change"));
    expect(model.get("compare")).toBe("overlay");
    const after = panel.element.querySelector(".nbviewer3d-legend-heading") as HTMLElement;
    expect(after.hidden).toBe(true);
    expect(
      panel.element.querySelectorAll(".nbviewer3d-legend-row .nbviewer3d-swatch"),
    ).toHaveLength(4); // label and prediction colours of classes 1 and 2
    model.pythonSets("_metrics", []);
    expect((panel.element.querySelector(".nbviewer3d-metrics") as HTMLElement).hidden).toBe(true);
  });

  it("disables compare without both a label and a prediction", () => {
    const model = new FakeModel();
    panel = new Panel(model);
    panel.setContext({
      imageRange: [0, 1],
      hasOverlay: true,
      sliceCount: 0,
      labelMaps: [{ role: "label", ids: [0, 1] }],
    });
    const compare = panel.element.querySelector('[data-control="compare"]') as HTMLSelectElement;
    expect(compare.disabled).toBe(true);
  });
});
