// Training curves under the view: one small line chart per scalar, the current step marked,
// the logged volume steps ticked along the bottom. A click (or arrow keys on a focused chart)
// moves `step` to the nearest step with volumes. Names are untrusted: text nodes and
// attributes only.

import { type ModelLike, readStep, readSteps } from "../model";
import { type Curve, type Domain, nearestStep, readCurves, stepDomain, valueAt } from "../scalars";
import { formatNumber } from "./controls";
import { CHART_HEIGHT, CHART_WIDTH, PLOT, paintChart } from "./curve-paint";

const WATCHED = ["scalars", "step", "steps"] as const;

interface Chart {
  curve: Curve;
  figure: HTMLElement;
  value: HTMLSpanElement;
  canvas: HTMLCanvasElement;
  /** the volume step under the pointer, drawn as a dashed line; null when not hovering */
  hover: number | null;
  detach: () => void;
}

export class Curves {
  readonly element = document.createElement("div");
  private charts: Chart[] = [];
  private names = "";
  private readonly cleanups: (() => void)[] = [];
  private readonly resizeObserver: ResizeObserver | null;

  constructor(private readonly model: ModelLike) {
    this.element.className = "nbviewer3d-curves";
    this.element.setAttribute("role", "group");
    this.element.setAttribute("aria-label", "training curves");
    const sync = () => this.sync();
    for (const name of WATCHED) model.on(`change:${name}`, sync);
    this.cleanups.push(() => {
      for (const name of WATCHED) model.off(`change:${name}`, sync);
    });
    this.resizeObserver =
      typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => this.drawAll());
    this.resizeObserver?.observe(this.element);
    this.sync();
  }

  /** Rebuilds the charts when the curve names change, else redraws them. */
  sync(): void {
    const curves = readCurves(this.model);
    const names = JSON.stringify(curves.map((c) => c.name));
    if (names !== this.names) {
      this.names = names;
      this.removeCharts();
      this.charts = curves.map((curve) => this.makeChart(curve));
      this.element.replaceChildren(...this.charts.map((c) => c.figure));
    }
    curves.forEach((curve, i) => {
      const chart = this.charts[i];
      if (chart) chart.curve = curve;
    });
    this.element.hidden = curves.length === 0;
    this.drawAll();
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.resizeObserver?.disconnect();
    this.removeCharts();
    this.element.remove();
  }

  private makeChart(curve: Curve): Chart {
    const figure = document.createElement("figure");
    figure.className = "nbviewer3d-curve";
    const caption = document.createElement("figcaption");
    const name = document.createElement("span");
    name.className = "nbviewer3d-curve-name";
    name.textContent = curve.name;
    name.title = curve.name;
    const value = document.createElement("span");
    value.className = "nbviewer3d-curve-value";
    caption.append(name, value);
    const canvas = document.createElement("canvas");
    canvas.tabIndex = 0;
    canvas.setAttribute("role", "slider");
    canvas.setAttribute("aria-label", `${curve.name}: click or use the arrow keys to go to a step`);
    canvas.style.height = `${CHART_HEIGHT}px`;
    figure.append(caption, canvas);
    const chart: Chart = { curve, figure, value, canvas, hover: null, detach: () => {} };
    const onClick = (event: MouseEvent) => this.jump(this.stepUnder(chart, event));
    const onMove = (event: PointerEvent) => {
      const hover = this.stepUnder(chart, event);
      if (hover === chart.hover) return;
      chart.hover = hover;
      this.draw(chart);
    };
    const onLeave = () => {
      chart.hover = null;
      this.draw(chart);
    };
    const onKey = (event: KeyboardEvent) => this.onKey(event);
    canvas.addEventListener("click", onClick);
    canvas.addEventListener("pointermove", onMove);
    canvas.addEventListener("pointerleave", onLeave);
    canvas.addEventListener("keydown", onKey);
    chart.detach = () => {
      canvas.removeEventListener("click", onClick);
      canvas.removeEventListener("pointermove", onMove);
      canvas.removeEventListener("pointerleave", onLeave);
      canvas.removeEventListener("keydown", onKey);
      figure.remove();
    };
    return chart;
  }

  private removeCharts(): void {
    for (const chart of this.charts) chart.detach();
    this.charts = [];
  }

  /** The volume step nearest to the pointer's x, or null without volume steps. */
  private stepUnder(chart: Chart, event: MouseEvent): number | null {
    const box = chart.canvas.getBoundingClientRect();
    const width = box.width || CHART_WIDTH;
    const x = event.clientX - box.left;
    const [lo, hi] = this.domain();
    const fraction = (x - PLOT.left) / (width - PLOT.left - PLOT.right);
    return nearestStep(readSteps(this.model), lo + fraction * (hi - lo));
  }

  private jump(step: number | null): void {
    if (step === null || step === readStep(this.model)) return;
    this.model.set("step", step);
    this.model.save_changes();
  }

  /** Arrow keys walk the volume steps; Home/End go to the first/last. */
  private onKey(event: KeyboardEvent): void {
    const steps = readSteps(this.model);
    const index = steps.indexOf(readStep(this.model));
    const target: Record<string, number> = {
      ArrowLeft: index - 1,
      ArrowDown: index - 1,
      ArrowRight: index + 1,
      ArrowUp: index + 1,
      Home: 0,
      End: steps.length - 1,
    };
    const next = target[event.key];
    if (next === undefined) return;
    event.preventDefault();
    event.stopPropagation(); // JupyterLab would move between cells
    const step = steps[Math.min(Math.max(next, 0), steps.length - 1)];
    if (step !== undefined) this.jump(step);
  }

  private domain(): Domain {
    return stepDomain(
      this.charts.map((c) => c.curve),
      readSteps(this.model),
    );
  }

  private drawAll(): void {
    for (const chart of this.charts) this.draw(chart);
  }

  private draw(chart: Chart): void {
    const step = readStep(this.model);
    const steps = readSteps(this.model);
    const current = valueAt(chart.curve, step);
    const shown = chart.hover ?? step;
    const hovered = chart.hover === null ? current : valueAt(chart.curve, chart.hover);
    chart.value.textContent = describe(hovered, shown, chart.hover !== null);
    chart.figure.dataset.points = String(chart.curve.steps.length);
    chart.canvas.setAttribute("aria-valuenow", String(step));
    chart.canvas.setAttribute("aria-valuetext", `step ${step}, ${describe(current, step, false)}`);
    if (steps.length > 0) {
      chart.canvas.setAttribute("aria-valuemin", String(steps[0]));
      chart.canvas.setAttribute("aria-valuemax", String(steps[steps.length - 1]));
    }
    const ratio = globalThis.devicePixelRatio || 1;
    const cssWidth = chart.canvas.clientWidth || CHART_WIDTH;
    const width = Math.round(cssWidth * ratio);
    const height = Math.round(CHART_HEIGHT * ratio);
    if (chart.canvas.width !== width) chart.canvas.width = width;
    if (chart.canvas.height !== height) chart.canvas.height = height;
    const ctx = chart.canvas.getContext("2d");
    if (!ctx) return; // no 2D canvas (a DOM without one): the caption still says the value
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, cssWidth, CHART_HEIGHT);
    const text = getComputedStyle(chart.figure).color || "#555";
    paintChart(ctx, cssWidth, chart.curve, this.domain(), steps, step, chart.hover, text);
  }
}

function describe(
  found: { step: number; value: number } | null,
  step: number,
  hovering: boolean,
): string {
  const prefix = hovering ? `step ${step}: ` : "";
  if (!found) return `${prefix}–`;
  const value = formatNumber(found.value);
  return found.step === step ? `${prefix}${value}` : `${prefix}${value} (at step ${found.step})`;
}
