// The line under the view: continuous values (image, heat map) are rounded for reading,
// class ids (label, prediction) are shown exactly with their names.
import { describe, expect, it } from "vitest";
import type { Display } from "../src/model";
import { type DecodedVolume, decodeVolume } from "../src/payload";
import type { Role, VolumeMeta } from "../src/protocol";
import { readCursor, readCursorOnPlanes, readoutText } from "../src/view/readout";
import payloads from "./golden-payloads.json";

interface Golden {
  name: string;
  meta: VolumeMeta;
  buffer: string;
}

async function decoded(name: string): Promise<DecodedVolume> {
  const golden = (payloads as unknown as Golden[]).find((c) => c.name === name);
  if (!golden) throw new Error(`no golden payload ${name}`);
  return decodeVolume(golden.meta, Uint8Array.from(Buffer.from(golden.buffer, "base64")));
}

describe("cursor readout", () => {
  it("rounds the heat map like the image and names class ids", async () => {
    const volumes = new Map<Role, DecodedVolume>([
      ["image", await decoded("float32 HU in quarter steps")],
      ["label", await decoded("uint16 label ids")],
      ["heatmap", await decoded("heat map 0..1")],
    ]);
    const display = { cursor: [0, 0, 0], labelNames: new Map([[0, "background"]]) };
    const readout = readCursor(volumes, display as unknown as Display);
    if (!readout) throw new Error("no readout");
    const text = readoutText(readout);
    expect(text).toContain("image -485.8");
    expect(text).toContain("label 0 background");
    expect(text).toMatch(/heatmap 0\.1536(?!\d)/);
  });
});

describe("cursor readout on full-resolution planes", () => {
  // a 4x4x4 volume held at level 1 (2x2x2, every 2x2x2 block averaged) and its plane
  // along array axis 0 through the cursor, at full resolution
  const base = { shape: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0] } as VolumeMeta["base"];
  function volume(meta: Partial<VolumeMeta>, values: number[], dims: [number, number, number]) {
    return {
      meta: { ...metaOf(), ...meta },
      values: Float32Array.from(values),
      grid: { dims, spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
      fill: null,
    } as DecodedVolume;
  }
  function metaOf(): VolumeMeta {
    return { role: "image", channel: 0, axes: [2, 1, 0], factors: [1, 1, 1], base } as VolumeMeta;
  }

  it("reads the cursor's own voxel where the shown level holds its block's mean", () => {
    const coarse = volume({ factors: [2, 2, 2], shape: [2, 2, 2] }, Array(8).fill(50), [2, 2, 2]);
    // plane x = 3 (array axis 0): voxel (3, j, k) holds 10 * j + k
    const values = Array.from({ length: 16 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4));
    const plane = volume({ shape: [1, 4, 4], origin: [3, 0, 0] }, values, [4, 4, 1]);
    const shown = new Map<Role, DecodedVolume>([["image", coarse]]);
    const display = { cursor: [3, 2, 1], labelNames: new Map() } as unknown as Display;
    expect(readoutText(readCursor(shown, display) as never)).toContain("image 50");
    const exact = readCursorOnPlanes(shown, new Map([[coarse, plane]]), 0, display);
    expect(exact?.cursor).toEqual([3, 2, 1]);
    expect(readoutText(exact as never)).toContain("image 21");
    // a shown volume without its plane: no exact readout
    const label = volume({ role: "label" }, Array(8).fill(0), [2, 2, 2]);
    const both = new Map<Role, DecodedVolume>([...shown, ["label", label]]);
    expect(readCursorOnPlanes(both, new Map([[coarse, plane]]), 0, display)).toBeNull();
  });
});
