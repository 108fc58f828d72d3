// The heat map's own controls (heatmap_* traits) and its colour bar: the colormap over
// heatmap_vmin..heatmap_vmax, checkered where values below the threshold are transparent.

import { COLORMAP_NAMES, colormapPoints } from "../colormaps";
import { type ModelLike, readDisplay } from "../model";
import type { DecodedVolume } from "../payload";
import { heatmapRange } from "../view/scene";
import { checkbox, formatNumber, numberInput, range, select, setEnabled } from "./controls";

const BAR_WIDTH = 160;
const BAR_HEIGHT = 12;
const CHECKER = 4;

/** The colormap's colour at t in 0..1, from its [x, r, g, b, ...] points (x in 0..1). */
export function colorAt(points: readonly number[], t: number): [number, number, number] {
  const last = points.length - 4;
  for (let i = 0; i < last; i += 4) {
    const x0 = points[i] as number;
    const x1 = points[i + 4] as number;
    if (t <= x1 || i === last - 4) {
      const f = x1 > x0 ? Math.min(1, Math.max(0, (t - x0) / (x1 - x0))) : 0;
      const mixed = [1, 2, 3].map(
        (k) => (points[i + k] as number) * (1 - f) + (points[i + 4 + k] as number) * f,
      );
      return [mixed[0] as number, mixed[1] as number, mixed[2] as number];
    }
  }
  return [points[1] ?? 0, points[2] ?? 0, points[3] ?? 0];
}

