"""The 3D transfer-function presets on the real liver CT and an MR head.

Screenshots of each preset land in tests/artifacts/presets_*.png. The MR head is
``nbviewer3d.phantoms.head()``, or a real T1 head NIfTI named by NBVIEWER3D_MR_HEAD
(pydeface's mean_reg2mean.nii.gz, say; see DATA.md): no real MR head ships with the tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .jupyter import NotebookPage, grey_std, mean_abs_diff
from .pixels import CHANGED, MIN_STD

pytestmark = pytest.mark.browser

HEIGHT = 360
CT_PRESETS = ("ct-soft-tissue", "ct-muscle", "ct-bone", "ct-lung")
SETUP = f"""
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

ct, label = load_liver_ct()
viewer = nbviewer3d.view(ct, label=label, height={HEIGHT})
viewer
"""


@pytest.fixture(scope="module")
def ct_page(module_notebooks: Any, liver_ct: object) -> NotebookPage:
    nb: NotebookPage = module_notebooks.open([SETUP])
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    return nb


def background_corners(shot: np.ndarray, size: int = 12, inset: int = 4) -> np.ndarray:
    """The canvas's corner patches, inside the container's rounded corners."""
    h, w = shot.shape[:2]
    a, b = inset, inset + size
    return np.concatenate(
        [
            shot[a:b, a:b].reshape(-1, 3),
            shot[a:b, w - b : w - a].reshape(-1, 3),
            shot[h - b : h - a, a:b].reshape(-1, 3),
            shot[h - b : h - a, w - b : w - a].reshape(-1, 3),
        ]
    )


def test_ct_default_is_a_ct_preset_with_transparent_air(
    ct_page: NotebookPage, artifacts: Path
) -> None:
    nb = ct_page
    nb.set_traits({"preset": "ct-soft-tissue", "opacity": None})
    assert nb.eval_json("viewer.preset") == "ct-soft-tissue"
    shot = nb.shot(0, artifacts / "presets_ct_default.png")
    # The CT fills its box up to the corners with air: air drawn transparent leaves the
    # background colour there, where the former linear ramp drew grey fog.
    corners = background_corners(shot)
    assert corners.max() <= 8, f"air is not transparent: corner pixels up to {corners.max()}"
    assert grey_std(shot) > MIN_STD, "no structure drawn"
    nb.check_errors()


@pytest.mark.parametrize("preset", CT_PRESETS)
def test_each_ct_preset_renders(ct_page: NotebookPage, artifacts: Path, preset: str) -> None:
    nb = ct_page
    nb.set_traits({"preset": preset, "opacity": None, "label_visible": False})
    shot = nb.shot(0, artifacts / f"presets_{preset}.png")
    assert grey_std(shot) > MIN_STD / 2, f"{preset} draws nothing"
    nb.set_traits({"label_visible": True})
    nb.check_errors()


MR_HEAD = os.environ.get("NBVIEWER3D_MR_HEAD", "")


def test_mr_head_default(module_notebooks: Any, artifacts: Path) -> None:
    load = (
        f"head = nibabel.load({MR_HEAD!r})\n"
        if MR_HEAD
        else "_p = nbviewer3d.phantoms.head()\nhead = nibabel.Nifti1Image(_p.image, _p.affine)\n"
    )
    nb: NotebookPage = module_notebooks.open(
        [
            "import nibabel, nbviewer3d, nbviewer3d.phantoms\n"
            f"{load}viewer = nbviewer3d.view(head, height={HEIGHT})\nviewer"
        ]
    )
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    assert nb.eval_json("viewer.preset") == "mr-default"
    shot = nb.shot(0, artifacts / "presets_mr_default.png")
    corners = background_corners(shot)
    assert corners.max() <= 8, f"background is not transparent: corners up to {corners.max()}"
    assert grey_std(shot) > MIN_STD


def test_the_opacity_curve_is_edited_from_the_keyboard(
    ct_page: NotebookPage, artifacts: Path
) -> None:
    nb = ct_page
    nb.set_traits({"preset": "ct-soft-tissue", "opacity": None, "view_mode": "volume"})
    before = nb.shot(0)
    preset_curve = nb.eval_json(
        "__import__('json').loads((__import__('pathlib').Path(nbviewer3d.__file__).parent"
        " / 'presets.json').read_text())['ct-soft-tissue']['opacity']"
    )
    curve = nb.widget(0).locator('[data-control="opacity"]')
    curve.focus()
    frames = nb.widget_state(0).frames
    # pick the sixth point (20 HU) and raise its opacity by 8 steps of 0.05: soft tissue thickens
    for key in (*["ArrowRight"] * 5, *["ArrowUp"] * 8):
        nb.page.keyboard.press(key)
    nb.wait_rendered(0, after=frames)
    opacity = nb.eval_json("viewer.opacity")
    assert opacity is not None, "the keys did not reach the kernel's opacity trait"
    assert len(opacity) == len(preset_curve)
    raised = [
        i
        for i, (new, old) in enumerate(zip(opacity, preset_curve, strict=True))
        if new[1] > old[1] + 1e-6
    ]
    assert raised == [5], f"expected only point 5 raised: {opacity} vs {preset_curve}"
    after = nb.shot(0, artifacts / "presets_keyboard_opacity.png")
    assert mean_abs_diff(before, after) > CHANGED, "the 3D view did not follow the curve"
    # the keys stayed in the curve: the step and the view mode did not move
    assert nb.eval_json("[viewer.step, viewer.view_mode]") == [0, "volume"]
    nb.set_traits({"opacity": None})
    nb.check_errors()
