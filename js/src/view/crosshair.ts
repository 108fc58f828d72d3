// The cursor drawn in the views: in a slice view, two lines through the cursor (the other two
// views' planes, in their colours, with a gap so the voxel under the cursor stays visible); in
// the 3D view, the outline of each slice view's plane. Colours follow 3D Slicer's habit:
// axial red, coronal green, sagittal yellow; each pane's heading wears its view's colour.

// the Volume profile (gl-window.ts) registers no OpenGL polydata mapper; the lines need one
import "@kitware/vtk.js/Rendering/OpenGL/Actor";
import "@kitware/vtk.js/Rendering/OpenGL/PolyDataMapper";
import vtkDataArray from "@kitware/vtk.js/Common/Core/DataArray";
import vtkPolyData from "@kitware/vtk.js/Common/DataModel/PolyData";
import vtkActor from "@kitware/vtk.js/Rendering/Core/Actor";
import vtkMapper from "@kitware/vtk.js/Rendering/Core/Mapper";
import type { Grid } from "../payload";
import type { Vec3 } from "../protocol";
import { worldOf } from "./cursor";
import { type Axis, matchAxes, SLICE_WORLD_AXIS, type SliceMode } from "./orientation";

export type RGB = [number, number, number];

export const VIEW_COLOURS: Record<SliceMode, RGB> = {
  axial: [232, 72, 72],
  coronal: [88, 196, 96],
  sagittal: [236, 204, 64],
};

/** The slice view whose slices run across index axis `axis` of this grid. */
export function viewOfAxis(grid: Grid, axis: Axis): SliceMode {
  const matched = matchAxes(grid.direction);
  const mode = (Object.keys(SLICE_WORLD_AXIS) as SliceMode[]).find(
    (m) => matched[SLICE_WORLD_AXIS[m]] === axis,
  );
  return mode ?? "axial";
}

export interface Segment {
  a: Vec3;
  b: Vec3;
  rgb: RGB;
}

// Half the gap left around the cursor, as a fraction of the line's length.
const GAP = 0.025;

/** The two lines through the cursor in the slice across `axis`, each split around the cursor. */
export function crosshairSegments(grid: Grid, ijk: Vec3, axis: Axis): Segment[] {
  const others = ([0, 1, 2] as Axis[]).filter((a) => a !== axis);
  const segments: Segment[] = [];
  for (const along of others) {
    const across = others.find((a) => a !== along) as Axis;
    const rgb = VIEW_COLOURS[viewOfAxis(grid, across)];
    const n = grid.dims[along];
    const gap = Math.max(1.5, GAP * n);
    const at = (t: number): Vec3 => {
      const p: Vec3 = [...ijk];
      p[along] = t;
      return worldOf(grid, p);
    };
    const c = ijk[along];
    if (c - gap > -0.5) segments.push({ a: at(-0.5), b: at(c - gap), rgb });
    if (c + gap < n - 0.5) segments.push({ a: at(c + gap), b: at(n - 0.5), rgb });
  }
  return segments;
}

/** The outline of each slice plane through the cursor, edges of the grid's box. */
export function planeOutlines(grid: Grid, ijk: Vec3): Segment[] {
  const segments: Segment[] = [];
  for (const axis of [0, 1, 2] as Axis[]) {
    const [u, v] = ([0, 1, 2] as Axis[]).filter((a) => a !== axis) as [Axis, Axis];
    const rgb = VIEW_COLOURS[viewOfAxis(grid, axis)];
    const corner = (su: number, sv: number): Vec3 => {
      const p: Vec3 = [...ijk];
      p[u] = su ? grid.dims[u] - 0.5 : -0.5;
      p[v] = sv ? grid.dims[v] - 0.5 : -0.5;
      return worldOf(grid, p);
    };
    const ring = [corner(0, 0), corner(1, 0), corner(1, 1), corner(0, 1)];
    ring.forEach((a, n) => {
      segments.push({ a, b: ring[(n + 1) % 4] as Vec3, rgb });
    });
  }
  return segments;
}

/** Coloured line segments as one vtk actor, unlit. */
export class LineActor {
  readonly actor = vtkActor.newInstance();
  private readonly mapper = vtkMapper.newInstance();
  private readonly polyData = vtkPolyData.newInstance();
  private readonly colours = vtkDataArray.newInstance({
    numberOfComponents: 3,
    values: new Uint8Array(3),
  });

  constructor() {
    this.polyData.getCellData().setScalars(this.colours);
    this.mapper.setInputData(this.polyData);
    this.mapper.setScalarModeToUseCellData();
    this.mapper.setColorModeToDirectScalars();
    this.actor.setMapper(this.mapper);
    const property = this.actor.getProperty();
    property.setLighting(false);
    property.setLineWidth(1.5);
    this.actor.setPickable(false);
  }

  /** Draws `segments`, each moved by `offset` (towards a slice view's camera, off its image). */
  set(segments: readonly Segment[], offset: Vec3 = [0, 0, 0]): void {
    const points = new Float32Array(segments.length * 6);
    const lines = new Uint32Array(segments.length * 3);
    const colours = new Uint8Array(segments.length * 3);
    segments.forEach(({ a, b, rgb }, n) => {
      for (let c = 0; c < 3; c++) {
        points[6 * n + c] = (a[c] as number) + (offset[c] as number);
        points[6 * n + 3 + c] = (b[c] as number) + (offset[c] as number);
        colours[3 * n + c] = rgb[c] as number;
      }
      lines.set([2, 2 * n, 2 * n + 1], 3 * n);
    });
    this.polyData.getPoints().setData(points, 3);
    this.polyData.getLines().setData(lines);
    this.colours.setData(colours, 3);
    this.polyData.modified();
  }

  dispose(): void {
    this.actor.delete();
    this.mapper.delete();
    this.polyData.delete();
    this.colours.delete();
  }
}
