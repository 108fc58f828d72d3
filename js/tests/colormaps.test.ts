import vtkColorTransferFunction from "@kitware/vtk.js/Rendering/Core/ColorTransferFunction";
import { describe, expect, it } from "vitest";
import names from "../../nbviewer3d/colormaps.json";
import { applyColormap, COLORMAP_NAMES, colormapPoints, DEFAULT_COLORMAP } from "../src/colormaps";

describe("colormaps", () => {
  it("offers exactly the names in nbviewer3d/colormaps.json, Grayscale among them", () => {
    expect(COLORMAP_NAMES).toEqual(names);
    expect(names).toContain(DEFAULT_COLORMAP);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(names)("resolves %s to a vtk preset with RGB points", (name) => {
    const points = colormapPoints(name);
    expect(points).not.toBeNull();
    expect((points as number[]).length % 4).toBe(0);
    expect((points as number[]).length).toBeGreaterThanOrEqual(8);
  });

  it("knows no names outside the list", () => {
    expect(colormapPoints("Jet2000")).toBeNull();
  });

  it("spreads a preset over [vmin, vmax]", () => {
    const ctf = vtkColorTransferFunction.newInstance();
    applyColormap(ctf, "Grayscale", -100, 300);
    expect(ctf.getRange()).toEqual([-100, 300]);
    const dark = [1, 1, 1];
    const light = [0, 0, 0];
    ctf.getColor(-100, dark);
    ctf.getColor(300, light);
    expect(dark[0]).toBeLessThan(0.1);
    expect(light[0]).toBeGreaterThan(0.9);
  });

  it("gives viridis its purple-to-yellow ends", () => {
    const ctf = vtkColorTransferFunction.newInstance();
    applyColormap(ctf, "viridis", 0, 1);
    const low = [0, 0, 0];
    const high = [0, 0, 0];
    ctf.getColor(0, low);
    ctf.getColor(1, high);
    expect(low[2]).toBeGreaterThan(low[1] as number); // blue over green: purple
    expect(high[0]).toBeGreaterThan(0.9); // yellow
    expect(high[1]).toBeGreaterThan(0.85);
  });
});
