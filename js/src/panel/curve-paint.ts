// Paints one training-curve chart on a 2D canvas: the plot area, the logged extremes, the
// line, the steps that hold volumes, the current step (and the one under the pointer).

import { type Curve, type Domain, extent, valueAt, valueDomain } from "../scalars";
import { formatNumber } from "./controls";

/** CSS width when the canvas is not laid out (the figure grows with the widget) */
export const CHART_WIDTH = 250;
export const CHART_HEIGHT = 74;
/** plot area inside the canvas, CSS pixels: room for the value labels left, step labels below */
export const PLOT = { left: 40, right: 6, top: 5, bottom: 14 };
const LINE = "#1f77b4";
const MARK = "#e8590c";
const TICK = "rgba(128, 128, 128, 0.85)";

/** Paints `curve` over the shared step domain; `width` is the canvas's CSS width. */
export function paintChart(
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
  const plotH = CHART_HEIGHT - PLOT.top - PLOT.bottom;
  const x = (s: number) => PLOT.left + ((s - lo) / (hi - lo)) * plotW;
  const values = valueDomain(curve);
  ctx.fillStyle = "rgba(128, 128, 128, 0.08)";
  ctx.fillRect(PLOT.left, PLOT.top, plotW, plotH);
  ctx.font = "9px sans-serif";
  ctx.fillStyle = text;
  ctx.textBaseline = "alphabetic";
  ctx.textAlign = "left";
  ctx.fillText(String(Math.ceil(lo)), PLOT.left, CHART_HEIGHT - 3);
  ctx.textAlign = "right";
  ctx.fillText(String(Math.floor(hi)), width - PLOT.right, CHART_HEIGHT - 3);
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
