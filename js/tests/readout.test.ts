// The line under the view: continuous values (image, heat map) are rounded for reading,
// class ids (label, prediction) are shown exactly with their names.
import { describe, expect, it } from "vitest";
import type { Display } from "../src/model";
import { type DecodedVolume, decodeVolume } from "../src/payload";
import type { Role, VolumeMeta } from "../src/protocol";
import { readCursor, readoutText } from "../src/view/readout";
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
