// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { FollowNotes } from "../src/view/follow-notes";
import { FakeModel } from "./fake-model";

describe("FollowNotes", () => {
  it("marks the shown step incomplete until its volumes arrive", () => {
    const model = new FakeModel({
      step: 3,
      steps: [2, 3],
      _incomplete: { "3": ["label", "prediction"] },
    });
    const notes = new FollowNotes(document, model);
    expect(notes.element.hidden).toBe(false);
    expect(notes.element.textContent).toBe(
      "Step 3 is incomplete: no label, prediction logged yet.",
    );
    model.set("step", 2);
    expect(notes.element.hidden).toBe(true);
    model.set("step", 3);
    model.set("_incomplete", {});
    expect(notes.element.hidden).toBe(true);
    notes.dispose();
  });

  it("lists what following met, as text", () => {
    const model = new FakeModel({ follow_notices: [] });
    const notes = new FollowNotes(document, model);
    model.set("follow_notices", ["CorruptRecordWarning: <b>x</b>: bytes 0-40 skipped"]);
    expect(notes.element.textContent).toBe("CorruptRecordWarning: <b>x</b>: bytes 0-40 skipped");
    expect(notes.element.querySelector("b")).toBeNull();
    notes.dispose();
    expect(notes.element.isConnected).toBe(false);
  });
});
