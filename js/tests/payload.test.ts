import { describe, expect, it } from "vitest";
import { bytesOf, decodeVolume, type Grid, gridOf, typedArray } from "../src/payload";
import { ProtocolError, parseKernelMessage, type VolumeMeta } from "../src/protocol";
import { meta, zlib } from "./helpers";

describe("typed arrays from wire buffers", () => {
  it("views an aligned DataView without copying and honours its byteOffset", () => {
    const buffer = new ArrayBuffer(16);
    new Float32Array(buffer).set([9, 1.5, -2, 3]);
    const view = new DataView(buffer, 4, 12);
    const values = typedArray("float32", bytesOf(view));
    expect([...values]).toEqual([1.5, -2, 3]);
    expect(values.buffer).toBe(buffer);
    expect(values.byteOffset).toBe(4);
  });

  it("copies a misaligned DataView and keeps its values", () => {
    const buffer = new ArrayBuffer(9);
    const bytes = new Uint8Array(buffer);
    const source = new Int16Array([300, -7, 1234, -32768]);
    bytes.set(new Uint8Array(source.buffer), 1);
    const values = typedArray("int16", bytesOf(new DataView(buffer, 1, 8)));
    expect([...values]).toEqual([300, -7, 1234, -32768]);
    expect(values.buffer).not.toBe(buffer);
  });

  it("accepts a plain ArrayBuffer", () => {
    const values = typedArray("uint16", bytesOf(new Uint16Array([1, 65535]).buffer));
    expect([...values]).toEqual([1, 65535]);
  });

  it("rejects a byte count that is not a whole number of voxels", () => {
    expect(() => typedArray("float32", new Uint8Array(6))).toThrow(/multiple of 4 bytes/);
  });
});

/** Where the wire puts element (a0, a1, a2): origin + D @ (spacing * a), D row-major. */
function wireWorld(m: VolumeMeta, a: number[]): number[] {
  const steps = a.map((v, axis) => v * (m.spacing[axis] as number));
  return [0, 1, 2].map(
    (row) =>
      (m.origin[row] as number) +
      steps.reduce((sum, s, col) => sum + (m.direction[3 * row + col] as number) * s, 0),
  );
}

/** Where vtkImageData puts index (i, j, k): origin + D @ (spacing * ijk), D column-major. */
function vtkWorld(grid: Grid, ijk: number[]): number[] {
  const steps = ijk.map((v, axis) => v * (grid.spacing[axis] as number));
  return [0, 1, 2].map(
    (row) =>
      (grid.origin[row] as number) +
      steps.reduce((sum, s, col) => sum + (grid.direction[3 * col + row] as number) * s, 0),
  );
}

describe("geometry", () => {
  it("reads the C-order shape with its last axis fastest: vtk dims and spacing reversed", () => {
    const grid = gridOf(meta({ shape: [5, 6, 7], spacing: [0.5, 0.7, 2.5], origin: [1, 2, 3] }));
    expect(grid.dims).toEqual([7, 6, 5]);
    expect(grid.spacing).toEqual([2.5, 0.7, 0.5]);
    expect(grid.origin).toEqual([1, 2, 3]);
  });

  it("gives vtk axis a the direction of wire axis 2 - a, column-major", () => {
    // wire columns: axis 0 -> (0, 1, 0), axis 1 -> (-1, 0, 0), axis 2 -> (0, 0, 1)
    const grid = gridOf(meta({ direction: [0, -1, 0, 1, 0, 0, 0, 0, 1] }));
    expect(grid.direction.slice(0, 3)).toEqual([0, 0, 1]);
    expect(grid.direction.slice(3, 6)).toEqual([-1, 0, 0]);
    expect(grid.direction.slice(6, 9)).toEqual([0, 1, 0]);
  });

  it("puts every wire element at the RAS point the wire contract gives it", () => {
    const c = Math.SQRT1_2;
    const m = meta({
      shape: [4, 5, 6],
      spacing: [0.5, 0.8, 2.5],
      origin: [-10, 20, 30],
      // an oblique, mirrored frame: columns (c, c, 0), (0, 0, -1), (c, -c, 0)
      direction: [c, 0, c, c, 0, -c, 0, -1, 0],
    });
    const grid = gridOf(m);
    // the element at flat offset a0 * 30 + a1 * 6 + a2 is vtk index (a2, a1, a0)
    for (const a of [
      [0, 0, 0],
      [3, 4, 5],
      [1, 2, 3],
      [2, 0, 4],
    ]) {
      const [a0, a1, a2] = a as [number, number, number];
      const ijk = [a2, a1, a0];
      const flat = a2 + grid.dims[0] * (a1 + grid.dims[1] * a0);
      expect(flat).toBe(a0 * 30 + a1 * 6 + a2);
      const expected = wireWorld(m, a);
      const actual = vtkWorld(grid, ijk);
      for (const i of [0, 1, 2]) expect(actual[i]).toBeCloseTo(expected[i] as number, 9);
    }
  });
});

