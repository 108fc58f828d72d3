// The label legend: for each class id present in the step, a checkbox (hidden_labels), the
// colour of the label (and of the prediction, when there is one), the id and its name. With
// compare="errors", each class shows its true positive, false positive and false negative
// colours under a TP / FP / FN heading.

import { ERROR_KIND_NAMES, ERROR_KINDS, errorCode, readCompare } from "../compare";
import { type LabelPalette, labelColor } from "../labels";
import { type ModelLike, readDisplay, readHiddenLabels } from "../model";
import { hexColor } from "../palette";
import type { Role } from "../protocol";

export interface LegendMaps {
  role: Role;
  ids: readonly number[];
}

export class Legend {
  readonly element = document.createElement("div");
  private key = "";

  constructor(private readonly model: ModelLike) {
    this.element.className = "nbviewer3d-legend";
    this.element.addEventListener("change", this.onToggle);
  }

  /** Redraws the rows when the ids, names, colours or hidden ids changed. */
  sync(maps: readonly LegendMaps[]): void {
    const display = readDisplay(this.model);
    const roles = maps.map((m) => m.role);
    const errors =
      readCompare(this.model.get("compare")) === "errors" &&
      roles.includes("label") &&
      roles.includes("prediction");
    const swatches: { palette: LabelPalette; title: string; code: (id: number) => number }[] =
      errors
        ? ERROR_KINDS.map((kind) => ({
            palette: "errors",
            title: ERROR_KIND_NAMES[kind],
            code: (id: number) => errorCode(id, kind),
          }))
        : roles.map((role) => ({ palette: role, title: role, code: (id: number) => id }));
    const ids = [...new Set(maps.flatMap((m) => m.ids))].filter((id) => id > 0);
    ids.sort((a, b) => a - b);
    const rows = ids.map((id) => ({
      id,
      name: display.labelNames.get(id) ?? "",
      colors: swatches.map((s) => hexColor(labelColor(display, s.palette, s.code(id)))),
      shown: !display.hiddenLabels.has(id),
    }));
    const key = JSON.stringify([errors, roles, rows]);
    this.element.hidden = rows.length === 0;
    if (key === this.key) return;
    this.key = key;
    const heading = document.createElement("div");
    heading.className = "nbviewer3d-legend-heading";
    heading.hidden = !errors;
    heading.textContent = `errors, three colours per class: ${ERROR_KINDS.map(
      (kind) => `${kind} ${ERROR_KIND_NAMES[kind]}`,
    ).join(" · ")}`;
    this.element.replaceChildren(
      heading,
      ...rows.map((row) => {
        const label = document.createElement("label");
        label.className = "nbviewer3d-legend-row";
        const box = document.createElement("input");
        box.type = "checkbox";
        box.checked = row.shown;
        box.dataset.labelId = String(row.id);
        box.title = `show class ${row.id}`;
        label.append(box);
        row.colors.forEach((color, i) => {
          const swatch = document.createElement("span");
          swatch.className = "nbviewer3d-swatch";
          swatch.style.background = color;
          swatch.title = `${swatches[i]?.title} colour ${color}`;
          label.append(swatch);
        });
        const text = document.createElement("span");
        text.textContent = row.name ? `${row.id} ${row.name}` : String(row.id);
        label.append(text);
        return label;
      }),
    );
  }

  dispose(): void {
    this.element.removeEventListener("change", this.onToggle);
    this.element.remove();
  }

  private readonly onToggle = (event: Event): void => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.dataset.labelId === undefined) return;
    const id = Number(box.dataset.labelId);
    const hidden = new Set(readHiddenLabels(this.model));
    if (box.checked) hidden.delete(id);
    else hidden.add(id);
    this.model.set(
      "hidden_labels",
      [...hidden].sort((a, b) => a - b),
    );
    this.model.save_changes();
  };
}
