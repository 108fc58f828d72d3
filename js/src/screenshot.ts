// Screenshots: the kernel's requests waiting for a settled frame (shared by the views of one
// model), the frame message, and the picture of what the canvas box shows (GL canvas plus the
// orientation cube and edge letters drawn over it). See nbviewer3d/screenshot.py for the design.

import type { ModelLike } from "./model";

export interface ScreenshotRequest {
  id: number;
  /** the traits whose values the frame reports (the state it shows) */
  traits: string[];
}

/** A kernel message asking for a screenshot, or null when the message is something else. */
export function parseScreenshotRequest(value: unknown): ScreenshotRequest | null {
  if (typeof value !== "object" || value === null) return null;
  const raw = value as Record<string, unknown>;
  if (raw.type !== "screenshot" || typeof raw.id !== "number" || !Array.isArray(raw.traits)) {
    return null;
  }
  return { id: raw.id, traits: raw.traits.filter((t): t is string => typeof t === "string") };
}

export class ScreenshotRequests {
  private readonly pending = new Map<number, ScreenshotRequest>();
  private readonly listeners = new Set<() => void>();

  get size(): number {
    return this.pending.size;
  }

  add(request: ScreenshotRequest): void {
    this.pending.set(request.id, request);
    for (const listener of this.listeners) listener();
  }

  /** Hands every pending request to the view that answers them (and forgets them). */
  take(): ScreenshotRequest[] {
    const taken = [...this.pending.values()];
    this.pending.clear();
    return taken;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.pending.clear();
    this.listeners.clear();
  }
}

/** The frame message: the ids answered and the state drawn (trait values, step version). */
export function frameMessage(
  model: ModelLike,
  requests: readonly ScreenshotRequest[],
  version: number,
  size: [number, number],
): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const request of requests) for (const name of request.traits) state[name] = model.get(name);
  state.version = version;
  return {
    type: "frame",
    ids: requests.map((r) => r.id),
    state,
    width: size[0],
    height: size[1],
  };
}

/**
 * The picture of `box` as the user sees it: `gl` (just drawn, same task) with the overlay
 * canvases and the visible edge letters over it, at the GL canvas's resolution.
 */
export function composeFrame(box: HTMLElement, gl: HTMLCanvasElement): HTMLCanvasElement {
  const out = box.ownerDocument.createElement("canvas");
  out.width = gl.width;
  out.height = gl.height;
  const ctx = out.getContext("2d");
  if (!ctx) throw new Error("no 2D canvas context to compose the screenshot");
  ctx.drawImage(gl, 0, 0);
  const origin = box.getBoundingClientRect();
  const scale = origin.width > 0 ? gl.width / origin.width : 1;
  for (const overlay of box.querySelectorAll("canvas")) {
    const stale = overlay.matches(".nbviewer3d-snapshot, .nbviewer3d-released");
    if (overlay === gl || stale || isHidden(overlay)) continue;
    const r = overlay.getBoundingClientRect();
    const x = (r.left - origin.left) * scale;
    const y = (r.top - origin.top) * scale;
    ctx.drawImage(overlay, x, y, r.width * scale, r.height * scale);
  }
  for (const letter of box.querySelectorAll<HTMLElement>(".nbviewer3d-edge")) {
    if (isHidden(letter) || !letter.textContent) continue;
    const r = letter.getBoundingClientRect();
    const style = getComputedStyle(letter);
    ctx.font = `bold ${Math.round(13 * scale)}px ${style.fontFamily || "sans-serif"}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    const x = (r.left - origin.left + r.width / 2) * scale;
    const y = (r.top - origin.top + r.height / 2) * scale;
    ctx.lineWidth = 3 * scale;
    ctx.strokeStyle = "rgba(0, 0, 0, 0.85)";
    ctx.strokeText(letter.textContent, x, y);
    ctx.fillStyle = "#f2f2f2";
    ctx.fillText(letter.textContent, x, y);
  }
  return out;
}

function isHidden(element: HTMLElement): boolean {
  return element.hidden || element.closest("[hidden]") !== null || element.offsetParent === null;
}

/** A file name safe on every system, from untrusted parts (run names come from files). */
export function downloadName(run: unknown, step: number): string {
  const safe = typeof run === "string" ? run.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60) : "";
  return `nbviewer3d${safe ? `-${safe}` : ""}-step${step}.png`;
}

/** Offers `blob` as a download named `name` (the browser's own save, no kernel involved). */
export function offerDownload(doc: Document, blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000); // after the browser has read it
}
