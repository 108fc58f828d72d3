// Where each pane of a view mode sits in the one GL window (no vtk.js here). A pane is a vtk
// renderer with its own viewport and camera; panes in one camera group share one camera.

import type { CompareMode, ViewMode } from "../model";
import type { SliceMode } from "./orientation";

export type PaneView = "volume" | SliceMode;
/** vtk viewport: [xmin, ymin, xmax, ymax] as fractions of the window, y up. */
export type Viewport = [number, number, number, number];
/** The label maps a pane draws over the image: both (overlay, errors), or one of them. */
export type PaneOverlays = "all" | "label" | "prediction";

export interface Pane {
  view: PaneView;
  viewport: Viewport;
  overlays: PaneOverlays;
  /** panes of one group share one camera (side by side: the same view of label and prediction) */
  cameraGroup: number;
  /** a heading drawn on the pane, "" for none */
  title: string;
}

/** Quad: the 3D view top left, axial top right, coronal bottom left, sagittal bottom right. */
const QUAD: readonly { view: PaneView; viewport: Viewport }[] = [
  { view: "volume", viewport: [0, 0.5, 0.5, 1] },
  { view: "axial", viewport: [0.5, 0.5, 1, 1] },
  { view: "coronal", viewport: [0, 0, 0.5, 0.5] },
  { view: "sagittal", viewport: [0.5, 0, 1, 0.5] },
];

const TITLES: Record<PaneView, string> = {
  volume: "3D",
  axial: "axial",
  coronal: "coronal",
  sagittal: "sagittal",
};

export function paneLayout(mode: ViewMode, compare: CompareMode): Pane[] {
  const base =
    mode === "quad"
      ? QUAD.map((p) => ({ ...p, title: TITLES[p.view] }))
      : [{ view: mode, viewport: [0, 0, 1, 1] as Viewport, title: "" }];
  if (compare !== "side-by-side") {
    return base.map((p, group) => ({ ...p, overlays: "all", cameraGroup: group }));
  }
  // the same layout twice, squeezed into the left (label) and right (prediction) halves; the
  // first pane of each half names what the half shows
  return (["label", "prediction"] as const).flatMap((overlays, half) =>
    base.map((p, group) => {
      const [x0, y0, x1, y1] = p.viewport;
      const title = group > 0 ? p.title : p.title ? `${p.title} · ${overlays}` : overlays;
      return {
        view: p.view,
        viewport: [(x0 + half) / 2, y0, (x1 + half) / 2, y1] as Viewport,
        overlays,
        cameraGroup: group,
        title,
      };
    }),
  );
}

/** The index of the pane under (x, y) (fractions of the window, y up), or -1. */
export function paneAt(panes: readonly Pane[], x: number, y: number): number {
  return panes.findIndex(
    ({ viewport: [x0, y0, x1, y1] }) => x >= x0 && x < x1 && y >= y0 && y < y1,
  );
}

/** Width over height of a pane in a window of `width` x `height` pixels. */
export function paneAspect(pane: Pane, width: number, height: number): number {
  const [x0, y0, x1, y1] = pane.viewport;
  const w = (x1 - x0) * width;
  const h = (y1 - y0) * height;
  return w > 0 && h > 0 ? w / h : 1;
}
