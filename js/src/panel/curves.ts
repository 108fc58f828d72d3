// Training curves under the view: one small line chart per scalar, the current step marked,
// the logged volume steps ticked along the bottom. A click (or arrow keys on a focused chart)
// moves `step` to the nearest step with volumes. Names are untrusted: text nodes and
// attributes only.

import { type ModelLike, readStep, readSteps } from "../model";
import {
  type Curve,
  type Domain,
  extent,
  nearestStep,
  readCurves,
  stepDomain,
  valueAt,
  valueDomain,
} from "../scalars";
import { formatNumber } from "./controls";

/** CSS width when the canvas is not laid out (the figure grows with the widget) */
const WIDTH = 250;
const HEIGHT = 74;
// plot area inside the canvas, CSS pixels: room for the value labels left, step labels below
const PLOT = { left: 40, right: 6, top: 5, bottom: 14 };
const LINE = "#1f77b4";
const MARK = "#e8590c";
const TICK = "rgba(128, 128, 128, 0.85)";
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
    canvas.style.height = `${HEIGHT}px`;
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
    const width = box.width || WIDTH;
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
    const cssWidth = chart.canvas.clientWidth || WIDTH;
    const width = Math.round(cssWidth * ratio);
    const height = Math.round(HEIGHT * ratio);
    if (chart.canvas.width !== width) chart.canvas.width = width;
    if (chart.canvas.height !== height) chart.canvas.height = height;
    const ctx = chart.canvas.getContext("2d");
    if (!ctx) return; // no 2D canvas (a DOM without one): the caption still says the value
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, cssWidth, HEIGHT);
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

function paintChart(
  ctx: CanvasRenderingContext2D,
  width: number,
  curve: Curve,
  [lo, hi]: Domain,
  volumeSteps: readonly number[],
  step: number,
  hover: number | null,
  text: string,
): void {
  const plotW = width - PLOT.left - PLOT.right;
  const plotH = HEIGHT - PLOT.top - PLOT.bottom;
  const x = (s: number) => PLOT.left + ((s - lo) / (hi - lo)) * plotW;
  const values = valueDomain(curve);
  ctx.fillStyle = "rgba(128, 128, 128, 0.08)";
  ctx.fillRect(PLOT.left, PLOT.top, plotW, plotH);
  ctx.font = "9px sans-serif";
  ctx.fillStyle = text;
  ctx.textBaseline = "alphabetic";
  ctx.textAlign = "left";
  ctx.fillText(String(Math.ceil(lo)), PLOT.left, HEIGHT - 3);
  ctx.textAlign = "right";
  ctx.fillText(String(Math.floor(hi)), width - PLOT.right, HEIGHT - 3);
  // the steps a click can reach
  ctx.fillStyle = TICK;
  for (const s of volumeSteps) ctx.fillRect(Math.round(x(s)) - 0.5, PLOT.top + plotH - 4, 1, 4);
  if (values) {
    const [vlo, vhi] = values;
    const y = (v: number) => PLOT.top + (1 - (v - vlo) / (vhi - vlo)) * plotH;
    // the logged extremes, each level with where the line reaches it
    const [min, max] = extent(curve.values) ?? values;
    ctx.fillStyle = text;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText(formatNumber(max), PLOT.left - 3, Math.max(y(max), PLOT.top + 4));
    if (min !== max) {
      ctx.fillText(formatNumber(min), PLOT.left - 3, Math.min(y(min), PLOT.top + plotH - 4));
    }
    paintLine(ctx, curve, x, y);
    const current = valueAt(curve, step);
    if (current) {
      ctx.fillStyle = MARK;
      ctx.beginPath();
      ctx.arc(x(current.step), y(current.value), 2.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  if (hover !== null) {
    ctx.strokeStyle = TICK;
    ctx.setLineDash([2, 2]);
    vertical(ctx, x(hover), plotH);
    ctx.setLineDash([]);
  }
  ctx.strokeStyle = MARK;
  ctx.lineWidth = 1.5;
  vertical(ctx, x(step), plotH);
}

/** The curve as one path, one pixel column at a time: a column holding many points (a loss
 * logged every iteration) draws their min-max span, so the cost follows the width. */
function paintLine(
  ctx: CanvasRenderingContext2D,
  curve: Curve,
  x: (s: number) => number,
  y: (v: number) => number,
): void {
  ctx.strokeStyle = LINE;
  ctx.fillStyle = LINE;
  ctx.lineWidth = 1.5;
  ctx.lineJoin = "round";
  ctx.beginPath();
  let drawing = false;
  let column: { at: number; first: number; lo: number; hi: number; last: number } | null = null;
  const flush = () => {
    if (!column) return;
    const { at, first, lo, hi, last } = column;
    if (drawing) ctx.lineTo(at, y(first));
    else ctx.moveTo(at, y(first));
    if (lo !== hi) {
      ctx.lineTo(at, y(lo));
      ctx.lineTo(at, y(hi));
    }
    ctx.lineTo(at, y(last));
    drawing = true;
    column = null;
  };
  curve.steps.forEach((s, i) => {
    const v = curve.values[i];
    if (v === null || v === undefined || !Number.isFinite(s)) {
      flush();
      drawing = false;
      return;
    }
    const prev = curve.values[i - 1];
    const next = curve.values[i + 1];
    // a point with gaps on both sides would draw nothing as a line
    if ((prev === null || prev === undefined) && (next === null || next === undefined)) {
      ctx.fillRect(x(s) - 1.5, y(v) - 1.5, 3, 3);
    }
    const at = Math.round(x(s));
    if (column && column.at === at) {
      column.lo = Math.min(column.lo, v);
      column.hi = Math.max(column.hi, v);
      column.last = v;
      return;
    }
    flush();
    column = { at, first: v, lo: v, hi: v, last: v };
  });
  flush();
  ctx.stroke();
}

function vertical(ctx: CanvasRenderingContext2D, at: number, plotH: number): void {
  const px = Math.round(at) + 0.5;
  ctx.beginPath();
  ctx.moveTo(px, PLOT.top);
  ctx.lineTo(px, PLOT.top + plotH);
  ctx.stroke();
}
