// Backbone-like events for models that live in the page (a page without a kernel, tests).

import type { Callback } from "./model";

type Handler = (...args: unknown[]) => void;

export class ModelEvents {
  private readonly handlers = new Map<string, Set<Handler>>();

  on(event: string, callback: Callback): void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(callback as unknown as Handler);
  }

  /** No event: every handler goes; no callback: every handler of the event goes. */
  off(event?: string | null, callback?: Callback | null): void {
    if (!event) this.handlers.clear();
    else if (!callback) this.handlers.delete(event);
    else this.handlers.get(event)?.delete(callback as unknown as Handler);
  }

  emit(event: string, ...args: unknown[]): void {
    for (const handler of [...(this.handlers.get(event) ?? [])]) handler(...args);
  }

  count(): number {
    let n = 0;
    for (const set of this.handlers.values()) n += set.size;
    return n;
  }
}