export class HeatmapControls {
  readonly element = document.createElement("div");
  private readonly visible = checkbox("heat map", "heatmap_visible");
  private readonly cmap = select("heat colormap", "heatmap_cmap", COLORMAP_NAMES);
  private readonly vmin = numberInput("heat min", "heatmap_vmin");
  private readonly vmax = numberInput("heat max", "heatmap_vmax");
  private readonly threshold = numberInput("threshold", "heatmap_threshold");
  private readonly opacity = range("heat opacity", "heatmap_opacity", 0, 1, 0.01);
  private readonly bar = document.createElement("canvas");
  private readonly ticks = document.createElement("div");
  private heatmap: DecodedVolume | null = null;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly model: ModelLike) {
    this.element.className = "nbviewer3d-heatmap";
    this.bar.width = BAR_WIDTH;
    this.bar.height = BAR_HEIGHT;
    this.bar.className = "nbviewer3d-colorbar";
    this.bar.setAttribute("role", "img");
    this.bar.dataset.control = "heatmap_colorbar";
    this.ticks.className = "nbviewer3d-colorbar-ticks";
    const barBox = document.createElement("span");
    barBox.className = "nbviewer3d-colorbar-box";
    barBox.append(this.bar, this.ticks);
    this.element.append(
      ...[this.visible, this.cmap, this.vmin, this.vmax, this.threshold, this.opacity].map(
        (c) => c.label,
      ),
      barBox,
    );
    this.listen(this.visible.input, "change", () =>
      this.save({ heatmap_visible: this.visible.input.checked }),
    );
    this.listen(this.cmap.input, "change", () =>
      this.save({ heatmap_cmap: this.cmap.input.value }),
    );
    this.listen(this.opacity.input, "input", () => {
      this.opacity.output.textContent = formatNumber(this.opacity.input.valueAsNumber);
      this.save({ heatmap_opacity: this.opacity.input.valueAsNumber });
    });
    this.listen(this.vmin.input, "change", () => this.saveRange());
    this.listen(this.vmax.input, "change", () => this.saveRange());
    this.listen(this.threshold.input, "change", () => {
      const value = this.threshold.input.valueAsNumber;
      this.save({ heatmap_threshold: Number.isFinite(value) ? value : null });
    });
    this.element.hidden = true;
  }

  setHeatmap(heatmap: DecodedVolume | null): void {
    this.heatmap = heatmap;
    this.sync();
  }

  sync(): void {
    this.element.hidden = this.heatmap === null;
    if (!this.heatmap) return;
    const display = readDisplay(this.model);
    const heat = display.heatmap;
    const [lo, hi] = heatmapRange(display, this.heatmap);
    this.visible.input.checked = heat.visible;
    this.cmap.input.value = heat.cmap;
    const step = String((hi - lo) / 100 || "any");
    // a Gaussian's or a softmax's 1e-20 reads as the 0 it is at the range's scale
    const shown = (v: number) => (Math.abs(v) < (hi - lo) * 1e-6 ? 0 : v);
    for (const [control, value] of [
      [this.vmin, lo],
      [this.vmax, hi],
      [this.threshold, heat.threshold],
    ] as const) {
      if (document.activeElement !== control.input) {
        control.input.value = value === null ? "" : formatNumber(shown(value));
      }
      control.input.step = step;
    }
    this.opacity.input.value = String(heat.opacity);
    this.opacity.output.textContent = formatNumber(heat.opacity);
    for (const control of [this.cmap, this.vmin, this.vmax, this.threshold, this.opacity]) {
      setEnabled(control, heat.visible);
    }
    this.drawBar(heat.cmap, lo, hi, heat.threshold, shown);
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.element.remove();
  }

  private drawBar(
    cmap: string,
    lo: number,
    hi: number,
    threshold: number | null,
    shown: (v: number) => number,
  ): void {
    this.bar.setAttribute(
      "aria-label",
      `heat map colour bar: ${cmap} from ${formatNumber(shown(lo))} to ${formatNumber(hi)}` +
        (threshold === null ? "" : `, transparent below ${formatNumber(threshold)}`),
    );
    const cut = threshold === null ? lo : threshold;
    this.ticks.replaceChildren(
      ...[
        lo,
        ...(threshold !== null && threshold > lo && threshold < hi ? [threshold] : []),
        hi,
      ].map((value) => {
        const tick = document.createElement("span");
        tick.textContent = formatNumber(shown(value));
        tick.style.left = `${(100 * (value - lo)) / (hi - lo)}%`;
        return tick;
      }),
    );
    const context = this.bar.getContext?.("2d");
    if (!context) return; // no canvas backend (tests without one): the ticks still say it all
    const points = colormapPoints(cmap) ?? [0, 0, 0, 0, 1, 1, 1, 1];
    const image = context.createImageData(BAR_WIDTH, BAR_HEIGHT);
    for (let x = 0; x < BAR_WIDTH; x++) {
      const value = lo + ((x + 0.5) / BAR_WIDTH) * (hi - lo);
      const [r, g, b] = colorAt(points, (x + 0.5) / BAR_WIDTH);
      for (let y = 0; y < BAR_HEIGHT; y++) {
        const i = 4 * (y * BAR_WIDTH + x);
        const transparent = value < cut;
        const light = (Math.floor(x / CHECKER) + Math.floor(y / CHECKER)) % 2 === 0;
        const grey = light ? 200 : 140;
        image.data[i] = transparent ? grey : Math.round(255 * r);
        image.data[i + 1] = transparent ? grey : Math.round(255 * g);
        image.data[i + 2] = transparent ? grey : Math.round(255 * b);
        image.data[i + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
  }

  private save(values: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(values)) this.model.set(name, value);
    this.model.save_changes();
  }

  private saveRange(): void {
    const lo = this.vmin.input.valueAsNumber;
    const hi = this.vmax.input.valueAsNumber;
    if (Number.isFinite(lo) && Number.isFinite(hi) && lo < hi) {
      this.save({ heatmap_vmin: lo, heatmap_vmax: hi });
    } else {
      this.sync(); // heatmap_vmin must stay below heatmap_vmax: put the old values back
    }
  }

  private listen(target: HTMLElement, event: string, handler: () => void): void {
    target.addEventListener(event, handler);
    this.cleanups.push(() => target.removeEventListener(event, handler));
  }
}
