// @vitest-environment happy-dom
// Tag, run, label and scalar names come from files anyone may have written: they must reach
// the page as text. The last test keeps markup sinks out of the front end altogether.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { showError } from "../src/errors";
import { Panel } from "../src/panel/panel";
import { FakeModel } from "./fake-model";

const HOSTILE = "<img src=x onerror=alert(1)>";

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("untrusted names", () => {
  it("a label name shows literally in the legend", () => {
    const model = new FakeModel({ label_names: { "1": HOSTILE } });
    const panel = new Panel(model);
    panel.setContext({
      imageRange: [0, 1],
      hasOverlay: true,
      sliceCount: 0,
      labelMaps: [{ role: "label", ids: [0, 1] }],
    });
    expect(panel.element.querySelector("img")).toBeNull();
    const row = panel.element.querySelector(".nbviewer3d-legend-row") as HTMLElement;
    expect(row.textContent).toBe(`1 ${HOSTILE}`);
    panel.dispose();
  });

  it("an error naming a tag shows literally", () => {
    const box = document.createElement("div");
    showError(box, `no tag '${HOSTILE}' in this run`);
    expect(box.querySelector("img")).toBeNull();
    expect(box.textContent).toBe(`no tag '${HOSTILE}' in this run`);
  });

  it("no front-end module writes markup (innerHTML and kin)", () => {
    const sinks =
      /\b(innerHTML|outerHTML|insertAdjacentHTML|createContextualFragment|DOMParser)\b|document\.write/;
    const files = sources(join(__dirname, "..", "src"));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((file) => sinks.test(readFileSync(file, "utf8")));
    expect(offenders).toEqual([]);
  });
});
