// The label colours the kernel's static pictures use (nbviewer3d/label_palette.py) are checked
// against the same file, so a class has one colour in the browser and in the saved notebook.
import { describe, expect, it } from "vitest";
import { hexColor, LABEL_PALETTE, PREDICTION_PALETTE } from "../src/palette";
import golden from "./label-palette.json";

describe("label palette shared with the kernel", () => {
  it("gives label ids 1..64 the committed colours", () => {
    const colors = golden.label.map((_, i) => hexColor(LABEL_PALETTE.color(i + 1)));
    expect(colors).toEqual(golden.label);
  });

  it("gives prediction ids 1..64 the committed colours", () => {
    const colors = golden.prediction.map((_, i) => hexColor(PREDICTION_PALETTE.color(i + 1)));
    expect(colors).toEqual(golden.prediction);
  });
});
