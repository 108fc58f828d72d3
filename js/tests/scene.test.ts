import { describe, expect, it } from "vitest";
import { type Display, readDisplay } from "../src/model";
import { decodeVolume } from "../src/payload";
import { overlayWeights, sampleDistanceOf, sceneVolumes } from "../src/view/scene";
import { FakeModel } from "./fake-model";
import { meta } from "./helpers";

function display(overrides: Partial<Display> = {}): Display {
  return { ...readDisplay(new FakeModel()), ...overrides };
}

describe("label blend weights", () => {
  const roles = ["image", "label"] as const;
  it("shows the image only at 0 and the label only at 1", () => {
    expect(overlayWeights(display({ labelBlend: 0 }), roles)).toEqual([1, 0]);
    expect(overlayWeights(display({ labelBlend: 1 }), roles)).toEqual([0, 1]);
    expect(overlayWeights(display({ labelBlend: 0.5 }), roles)).toEqual([1, 1]);
  });

  it("drops the label maps when label_visible is off", () => {
    expect(overlayWeights(display({ labelBlend: 1, labelVisible: false }), roles)).toEqual([1, 0]);
  });

  it("keeps a lone label map visible", () => {
    expect(overlayWeights(display({ labelBlend: 0 }), ["label"])).toEqual([1]);
  });
});

describe("sample distance", () => {
  it("is one voxel of the finest axis at 0.25 and spans 1/2 to 8 voxels", () => {
    expect(sampleDistanceOf(0.25, 0.7)).toBeCloseTo(0.7);
    expect(sampleDistanceOf(0, 2)).toBeCloseTo(1);
    expect(sampleDistanceOf(1, 2)).toBeCloseTo(16);
  });
});

describe("scene volumes", () => {
  it("orders image, label, prediction and leaves out maps on another grid", async () => {
    const image = await decodeVolume(meta(), new Float32Array(24));
    const label = await decodeVolume(
      meta({ role: "label", dtype: "uint8", nbytes: 24 }),
      new Uint8Array(24),
    );
    const moved = await decodeVolume(
      meta({ role: "prediction", dtype: "uint8", nbytes: 24, origin: [5, 0, 0] }),
      new Uint8Array(24),
    );
    const scene = sceneVolumes(
      new Map([
        ["prediction", moved],
        ["label", label],
        ["image", image],
      ]),
    );
    expect(scene.components.map((v) => v.meta.role)).toEqual(["image", "label"]);
    expect(scene.offGrid).toEqual(["prediction"]);
  });
});
