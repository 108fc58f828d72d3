"""Golden images: reference scenes in every view mode, compared with committed PNGs.

Scenes (each in its own notebook and kernel, shared by its tests):

* ``abdomen``: ``nbviewer3d.phantoms.abdomen()``, a CT phantom with a liver label on the
  patient's right and markers in the air at the +x and +z ends;
* ``liver_ct``: the real LiTS CT with its liver/tumour label (``nbviewer3d.demo``; skipped
  when liver-ct-segmentation-package is not installed);
* ``head``: ``nbviewer3d.phantoms.head()``, a T1 MR head phantom with a 27-region label.

The phantoms are handed over as nibabel images with the phantom's RAS affine, so they are
placed by geometry, not by how plain arrays are read. Each view mode (volume, axial,
coronal, sagittal) is shot at a fixed 320x320 canvas with the viewer's defaults and compared
with ``tests/golden/{scene}_{mode}.png`` within the tolerances of ``golden.py``. A mismatch
leaves the picture taken and a diff picture under ``tests/artifacts/golden/`` and names them.

vtk.js starts each volume ray at a random offset (a texture of Math.random() values made
when the volume scene is built); the pages here seed Math.random, so a scene's first volume
picture repeats exactly. The volume view is each scene's first picture (its default mode).

After an intended change to the rendering, look at the pictures and refresh the goldens:

    NBVIEWER3D_UPDATE_GOLDEN=1 python -m pytest tests/browser/test_golden.py

(refused under CI=true). Commit the rewritten PNGs with the change that explains them.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from . import golden
from .jupyter import NotebookPage

pytestmark = pytest.mark.browser

SIZE = 320
MODES = ("volume", "axial", "coronal", "sagittal")
# a fixed canvas, whatever the notebook's width
CANVAS_CSS = (
    f".nbviewer3d-canvas {{ width: {SIZE}px !important; height: {SIZE}px !important; "
    "flex: none !important; }"
)

# vtk.js jitters each volume ray's start by a texture of Math.random() values, made when a
# volume scene is built: unseeded, two page loads differ by ~0.3 grey levels on average. The
# test pages draw those values from a seeded generator, reseeded before every scene is built.
SEEDED_RANDOM = """() => {
  let state = 0;
  window.__nbviewer3dSeed = (seed) => { state = seed >>> 0; };
  Math.random = () => {  // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}"""
SEED = "() => window.__nbviewer3dSeed(20261122)"

_PHANTOM = """
import nibabel as nib
import nbviewer3d
from nbviewer3d import phantoms

phantom = phantoms.{name}()
image = nib.Nifti1Image(phantom.image, phantom.affine)
label = nib.Nifti1Image(phantom.label, phantom.affine)
viewer = nbviewer3d.view(image, label=label, height={size})
viewer
"""
_LIVER_CT = """
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

image, label = load_liver_ct()
viewer = nbviewer3d.view(image, label=label, height={size})
viewer
"""
SCENES = {
    "abdomen": _PHANTOM.format(name="abdomen", size=SIZE),
    "liver_ct": _LIVER_CT.format(size=SIZE),
    "head": _PHANTOM.format(name="head", size=SIZE),
}
CASES = [(scene, mode) for scene in SCENES for mode in MODES]


def open_scene(notebooks: Any, scene: str, seeded: bool = True) -> NotebookPage:
    """A notebook showing ``scene`` on a SIZE x SIZE canvas, drawn (``notebooks``: conftest's)."""
    nb: NotebookPage = notebooks.open([SCENES[scene]])
    nb.page.add_style_tag(content=CANVAS_CSS)
    if seeded:
        nb.page.evaluate(SEEDED_RANDOM)
        nb.page.evaluate(SEED)
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    return nb


class Scenes:
    """One notebook per scene, opened on first use and kept for the module."""

    def __init__(self, notebooks: Any) -> None:
        self.notebooks = notebooks
        self.pages: dict[str, NotebookPage] = {}

    def page(self, scene: str) -> NotebookPage:
        if scene not in self.pages:
            self.pages[scene] = open_scene(self.notebooks, scene)
        return self.pages[scene]


@pytest.fixture(scope="module")
def scenes(module_notebooks: Any) -> Scenes:
    return Scenes(module_notebooks)


@pytest.fixture(scope="module", autouse=True)
def _refresh_allowed() -> None:
    try:
        golden.updating()
    except RuntimeError as error:
        pytest.fail(str(error))


def show(nb: NotebookPage, mode: str, seeded: bool = True) -> np.ndarray:
    """Put the scene's viewer in ``mode`` and take the canvas."""
    nb.page.bring_to_front()  # a page in the background gets few animation frames
    if nb.eval_json("viewer.view_mode") != mode:
        if seeded:
            nb.page.evaluate(SEED)
        nb.change(f"viewer.view_mode = {mode!r}")
    return canvas_shot(nb)


def canvas_shot(nb: NotebookPage) -> np.ndarray:
    """The SIZE x SIZE canvas, clipped on whole pixels (its box may sit at a fraction)."""
    canvas = nb.canvas(0)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None, "the canvas has no box"
    assert (round(box["width"]), round(box["height"])) == (SIZE, SIZE), f"canvas box {box}"
    clip = {"x": round(box["x"]), "y": round(box["y"]), "width": SIZE, "height": SIZE}
    png = nb.page.screenshot(clip=clip, animations="disabled")
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize(("scene", "mode"), CASES, ids=[f"{s}-{m}" for s, m in CASES])
def test_matches_golden(
    scenes: Scenes, scene: str, mode: str, artifacts: Path, request: pytest.FixtureRequest
) -> None:
    if scene == "liver_ct":
        request.getfixturevalue("liver_ct")  # skips (fails under CI) without the package
    shot = show(scenes.page(scene), mode)
    found = golden.check(f"{scene}_{mode}", shot, artifacts)
    print(f"\n{scene}_{mode}: {found}")


# Changes a user would call small; each must fail the comparison. (code, undo)
REAL_CHANGES = {
    "window_50HU": ("viewer.vmin = viewer.vmin + 50", "viewer.vmin = viewer.vmin - 50"),
    "label_blend_plus_0.1": (
        "_blend = viewer.label_blend; viewer.label_blend = min(1.0, _blend + 0.1)",
        "viewer.label_blend = _blend",
    ),
}


@pytest.mark.parametrize(("code", "undo"), REAL_CHANGES.values(), ids=REAL_CHANGES)
def test_a_small_real_change_fails_the_comparison(scenes: Scenes, code: str, undo: str) -> None:
    """On the abdomen's axial view (liver, kidneys and spleen labelled), against its golden."""
    nb = scenes.page("abdomen")
    before = show(nb, "axial")
    path = golden.GOLDEN_DIR / "abdomen_axial.png"
    reference = before if golden.updating() or not path.is_file() else golden.read_png(path)
    assert golden.difference(before, reference).within
    nb.change(code)
    try:
        found = golden.difference(canvas_shot(nb), reference)
    finally:
        nb.change(undo)
    print(f"\n{code}: {found}")
    assert not found.within, f"{code} passes as the same picture: {found}"
    assert golden.difference(canvas_shot(nb), before).within, "undo did not restore the picture"


def test_difference_measures() -> None:
    """The two measures on pictures made here: one pixel, a uniform shift, a size change."""
    base = np.zeros((SIZE, SIZE, 3), np.uint8)
    one_pixel = base.copy()
    one_pixel[5, 5] = (255, 255, 255)
    found = golden.difference(one_pixel, base)
    assert found.far == pytest.approx(1 / SIZE**2)
    assert found.mean == pytest.approx(255 / SIZE**2)
    assert found.within
    shifted = base + np.uint8(1)
    assert golden.difference(shifted, base).mean == pytest.approx(1.0)
    assert not golden.difference(shifted, base).within
    with pytest.raises(AssertionError, match="sizes differ"):
        golden.difference(base[:-1], base)


def test_mismatch_leaves_pictures_and_names_the_refresh_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(golden, "GOLDEN_DIR", tmp_path / "golden")
    monkeypatch.delenv(golden.UPDATE_ENV, raising=False)
    picture = np.full((SIZE, SIZE, 3), 90, np.uint8)
    with pytest.raises(AssertionError, match="no golden image"):
        golden.check("scene_mode", picture, tmp_path / "artifacts")
    golden.write_png(tmp_path / "golden" / "scene_mode.png", picture)
    assert golden.check("scene_mode", picture, tmp_path / "artifacts").within
    changed = picture.copy()
    changed[100:140, 100:140] = 200
    with pytest.raises(AssertionError) as failure:
        golden.check("scene_mode", changed, tmp_path / "artifacts")
    message = str(failure.value)
    actual = tmp_path / "artifacts" / "golden" / "scene_mode-actual.png"
    diff = tmp_path / "artifacts" / "golden" / "scene_mode-diff.png"
    assert str(actual) in message and str(diff) in message and golden.REFRESH in message
    assert np.array_equal(golden.read_png(actual), changed)
    assert golden.read_png(diff)[120, 120].tolist() == [255, 0, 0]


def test_refresh_is_refused_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(golden.UPDATE_ENV, "1")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(RuntimeError, match="CI=true"):
        golden.updating()
    monkeypatch.setenv("CI", "false")
    assert golden.updating()
