// The 3D view's orientation marker: a cube lettered R/L, A/P, S/I on its faces, turned as the
// camera turns. It is drawn in a small 2D canvas over a corner of the view (an orthographic
// projection of the camera's orientation), so it holds no GL state and adds only a few canvas
// fills to a frame.

import { cross, dot, screenRight, type Vec3, type ViewBasis } from "./orientation";

interface Face {
  letter: string;
  normal: Vec3;
  /** the letter's up on this face (its right is up x normal, so it reads unmirrored outside) */
  up: Vec3;
  rgb: Vec3;
}

// R/L red, A/P green, S/I blue: RAS read as RGB, the habit of medical viewers. Side letters
// stand upright; S reads from the front above, I from the feet (as the axial view looks).
const FACES: readonly Face[] = [
  { letter: "R", normal: [1, 0, 0], up: [0, 0, 1], rgb: [196, 64, 58] },
  { letter: "L", normal: [-1, 0, 0], up: [0, 0, 1], rgb: [196, 64, 58] },
  { letter: "A", normal: [0, 1, 0], up: [0, 0, 1], rgb: [58, 150, 72] },
  { letter: "P", normal: [0, -1, 0], up: [0, 0, 1], rgb: [58, 150, 72] },
  { letter: "S", normal: [0, 0, 1], up: [0, -1, 0], rgb: [60, 105, 200] },
  { letter: "I", normal: [0, 0, -1], up: [0, 1, 0], rgb: [60, 105, 200] },
];

type Point = [number, number];
export type Matrix2D = [number, number, number, number, number, number];

/** A face of the unit cube (half side 1) as seen on screen: x right, y down, centre at 0. */
export interface ProjectedFace {
  letter: string;
  rgb: Vec3;
  /** cosine between the face's normal and the direction to the viewer, in (0, 1] */
  facing: number;
  corners: [Point, Point, Point, Point];
  /** canvas setTransform() taking the face's own frame (x right, y down) to the screen */
  letterTransform: Matrix2D;
}

/** The faces the viewer sees, most frontal first (a convex cube: they never overlap). */
export function projectCube(basis: ViewBasis): ProjectedFace[] {
  const right = screenRight(basis);
  const screen = (w: Vec3): Point => [dot(w, right), -dot(w, basis.up)];
  const faces: ProjectedFace[] = [];
  for (const face of FACES) {
    const facing = -dot(face.normal, basis.look);
    if (facing <= 1e-6) continue;
    const r = cross(face.up, face.normal);
    const u = face.up;
    const corner = (sr: number, su: number): Point =>
      screen([
        face.normal[0] + sr * r[0] + su * u[0],
        face.normal[1] + sr * r[1] + su * u[1],
        face.normal[2] + sr * r[2] + su * u[2],
      ]);
    const [rx, ry] = screen(r);
    const [ux, uy] = screen(u);
    const [cx, cy] = screen(face.normal);
    faces.push({
      letter: face.letter,
      rgb: face.rgb,
      facing,
      corners: [corner(-1, 1), corner(1, 1), corner(1, -1), corner(-1, -1)],
      letterTransform: [rx, ry, -ux, -uy, cx, cy],
    });
  }
  return faces.sort((a, b) => b.facing - a.facing);
}

const SIZE_PX = 72;
// The cube's corners reach sqrt(3) half sides from its centre: it fits in any orientation.
const MARGIN = 0.96 / Math.sqrt(3);
// Letters are drawn at 100x their size and scaled down by the face's transform: canvas text
// at a fraction of a pixel would be rounded by the font engine.
const LETTER_SCALE = 100;
const LETTER_HEIGHT = 1.25;

export class OrientationMarker {
  private readonly canvas: HTMLCanvasElement;
  private drawn = "";

  constructor(container: HTMLElement) {
    this.canvas = container.ownerDocument.createElement("canvas");
    this.canvas.className = "nbviewer3d-orientation";
    this.canvas.setAttribute("aria-hidden", "true");
    Object.assign(this.canvas.style, {
      position: "absolute",
      right: "6px",
      bottom: "6px",
      width: `${SIZE_PX}px`,
      height: `${SIZE_PX}px`,
      pointerEvents: "none",
    });
    this.canvas.hidden = true;
    container.append(this.canvas);
  }

  /** Shows the cube as a camera looking along `basis` sees it. */
  show(basis: ViewBasis): void {
    this.canvas.hidden = false;
    const ratio = globalThis.devicePixelRatio || 1;
    const key = JSON.stringify([basis, ratio]);
    if (key === this.drawn) return;
    this.drawn = key;
    const pixels = Math.round(SIZE_PX * ratio);
    if (this.canvas.width !== pixels) this.canvas.width = pixels;
    if (this.canvas.height !== pixels) this.canvas.height = pixels;
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    const faces = projectCube(basis);
    this.canvas.dataset.faces = faces.map((f) => f.letter).join("");
    draw(ctx, faces, pixels);
  }

  hide(): void {
    this.canvas.hidden = true;
  }

  dispose(): void {
    this.canvas.remove();
  }
}

function draw(
  ctx: CanvasRenderingContext2D,
  faces: readonly ProjectedFace[],
  pixels: number,
): void {
  const half = pixels / 2;
  const k = half * MARGIN;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, pixels, pixels);
  ctx.lineJoin = "round";
  for (const face of faces) {
    const shade = 0.5 + 0.5 * face.facing;
    const [r, g, b] = face.rgb.map((c) => Math.round(c * shade));
    ctx.setTransform(k, 0, 0, k, half, half);
    ctx.beginPath();
    face.corners.forEach(([x, y], i) => {
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.closePath();
    ctx.fillStyle = `rgba(${r}, ${g}, ${b}, 0.92)`;
    ctx.fill();
    ctx.lineWidth = 1.5 / k;
    ctx.strokeStyle = "rgba(0, 0, 0, 0.7)";
    ctx.stroke();

    const [a, bb, c, d, e, f] = face.letterTransform;
    const s = k / LETTER_SCALE;
    ctx.setTransform(a * s, bb * s, c * s, d * s, half + e * k, half + f * k);
    ctx.font = `bold ${LETTER_HEIGHT * LETTER_SCALE}px sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = `rgba(255, 255, 255, ${Math.min(1, 0.35 + face.facing)})`;
    ctx.fillText(face.letter, 0, 0.06 * LETTER_SCALE);
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
}
