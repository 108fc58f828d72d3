// The metrics of the step on screen (the kernel's `_metrics` rows, see nbviewer3d/metrics.py):
// per class Dice, HD95 in mm, and the label's and prediction's volumes in ml; the voxel counts
// in each row's tooltip. Class names are shown as text.

import type { ModelLike } from "../model";
import { formatNumber } from "./controls";

export interface MetricsRow {
  classId: number;
  name: string;
  dice: number | null;
  hd95: number | null;
  labelMl: number;
  predictionMl: number;
  tp: number;
  fp: number;
  fn: number;
}

const HEADINGS: [string, string][] = [
  ["class", "class id and name"],
  ["Dice", "2 TP / (2 TP + FP + FN)"],
  ["HD95 mm", "95th-percentile Hausdorff distance between the surfaces, in mm"],
  ["label ml", "label volume in ml"],
  ["pred ml", "prediction volume in ml"],
];

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function nullable(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The rows of the `_metrics` trait (anything malformed is left out). */
export function readMetrics(model: ModelLike): MetricsRow[] {
  const raw = model.get("_metrics");
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((row: unknown) => {
    if (typeof row !== "object" || row === null) return [];
    const r = row as Record<string, unknown>;
    if (typeof r.class !== "number") return [];
    return [
      {
        classId: r.class,
        name: typeof r.name === "string" ? r.name : "",
        dice: nullable(r.dice),
        hd95: nullable(r.hd95_mm),
        labelMl: count(r.label_ml),
        predictionMl: count(r.prediction_ml),
        tp: count(r.tp_voxels),
        fp: count(r.fp_voxels),
        fn: count(r.fn_voxels),
      },
    ];
  });
}

export class MetricsTable {
  readonly element = document.createElement("div");
  private key = "";

  constructor(private readonly model: ModelLike) {
    this.element.className = "nbviewer3d-metrics";
  }

  sync(): void {
    const rows = readMetrics(this.model);
    this.element.hidden = rows.length === 0;
    const key = JSON.stringify(rows);
    if (key === this.key) return;
    this.key = key;
    const table = document.createElement("table");
    const caption = document.createElement("caption");
    caption.textContent = "prediction vs label, this step";
    const head = document.createElement("tr");
    for (const [text, title] of HEADINGS) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      th.title = title;
      head.append(th);
    }
    table.append(caption, head);
    for (const row of rows) {
      const tr = document.createElement("tr");
      tr.dataset.classId = String(row.classId);
      tr.title = `voxels: TP ${row.tp}, FP ${row.fp}, FN ${row.fn}`;
      const cells = [
        row.name ? `${row.classId} ${row.name}` : String(row.classId),
        row.dice === null ? "–" : row.dice.toFixed(3),
        row.hd95 === null ? "–" : formatNumber(row.hd95),
        formatNumber(row.labelMl),
        formatNumber(row.predictionMl),
      ];
      for (const text of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      table.append(tr);
    }
    this.element.replaceChildren(table);
  }

  dispose(): void {
    this.element.remove();
  }
}
