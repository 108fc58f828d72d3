// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { type StepVolumes, withChannel } from "../src/cache";
import { colormapPoints } from "../src/colormaps";
import { type Display, readDisplay } from "../src/model";
import { colorAt } from "../src/panel/heatmap-controls";
import { Panel } from "../src/panel/panel";
import { decodeVolume } from "../src/payload";
import { ProtocolError, parseKernelMessage } from "../src/protocol";
import { heatmapOpacityPoints, heatmapRange, overlayWeights } from "../src/view/scene";
import { FakeModel } from "./fake-model";
import { meta } from "./helpers";

function display(traits: Record<string, unknown> = {}): Display {
  return readDisplay(new FakeModel(traits));
}

/** The opacity the piecewise-linear points give at `x`. */
function opacityAt(points: number[][], x: number): number {
  for (let i = 0; i + 1 < points.length; i++) {
    const [x0, a0] = points[i] as [number, number];
    const [x1, a1] = points[i + 1] as [number, number];
    if (x >= x0 && x <= x1) return x1 > x0 ? a0 + ((a1 - a0) * (x - x0)) / (x1 - x0) : a1;
  }
  return Number.NaN;
}

describe("heat map transfer", () => {
  it("is transparent below the threshold and at `opacity` from it on", () => {
    const d = display({ heatmap_threshold: 0.4 });
    const points = heatmapOpacityPoints(d, [0, 1], 0.6);
    expect(opacityAt(points, 0.2)).toBe(0);
    expect(opacityAt(points, 0.399)).toBe(0);
    expect(opacityAt(points, 0.4)).toBeCloseTo(0.6);
    expect(opacityAt(points, 1)).toBeCloseTo(0.6);
  });

  it("ramps from a fraction at the threshold to full at vmax when asked (3D)", () => {
    const points = heatmapOpacityPoints(display({ heatmap_threshold: 0.5 }), [0, 1], 1, 0.1);
    expect(opacityAt(points, 0.5)).toBeCloseTo(0.1);
    expect(opacityAt(points, 0.75)).toBeCloseTo(0.55);
    expect(opacityAt(points, 1)).toBeCloseTo(1);
  });

  it("draws everything without a threshold, nothing above a threshold past the maximum", () => {
    const all = heatmapOpacityPoints(display(), [0, 1], 0.6);
    expect(opacityAt(all, 0)).toBeCloseTo(0.6);
    const none = heatmapOpacityPoints(display({ heatmap_threshold: 2 }), [0, 1], 0.6);
    expect(opacityAt(none, 1)).toBe(0);
  });

  it("takes the range from the traits, else from the map", async () => {
    const heat = await decodeVolume(
      meta({ role: "heatmap", range: [0.1, 0.9] }),
      new Float32Array(24).buffer,
    );
    expect(heatmapRange(display(), heat)).toEqual([0.1, 0.9]);
    expect(heatmapRange(display({ heatmap_vmin: 0, heatmap_vmax: 2 }), heat)).toEqual([0, 2]);
  });

  it("weighs the heat map by its own opacity and visibility, not by the label blend", () => {
    const roles = ["image", "label", "heatmap"] as const;
    expect(overlayWeights(display({ label_blend: 1, heatmap_opacity: 0.3 }), roles)).toEqual([
      0, 1, 0.3,
    ]);
    expect(overlayWeights(display({ heatmap_visible: false }), roles)[2]).toBe(0);
    // an image under a heat map alone stays at full weight
    expect(overlayWeights(display({ label_blend: 1 }), ["image", "heatmap"])[0]).toBe(1);
  });

  it("colour bar colours follow the colormap's points", () => {
    const points = colormapPoints("Grayscale") as number[];
    expect(colorAt(points, 0)).toEqual([0, 0, 0]);
    expect(colorAt(points, 0.5)[0]).toBeCloseTo(0.5);
    expect(colorAt(points, 1)).toEqual([1, 1, 1]);
  });
});

describe("image channels", () => {
  it("accepts one image per channel and refuses a channel twice", () => {
    const volumes = [0, 1, 2].map((channel) => meta({ channel }));
    const message = parseKernelMessage({ type: "volumes", step: 0, version: 0, volumes });
    expect(message?.type).toBe("volumes");
    expect(() =>
      parseKernelMessage({ type: "volumes", step: 0, version: 0, volumes: [meta(), meta()] }),
    ).toThrow(ProtocolError);
  });

  it("puts the chosen channel in the image's place", async () => {
    const channels = await Promise.all(
      [0, 1].map((channel) => decodeVolume(meta({ channel }), new Float32Array(24).buffer)),
    );
    const entry: StepVolumes = {
      step: 0,
      version: 0,
      level: 0,
      preview: false,
      levels: [],
      volumes: new Map([["image", channels[0] as (typeof channels)[number]]]),
      channels,
      bytes: 0,
    };
    expect(withChannel(entry, 0).get("image")).toBe(channels[0]);
    expect(withChannel(entry, 1).get("image")).toBe(channels[1]);
    expect(withChannel(entry, 9).get("image")).toBe(channels[1]);
  });
});

let panel: Panel | null = null;
afterEach(() => panel?.dispose());

describe("panel", () => {
  it("offers the channels by name and saves the one picked", () => {
    const model = new FakeModel({ channel: 0, channel_names: ["T1", "T1ce", "T2", "FLAIR"] });
    panel = new Panel(model);
    panel.setContext({ imageRange: [0, 1], hasOverlay: false, sliceCount: 0, channels: 4 });
    const select = panel.element.querySelector('[data-control="channel"]') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual([
      "0: T1",
      "1: T1ce",
      "2: T2",
      "3: FLAIR",
    ]);
    select.value = "2";
    select.dispatchEvent(new Event("change"));
    expect(model.get("channel")).toBe(2);
  });

  it("shows the heat-map controls only with a heat map, and saves their traits", async () => {
    const model = new FakeModel({ heatmap_threshold: 0.25, heatmap_cmap: "inferno" });
    panel = new Panel(model);
    const box = panel.element.querySelector(".nbviewer3d-heatmap") as HTMLElement;
    expect(box.hidden).toBe(true);
    const heatmap = await decodeVolume(
      meta({ role: "heatmap", range: [1e-20, 1] }), // a Gaussian's tail: shown as 0
      new Float32Array(24).buffer,
    );
    panel.setContext({ imageRange: [0, 1], hasOverlay: false, sliceCount: 0, heatmap });
    expect(box.hidden).toBe(false);
    const cmap = box.querySelector('[data-control="heatmap_cmap"]') as HTMLSelectElement;
    cmap.value = "viridis";
    cmap.dispatchEvent(new Event("change"));
    expect(model.get("heatmap_cmap")).toBe("viridis");
    const threshold = box.querySelector('[data-control="heatmap_threshold"]') as HTMLInputElement;
    threshold.value = "0.5";
    threshold.dispatchEvent(new Event("change"));
    expect(model.get("heatmap_threshold")).toBe(0.5);
    const ticks = [...box.querySelectorAll(".nbviewer3d-colorbar-ticks > span")];
    expect(ticks.map((t) => t.textContent)).toEqual(["0", "0.5", "1"]);
  });
});
