// The volumes of one reply that comes in chunks (nbviewer3d/delivery.py): buffers allocated
// once from the announced sizes and filled in place, by binary chunks or base64 ones; the
// chunks the kernel did not push are asked for a few at a time, so a transfer nobody wants
// any more stops by not asking.

import { bytesOf, type WireBuffer } from "./payload";
import { type ChunkMessage, ProtocolError, type VolumesMessage } from "./protocol";
import { base64Into } from "./text-transport";

/** Chunks kept asked for and not yet arrived, beyond those the kernel pushes. */
export const CHUNKS_IN_FLIGHT = 2;

export class PendingVolumes {
  readonly buffers: Uint8Array[];
  private received = 0;
  private filled = 0;
  /** the next chunk index to ask for */
  private nextAsk: number;
  readonly total: number;

  constructor(readonly message: VolumesMessage) {
    this.buffers = message.sizes.map((size) => new Uint8Array(size));
    this.nextAsk = message.pushed;
    this.total = message.sizes.reduce((sum, n) => sum + n, 0);
  }

  /** Adds a chunk (its bytes as `buffer`, or as base64 in the message); true when complete. */
  add(chunk: ChunkMessage, buffer: WireBuffer | undefined): boolean {
    const target = this.buffers[chunk.volume];
    if (!target)
      throw new ProtocolError(`a chunk names volume ${chunk.volume} of ${this.buffers.length}`);
    if (chunk.data !== null) {
      this.filled += base64Into(chunk.data, target, chunk.offset);
    } else {
      if (buffer === undefined) throw new ProtocolError("a binary chunk came without its buffer");
      const bytes = bytesOf(buffer);
      if (chunk.offset < 0 || chunk.offset + bytes.byteLength > target.byteLength) {
        throw new ProtocolError(
          `a chunk of ${bytes.byteLength} bytes at ${chunk.offset} overruns its ${target.byteLength}-byte buffer`,
        );
      }
      target.set(bytes, chunk.offset);
      this.filled += bytes.byteLength;
    }
    this.received += 1;
    return this.complete();
  }

  complete(): boolean {
    if (this.received < this.message.chunks) return false;
    if (this.filled !== this.total) {
      throw new ProtocolError(`the chunks held ${this.filled} bytes, the volumes ${this.total}`);
    }
    return true;
  }

  /** Fraction of the bytes in, 0..1. */
  get progress(): number {
    return this.total === 0 ? 1 : this.filled / this.total;
  }

  get bytesIn(): number {
    return this.filled;
  }

  /** The chunk indices to ask for now, keeping CHUNKS_IN_FLIGHT outstanding. */
  toAsk(): number[] {
    const outstanding = this.nextAsk - this.received;
    const room = Math.max(0, CHUNKS_IN_FLIGHT - outstanding);
    const asks: number[] = [];
    while (asks.length < room && this.nextAsk < this.message.chunks) asks.push(this.nextAsk++);
    return asks;
  }

  answers(chunk: ChunkMessage): boolean {
    return (
      chunk.step === this.message.step &&
      chunk.version === this.message.version &&
      chunk.level === this.message.level
    );
  }
}
