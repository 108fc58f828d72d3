// The fallback transport for front ends that drop binary comm buffers (Colab's widget
// manager): voxels arrive as base64 chunks that fill the very buffers the binary transport
// would have carried, and frames go out with their PNG as base64. See
// nbviewer3d/text_transport.py for the messages.

import { type ChunkMessage, ProtocolError, type Transport, type VolumesMessage } from "./protocol";

/** Decodes base64 `text` into `target` from `offset`; returns the number of bytes written. */
export function base64Into(text: string, target: Uint8Array, offset: number): number {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new ProtocolError("a chunk's data is not valid base64");
  }
  if (offset < 0 || offset + binary.length > target.byteLength) {
    throw new ProtocolError(
      `a chunk of ${binary.length} bytes at ${offset} overruns its ${target.byteLength}-byte buffer`,
    );
  }
  for (let i = 0; i < binary.length; i++) target[offset + i] = binary.charCodeAt(i);
  return binary.length;
}

export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const piece = 0x8000; // String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += piece) {
    parts.push(String.fromCharCode(...bytes.subarray(i, i + piece)));
  }
  return btoa(parts.join(""));
}

/** The volumes of one base64 reply, filled in by its chunks. */
export class PendingVolumes {
  readonly buffers: Uint8Array[];
  private received = 0;
  private filled = 0;

  constructor(readonly message: VolumesMessage) {
    this.buffers = message.sizes.map((size) => new Uint8Array(size));
  }

  /** Adds a chunk; true when every chunk is in and every buffer full. */
  add(chunk: ChunkMessage): boolean {
    const target = this.buffers[chunk.volume];
    if (!target)
      throw new ProtocolError(`a chunk names volume ${chunk.volume} of ${this.buffers.length}`);
    this.filled += base64Into(chunk.data, target, chunk.offset);
    this.received += 1;
    return this.complete();
  }

  complete(): boolean {
    const total = this.buffers.reduce((sum, b) => sum + b.byteLength, 0);
    if (this.received < this.message.chunks) return false;
    if (this.filled !== total) {
      throw new ProtocolError(`the chunks held ${this.filled} bytes, the volumes ${total}`);
    }
    return true;
  }

  answers(chunk: ChunkMessage): boolean {
    return chunk.step === this.message.step && chunk.version === this.message.version;
  }
}

/**
 * The frame message with its picture: the PNG as the message's buffer, or as base64 text in
 * the message where buffers do not get through. `png_bytes` lets the kernel tell a buffer
 * that was dropped on the way from a picture that could not be made.
 */
export function frameWithPicture(
  message: Record<string, unknown>,
  png: ArrayBuffer | null,
  transport: Transport,
): { content: Record<string, unknown>; buffers: ArrayBuffer[] } {
  const content = { ...message, png_bytes: png?.byteLength ?? 0 };
  if (!png) return { content, buffers: [] };
  if (transport === "base64") {
    return { content: { ...content, png: toBase64(new Uint8Array(png)) }, buffers: [] };
  }
  return { content, buffers: [png] };
}