describe("decodeVolume", () => {
  it("inflates a deflate (zlib) stream", async () => {
    const labels = new Uint8Array(24).map((_, i) => i % 3);
    const m = meta({
      role: "label",
      dtype: "uint8",
      encoding: "deflate",
      nbytes: 24,
      labels: [0, 1, 2],
    });
    const volume = await decodeVolume(m, new DataView(zlib(labels).buffer));
    expect([...volume.values]).toEqual([...labels]);
  });

  it("names the role when a deflate stream is corrupt", async () => {
    const m = meta({ role: "label", dtype: "uint8", encoding: "deflate", nbytes: 24 });
    await expect(decodeVolume(m, new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(/label voxels/);
  });

  it("replaces NaN and Inf by a value below the finite range", async () => {
    const values = new Float32Array(24).fill(0.5);
    values[3] = Number.NaN;
    values[7] = Number.POSITIVE_INFINITY;
    values[8] = Number.NEGATIVE_INFINITY;
    const volume = await decodeVolume(meta({ range: [-1, 3], nonfinite: 3 }), values);
    expect(volume.fill).not.toBeNull();
    expect(volume.fill as number).toBeLessThan(-1);
    expect(volume.values[3]).toBe(volume.fill);
    expect(volume.values[7]).toBe(volume.fill);
    expect(volume.values[8]).toBe(volume.fill);
    expect(volume.values[0]).toBe(0.5);
    expect([...volume.values].every(Number.isFinite)).toBe(true);
  });

  it("turns floats that travelled as 16-bit integers back into their exact values", async () => {
    const wire = new Int16Array(24).map((_, i) => i * 7 - 80);
    const m = meta({ dtype: "int16", nbytes: 48, scale: 0.25, range: [-20, 20.25] });
    const volume = await decodeVolume(m, new DataView(wire.buffer));
    expect(volume.values).toBeInstanceOf(Float32Array);
    expect(volume.meta.dtype).toBe("float32");
    expect([...volume.values]).toEqual([...wire].map((q) => q / 4));
  });

  it("rejects a scale that is not positive", () => {
    expect(() =>
      parseKernelMessage({ type: "volumes", step: 0, version: 0, volumes: [meta({ scale: 0 })] }),
    ).toThrow(/scale must be positive/);
  });

  it("leaves finite float volumes alone", async () => {
    const volume = await decodeVolume(meta(), new Float32Array(24).fill(2));
    expect(volume.fill).toBeNull();
  });

  it("rejects a buffer whose size disagrees with nbytes", async () => {
    await expect(decodeVolume(meta(), new Float32Array(10))).rejects.toThrow(/holds 40 bytes/);
  });
});

describe("kernel messages", () => {
  it("parses a volumes message", () => {
    const message = parseKernelMessage({ type: "volumes", step: 3, version: 1, volumes: [meta()] });
    expect(message?.type).toBe("volumes");
  });

  it("explains a bad dtype", () => {
    expect(() =>
      parseKernelMessage({
        type: "volumes",
        step: 0,
        version: 0,
        volumes: [{ ...meta(), dtype: "float64" }],
      }),
    ).toThrow(/dtype must be one of uint8, int8, uint16, int16, float32/);
  });

  it("explains nbytes that do not match the shape", () => {
    expect(() =>
      parseKernelMessage({
        type: "volumes",
        step: 0,
        version: 0,
        volumes: [{ ...meta(), nbytes: 5 }],
      }),
    ).toThrow(ProtocolError);
  });

  it("ignores messages meant for someone else", () => {
    expect(parseKernelMessage({ type: "other" })).toBeNull();
    expect(parseKernelMessage("hello")).toBeNull();
  });
});
