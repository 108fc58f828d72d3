// The patient direction at the middle of each edge of a slice view (R/L, A/P, S/I): small light
// letters with a dark halo, readable on any image, over the canvas and not in its way.

import type { EdgeLetters } from "./orientation";

const EDGES = ["top", "bottom", "left", "right"] as const;
type Edge = (typeof EDGES)[number];

const PLACE: Record<Edge, Partial<CSSStyleDeclaration>> = {
  top: { top: "4px", left: "50%", transform: "translateX(-50%)" },
  bottom: { bottom: "4px", left: "50%", transform: "translateX(-50%)" },
  left: { left: "6px", top: "50%", transform: "translateY(-50%)" },
  right: { right: "6px", top: "50%", transform: "translateY(-50%)" },
};

export class EdgeLetterOverlay {
  private readonly boxes: Record<Edge, HTMLDivElement>;

  constructor(container: HTMLElement) {
    const doc = container.ownerDocument;
    const make = (edge: Edge): HTMLDivElement => {
      const box = doc.createElement("div");
      box.className = "nbviewer3d-edge";
      box.dataset.edge = edge;
      Object.assign(box.style, {
        position: "absolute",
        color: "#f2f2f2",
        font: "bold 13px/1 var(--jp-ui-font-family, system-ui, sans-serif)",
        textShadow: "0 0 2px #000, 0 0 3px #000, 1px 1px 1px #000",
        pointerEvents: "none",
        userSelect: "none",
        ...PLACE[edge],
      });
      box.hidden = true;
      container.append(box);
      return box;
    };
    this.boxes = {
      top: make("top"),
      bottom: make("bottom"),
      left: make("left"),
      right: make("right"),
    };
  }

  show(letters: EdgeLetters): void {
    for (const edge of EDGES) {
      const box = this.boxes[edge];
      box.hidden = false;
      if (box.textContent !== letters[edge]) box.textContent = letters[edge];
    }
  }

  hide(): void {
    for (const edge of EDGES) this.boxes[edge].hidden = true;
  }

  dispose(): void {
    for (const edge of EDGES) this.boxes[edge].remove();
  }
}
