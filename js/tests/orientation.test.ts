// @vitest-environment happy-dom
import vtkCamera from "@kitware/vtk.js/Rendering/Core/Camera";
import { describe, expect, it } from "vitest";
import type { Grid } from "../src/payload";
import { frameCamera, gridCorners } from "../src/view/camera";
import { EdgeLetterOverlay } from "../src/view/edge-letters";
import {
  cameraBasis,
  cross,
  dot,
  edgeLetters,
  matchAxes,
  normalize,
  patientLetter,
  type SliceMode,
  screenRight,
  sliceAxis,
  sliceViewBasis,
  type Vec3,
  type ViewBasis,
  volumeViewBasis,
} from "../src/view/orientation";
import { OrientationMarker, projectCube } from "../src/view/orientation-marker";

/** vtk's column-major direction from the world directions of index axes i, j, k. */
function direction(i: Vec3, j: Vec3, k: Vec3): number[] {
  return [...i, ...j, ...k];
}

const IDENTITY = direction([1, 0, 0], [0, 1, 0], [0, 0, 1]);
// Index axis 0 runs along world z, 1 along y, 2 along x (an array read slice-first).
const PERMUTED = direction([0, 0, 1], [0, 1, 0], [1, 0, 0]);
// Stored from the patient's right to left and anterior to posterior (LPS-ordered voxels).
const FLIPPED = direction([-1, 0, 0], [0, -1, 0], [0, 0, 1]);
// Permuted and flipped at once: i runs to the feet, j to the left, k to the front.
const MIXED = direction([0, 0, -1], [-1, 0, 0], [0, 1, 0]);

function rotationAboutX(degrees: number): number[] {
  const a = (degrees * Math.PI) / 180;
  return direction([1, 0, 0], [0, Math.cos(a), Math.sin(a)], [0, -Math.sin(a), Math.cos(a)]);
}

function rotationAboutZ(degrees: number): number[] {
  const a = (degrees * Math.PI) / 180;
  return direction([Math.cos(a), Math.sin(a), 0], [-Math.sin(a), Math.cos(a), 0], [0, 0, 1]);
}

function expectVec(actual: Vec3, expected: Vec3, digits = 6): void {
  actual.forEach((v, i) => {
    expect(v).toBeCloseTo(expected[i] as number, digits);
  });
}

const MODES: SliceMode[] = ["axial", "coronal", "sagittal"];

describe("picking the index axis by world direction", () => {
  it("pairs world x, y, z with the index axes running along them", () => {
    expect(matchAxes(IDENTITY)).toEqual([0, 1, 2]);
    expect(matchAxes(PERMUTED)).toEqual([2, 1, 0]);
    expect(matchAxes(FLIPPED)).toEqual([0, 1, 2]);
    expect(matchAxes(MIXED)).toEqual([1, 2, 0]);
  });

  it("slices the axial view along the index axis closest to superior", () => {
    expect(sliceAxis("axial", IDENTITY)).toBe(2);
    expect(sliceAxis("axial", PERMUTED)).toBe(0);
    expect(sliceAxis("sagittal", PERMUTED)).toBe(2);
    expect(sliceAxis("coronal", MIXED)).toBe(2);
    expect(sliceAxis("sagittal", MIXED)).toBe(1);
  });

  it("follows an oblique image to the closest axis and keeps the three views distinct", () => {
    expect(matchAxes(rotationAboutZ(20))).toEqual([0, 1, 2]);
    // Turned 60 degrees: index axis 1 now runs closer to x than axis 0 does.
    expect(matchAxes(rotationAboutZ(60))).toEqual([1, 0, 2]);
    // Exactly 45 degrees: still one index axis per view.
    expect(new Set(matchAxes(rotationAboutZ(45))).size).toBe(3);
  });
});

