// Per-model state shared by every view of one Viewer: the step cache and the kernel messages.

import { StepCache, type StepVolumes, stepBytes } from "./cache";
import { describeError } from "./errors";
import { type ModelLike, readCacheBytes } from "./model";
import { type DecodedVolume, decodeVolume, type WireBuffer } from "./payload";
import { PendingVolumes } from "./pending";
import {
  type ChunksMessage,
  type FetchMessage,
  type PlaneMessage,
  type PlaneRequest,
  parseKernelMessage,
  type Role,
  type Transport,
  type VolumesMessage,
} from "./protocol";
import { parseScreenshotRequest, ScreenshotRequests } from "./screenshot";
import { base64Into, frameWithPicture } from "./text-transport";
import { markModel } from "./timings";

export type StepEvent =
  | { kind: "volumes"; entry: StepVolumes }
  | { kind: "progress"; step: number; level: number; received: number; total: number }
  | { kind: "plane"; plane: Plane }
  | { kind: "error"; step: number | null; message: string };

/** A voxel plane of a step at full resolution (see PlaneMessage), decoded. */
export interface Plane {
  step: number;
  version: number;
  axis: number;
  index: number;
  volumes: DecodedVolume[];
  /** why the kernel sent none (see PlaneMessage) */
  skipped: string | null;
}

export type StepListener = (event: StepEvent) => void;

// Once a reply in this page came without its buffers, later viewers start with base64.
let pageTransport: Transport = "binary";

export class ModelState {
  readonly cache: StepCache;
  readonly screenshots = new ScreenshotRequests();
  /** "base64" once buffers were found not to arrive (in either direction) */
  transport: Transport = pageTransport;
  private readonly listeners = new Set<StepListener>();
  private readonly refetched = new Set<number>();
  /** replies coming in chunks, by step (one transfer per step at a time) */
  private readonly pending = new Map<number, PendingVolumes>();
  /** the steps some view shows or prefetches; transfers of the others stop */
  private wanted = new Set<number>();

  constructor(readonly model: ModelLike) {
    this.cache = new StepCache(readCacheBytes(model), (step, level) => this.fetch(step, level));
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
    this.pending.clear();
    this.cache.clear();
    this.screenshots.clear();
  }

  /** Only `steps` are wanted now: the transfers of other steps stop (they ask no more chunks). */
  want(steps: Iterable<number>): void {
    this.wanted = new Set(steps);
    for (const step of [...this.pending.keys()]) {
      if (this.wanted.has(step)) continue;
      this.pending.delete(step);
      this.cache.settle(step);
    }
  }

  /** Bytes of the transfers under way (for the view's progress line). */
  transferOf(step: number): { level: number; received: number; total: number } | null {
    const pending = this.pending.get(step);
    if (!pending) return null;
    return { level: pending.message.level, received: pending.bytesIn, total: pending.total };
  }

  /** Sends a frame message with its PNG (null when none could be made) the way that works. */
  sendFrame(message: Record<string, unknown>, png: ArrayBuffer | null): void {
    const { content, buffers } = frameWithPicture(message, png, this.transport);
    this.model.send(content, undefined, buffers);
  }

  /** Asks for a plane of a step at full resolution (a "plane" event brings it). */
  askPlane(step: number, version: number, axis: number, index: number): void {
    const message: PlaneRequest = { type: "plane", step, version, axis, index };
    if (this.transport === "base64") message.transport = "base64";
    this.model.send(message);
  }

  private async receivePlane(message: PlaneMessage, buffers: readonly WireBuffer[]): Promise<void> {
    const { step, version, axis, index } = message;
    const bytes = message.volumes.map((_, i) => {
      const text = message.data[i];
      if (text === null || text === undefined) return buffers[i];
      const target = new Uint8Array(message.sizes[i] ?? 0);
      base64Into(text, target, 0);
      return target;
    });
    if (bytes.some((b) => b === undefined)) {
      // this front end drops binary buffers: ask again as text
      this.useBase64();
      this.askPlane(step, version, axis, index);
      return;
    }
    const volumes = await Promise.all(
      message.volumes.map((meta, i) => decodeVolume(meta, bytes[i] as WireBuffer)),
    );
    const plane = { step, version, axis, index, volumes, skipped: message.skipped };
    this.emit({ kind: "plane", plane });
  }

  private fetch(step: number, level?: number): void {
    const message: FetchMessage = { type: "fetch", step };
    if (level !== undefined) message.level = level;
    if (this.transport === "base64") message.transport = "base64";
    this.model.send(message);
    markModel(this, "fetch");
  }

  private askChunks(pending: PendingVolumes): void {
    const { step, version, level, preview } = pending.message;
    for (const first of pending.toAsk()) {
      const message: ChunksMessage = {
        type: "chunks",
        step,
        version,
        level,
        preview,
        first,
        count: 1,
      };
      if (this.transport === "base64") message.transport = "base64";
      this.model.send(message);
    }
  }

  private useBase64(): void {
    this.transport = "base64";
    pageTransport = "base64";
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
      if (message.type === "transport") {
        this.useBase64();
        return;
      }
      if (message.type === "plane") {
        await this.receivePlane(message, buffers);
        return;
      }
      if (message.type === "chunk") {
        const pending = this.pending.get(message.step);
        if (!pending?.answers(message)) return; // a transfer that stopped or was replaced
        const done = pending.add(message, buffers[0]);
        this.emit({
          kind: "progress",
          step: message.step,
          level: message.level,
          received: pending.bytesIn,
          total: pending.total,
        });
        if (!done) {
          this.askChunks(pending);
          return;
        }
        this.pending.delete(message.step);
        await this.store(pending.message, pending.buffers);
        return;
      }
      if (message.chunks > 0) {
        if (!this.wanted.has(message.step) && this.wanted.size > 0) {
          this.cache.settle(message.step); // nobody wants it any more: ask for nothing
          return;
        }
        const pending = new PendingVolumes(message);
        this.pending.set(message.step, pending);
        if (pending.complete()) {
          this.pending.delete(message.step);
          await this.store(message, pending.buffers);
          return;
        }
        this.emit({
          kind: "progress",
          step: message.step,
          level: message.level,
          received: 0,
          total: pending.total,
        });
        this.askChunks(pending);
        return;
      }
      if (buffers.length < message.volumes.length) {
        if (this.refetched.has(message.step)) {
          throw new Error(
            `step ${step} came with ${buffers.length} buffers for ${message.volumes.length} volumes`,
          );
        }
        // this front end drops binary buffers: ask again for the voxels as text
        this.refetched.add(message.step);
        this.useBase64();
        this.fetch(message.step, message.level);
        return;
      }
      await this.store(message, buffers);
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

  private async store(message: VolumesMessage, buffers: readonly WireBuffer[]): Promise<void> {
    markModel(this, "received");
    const step = message.step;
    const decoded = await Promise.all(
      message.volumes.map((meta, i) => decodeVolume(meta, buffers[i] as WireBuffer)),
    );
    markModel(this, "decoded");
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
      level: message.level,
      preview: message.preview,
      levels: message.levels,
      volumes,
      channels,
      bytes: stepBytes(decoded),
    };
    this.cache.put(entry);
    this.emit({ kind: "volumes", entry });
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
