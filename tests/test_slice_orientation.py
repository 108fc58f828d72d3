"""The kernel's slice pictures lie on screen as the browser's slice views (radiological)."""

from __future__ import annotations

import numpy as np
import pytest

from nbviewer3d.slice_orientation import plane_view
from nbviewer3d.volume import Volume

# For each view: the patient directions of the screen's top and left edges.
EXPECTED_EDGES = {
    "axial": ("A", "R"),
    "coronal": ("S", "R"),
    "sagittal": ("S", "A"),
}
# The world directions those letters name (RAS).
TOWARDS = {"R": (1, 0, 0), "L": (-1, 0, 0), "A": (0, 1, 0), "S": (0, 0, 1)}


def volumes() -> list[Volume]:
    """One 6x7x8 grid four ways: RAS, LPS, axes reversed (an ITK layout) and flipped."""
    data = np.zeros((6, 7, 8), dtype=np.float32)
    return [
        Volume(data),
        Volume(data, frame="LPS"),
        Volume(data.transpose(2, 1, 0), direction=(0, 0, 1, 0, 1, 0, 1, 0, 0)),
        Volume(data, direction=(-1, 0, 0, 0, -1, 0, 0, 0, 1)),
    ]


def corner_index(volume: Volume, towards: tuple[int, int, int]) -> tuple[int, int, int]:
    """The voxel index farthest along ``towards`` (a world direction)."""
    grid = np.stack(np.meshgrid(*(np.arange(n) for n in volume.shape), indexing="ij"), axis=-1)
    world = volume.world(grid.reshape(-1, 3)) @ np.asarray(towards, dtype=float)
    flat = int(np.argmax(world))
    i, j, k = np.unravel_index(flat, volume.shape)
    return int(i), int(j), int(k)


@pytest.mark.parametrize("mode", sorted(EXPECTED_EDGES))
@pytest.mark.parametrize("volume", volumes(), ids=["RAS", "LPS", "reversed", "flipped"])
def test_the_corner_towards_top_and_left_is_drawn_top_left(volume: Volume, mode: str) -> None:
    top, left = EXPECTED_EDGES[mode]
    towards = tuple(a + b for a, b in zip(TOWARDS[top], TOWARDS[left], strict=True))
    corner = corner_index(volume, towards)  # type: ignore[arg-type]
    view = plane_view(mode, volume.ras_direction)
    marked = np.zeros(volume.shape, dtype=np.uint8)
    marked[corner] = 1
    picture = view.plane(marked, corner[view.axis])
    assert picture[0, 0] == 1, f"{mode}: the {top}{left} corner is not at the top left"
    assert view.edge_letters()["top"] == top
    assert view.edge_letters()["left"] == left


def test_each_view_cuts_across_its_own_axis() -> None:
    volume = volumes()[2]  # array axes (z, y, x)
    axes = {mode: plane_view(mode, volume.ras_direction).axis for mode in EXPECTED_EDGES}
    assert axes == {"axial": 0, "coronal": 1, "sagittal": 2}
