// The fallback for front ends that drop binary buffers: a reply without its buffers makes the
// model ask again for base64, the chunks fill the same buffers the binary transport carries
// (golden payloads from the kernel's real transport decode to their exact values), and
// frames go out with their PNG as text.
import { describe, expect, it } from "vitest";
import { ModelState, type StepEvent } from "../src/model-state";
import { PendingVolumes } from "../src/pending";
import { parseKernelMessage, type VolumeMeta } from "../src/protocol";
import { base64Into, toBase64 } from "../src/text-transport";
import { FakeModel } from "./fake-model";
import payloads from "./golden-payloads.json";

interface Golden {
  name: string;
  meta: VolumeMeta;
  buffer: string;
  expected: { values: number[] };
}

const goldens = payloads as unknown as Golden[];
const image = goldens.find((g) => g.name === "float32 HU in quarter steps") as Golden;
const label = goldens.find((g) => g.name === "uint16 label ids") as Golden;

/** The kernel's base64 reply (text_transport.py) with chunks of at most `size` bytes. */
function base64Reply(step: number, cases: Golden[], size: number): object[] {
  const buffers = cases.map((c) => Uint8Array.from(Buffer.from(c.buffer, "base64")));
  const chunks: object[] = [];
  buffers.forEach((bytes, volume) => {
    for (let offset = 0; offset < bytes.length; offset += size) {
      const data = toBase64(bytes.subarray(offset, offset + size));
      chunks.push({ type: "chunk", step, version: 0, volume, offset, data });
    }
  });
  const header = {
    type: "volumes",
    step,
    version: 0,
    volumes: cases.map((c) => c.meta),
    transport: "base64",
    sizes: buffers.map((b) => b.length),
    chunks: chunks.length,
  };
  return [header, ...chunks];
}

function last<T>(items: T[]): T | undefined {
  return items[items.length - 1];
}

function listen(state: ModelState): StepEvent[] {
  const events: StepEvent[] = [];
  state.subscribe((event) => events.push(event));
  return events;
}

describe("base64 fallback", () => {
  it("round-trips bytes through base64 and refuses a chunk that overruns its buffer", () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
    const target = new Uint8Array(bytes.length);
    expect(base64Into(toBase64(bytes), target, 0)).toBe(bytes.length);
    expect(target).toEqual(bytes);
    expect(() => base64Into(toBase64(bytes), target, 1)).toThrow(/overruns/);
    expect(() => base64Into("not base64!", target, 0)).toThrow(/not valid base64/);
  });

  it("asks again for base64 when a reply lacks its buffers, then decodes the chunks", async () => {
    const model = new FakeModel();
    const state = new ModelState(model);
    const events = listen(state);
    state.cache.request(0, 0);
    const volumes = [image.meta, { ...label.meta, role: "label" }];
    await state.handle({ type: "volumes", step: 0, version: 0, volumes }, []);
    expect(events).toEqual([]);
    expect(model.sent).toEqual([
      { type: "fetch", step: 0 },
      { type: "fetch", step: 0, level: 0, transport: "base64" },
    ]);
    expect(state.transport).toBe("base64");
    for (const message of base64Reply(0, [image, label], 50)) await state.handle(message, []);
    expect(events.map((e) => e.kind).filter((k) => k !== "progress")).toEqual(["volumes"]);
    const entry = (
      events.find((e) => e.kind === "volumes") as {
        entry: { volumes: Map<string, { values: ArrayLike<number> }> };
      }
    ).entry;
    expect(Array.from(entry.volumes.get("image")?.values ?? [])).toEqual(image.expected.values);
    expect(Array.from(entry.volumes.get("label")?.values ?? [])).toEqual(label.expected.values);
    // the choice holds for the model's later fetches and for viewers made after it
    state.cache.request(5, 0);
    expect(last(model.sent)).toEqual({ type: "fetch", step: 5, transport: "base64" });
    expect(new ModelState(new FakeModel()).transport).toBe("base64");
  });

  it("says so when the base64 reply is short too, instead of asking forever", async () => {
    const model = new FakeModel();
    const state = new ModelState(model);
    const events = listen(state);
    const reply = { type: "volumes", step: 2, version: 0, volumes: [image.meta] };
    await state.handle(reply, []);
    await state.handle(reply, []);
    expect(model.sent.filter((m) => (m as { step: number }).step === 2)).toHaveLength(1);
    expect(last(events)).toMatchObject({ kind: "error", step: 2 });
    expect((last(events) as { message: string }).message).toMatch(/0 buffers for 1 volumes/);
  });

  it("refuses chunks that do not add up to the announced sizes", () => {
    const [header, chunk] = base64Reply(0, [image], 1 << 20);
    const message = parseKernelMessage({ ...header, sizes: [image.meta.nbytes + 8] });
    const parsed = parseKernelMessage(chunk);
    if (message?.type !== "volumes" || parsed?.type !== "chunk") throw new Error("not parsed");
    expect(() => new PendingVolumes(message).add(parsed, undefined)).toThrow(/chunks held/);
  });

  it("ignores chunks of a reply that a newer one replaced", async () => {
    const state = new ModelState(new FakeModel());
    const events = listen(state);
    const [, ...stale] = base64Reply(1, [image], 64);
    const fresh = base64Reply(3, [image], 64);
    await state.handle(fresh[0], []);
    for (const chunk of stale) await state.handle(chunk, []);
    for (const chunk of fresh.slice(1)) await state.handle(chunk, []);
    expect(events.map((e) => e.kind).filter((k) => k !== "progress")).toEqual(["volumes"]);
  });

  it("sends frames with the PNG as a buffer, or as base64 once buffers are known lost", () => {
    const model = new FakeModel();
    const state = new ModelState(model);
    state.transport = "binary";
    const png = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]).buffer;
    state.sendFrame({ type: "frame", ids: [1] }, png);
    expect(last(model.sent)).toEqual({ type: "frame", ids: [1], png_bytes: 11 });
    expect(last(model.sentBuffers)).toEqual([png]);
    state.onMessage({ type: "transport", transport: "base64" });
    state.sendFrame({ type: "frame", ids: [2] }, png);
    expect(last(model.sent)).toEqual({
      type: "frame",
      ids: [2],
      png_bytes: 11,
      png: Buffer.from(new Uint8Array(png)).toString("base64"),
    });
    expect(last(model.sentBuffers)).toEqual([]);
    state.sendFrame({ type: "frame", ids: [3] }, null);
    expect(last(model.sent)).toEqual({ type: "frame", ids: [3], png_bytes: 0 });
  });
});
