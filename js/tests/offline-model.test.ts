// The model of exported pages: it answers the front end's fetches with the embedded volumes,
// which decode (through the real ModelState) to the values the kernel's transport encoded.
import { describe, expect, it } from "vitest";
import { ModelState, type StepEvent } from "../src/model-state";
import { decodeBase64, type EmbeddedStep, OfflineModel } from "../src/offline-model";
import payloads from "./golden-payloads.json";

interface Golden {
  name: string;
  meta: Record<string, unknown>;
  buffer: string;
  expected: { values: number[] };
}

const goldens = payloads as unknown as Golden[];

function embedded(golden: Golden, metrics: unknown[] = []): EmbeddedStep {
  return { version: 2, volumes: [golden.meta], buffers: [golden.buffer], metrics };
}

function nextEvent(state: ModelState): Promise<StepEvent> {
  return new Promise((resolve) => {
    const unsubscribe = state.subscribe((event) => {
      unsubscribe();
      resolve(event);
    });
  });
}

describe("decodeBase64", () => {
  it("decodes every length and padding as Node's decoder does", () => {
    for (let n = 0; n < 40; n++) {
      const original = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n) % 256);
      const text = Buffer.from(original).toString("base64");
      expect(Array.from(decodeBase64(text))).toEqual(Array.from(original));
    }
  });

  it("refuses text that is not base64", () => {
    expect(() => decodeBase64("ab$d")).toThrow(/corrupt/);
  });
});

describe("OfflineModel", () => {
  it("answers a fetch with the embedded volumes, decoded to the kernel's values", async () => {
    for (const golden of goldens.filter((g) => g.meta.role === "image").slice(0, 3)) {
      const model = new OfflineModel({ step: 5, cache_mb: 64 }, { "5": embedded(golden) });
      const state = new ModelState(model);
      const event = nextEvent(state);
      model.send({ type: "fetch", step: 5 });
      const got = await event;
      if (got.kind !== "volumes") throw new Error(`expected volumes, got ${JSON.stringify(got)}`);
      expect(got.entry.version).toBe(2);
      const image = got.entry.volumes.get("image");
      expect(Array.from(image?.values ?? [])).toEqual(golden.expected.values);
      state.dispose();
    }
  });

  it("says which steps the page holds when asked for another", async () => {
    const model = new OfflineModel({ step: 0 }, { "0": embedded(goldens[0] as Golden) });
    const state = new ModelState(model);
    const event = nextEvent(state);
    model.send({ type: "fetch", step: 7 });
    const got = await event;
    expect(got.kind).toBe("error");
    expect(got.kind === "error" && got.message).toMatch(/step 7 is not in this page/);
    state.dispose();
  });

  it("keeps traits, fires change events and brings each step's metrics with it", () => {
    const rows = [{ class: 1, dice: 0.9 }];
    const steps = {
      "0": embedded(goldens[0] as Golden),
      "3": embedded(goldens[0] as Golden, rows),
    };
    const model = new OfflineModel({ step: 0, _metrics: [] }, steps);
    const changed: string[] = [];
    const onStep = () => changed.push("step");
    model.on("change:step", onStep);
    model.on("change:_metrics", () => changed.push("_metrics"));
    model.set("step", 3);
    model.save_changes();
    expect(model.get("step")).toBe(3);
    expect(model.get("_metrics")).toEqual(rows);
    expect(changed).toEqual(["step", "_metrics"]);
    model.off("change:step", onStep);
    model.set("step", 0);
    expect(changed).toEqual(["step", "_metrics", "_metrics"]);
  });

  it("ignores what only a kernel answers (screenshots)", () => {
    const model = new OfflineModel({}, {});
    let heard = 0;
    model.on("msg:custom", () => heard++);
    model.send({ type: "frame", ids: [1] });
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(heard).toBe(0);
        resolve();
      }, 0),
    );
  });
});
