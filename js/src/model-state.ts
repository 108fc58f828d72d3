// Per-model state shared by every view of one Viewer: the step cache and the kernel messages.

import { StepCache, type StepVolumes, stepBytes } from "./cache";
import { describeError } from "./errors";
import { type ModelLike, readCacheBytes } from "./model";
import { decodeVolume, type WireBuffer } from "./payload";
import { parseKernelMessage, type Role } from "./protocol";
import { parseScreenshotRequest, ScreenshotRequests } from "./screenshot";

export type StepEvent =
  | { kind: "volumes"; entry: StepVolumes }
  | { kind: "error"; step: number | null; message: string };

export type StepListener = (event: StepEvent) => void;

export class ModelState {
  readonly cache: StepCache;
  readonly screenshots = new ScreenshotRequests();
  private readonly listeners = new Set<StepListener>();

  constructor(readonly model: ModelLike) {
    this.cache = new StepCache(readCacheBytes(model), (step) =>
      model.send({ type: "fetch", step }),
    );
    model.on("msg:custom", this.onMessage);
    model.on("change:cache_mb", this.onCacheCap);
  }

  /** Adds a view's listener; returns its removal. The last removal empties the cache. */
  subscribe(listener: StepListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.cache.clear();
    };
  }

  dispose(): void {
    this.model.off("msg:custom", this.onMessage);
    this.model.off("change:cache_mb", this.onCacheCap);
    this.listeners.clear();
    this.cache.clear();
    this.screenshots.clear();
  }

  private readonly onCacheCap = (): void => {
    this.cache.setCap(readCacheBytes(this.model));
  };

  private emit(event: StepEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  readonly onMessage = (content: unknown, buffers?: readonly WireBuffer[]): void => {
    const screenshot = parseScreenshotRequest(content);
    if (screenshot) {
      this.screenshots.add(screenshot);
      return;
    }
    void this.handle(content, buffers ?? []);
  };

  async handle(content: unknown, buffers: readonly WireBuffer[]): Promise<void> {
    const claimed = (content as { step?: unknown } | null)?.step;
    let step: number | null = typeof claimed === "number" ? claimed : null;
    try {
      const message = parseKernelMessage(content);
      if (message === null) return;
      step = message.step;
      if (message.type === "error") {
        if (step !== null) this.cache.settle(step);
        this.emit({ kind: "error", step, message: message.message });
        return;
      }
      if (buffers.length < message.volumes.length) {
        throw new Error(
          `step ${step} came with ${buffers.length} buffers for ${message.volumes.length} volumes`,
        );
      }
      const decoded = await Promise.all(
        message.volumes.map((meta, i) => decodeVolume(meta, buffers[i] as WireBuffer)),
      );
      const volumes = new Map<Role, (typeof decoded)[number]>();
      const channels: (typeof decoded)[number][] = [];
      for (const volume of decoded) {
        if (volume.meta.role === "image") channels[volume.meta.channel] = volume;
        if (volume.meta.channel === 0) volumes.set(volume.meta.role, volume);
      }
      if (Array.from(channels).some((c) => c === undefined)) {
        throw new Error(`step ${step} is missing some of its image channels`);
      }
      const entry: StepVolumes = {
        step: message.step,
        version: message.version,
        volumes,
        channels,
        bytes: stepBytes(decoded),
      };
      this.cache.put(entry);
      this.emit({ kind: "volumes", entry });
    } catch (error) {
      if (step !== null) this.cache.settle(step);
      const where = step === null ? "" : ` for step ${step}`;
      this.emit({
        kind: "error",
        step,
        message: `nbviewer3d could not read the volumes${where}: ${describeError(error)}`,
      });
    }
  }
}

// anywidget hands initialize() and each render() a different proxy of the same model, with no
// id on it. Two proxies of one model return the very same object for an object-valued trait,
// and two models never share one, so `_versions` (a dict) identifies the model.
const states = new Set<ModelState>();

function sameModel(a: ModelLike, b: ModelLike): boolean {
  const versions = a.get("_versions");
  return typeof versions === "object" && versions !== null && versions === b.get("_versions");
}

export function registerModelState(model: ModelLike): ModelState {
  const state = new ModelState(model);
  states.add(state);
  return state;
}

export function unregisterModelState(state: ModelState): void {
  states.delete(state);
  state.dispose();
}

export function findModelState(model: ModelLike): ModelState | undefined {
  for (const state of states) if (sameModel(state.model, model)) return state;
  return undefined;
}
