// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { Panel } from "../src/panel/panel";
import { FakeModel } from "./fake-model";
import { meta } from "./helpers";

function control<E extends HTMLElement>(panel: Panel, name: string): E {
  return panel.element.querySelector(`[data-control="${name}"]`) as E;
}

function input(
  element: HTMLInputElement | HTMLSelectElement,
  value: string,
  event = "input",
): void {
  element.value = value;
  element.dispatchEvent(new Event(event));
}

let panel: Panel | null = null;
afterEach(() => panel?.dispose());

describe("panel <-> model", () => {
  it("sets and saves a trait when a control moves", () => {
    const model = new FakeModel();
    panel = new Panel(model);
    input(control<HTMLInputElement>(panel, "label_blend"), "0.8");
    expect(model.get("label_blend")).toBe(0.8);
    input(control<HTMLSelectElement>(panel, "cmap"), "viridis", "change");
    expect(model.get("cmap")).toBe("viridis");
    expect(model.saves).toBe(2);
  });

  it("moves the controls when Python changes a trait", () => {
    const model = new FakeModel();
    panel = new Panel(model);
    model.pythonSets("sample_distance", 0.6);
    model.pythonSets("view_mode", "coronal");
    model.pythonSets("label_visible", false);
    expect(control<HTMLInputElement>(panel, "sample_distance").value).toBe("0.6");
    expect(control<HTMLSelectElement>(panel, "view_mode").value).toBe("coronal");
    expect(control<HTMLInputElement>(panel, "label_visible").checked).toBe(false);
  });

  it("walks the sorted step values, not their indices", () => {
    const model = new FakeModel({ steps: [0, 100, 250], step: 0, _versions: {} });
    panel = new Panel(model);
    const slider = control<HTMLInputElement>(panel, "step");
    expect(slider.max).toBe("2");
    input(slider, "2", "change");
    expect(model.get("step")).toBe(250);
    model.pythonSets("step", 100);
    expect(slider.value).toBe("1");
    expect(panel.element.textContent).toContain("100");
  });

  it("disables label controls when the step has no label map", () => {
    const model = new FakeModel();
    panel = new Panel(model);
    panel.setContext({ imageRange: [0, 1], hasOverlay: false, sliceCount: 0 });
    expect(control<HTMLInputElement>(panel, "label_blend").disabled).toBe(true);
    expect(control<HTMLInputElement>(panel, "label_visible").disabled).toBe(true);
    panel.setContext({ imageRange: [0, 1], hasOverlay: true, sliceCount: 0 });
    expect(control<HTMLInputElement>(panel, "label_blend").disabled).toBe(false);
  });

  it("shows the slice slider only in single 2D modes, moving the cursor along that axis", () => {
    const model = new FakeModel({ view_mode: "axial", cursor: [5, 7, 19] });
    panel = new Panel(model);
    panel.setContext({ imageRange: [0, 1], hasOverlay: true, sliceCount: 40, sliceAxis: 2 });
    const slider = control<HTMLInputElement>(panel, "cursor");
    expect((slider.parentElement as HTMLElement).hidden).toBe(false);
    expect(slider.max).toBe("39");
    expect(slider.value).toBe("19");
    input(slider, "30", "input");
    expect(model.get("cursor")).toEqual([5, 7, 30]);
    model.pythonSets("view_mode", "quad");
    expect((slider.parentElement as HTMLElement).hidden).toBe(true);
    model.pythonSets("view_mode", "volume");
    expect((slider.parentElement as HTMLElement).hidden).toBe(true);
  });

  it("keeps vmin below vmax", () => {
    const model = new FakeModel({ vmin: 0, vmax: 10 });
    panel = new Panel(model);
    input(control<HTMLInputElement>(panel, "vmin"), "20", "change");
    expect(model.get("vmin")).toBe(0);
    expect(control<HTMLInputElement>(panel, "vmin").value).toBe("0");
    input(control<HTMLInputElement>(panel, "vmin"), "2", "change");
    expect(model.get("vmin")).toBe(2);
  });

  it("stops listening after dispose", () => {
    const model = new FakeModel();
    const p = new Panel(model);
    const before = model.listenerCount();
    expect(before).toBeGreaterThan(0);
    p.dispose();
    expect(model.listenerCount()).toBe(0);
    model.pythonSets("cmap", "magma");
    expect(control<HTMLSelectElement>(p, "cmap").value).toBe("Grayscale");
  });
});