describe("slice view cameras (radiological convention)", () => {
  it("looks at axial slices from the feet with anterior up, patient right on the left", () => {
    const basis = sliceViewBasis("axial", IDENTITY);
    expectVec(basis.look, [0, 0, 1]);
    expectVec(basis.up, [0, 1, 0]);
    expectVec(screenRight(basis), [-1, 0, 0]);
    expect(edgeLetters(basis)).toEqual({ top: "A", bottom: "P", left: "R", right: "L" });
  });

  it("looks at coronal slices from the front and sagittal ones from the patient's left", () => {
    const coronal = sliceViewBasis("coronal", IDENTITY);
    expectVec(coronal.look, [0, -1, 0]);
    expectVec(coronal.up, [0, 0, 1]);
    expect(edgeLetters(coronal)).toEqual({ top: "S", bottom: "I", left: "R", right: "L" });
    const sagittal = sliceViewBasis("sagittal", IDENTITY);
    expectVec(sagittal.look, [1, 0, 0]);
    expectVec(sagittal.up, [0, 0, 1]);
    expect(edgeLetters(sagittal)).toEqual({ top: "S", bottom: "I", left: "A", right: "P" });
  });

  it("places the camera by world direction whatever the order and sign of the index axes", () => {
    for (const mode of MODES) {
      const reference = sliceViewBasis(mode, IDENTITY);
      for (const d of [PERMUTED, FLIPPED, MIXED]) {
        const basis = sliceViewBasis(mode, d);
        expectVec(basis.look, reference.look);
        expectVec(basis.up, reference.up);
      }
    }
  });

  it("looks straight across an oblique image's slices and keeps it upright", () => {
    const tilted = rotationAboutX(20); // a tilted CT gantry
    const basis = sliceViewBasis("axial", tilted);
    const k: Vec3 = [tilted[6] as number, tilted[7] as number, tilted[8] as number];
    const j: Vec3 = [tilted[3] as number, tilted[4] as number, tilted[5] as number];
    expectVec(basis.look, k);
    expectVec(basis.up, j);
    expect(edgeLetters(basis)).toEqual({ top: "A", bottom: "P", left: "R", right: "L" });
    for (const mode of MODES) {
      const b = sliceViewBasis(mode, rotationAboutZ(30));
      expect(dot(b.look, b.up)).toBeCloseTo(0, 9);
      expect(Math.hypot(...b.up)).toBeCloseTo(1, 9);
    }
  });
});

describe("default 3D camera", () => {
  const basis = volumeViewBasis();

  it("faces the patient from the front, superior up, patient right on the screen's left", () => {
    expect(dot(basis.look, [0, 1, 0])).toBeLessThan(-0.7); // looks towards posterior
    expect(dot(basis.up, [0, 0, 1])).toBeGreaterThan(0.9);
    expect(dot(screenRight(basis), [1, 0, 0])).toBeLessThan(-0.7);
    expect(edgeLetters(basis)).toMatchObject({ top: "S", left: "R", right: "L" });
  });

  it("is turned and raised a little (an oblique front view), not straight on", () => {
    const elevation = (Math.asin(-basis.look[2]) * 180) / Math.PI;
    const azimuth = (Math.atan2(-basis.look[0], -basis.look[1]) * 180) / Math.PI;
    expect(elevation).toBeGreaterThanOrEqual(10);
    expect(elevation).toBeLessThanOrEqual(20);
    expect(Math.abs(azimuth)).toBeGreaterThanOrEqual(20);
    expect(Math.abs(azimuth)).toBeLessThanOrEqual(35);
  });

  it("round-trips through a vtkCamera", () => {
    const camera = vtkCamera.newInstance();
    frameCamera(camera, basis, gridCorners(GRID), 1.5, 1.1);
    const read = cameraBasis(camera);
    expectVec(read.look, basis.look);
    expectVec(read.up, basis.up);
    camera.delete();
  });
});

const GRID: Grid = {
  dims: [64, 32, 11],
  spacing: [1, 1, 1],
  origin: [0, 0, 0],
  direction: IDENTITY,
};

describe("framing a view", () => {
  it("finds the eight corners of a permuted, flipped grid in the world", () => {
    const corners = gridCorners({ ...GRID, spacing: [1, 2, 0.5], direction: MIXED });
    const key = (p: Vec3) => p.map((v) => Math.round(v * 1e6) / 1e6 + 0).join(",");
    // i (63 steps of 1) runs to -z, j (31 of 2) to -x, k (10 of 0.5) to +y
    expect(new Set(corners.map(key))).toEqual(
      new Set(
        [0, -62].flatMap((x) => [0, 5].flatMap((y) => [0, -63].map((z) => key([x, y, z] as Vec3)))),
      ),
    );
  });

  it("fits a slice to the view's height or width, whichever binds", () => {
    const camera = vtkCamera.newInstance();
    camera.setParallelProjection(true);
    const axial = sliceViewBasis("axial", IDENTITY);
    frameCamera(camera, axial, gridCorners(GRID), 1, 1.08);
    expect(camera.getParallelScale()).toBeCloseTo(31.5 * 1.08, 6); // 63 wide, square view
    frameCamera(camera, axial, gridCorners(GRID), 4, 1.08);
    expect(camera.getParallelScale()).toBeCloseTo(15.5 * 1.08, 6); // 31 tall, wide view
    camera.delete();
  });

  it("keeps every corner in a perspective view, the box touching its edge, centred", () => {
    const camera = vtkCamera.newInstance();
    const margin = 1.08;
    const tan = Math.tan((camera.getViewAngle() * Math.PI) / 360) / margin;
    for (const aspect of [0.5, 1, 2.5]) {
      frameCamera(camera, basis3d, gridCorners(GRID), aspect, margin);
      const eye = camera.getPosition() as unknown as Vec3;
      const right = screenRight(basis3d);
      const up: number[] = [];
      const across: number[] = [];
      for (const corner of gridCorners(GRID)) {
        const p: Vec3 = [corner[0] - eye[0], corner[1] - eye[1], corner[2] - eye[2]];
        const depth = dot(p, basis3d.look);
        up.push(dot(p, basis3d.up) / depth / tan);
        across.push(dot(p, right) / depth / (tan * aspect));
      }
      const extremes = [...up, ...across].map(Math.abs);
      expect(Math.max(...extremes)).toBeLessThanOrEqual(1 + 1e-9);
      expect(Math.max(...extremes)).toBeCloseTo(1, 4);
      // the picture of the box is centred: as much room above as below, left as right
      expect(Math.max(...up) + Math.min(...up)).toBeCloseTo(0, 3);
      expect(Math.max(...across) + Math.min(...across)).toBeCloseTo(0, 3);
    }
    camera.delete();
  });
});

