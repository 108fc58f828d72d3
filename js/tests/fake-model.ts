// A small stand-in for anywidget's model: traits, change events, custom messages, sent messages.

import type { Callback, ModelLike } from "../src/model";

type Handler = (...args: unknown[]) => void;

export class FakeModel implements ModelLike {
  readonly sent: unknown[] = [];
  readonly sentBuffers: (ArrayBuffer | ArrayBufferView)[][] = [];
  saves = 0;
  private readonly attributes: Record<string, unknown>;
  private readonly handlers = new Map<string, Set<Handler>>();

  constructor(attributes: Record<string, unknown> = {}) {
    this.attributes = {
      cmap: "Grayscale",
      vmin: null,
      vmax: null,
      sample_distance: 0.25,
      gradient_opacity: 0.7,
      label_blend: 0.5,
      label_visible: true,
      view_mode: "volume",
      compare: "overlay",
      cursor: null,
      steps: [0],
      step: 0,
      height: 300,
      cache_mb: 512,
      _versions: { "0": 0 },
      ...attributes,
    };
  }

  get(key: string): unknown {
    return this.attributes[key];
  }

  /** Like Backbone: fires change:key when the value changes. */
  set(key: string, value: unknown): void {
    if (this.attributes[key] === value) return;
    this.attributes[key] = value;
    this.emit(`change:${key}`);
  }

  save_changes(): void {
    this.saves += 1;
  }

  on(event: string, callback: Callback): void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(callback as unknown as Handler);
  }

  off(event?: string | null, callback?: Callback | null): void {
    if (!event) {
      this.handlers.clear();
      return;
    }
    if (!callback) this.handlers.delete(event);
    else this.handlers.get(event)?.delete(callback as unknown as Handler);
  }

  send(content: unknown, _callbacks?: unknown, buffers?: ArrayBuffer[] | ArrayBufferView[]): void {
    this.sent.push(content);
    this.sentBuffers.push([...(buffers ?? [])]);
  }

  /** Simulates a change made in Python. */
  pythonSets(key: string, value: unknown): void {
    this.set(key, value);
  }

  emit(event: string, ...args: unknown[]): void {
    for (const handler of [...(this.handlers.get(event) ?? [])]) handler(...args);
  }

  listenerCount(): number {
    let n = 0;
    for (const set of this.handlers.values()) n += set.size;
    return n;
  }
}
