"""Patient orientation read from pixels: a phantom with markers at +x, +y and +z (RAS world).

The phantom is a box-shaped body (value 100) in air (0) with bright balls (1000) near its
+x end (patient Right, radius 6 voxels), its +y end (Anterior, radius 4) and its +z end
(Superior, radius 9). It reaches the viewer as a nibabel image with an explicit RAS affine,
which every axis convention places by its affine: once with its array axes in (x, y, z)
order, once permuted to (z, y, x) with x reversed. Both must give the same picture.

Each marker is found as the pixels that change when that marker alone is added to the body
(steps of one viewer share one grid, so the camera stays put), which holds whatever transfer
function draws the volume.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .jupyter import NotebookPage, grey_std
from .pixels import MIN_STD

pytestmark = pytest.mark.browser

HEIGHT = 320
SHAPE = (64, 72, 80)  # voxels along x, y, z
SETUP = f"""
import numpy as np
import nibabel as nib
import nbviewer3d

SHAPE = {SHAPE}
MARKERS = {{"right": ((50, 36, 40), 6), "anterior": ((32, 58, 40), 4),
            "superior": ((32, 36, 66), 9)}}
ORIGIN = np.array([-32.0, -36.0, -40.0])

def phantom(*names):
    x, y, z = np.meshgrid(*(np.arange(n) for n in SHAPE), indexing="ij")
    body = (x >= 8) & (x < 56) & (y >= 8) & (y < 64) & (z >= 6) & (z < 74)
    data = np.where(body, 100, 0).astype(np.float32)
    for name in names:
        (cx, cy, cz), radius = MARKERS[name]
        data[(x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 <= radius ** 2] = 1000
    return data

def ras(data):
    # array axes (x, y, z), voxel (i, j, k) at ORIGIN + (i, j, k) mm
    affine = np.eye(4)
    affine[:3, 3] = ORIGIN
    return nib.Nifti1Image(data, affine)

def permuted(data):
    # the same voxels stored as (z, y, x) with x reversed: stored[k, j, i] = data[63 - i, j, k]
    stored = np.ascontiguousarray(data[::-1].transpose(2, 1, 0))
    affine = np.zeros((4, 4))
    affine[:3, 0] = (0, 0, 1)
    affine[:3, 1] = (0, 1, 0)
    affine[:3, 2] = (-1, 0, 0)
    affine[:3, 3] = ORIGIN + (SHAPE[0] - 1, 0, 0)
    affine[3, 3] = 1
    return nib.Nifti1Image(stored, affine)

STEPS = {{"all": ("right", "anterior", "superior"), "body": (), "right": ("right",),
          "anterior": ("anterior",), "superior": ("superior",)}}
viewers = {{}}
for variant, place in (("ras", ras), ("permuted", permuted)):
    v = nbviewer3d.view(height={HEIGHT})
    for step, names in enumerate(STEPS.values()):
        v.add(step, image=place(phantom(*names)))
    v.step = 0
    viewers[variant] = v
"""
CELLS = [SETUP, "viewers['ras']", "viewers['permuted']"]
VARIANTS = {"ras": 0, "permuted": 1}
STEP = {"all": 0, "body": 1, "right": 2, "anterior": 3, "superior": 4}
MODES = ("volume", "axial", "coronal", "sagittal")
# Changed pixels: a marker is far brighter than the body around it in every view.
MARKER_DIFF = 40

# Where each marker must land, as (rows, columns) sign of its offset from the view's centre:
# -1 above / left, +1 below / right, None not checked (or not in the slice).
EXPECTED: dict[str, dict[str, tuple[int | None, int | None]]] = {
    # the default 3D view: from the front, superior up, the patient's right on the left
    "volume": {"right": (None, -1), "superior": (-1, None)},
    # seen from the feet, anterior up, the patient's right on the left
    "axial": {"right": (None, -1), "anterior": (-1, None)},
    # seen from the front, superior up, the patient's right on the left
    "coronal": {"right": (None, -1), "superior": (-1, None)},
    # seen from the patient's left, superior up, anterior on the left
    "sagittal": {"anterior": (None, -1), "superior": (-1, None)},
}
LETTERS = {
    "axial": {"top": "A", "bottom": "P", "left": "R", "right": "L"},
    "coronal": {"top": "S", "bottom": "I", "left": "R", "right": "L"},
    "sagittal": {"top": "S", "bottom": "I", "left": "A", "right": "P"},
}
# voxels along the world axis each slice view steps through (index axis picked by direction)
SLICES = {"axial": SHAPE[2], "coronal": SHAPE[1], "sagittal": SHAPE[0]}


@pytest.fixture(scope="module")
def phantom_page(module_notebooks: Any) -> NotebookPage:
    nb: NotebookPage = module_notebooks.open(CELLS)
    nb.run_cells(0, 2)
    for index in VARIANTS.values():
        nb.wait_rendered(index, step=0)
    return nb


@pytest.fixture
def nb(phantom_page: NotebookPage) -> Iterator[NotebookPage]:
    yield phantom_page
    phantom_page.check_errors()


def show(nb: NotebookPage, variant: str, mode: str, step: int) -> None:
    """Put viewer ``variant`` in ``mode`` at ``step`` and wait for the frame (if it changed)."""
    index = VARIANTS[variant]
    code = (
        f"_v = viewers[{variant!r}]; _want = dict(view_mode={mode!r}, step={step})\n"
        "_diff = {k: v for k, v in _want.items() if getattr(_v, k) != v}\n"
        "with _v.hold_trait_notifications():\n"
        "    for _k, _x in _diff.items():\n"
        "        setattr(_v, _k, _x)\n"
        "print(len(_diff))"
    )
    before = nb.widget_state(index).frames
    if int(nb.execute(code)) > 0:
        nb.wait_rendered(index, after=before, step=step)


def marker_offset(with_marker: np.ndarray, body: np.ndarray) -> tuple[float, float, int]:
    """(row, column) of the changed pixels' centroid from the centre, and how many changed."""
    changed = np.abs(with_marker.astype(np.int16) - body.astype(np.int16)).max(axis=2)
    rows, cols = np.nonzero(changed > MARKER_DIFF)
    if rows.size == 0:
        return (0.0, 0.0, 0)
    height, width = changed.shape
    return (rows.mean() - (height - 1) / 2, cols.mean() - (width - 1) / 2, int(rows.size))


def edge_letters(nb: NotebookPage, index: int) -> dict[str, str]:
    letters: dict[str, str] = nb.widget(index).evaluate(
        """(root) => Object.fromEntries([...root.querySelectorAll('.nbviewer3d-edge')]
             .filter((e) => !e.hidden).map((e) => [e.dataset.edge, e.textContent]))"""
    )
    return letters


def marker_faces(nb: NotebookPage, index: int) -> str | None:
    faces: str | None = nb.widget(index).evaluate(
        """(root) => { const c = root.querySelector('canvas.nbviewer3d-orientation');
             return c && !c.hidden ? (c.dataset.faces || '') : null; }"""
    )
    return faces


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("mode", MODES)
def test_markers_land_where_the_patient_frame_says(
    nb: NotebookPage, artifacts: Path, variant: str, mode: str
) -> None:
    index = VARIANTS[variant]
    show(nb, variant, mode, STEP["all"])
    path = artifacts / f"orientation_{variant}_{mode}.png"
    picture = nb.shot(index, path)
    print(f"\nscreenshot: {path}")
    assert grey_std(picture) > MIN_STD, f"{mode} view of the phantom looks blank"

    show(nb, variant, mode, STEP["body"])
    body = nb.shot(index)
    found = {}
    for name, (row_sign, col_sign) in EXPECTED[mode].items():
        show(nb, variant, mode, STEP[name])
        row, col, count = marker_offset(nb.shot(index), body)
        found[name] = (round(row), round(col), count)
        assert count > 20, f"{mode}: the {name} marker changed only {count} pixels"
        height, width = body.shape[:2]
        # clearly off centre: at least 5% of the view's size on the checked side
        if row_sign is not None:
            assert row * row_sign > 0.05 * height, (
                f"{mode}: the {name} marker is at row offset {row:.0f} from the centre, "
                f"expected {'above' if row_sign < 0 else 'below'} it"
            )
        if col_sign is not None:
            assert col * col_sign > 0.05 * width, (
                f"{mode}: the {name} marker is at column offset {col:.0f} from the centre, "
                f"expected on the {'left' if col_sign < 0 else 'right'}"
            )
    print(f"{variant} {mode}: marker offsets (row, column, pixels) {found}")


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("mode", MODES)
def test_edge_letters_and_marker(nb: NotebookPage, variant: str, mode: str) -> None:
    index = VARIANTS[variant]
    show(nb, variant, mode, STEP["all"])
    if mode == "volume":
        assert edge_letters(nb, index) == {}, "edge letters are shown in the 3D view"
        faces = marker_faces(nb, index)
        # the cube shows its anterior face most, then the right and superior ones
        assert faces == "ARS", f"orientation marker shows faces {faces!r}"
        return
    assert edge_letters(nb, index) == LETTERS[mode]
    assert marker_faces(nb, index) is None, "the orientation cube is shown in a slice view"
    slider = nb.widget(index).locator('[data-control="cursor"]')
    assert int(slider.get_attribute("max")) == SLICES[mode] - 1


def test_pictures_match_across_array_layouts(nb: NotebookPage) -> None:
    """The permuted, flipped storage of the same voxels draws the same slices."""
    for mode in ("axial", "coronal", "sagittal"):
        shots = []
        for variant, index in VARIANTS.items():
            show(nb, variant, mode, STEP["all"])
            shots.append(nb.shot(index).astype(np.int16))
        diff = np.abs(shots[0] - shots[1]).mean()
        assert diff < 1.0, f"{mode}: the two layouts differ by {diff:.2f} per channel"


def test_marker_turns_with_the_camera(nb: NotebookPage) -> None:
    """Runs last: a real mouse drag turns the 3D view, and the cube with it."""
    index = VARIANTS["ras"]
    show(nb, "ras", "volume", STEP["all"])
    assert marker_faces(nb, index) == "ARS"
    before_shot, before = nb.shot(index), nb.widget_state(index).frames
    box = nb.canvas(index).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    nb.page.mouse.move(x, y)
    nb.page.mouse.down()
    nb.page.mouse.move(x - box["width"] / 3, y, steps=8)
    nb.page.mouse.up()
    nb.wait_rendered(index, after=before)
    faces = marker_faces(nb, index)
    assert faces is not None and faces != "ARS", f"the cube did not turn: {faces!r}"
    assert "S" in faces, f"a drag along the horizontal hid the top of the cube: {faces!r}"
    assert grey_std(nb.shot(index)) > MIN_STD
    assert np.abs(nb.shot(index).astype(np.int16) - before_shot).mean() > 1.0
