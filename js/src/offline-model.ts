// The model of a page without a kernel (nbviewer3d.export_html): traits live in the page, and
// the front end's {type: "fetch"} messages are answered from the volumes embedded in it, in the
// kernel's own wire format (see nbviewer3d/viewer.py), as anywidget would deliver them.

import type { Callback, ModelLike } from "./model";
import { ModelEvents } from "./model-events";

/** One step as the kernel would send it, its buffers in base64, with its metrics rows. */
export interface EmbeddedStep {
  version: number;
  volumes: unknown[];
  buffers: string[];
  metrics: unknown[];
}

/** What nbviewer3d/export.py writes into the page. */
export interface Embedded {
  esm: string;
  state: Record<string, unknown>;
  steps: Record<string, EmbeddedStep>;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const CODES = new Uint8Array(128).fill(255);
for (let i = 0; i < BASE64.length; i++) CODES[BASE64.charCodeAt(i)] = i;

function code(text: string, at: number): number {
  const value = at < text.length ? (CODES[text.charCodeAt(at) & 127] as number) : 0;
  if (value === 255) throw new Error("the volumes embedded in this page are corrupt");
  return value;
}

/** Standard base64 to bytes; atob's string is slow for volumes of many MB. */
export function decodeBase64(text: string): Uint8Array {
  const body = text.replace(/=+$/, "");
  const bytes = new Uint8Array(Math.floor((body.length * 3) / 4));
  let out = 0;
  for (let i = 0; i < body.length; i += 4) {
    const n =
      (code(body, i) << 18) |
      (code(body, i + 1) << 12) |
      (code(body, i + 2) << 6) |
      code(body, i + 3);
    bytes[out++] = n >> 16;
    if (out < bytes.length) bytes[out++] = (n >> 8) & 255;
    if (out < bytes.length) bytes[out++] = n & 255;
  }
  return bytes;
}

export class OfflineModel implements ModelLike {
  private readonly events = new ModelEvents();

  constructor(
    private readonly state: Record<string, unknown>,
    private readonly steps: Record<string, EmbeddedStep>,
  ) {}

  get(key: string): unknown {
    return this.state[key];
  }

  /** Like Backbone: fires change:key when the value changes. */
  set(key: string, value: unknown): void {
    if (this.state[key] === value) return;
    this.state[key] = value;
    this.events.emit(`change:${key}`);
    // the kernel publishes the shown step's metrics; here they come with the step
    if (key === "step") this.set("_metrics", this.steps[String(value)]?.metrics ?? []);
  }

  save_changes(): void {}

  on(event: string, callback: Callback): void {
    this.events.on(event, callback);
  }

  off(event?: string | null, callback?: Callback | null): void {
    this.events.off(event, callback);
  }

  /** Fetches are answered after the caller returns, as a kernel's reply would be. */
  send(content: unknown): void {
    const message = content as { type?: unknown; step?: unknown } | null;
    if (message?.type !== "fetch" || typeof message.step !== "number") return;
    const step = message.step;
    setTimeout(() => this.answer(step), 0);
  }

  private answer(step: number): void {
    const embedded = this.steps[String(step)];
    if (!embedded) {
      const message = `step ${step} is not in this page: export_html(viewer, path, steps="all") embeds every step`;
      this.events.emit("msg:custom", { type: "error", step, message }, []);
      return;
    }
    // decoded on each fetch: the front end's step cache keeps what it holds, under cache_mb
    const buffers = embedded.buffers.map((b) => {
      const bytes = decodeBase64(b);
      return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    });
    const reply = { type: "volumes", step, version: embedded.version, volumes: embedded.volumes };
    this.events.emit("msg:custom", reply, buffers);
  }
}
