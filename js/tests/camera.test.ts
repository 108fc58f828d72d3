import vtkCamera from "@kitware/vtk.js/Rendering/Core/Camera";
import { describe, expect, it } from "vitest";
import { applyCamera, CameraMemory, gridKey, readCamera } from "../src/view/camera";

const grid = {
  dims: [4, 3, 2],
  spacing: [1, 1, 2],
  origin: [0, 0, 0],
  direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
} as const;

function rotated(): ReturnType<typeof vtkCamera.newInstance> {
  const camera = vtkCamera.newInstance();
  camera.setPosition(0, 0, 10);
  camera.setFocalPoint(1, 2, 3);
  camera.azimuth(40);
  camera.elevation(25);
  camera.orthogonalizeViewUp();
  camera.setParallelScale(7.5);
  return camera;
}

describe("camera state", () => {
  it("round-trips a user's rotation through a fresh vtkCamera", () => {
    const user = rotated();
    const fresh = vtkCamera.newInstance();
    applyCamera(fresh, readCamera(user));
    expect(readCamera(fresh)).toEqual(readCamera(user));
    expect(readCamera(fresh)).not.toEqual(readCamera(vtkCamera.newInstance()));
  });

  it("keeps one camera per view mode and forgets them on a new grid", () => {
    const memory = new CameraMemory();
    const key = gridKey({
      grid: {
        ...grid,
        dims: [...grid.dims],
        spacing: [...grid.spacing],
        origin: [...grid.origin],
        direction: [...grid.direction],
      },
      meta: {},
    });
    const volume = readCamera(rotated());
    const axial = { ...volume, parallelScale: 2 };
    memory.save("volume", key, volume);
    memory.save("axial", key, axial);
    expect(memory.restore("volume", key)).toEqual(volume);
    expect(memory.restore("axial", key)).toEqual(axial);
    expect(memory.restore("coronal", key)).toBeNull();

    const other = gridKey({
      grid: {
        dims: [8, 3, 2],
        spacing: [1, 1, 2],
        origin: [0, 0, 0],
        direction: [...grid.direction],
      },
      meta: {},
    });
    expect(memory.restore("volume", other)).toBeNull();
    memory.save("axial", other, axial);
    expect(memory.restore("volume", key)).toBeNull();
    expect(memory.restore("axial", other)).toEqual(axial);
  });
});
