// The line saying what following a run being written left unfinished: the shown step still
// lacks a volume (marked incomplete), or a record was skipped, or a poll failed.

import type { ModelLike } from "../model";
import { readStep } from "../model";

const WATCHED = ["step", "_incomplete", "follow_notices"] as const;

/** "step 3 is incomplete: no label, prediction logged yet", or "" when it is whole. */
export function incompleteText(model: ModelLike): string {
  const step = readStep(model);
  const incomplete = model.get("_incomplete");
  if (typeof incomplete !== "object" || incomplete === null) return "";
  const missing = (incomplete as Record<string, unknown>)[String(step)];
  if (!Array.isArray(missing) || missing.length === 0) return "";
  const roles = missing.filter((r): r is string => typeof r === "string");
  return `Step ${step} is incomplete: no ${roles.join(", ")} logged yet.`;
}

export function noticeLines(model: ModelLike): string[] {
  const notices = model.get("follow_notices");
  return Array.isArray(notices) ? notices.filter((n): n is string => typeof n === "string") : [];
}

export class FollowNotes {
  readonly element: HTMLDivElement;
  private readonly incomplete: HTMLDivElement;
  private readonly notices: HTMLDivElement;

  constructor(
    doc: Document,
    private readonly model: ModelLike,
  ) {
    this.element = doc.createElement("div");
    this.element.className = "nbviewer3d-follow-notes";
    this.element.setAttribute("role", "status");
    this.incomplete = doc.createElement("div");
    this.incomplete.className = "nbviewer3d-incomplete";
    this.notices = doc.createElement("div");
    this.notices.className = "nbviewer3d-notices";
    this.element.append(this.incomplete, this.notices);
    for (const name of WATCHED) model.on(`change:${name}`, this.update);
    this.update();
  }

  private readonly update = (): void => {
    // textContent: tags and file names come from files anyone may have written
    const incomplete = incompleteText(this.model);
    this.incomplete.textContent = incomplete;
    this.incomplete.hidden = incomplete === "";
    const lines = noticeLines(this.model);
    this.notices.replaceChildren(
      ...lines.map((line) => {
        const item = this.element.ownerDocument.createElement("div");
        item.textContent = line;
        return item;
      }),
    );
    this.notices.hidden = lines.length === 0;
    this.element.hidden = incomplete === "" && lines.length === 0;
  };

  dispose(): void {
    for (const name of WATCHED) this.model.off(`change:${name}`, this.update);
    this.element.remove();
  }
}
