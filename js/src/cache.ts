// Per-model cache of decoded steps keyed by (step, version), capped in bytes, LRU-evicted.
// Steps some view has on screen are pinned and never evicted, nor is the step that arrived
// last (a view is about to show it); fetches are de-duplicated.

import type { DecodedVolume } from "./payload";
import type { LevelInfo, Role } from "./protocol";

export interface StepVolumes {
  step: number;
  version: number;
  /** the pyramid level held (0: full resolution), of `levels` */
  level: number;
  /** the level sampled, not averaged: the first picture, until the level asked for comes */
  preview: boolean;
  levels: LevelInfo[];
  /** one volume per role; the image is its channel 0 */
  volumes: Map<Role, DecodedVolume>;
  /** every channel of the image, by index (one entry for a single-channel image) */
  channels: DecodedVolume[];
  bytes: number;
}

/** The step's volumes with `channel` of the image in the image's place (clamped to those held). */
export function withChannel(entry: StepVolumes, channel: number): Map<Role, DecodedVolume> {
  const picked = entry.channels[Math.min(Math.max(0, channel), entry.channels.length - 1)];
  if (!picked || picked === entry.volumes.get("image")) return entry.volumes;
  const volumes = new Map(entry.volumes);
  volumes.set("image", picked);
  return volumes;
}

export function stepBytes(volumes: Iterable<DecodedVolume>): number {
  let bytes = 0;
  for (const v of volumes) bytes += v.values.byteLength;
  return bytes;
}

export class StepCache {
  // Map keeps insertion order: first = least recently used.
  private readonly entries = new Map<number, StepVolumes>();
  private readonly inFlight = new Set<number>();
  private readonly pins = new Map<object, number>();

  constructor(
    private capBytes: number,
    private readonly sendFetch: (step: number, level?: number) => void,
  ) {}

  get bytes(): number {
    let total = 0;
    for (const e of this.entries.values()) total += e.bytes;
    return total;
  }

  get steps(): number[] {
    return [...this.entries.keys()];
  }

  setCap(capBytes: number): void {
    this.capBytes = capBytes;
    this.evict();
  }

  /** Whether (step, version) is held, at any level (without marking it used). */
  has(step: number, version: number): boolean {
    return this.entries.get(step)?.version === version;
  }

  /** The entry for (step, version), marking it most recently used. */
  get(step: number, version: number): StepVolumes | undefined {
    const entry = this.entries.get(step);
    if (!entry || entry.version !== version) return undefined;
    this.entries.delete(step);
    this.entries.set(step, entry);
    return entry;
  }

  /**
   * Asks the kernel for a step at `level` (undefined: its coarsest, drawn first) unless it is
   * cached at `version` at that level or finer, or something of it is already on its way.
   */
  request(step: number, version: number, level?: number): boolean {
    if (this.holds(step, version, level)) return false;
    if (this.inFlight.has(step)) return false;
    this.inFlight.add(step);
    this.sendFetch(step, level);
    return true;
  }

  /** Steps asked for and not yet settled. */
  get fetching(): number[] {
    return [...this.inFlight];
  }

  isFetching(step: number): boolean {
    return this.inFlight.has(step);
  }

  /** Forget an outstanding fetch (its answer was an error or could not be decoded). */
  settle(step: number): void {
    this.inFlight.delete(step);
  }

  /** Whether (step, version) is held at `level` or finer (undefined: at any level); a preview
   * counts as coarser than its own level. */
  holds(step: number, version: number, level?: number): boolean {
    const held = this.entries.get(step);
    if (held?.version !== version) return false;
    if (level === undefined) return true;
    return held.level < level || (held.level === level && !held.preview);
  }

  /** Keeps `entry` unless a finer level of the same version is held already. */
  put(entry: StepVolumes): void {
    this.inFlight.delete(entry.step);
    const held = this.entries.get(entry.step);
    const finer = (a: StepVolumes, b: StepVolumes) =>
      a.level < b.level || (a.level === b.level && b.preview && !a.preview);
    if (held && held.version === entry.version && finer(held, entry)) return;
    this.entries.delete(entry.step);
    this.entries.set(entry.step, entry);
    this.evict();
  }

  /** `owner` (a view) shows `step`: keep it. Pass null when the owner goes away. */
  pin(owner: object, step: number | null): void {
    if (step === null) this.pins.delete(owner);
    else this.pins.set(owner, step);
    this.evict();
  }

  clear(): void {
    this.entries.clear();
    this.inFlight.clear();
  }

  private evict(): void {
    const pinned = new Set(this.pins.values());
    const newest = [...this.entries.keys()].pop();
    let total = this.bytes;
    for (const [step, entry] of this.entries) {
      if (total <= this.capBytes) break;
      if (pinned.has(step) || step === newest) continue;
      this.entries.delete(step);
      total -= entry.bytes;
    }
  }
}