const basis3d = volumeViewBasis();

describe("patient letters", () => {
  it("names the dominant patient direction of a world vector", () => {
    expect(patientLetter([0.9, 0.3, -0.2])).toBe("R");
    expect(patientLetter([-0.9, 0.3, -0.2])).toBe("L");
    expect(patientLetter([0.2, -0.9, 0.1])).toBe("P");
    expect(patientLetter([0.1, 0.5, 0.6])).toBe("S");
    expect(patientLetter([0.1, 0.5, -0.6])).toBe("I");
    expect(patientLetter([0, 0.7, 0.1])).toBe("A");
  });

  it("follows a camera rolled a quarter turn", () => {
    const axial = sliceViewBasis("axial", IDENTITY);
    const rolled: ViewBasis = { look: axial.look, up: screenRight(axial) };
    expect(edgeLetters(rolled)).toEqual({ top: "L", bottom: "R", left: "A", right: "P" });
  });
});

describe("orientation marker cube", () => {
  it("shows only the anterior face, unmirrored, to a camera straight in front", () => {
    const faces = projectCube({ look: [0, -1, 0], up: [0, 0, 1] });
    expect(faces.map((f) => f.letter)).toEqual(["A"]);
    const [a, b, c, d] = (faces[0] as (typeof faces)[0]).letterTransform;
    expect([a, b, c, d].map((v) => Math.round(v * 1e6) / 1e6 + 0)).toEqual([1, 0, 0, 1]);
    expect(faces[0]?.corners).toEqual([
      [-1, -1],
      [1, -1],
      [1, 1],
      [-1, 1],
    ]);
  });

  it("shows the front, right and top faces in the default view, front first", () => {
    const faces = projectCube(volumeViewBasis());
    expect(faces.map((f) => f.letter)).toEqual(["A", "R", "S"]);
    // The R face sits on the screen's left, the S face above the centre (canvas y is down).
    const centre = (letter: string) => faces.find((f) => f.letter === letter)?.letterTransform;
    expect(centre("R")?.[4]).toBeLessThan(0);
    expect(centre("S")?.[5]).toBeLessThan(0);
  });

  it("never draws a letter mirrored, whichever way the camera looks", () => {
    let seen = 0;
    for (let n = 0; n < 200; n++) {
      const t = n * 0.731;
      const look = normalize([Math.cos(t) * Math.sin(2.1 * t), Math.sin(t), Math.cos(3.3 * t)]);
      const up = normalize(cross(cross(look, [0.3, -0.5, 0.8]), look));
      for (const face of projectCube({ look, up })) {
        const [a, b, c, d] = face.letterTransform;
        expect(a * d - b * c).toBeGreaterThan(0);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(200);
  });
});

describe("overlays", () => {
  it("edge letters show, update, hide and leave the container on dispose", () => {
    const box = document.createElement("div");
    const overlay = new EdgeLetterOverlay(box);
    const edges = () => [...box.querySelectorAll<HTMLElement>(".nbviewer3d-edge")];
    expect(edges().every((e) => e.hidden)).toBe(true);
    overlay.show(edgeLetters(sliceViewBasis("sagittal", IDENTITY)));
    const text = Object.fromEntries(edges().map((e) => [e.dataset.edge, e.textContent]));
    expect(text).toEqual({ top: "S", bottom: "I", left: "A", right: "P" });
    expect(edges().some((e) => e.hidden)).toBe(false);
    overlay.hide();
    expect(edges().every((e) => e.hidden)).toBe(true);
    overlay.dispose();
    expect(box.children.length).toBe(0);
  });

  it("the marker's canvas shows, hides and leaves the container on dispose", () => {
    const box = document.createElement("div");
    const marker = new OrientationMarker(box);
    const canvas = box.querySelector("canvas") as HTMLCanvasElement;
    expect(canvas.hidden).toBe(true);
    marker.show(volumeViewBasis());
    expect(canvas.hidden).toBe(false);
    marker.hide();
    expect(canvas.hidden).toBe(true);
    marker.dispose();
    expect(box.children.length).toBe(0);
  });
});
