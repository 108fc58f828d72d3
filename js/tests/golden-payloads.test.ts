// Payloads encoded by the kernel's real transport (tests/golden_payloads.py writes the file),
// decoded by the front end's decoder: every wire dtype, scaled floats, NaN/Inf, F-ordered,
// strided and odd-shaped arrays, label ids and heat maps come out with their exact values.
import { describe, expect, it } from "vitest";
import { decodeVolume } from "../src/payload";
import { parseKernelMessage, type VolumeMeta } from "../src/protocol";
import payloads from "./golden-payloads.json";

interface Golden {
  name: string;
  meta: VolumeMeta;
  buffer: string;
  expected: { values: number[]; dims: number[]; spacing: number[]; origin: number[] };
}

function bytes(base64: string): Uint8Array {
  return Uint8Array.from(Buffer.from(base64, "base64"));
}

describe("golden payloads from the kernel's transport", () => {
  const cases = payloads as unknown as Golden[];

  it("cover every wire dtype and encoding", () => {
    const dtypes = new Set(cases.map((c) => c.meta.dtype));
    expect([...dtypes].sort()).toEqual(["float32", "int16", "int8", "uint16", "uint8"]);
    expect(new Set(cases.map((c) => c.meta.encoding))).toEqual(new Set(["raw", "deflate"]));
  });

  for (const golden of cases) {
    it(`decodes "${golden.name}" to its exact values and grid`, async () => {
      const message = parseKernelMessage({
        type: "volumes",
        step: 0,
        version: 0,
        volumes: [golden.meta],
      });
      if (message?.type !== "volumes") throw new Error(`not a volumes message: ${message}`);
      const meta = message.volumes[0] as VolumeMeta;
      const decoded = await decodeVolume(meta, bytes(golden.buffer));
      expect(Array.from(decoded.values)).toEqual(golden.expected.values);
      expect(decoded.grid.dims).toEqual(golden.expected.dims);
      expect(decoded.grid.spacing).toEqual(golden.expected.spacing);
      expect(decoded.grid.origin).toEqual(golden.expected.origin);
    });
  }
});