describe("preset menu and transfer-function editor", () => {
  const image = {
    meta: meta({ range: [-1000, 1000] }),
    values: new Float32Array([-1000, -990, 0, 40, 300, 1000]),
    grid: { dims: [1, 1, 6], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [] },
    fill: null,
  } as never;

  function pointer(target: HTMLElement, type: string, x: number, y: number): void {
    target.dispatchEvent(
      new PointerEvent(type, { clientX: x, clientY: y, pointerId: 1, bubbles: true }),
    );
  }

  it("sets the preset trait from the menu, shown in volume mode only", () => {
    const model = new FakeModel({ preset: "ct-soft-tissue" });
    panel = new Panel(model);
    panel.setContext({ imageRange: [-1000, 1000], hasOverlay: false, sliceCount: 0, image });
    const menu = control<HTMLSelectElement>(panel, "preset");
    expect(menu.value).toBe("ct-soft-tissue");
    input(menu, "ct-bone", "change");
    expect(model.get("preset")).toBe("ct-bone");
    model.pythonSets("view_mode", "axial");
    expect((menu.parentElement as HTMLElement).hidden).toBe(true);
    expect((control<HTMLCanvasElement>(panel, "opacity").parentElement as HTMLElement).hidden).toBe(
      true,
    );
    // quad has a 3D pane and slice panes: the 3D controls and the overlay style both show
    model.pythonSets("view_mode", "quad");
    expect((menu.parentElement as HTMLElement).hidden).toBe(false);
    const style = control<HTMLSelectElement>(panel, "overlay_style");
    expect((style.parentElement as HTMLElement).hidden).toBe(false);
  });

  it("drags an opacity point, saving the opacity trait on release; reset clears it", () => {
    // generic over the window [0, 100]: points (0, 0), (50, 0), (80, 0.15) and (100, 0.5)
    const model = new FakeModel({ preset: "generic", vmin: 0, vmax: 100 });
    panel = new Panel(model);
    panel.setContext({ imageRange: [-1000, 1000], hasOverlay: false, sliceCount: 0, image });
    const canvas = control<HTMLCanvasElement>(panel, "opacity");
    // canvas 240 x 70 with 4 px pad: value 100 sits at x = 4 + 0.55 * 232, opacity 0.5 at y = 66 - 0.5 * 62
    const x = 4 + 0.55 * 232;
    const y = 66 - 0.5 * 62;
    pointer(canvas, "pointerdown", x, y);
    pointer(canvas, "pointermove", x + 23.2, 4);
    const saves = model.saves;
    pointer(canvas, "pointerup", x + 23.2, 4);
    expect(model.saves).toBe(saves + 1);
    const points = model.get("opacity") as [number, number][];
    expect(points).toHaveLength(4);
    expect(points[0]).toEqual([0, 0]);
    expect(points[3]?.[0]).toBeCloseTo(300);
    expect(points[3]?.[1]).toBeCloseTo(1);
    control<HTMLButtonElement>(panel, "opacity-reset").click();
    expect(model.get("opacity")).toBeNull();
  });

  it("adds a point on double-click", () => {
    const model = new FakeModel({ preset: "generic", vmin: 0, vmax: 100 });
    panel = new Panel(model);
    panel.setContext({ imageRange: [-1000, 1000], hasOverlay: false, sliceCount: 0, image });
    const canvas = control<HTMLCanvasElement>(panel, "opacity");
    canvas.dispatchEvent(
      new MouseEvent("dblclick", { clientX: 4 + 0.25 * 232, clientY: 66 - 0.1 * 62 }),
    );
    const points = model.get("opacity") as [number, number][];
    expect(points).toHaveLength(5);
    expect(points[0]?.[0]).toBeCloseTo(-500);
    expect(points[0]?.[1]).toBeCloseTo(0.1);
  });

  it("frees the editor's pointer handlers on dispose", () => {
    const model = new FakeModel({ preset: "generic", vmin: 0, vmax: 100 });
    const p = new Panel(model);
    p.setContext({ imageRange: [-1000, 1000], hasOverlay: false, sliceCount: 0, image });
    const canvas = control<HTMLCanvasElement>(p, "opacity");
    p.dispose();
    canvas.dispatchEvent(new MouseEvent("dblclick", { clientX: 120, clientY: 30 }));
    expect(model.get("opacity")).toBeUndefined();
  });
});
