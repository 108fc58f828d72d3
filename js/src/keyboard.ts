// Keys with the widget focused: arrows walk the steps, Page Up/Down the slices of the active
// slice view, 1-5 pick the view mode (in VIEW_MODES order). No vtk.js or DOM state here.

import { VIEW_MODES, type ViewMode } from "./model";

export type KeyAction =
  | { kind: "step"; delta: number }
  | { kind: "slice"; delta: number }
  | { kind: "view"; mode: ViewMode };

export function keyAction(event: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}): KeyAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  switch (event.key) {
    case "ArrowRight":
    case "ArrowUp":
      return { kind: "step", delta: 1 };
    case "ArrowLeft":
    case "ArrowDown":
      return { kind: "step", delta: -1 };
    case "PageDown":
      return { kind: "slice", delta: 1 };
    case "PageUp":
      return { kind: "slice", delta: -1 };
  }
  const n = Number(event.key);
  const mode = Number.isInteger(n) ? VIEW_MODES[n - 1] : undefined;
  return mode ? { kind: "view", mode } : null;
}

/** The step `delta` places from `step` in `steps`, held at the ends. */
export function stepBy(steps: readonly number[], step: number, delta: number): number {
  if (steps.length === 0) return step;
  const at = steps.indexOf(step);
  const next = Math.min(steps.length - 1, Math.max(0, Math.max(0, at) + delta));
  return steps[next] as number;
}
