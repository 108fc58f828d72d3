import { describe, expect, it } from "vitest";
import table from "../../nbviewer3d/presets.json";
import { PRESET_NAMES, PRESETS, parsePresets, transferFunction } from "../src/presets";

describe("presets.json", () => {
  it("offers the presets the issue asks for, in the file's order", () => {
    expect(PRESET_NAMES).toEqual(Object.keys(table));
    for (const name of ["ct-soft-tissue", "ct-bone", "ct-lung", "mr-default", "generic"]) {
      expect(PRESET_NAMES).toContain(name);
    }
  });

  it("keeps every curve in value order with opacities in 0..1", () => {
    for (const [name, preset] of PRESETS) {
      const xs = preset.opacity.map((p) => p[0]);
      expect(xs, name).toEqual([...xs].sort((a, b) => a - b));
      expect(
        preset.opacity.every(([, a]) => a >= 0 && a <= 1),
        name,
      ).toBe(true);
    }
  });

  it("makes air transparent in every CT preset and dark background in mr-default", () => {
    for (const name of PRESET_NAMES.filter((n) => n.startsWith("ct-"))) {
      const tf = transferFunction({
        preset: name,
        window: [-1000, 1000],
        defaultLevel: 0,
        opacity: null,
      });
      const air = tf.opacity.filter(([x]) => x <= -950);
      expect(air.length, name).toBeGreaterThan(0);
      expect(
        air.every(([, a]) => a === 0),
        name,
      ).toBe(true);
    }
    const mr = transferFunction({
      preset: "mr-default",
      window: [0, 500],
      defaultLevel: null,
      opacity: null,
    });
    expect(mr.opacity[0]).toEqual([0, 0]);
    expect(mr.opacity[1]?.[1]).toBe(0);
  });

  it("rejects malformed tables with a sentence naming the preset", () => {
    expect(() =>
      parsePresets({
        generic: {
          units: "mm",
          opacity: [
            [0, 0],
            [1, 1],
          ],
        },
      }),
    ).toThrow(/generic: units/);
    expect(() =>
      parsePresets({ generic: { units: "window", color: "cmap", opacity: [[0, 0]] } }),
    ).toThrow(/generic.opacity/);
    expect(() =>
      parsePresets({
        bone: {
          units: "HU",
          color: "cmap",
          opacity: [
            [0, 0],
            [1, 1],
          ],
        },
      }),
    ).toThrow(/include generic/);
    expect(() =>
      parsePresets({
        generic: {
          units: "window",
          color: "cmap",
          opacity: [
            [0, 0],
            [1, 1],
          ],
          units_per_diagonal: 0,
        },
      }),
    ).toThrow(/units_per_diagonal/);
  });
});

describe("transferFunction", () => {
  it("places HU presets at their table values at the default level", () => {
    const tf = transferFunction({
      preset: "ct-bone",
      window: [-500, 700],
      defaultLevel: 100,
      opacity: null,
    });
    expect(tf.opacity).toEqual(PRESETS.get("ct-bone")?.opacity);
    expect(tf.color).toEqual(PRESETS.get("ct-bone")?.color);
  });

  it("shifts HU presets by as much as the window centre moved", () => {
    const tf = transferFunction({
      preset: "ct-bone",
      window: [-300, 900],
      defaultLevel: 100,
      opacity: null,
    });
    const table = PRESETS.get("ct-bone")?.opacity ?? [];
    expect(tf.opacity).toEqual(table.map(([x, a]) => [x + 200, a]));
  });

  it("spreads window presets over vmin..vmax with the colormap's colour", () => {
    const tf = transferFunction({
      preset: "generic",
      window: [10, 30],
      defaultLevel: 20,
      opacity: null,
    });
    // generic: (0, 0), (0.5, 0), (0.8, 0.15), (1, 0.5) of the window
    const expected = [
      [10, 0],
      [20, 0],
      [26, 0.15],
      [30, 0.5],
    ];
    expect(tf.opacity).toHaveLength(expected.length);
    tf.opacity.forEach(([x, a], i) => {
      expect(x).toBeCloseTo(expected[i]?.[0] as number);
      expect(a).toBeCloseTo(expected[i]?.[1] as number);
    });
    expect(tf.color).toBeNull();
    expect(tf.gradientSpan).toBe(20);
    expect(tf.unitsPerDiagonal).toBe(25);
    // MR surfaces: opacity per 1/100 of the diagonal, so the skin turns solid within mm
    expect(PRESETS.get("mr-default")?.unitsPerDiagonal).toBe(100);
  });

  it("uses the opacity trait's points as given, sorted, in place of the preset's", () => {
    const tf = transferFunction({
      preset: "ct-soft-tissue",
      window: [0, 1],
      defaultLevel: 5,
      opacity: [
        [300, 0.8],
        [-200, 0],
      ],
    });
    expect(tf.opacity).toEqual([
      [-200, 0],
      [300, 0.8],
    ]);
  });

  it("falls back on generic for a name it does not know (or none yet)", () => {
    const none = transferFunction({
      preset: null,
      window: [0, 1],
      defaultLevel: null,
      opacity: null,
    });
    const odd = transferFunction({
      preset: "nope",
      window: [0, 1],
      defaultLevel: null,
      opacity: null,
    });
    const generic = transferFunction({
      preset: "generic",
      window: [0, 1],
      defaultLevel: null,
      opacity: null,
    });
    expect(none).toEqual(generic);
    expect(odd).toEqual(generic);
  });
});
