// The synced traits the front end reads, and the slice of anywidget's model API it uses.

import { COMPARE_MODES, OVERLAY_STYLES, type TraitName, VIEW_MODES } from "./contract";
import { parseHexColor } from "./palette";
import { type OpacityPoint, readOpacityPoints } from "./presets";

export type Callback = (...args: never[]) => void;

/** What nbviewer3d needs of anywidget's AnyModel (a fake one implements it in tests). */
export interface ModelLike {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  save_changes(): void;
  on(event: string, callback: Callback): void;
  off(event?: string | null, callback?: Callback | null): void;
  send(content: unknown, callbacks?: unknown, buffers?: ArrayBuffer[] | ArrayBufferView[]): void;
}

export { COMPARE_MODES, OVERLAY_STYLES, VIEW_MODES };
export type ViewMode = (typeof VIEW_MODES)[number];

export type CompareMode = (typeof COMPARE_MODES)[number];

/** A voxel index in the image array's own axis order (the `cursor` trait). */
export type Cursor = [number, number, number];

export type OverlayStyle = (typeof OVERLAY_STYLES)[number];

export interface Display {
  cmap: string;
  vmin: number | null;
  vmax: number | null;
  /** transfer-function preset name (null until the kernel picks one from the data) */
  preset: string | null;
  /** opacity points in data units replacing the preset's curve, or null */
  opacity: OpacityPoint[] | null;
  /** the window centre the viewer opened with (HU presets sit at their values there) */
  defaultLevel: number | null;
  sampleDistance: number;
  gradientOpacity: number;
  labelBlend: number;
  labelVisible: boolean;
  viewMode: ViewMode;
  compare: CompareMode;
  /** the linked cursor, or null until the kernel sets it (then the image's centre) */
  cursor: Cursor | null;
  /** class id -> name (label_names) */
  labelNames: Map<number, string>;
  /** class id -> colour 0..1 (label_colors, "#rrggbb" on the wire) */
  labelColors: Map<number, [number, number, number]>;
  hiddenLabels: Set<number>;
  overlayStyle: OverlayStyle;
  heatmap: HeatmapDisplay;
}

/** The heat map's own look (heatmap_* traits); null range ends fall back on the map's range. */
export interface HeatmapDisplay {
  cmap: string;
  vmin: number | null;
  vmax: number | null;
  /** below this value the map is transparent (null: nothing is) */
  threshold: number | null;
  opacity: number;
  visible: boolean;
}

/** Traits whose change only redraws (never fetches); each one a trait the kernel syncs. */
export const DISPLAY_TRAITS: readonly TraitName[] = [
  "cmap",
  "vmin",
  "vmax",
  "preset",
  "opacity",
  "_default_level",
  "sample_distance",
  "gradient_opacity",
  "label_blend",
  "label_visible",
  "view_mode",
  "compare",
  "cursor",
  "label_names",
  "label_colors",
  "hidden_labels",
  "overlay_style",
  "heatmap_cmap",
  "heatmap_vmin",
  "heatmap_vmax",
  "heatmap_threshold",
  "heatmap_opacity",
  "heatmap_visible",
];

function num(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function nullableNum(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function readDisplay(model: ModelLike): Display {
  const mode = model.get("view_mode");
  return {
    cmap: typeof model.get("cmap") === "string" ? (model.get("cmap") as string) : "Grayscale",
    vmin: nullableNum(model.get("vmin")),
    vmax: nullableNum(model.get("vmax")),
    preset: typeof model.get("preset") === "string" ? (model.get("preset") as string) : null,
    opacity: readOpacityPoints(model.get("opacity")),
    defaultLevel: nullableNum(model.get("_default_level")),
    sampleDistance: num(model.get("sample_distance"), 0.25),
    gradientOpacity: num(model.get("gradient_opacity"), 0.7),
    labelBlend: num(model.get("label_blend"), 0.5),
    labelVisible: model.get("label_visible") !== false,
    viewMode: (VIEW_MODES as readonly unknown[]).includes(mode) ? (mode as ViewMode) : "volume",
    compare: (COMPARE_MODES as readonly unknown[]).includes(model.get("compare"))
      ? (model.get("compare") as CompareMode)
      : "overlay",
    cursor: readCursor(model),
    labelNames: idMap(model.get("label_names"), (v) => (typeof v === "string" ? v : null)),
    labelColors: idMap(model.get("label_colors"), (v) =>
      typeof v === "string" ? parseHexColor(v) : null,
    ),
    hiddenLabels: new Set(readHiddenLabels(model)),
    overlayStyle: model.get("overlay_style") === "contour" ? "contour" : "fill",
    heatmap: {
      cmap:
        typeof model.get("heatmap_cmap") === "string"
          ? (model.get("heatmap_cmap") as string)
          : "inferno",
      vmin: nullableNum(model.get("heatmap_vmin")),
      vmax: nullableNum(model.get("heatmap_vmax")),
      threshold: nullableNum(model.get("heatmap_threshold")),
      opacity: Math.min(1, Math.max(0, num(model.get("heatmap_opacity"), 0.6))),
      visible: model.get("heatmap_visible") !== false,
    },
  };
}

/** The image channel shown (`channel` trait). */
export function readChannel(model: ModelLike): number {
  return Math.max(0, Math.trunc(num(model.get("channel"), 0)));
}

/** The channel names the user gave (`channel_names`), for the channel selector. */
export function readChannelNames(model: ModelLike): string[] {
  const names = model.get("channel_names");
  return Array.isArray(names) ? names.map((n) => String(n)) : [];
}

/** A {"id": value} trait (JSON keys are strings) as a Map over integer ids. */
function idMap<T>(value: unknown, parse: (v: unknown) => T | null): Map<number, T> {
  const map = new Map<number, T>();
  if (typeof value !== "object" || value === null) return map;
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const id = Number(key);
    const parsed = parse(raw);
    if (Number.isInteger(id) && parsed !== null) map.set(id, parsed);
  }
  return map;
}

export function readCursor(model: ModelLike): Cursor | null {
  const value = model.get("cursor");
  if (!Array.isArray(value) || value.length !== 3) return null;
  if (!value.every((v) => Number.isInteger(v) && v >= 0)) return null;
  return [value[0], value[1], value[2]] as Cursor;
}

export function readHiddenLabels(model: ModelLike): number[] {
  const hidden = model.get("hidden_labels");
  return Array.isArray(hidden) ? hidden.filter((v): v is number => Number.isInteger(v)) : [];
}

export function readSteps(model: ModelLike): number[] {
  const steps = model.get("steps");
  return Array.isArray(steps) ? steps.filter((s): s is number => typeof s === "number") : [];
}

export function readStep(model: ModelLike): number {
  return Math.trunc(num(model.get("step"), 0));
}

/** The version the kernel holds for `step` (bumped when add() replaces it). */
export function readVersion(model: ModelLike, step: number): number {
  const versions = model.get("_versions");
  if (typeof versions !== "object" || versions === null) return 0;
  return num((versions as Record<string, unknown>)[String(step)], 0);
}

export function readHeight(model: ModelLike): number {
  return Math.max(120, Math.trunc(num(model.get("height"), 480)));
}

export function readCacheBytes(model: ModelLike): number {
  return Math.max(1, num(model.get("cache_mb"), 512)) * 1024 * 1024;
}
