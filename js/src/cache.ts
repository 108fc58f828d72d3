// Per-model cache of decoded steps keyed by (step, version), capped in bytes, LRU-evicted.
// Steps some view has on screen are pinned and never evicted, nor is the step that arrived
// last (a view is about to show it); fetches are de-duplicated.

import type { DecodedVolume } from "./payload";
import type { Role } from "./protocol";

export interface StepVolumes {
  step: number;
  version: number;
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
    private readonly sendFetch: (step: number) => void,
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

  /** The entry for (step, version), marking it most recently used. */
  get(step: number, version: number): StepVolumes | undefined {
    const entry = this.entries.get(step);
    if (!entry || entry.version !== version) return undefined;
    this.entries.delete(step);
    this.entries.set(step, entry);
    return entry;
  }

  /** Asks the kernel for a step unless it is cached at `version` or already on its way. */
  request(step: number, version: number): boolean {
    if (this.entries.get(step)?.version === version || this.inFlight.has(step)) return false;
    this.inFlight.add(step);
    this.sendFetch(step);
    return true;
  }

  isFetching(step: number): boolean {
    return this.inFlight.has(step);
  }

  /** Forget an outstanding fetch (its answer was an error or could not be decoded). */
  settle(step: number): void {
    this.inFlight.delete(step);
  }

  put(entry: StepVolumes): void {
    this.inFlight.delete(entry.step);
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
