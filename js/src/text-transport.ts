// The fallback transport for front ends that drop binary comm buffers (Colab's widget
// manager): voxels arrive as base64 chunks (pending.ts) that fill the very buffers the binary
// transport would have carried, and frames go out with their PNG as base64. See
// nbviewer3d/text_transport.py for the messages.

import { ProtocolError, type Transport } from "./protocol";

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
