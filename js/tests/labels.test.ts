import vtkRenderer from "@kitware/vtk.js/Rendering/Core/Renderer";
import { describe, expect, it } from "vitest";
import {
  LabelTransferFunctions,
  labelColor,
  liveLabelTransferFunctions,
  sliceContour,
} from "../src/labels";
import { type Display, readDisplay } from "../src/model";
import {
  hexColor,
  LABEL_PALETTE,
  oklabDistance,
  oklabToRgb,
  PREDICTION_PALETTE,
  parseHexColor,
  rgbToOklab,
} from "../src/palette";
import { decodeVolume } from "../src/payload";
import { sliceValues } from "../src/view/contour";
import { sceneVolumes } from "../src/view/scene";
import { SliceScene } from "../src/view/slices";
import { VolumeScene } from "../src/view/volume";
import { FakeModel } from "./fake-model";
import { meta } from "./helpers";

function display(overrides: Record<string, unknown> = {}): Display {
  return readDisplay(new FakeModel(overrides));
}

function minPairwise(colors: [number, number, number][]): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < colors.length; i++) {
    for (let j = i + 1; j < colors.length; j++) {
      min = Math.min(min, oklabDistance(colors[i] as never, colors[j] as never));
    }
  }
  return min;
}

describe("palette", () => {
  const ids = Array.from({ length: 116 }, (_, i) => i + 1);

  it("gives 116 ids colours at least 0.055 apart in OKLab (measured: 0.061)", () => {
    // 0.02 in OKLab is about one just-noticeable difference: 0.055 is close to three.
    const colors = ids.map((id) => LABEL_PALETTE.color(id));
    expect(minPairwise(colors)).toBeGreaterThan(0.055);
    expect(new Set(colors.map(hexColor)).size).toBe(116);
  });

  it("keeps the generated colours away from greys and from black", () => {
    for (const id of ids.slice(10)) {
      const [L, a, b] = rgbToOklab(LABEL_PALETTE.color(id));
      expect(Math.hypot(a, b)).toBeGreaterThan(0.08);
      expect(L).toBeGreaterThan(0.45);
    }
  });

  it("is prefix-stable: an id's colour does not depend on how many ids there are", () => {
    const first = LABEL_PALETTE.color(37);
    LABEL_PALETTE.color(400);
    expect(LABEL_PALETTE.color(37)).toEqual(first);
  });

  it("gives the prediction a colour far from the label's for the first classes", () => {
    for (const id of ids.slice(0, 8)) {
      expect(oklabDistance(LABEL_PALETTE.color(id), PREDICTION_PALETTE.color(id))).toBeGreaterThan(
        0.15,
      );
    }
  });

  it("converts OKLab both ways and reads #rrggbb", () => {
    const rgb: [number, number, number] = [0.2, 0.6, 0.9];
    const [L, a, b] = rgbToOklab(rgb);
    const back = oklabToRgb(L, a, b) as number[];
    back.forEach((c, i) => {
      expect(c).toBeCloseTo(rgb[i] as number, 5);
    });
    expect(parseHexColor("#ff8000")).toEqual([1, 128 / 255, 0]);
    expect(parseHexColor("red")).toBeNull();
    expect(hexColor([1, 0.5, 0])).toBe("#ff8000");
  });
});

describe("label transfer functions", () => {
  it("colour each id from label_colors or the palette; hidden ids are transparent", () => {
    const tf = new LabelTransferFunctions();
    const d = display({ label_colors: { "2": "#00ff00" }, hidden_labels: [3] });
    tf.update("label", [0, 1, 2, 3], d, 0.8);
    const rgb = [0, 0, 0];
    tf.color.getColor(2, rgb);
    expect(rgb).toEqual([0, 1, 0]);
    tf.color.getColor(1, rgb);
    expect(rgb.map((c) => Math.round(c * 100) / 100)).toEqual(
      LABEL_PALETTE.color(1).map((c) => Math.round(c * 100) / 100),
    );
    const opacity = (x: number) => {
      const table = new Float32Array(1);
      tf.opacity.getTable(x, x, 1, table, 1);
      return table[0];
    };
    expect(opacity(0)).toBe(0);
    expect(opacity(1)).toBeCloseTo(0.8);
    expect(opacity(2)).toBeCloseTo(0.8);
    expect(opacity(3)).toBe(0);
    tf.delete();
  });

  it("apply label_colors to the label only: the prediction keeps its palette", () => {
    const d = display({ label_colors: { "1": "#123456" } });
    expect(hexColor(labelColor(d, "label", 1))).toBe("#123456");
    expect(labelColor(d, "prediction", 1)).toEqual(PREDICTION_PALETTE.color(1));
  });

  it("reads names, colours, hidden ids and the overlay style from the model", () => {
    const d = display({
      label_names: { "1": "liver", x: "bad" },
      label_colors: { "2": "#ff0000", "3": "red" },
      hidden_labels: [4, "5"],
      overlay_style: "contour",
    });
    expect([...d.labelNames]).toEqual([[1, "liver"]]);
    expect([...d.labelColors]).toEqual([[2, [1, 0, 0]]]);
    expect([...d.hiddenLabels]).toEqual([4]);
    expect(d.overlayStyle).toBe("contour");
    expect(display().overlayStyle).toBe("fill");
  });
});

