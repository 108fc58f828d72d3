// A small stand-in for anywidget's model: traits, change events, custom messages, sent messages.

import type { Callback, ModelLike } from "../src/model";
import { ModelEvents } from "../src/model-events";

export class FakeModel implements ModelLike {
  readonly sent: unknown[] = [];
  readonly sentBuffers: (ArrayBuffer | ArrayBufferView)[][] = [];
  saves = 0;
  private readonly attributes: Record<string, unknown>;
  private readonly events = new ModelEvents();

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
    this.events.on(event, callback);
  }

  off(event?: string | null, callback?: Callback | null): void {
    this.events.off(event, callback);
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
    this.events.emit(event, ...args);
  }

  listenerCount(): number {
    return this.events.count();
  }
}