describe("slice contour", () => {
  it("marks the sides of each class that face another id, inside the class", () => {
    // 4 x 3 slice (x fastest):   0 1 1 0
    //                            0 1 2 2
    //                            0 0 2 2
    const ids = [0, 1, 1, 0, 0, 1, 2, 2, 0, 0, 2, 2];
    expect(Array.from(sliceContour(ids, 4, 3, 1))).toEqual([0, 1, 1, 0, 0, 1, 2, 2, 0, 0, 2, 2]);
    const fine = sliceContour(ids, 4, 3, 2);
    const rows = Array.from({ length: 6 }, (_, y) => Array.from(fine.slice(8 * y, 8 * y + 8)));
    expect(rows).toEqual([
      [0, 0, 1, 1, 1, 1, 0, 0],
      [0, 0, 1, 0, 1, 1, 0, 0], // (2, 0) faces 0 on its right, 2 above: all 4 sub-pixels
      [0, 0, 1, 1, 2, 2, 2, 2],
      [0, 0, 1, 1, 2, 0, 0, 2],
      [0, 0, 0, 0, 2, 0, 0, 2],
      [0, 0, 0, 0, 2, 2, 2, 2],
    ]);
  });

  it("draws nothing inside a class, only its rim", () => {
    const ids = new Array(25).fill(3);
    const out = sliceContour(ids, 5, 5, 1);
    expect(out[12]).toBe(0);
    expect(Array.from(out).filter((v) => v === 3)).toHaveLength(16);
  });

  it("takes slices along each axis, first in-plane axis fastest", () => {
    // dims x=2, y=3, z=4; value = x + 10 y + 100 z
    const values = Array.from(
      { length: 24 },
      (_, i) => (i % 2) + 10 * (Math.floor(i / 2) % 3) + 100 * Math.floor(i / 6),
    );
    expect(Array.from(sliceValues(values, [2, 3, 4], 2, 1).ids)).toEqual([
      100, 101, 110, 111, 120, 121,
    ]);
    const coronal = sliceValues(values, [2, 3, 4], 1, 2);
    expect([coronal.width, coronal.height]).toEqual([2, 4]);
    expect(Array.from(coronal.ids)).toEqual([20, 21, 120, 121, 220, 221, 320, 321]);
    const sagittal = sliceValues(values, [2, 3, 4], 0, 1);
    expect(Array.from(sagittal.ids).slice(0, 4)).toEqual([1, 11, 21, 101]);
  });
});

describe("transfer functions are freed", () => {
  async function step() {
    const shape: [number, number, number] = [2, 3, 4];
    const image = await decodeVolume(meta({ shape }), new Float32Array(24));
    const label = await decodeVolume(
      meta({ role: "label", dtype: "uint8", nbytes: 24, labels: [1, 2], range: [0, 2], shape }),
      new Uint8Array(24).fill(1),
    );
    const prediction = await decodeVolume(
      meta({ role: "prediction", dtype: "uint8", nbytes: 24, labels: [1], range: [0, 1], shape }),
      new Uint8Array(24),
    );
    return sceneVolumes(
      new Map([
        ["image", image],
        ["label", label],
        ["prediction", prediction],
      ] as const),
    );
  }

  it("across steps and display changes, and all of them on dispose", async () => {
    const before = liveLabelTransferFunctions();
    const renderer = vtkRenderer.newInstance();
    const volume = new VolumeScene(renderer);
    const slices = new SliceScene(renderer, "axial");
    for (let i = 0; i < 5; i++) {
      const volumes = await step();
      const d = display({ overlay_style: i % 2 ? "contour" : "fill", hidden_labels: [i] });
      volume.setVolumes(volumes);
      volume.setDisplay(d);
      slices.setVolumes(volumes);
      slices.setDisplay(d);
      // two label maps: two in the volume scene, two in the slice scene
      expect(liveLabelTransferFunctions() - before).toBe(4);
    }
    volume.dispose();
    slices.dispose();
    expect(liveLabelTransferFunctions()).toBe(before);
    renderer.delete();
  });
});
