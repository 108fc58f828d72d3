"""Labels in JupyterLab: translucent 3D labels, per-id visibility, contour overlay, legend.

On the real liver CT + label and on nilearn's MNI152 T1 with a generated 116-region atlas
(tests/mni_atlas.py). Screenshots land in tests/artifacts/labels_*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from .jupyter import NotebookPage, mean_abs_diff
from .pixels import CHANGED, NOISE

pytestmark = pytest.mark.browser

TESTS = Path(__file__).resolve().parents[1]
HEIGHT = 360
CT_SETUP = f"""
import numpy as np
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

ct, label = load_liver_ct()
viewer = nbviewer3d.view(ct, label=label, height={HEIGHT})
viewer
"""
DEFAULTS: dict[str, Any] = {
    "label_blend": 0.5,
    "label_visible": True,
    "hidden_labels": [],
    "overlay_style": "fill",
    "view_mode": "volume",
    "label_names": {},
}


def apply(nb: NotebookPage, **traits: Any) -> None:
    """Set the viewer's label traits (those that differ from ``traits`` + defaults)."""
    nb.set_traits({**DEFAULTS, **traits})


@pytest.fixture(scope="module")
def ct_page(module_notebooks: Any, liver_ct: object) -> NotebookPage:
    nb: NotebookPage = module_notebooks.open([CT_SETUP])
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    return nb


@pytest.fixture
def nb(ct_page: NotebookPage) -> Iterator[NotebookPage]:
    apply(ct_page)
    yield ct_page
    ct_page.check_errors()


def luminance(shot: np.ndarray) -> np.ndarray:
    return np.asarray(np.asarray(shot, dtype=np.float64) @ np.array([0.299, 0.587, 0.114]))


def detail(shot: np.ndarray) -> np.ndarray:
    """Luminance minus its 7x7 box blur: the fine structure of the picture."""
    grey = luminance(shot)
    padded = np.pad(grey, 3, mode="edge")
    blurred = np.zeros_like(grey)
    for dy in range(7):
        for dx in range(7):
            blurred += padded[dy : dy + grey.shape[0], dx : dx + grey.shape[1]]
    return np.asarray(grey - blurred / 49)


def changed(a: np.ndarray, b: np.ndarray, threshold: int = 12) -> np.ndarray:
    return np.asarray(np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > threshold)


def dilate(mask: np.ndarray, pixels: int) -> np.ndarray:
    out = mask.copy()
    for _ in range(pixels):
        grown = out.copy()
        grown[1:] |= out[:-1]
        grown[:-1] |= out[1:]
        grown[:, 1:] |= out[:, :-1]
        grown[:, :-1] |= out[:, 1:]
        out = grown
    return out


# --------------------------------------------------------------------------- 3D


def test_3d_label_shows_the_image_inside_it(nb: NotebookPage, artifacts: Path) -> None:
    """At blend 0.5 the CT's structure shows through the liver; at blend 1 only the label."""
    apply(nb, label_visible=False)
    plain = nb.shot(0, artifacts / "labels_ct_volume_no_label.png")
    apply(nb)
    blended = nb.shot(0, artifacts / "labels_ct_volume_blend05.png")
    apply(nb, label_blend=1.0)
    label_only = nb.shot(0, artifacts / "labels_ct_volume_blend1.png")
    # where the label projects, 4 px in from its outline and from the volume's (edges there
    # would correlate whatever lies inside)
    footprint = (luminance(label_only) > 20) & (luminance(plain) > 8)
    region = ~dilate(~footprint, 4)
    assert region.mean() > 0.05, f"the label covers only {region.mean():.1%} of the canvas"
    image = detail(plain)[region]
    through = np.corrcoef(image, detail(blended)[region])[0, 1]
    alone = np.corrcoef(image, detail(label_only)[region])[0, 1]
    print(
        f"\nimage detail in the label region: correlation with blend 0.5 {through:.2f}, "
        f"with the label alone {alone:.2f}; std image {image.std():.2f}, "
        f"blend 0.5 {detail(blended)[region].std():.2f}, "
        f"label alone {detail(label_only)[region].std():.2f}"
    )
    # the label's own shape follows the CT (tumours are darker there), so the label alone
    # correlates too: what blend 0.5 adds to the label alone must be the image's detail
    added = np.corrcoef(image, detail(blended)[region] - detail(label_only)[region])[0, 1]
    print(f"image detail in what blend 0.5 adds to the label alone: correlation {added:.2f}")
    assert through > 0.6, "the image's structure does not show through the label"
    assert added > 0.4, "what blend 0.5 adds to the label is not the image's structure"


def test_3d_hiding_a_label_changes_only_its_pixels(nb: NotebookPage, artifacts: Path) -> None:
    both = nb.shot(0)
    apply(nb, label_blend=1.0, hidden_labels=[1])
    tumour = luminance(nb.shot(0)) > 12
    apply(nb, hidden_labels=[2])
    without_tumour = nb.shot(0, artifacts / "labels_ct_volume_tumour_hidden.png")
    moved = changed(both, without_tumour)
    assert moved.mean() > 0.01, "hiding the tumour did not change the picture"
    outside = moved & ~dilate(tumour, 3)
    assert outside.sum() <= 0.02 * moved.sum(), (
        f"{outside.sum()} of {moved.sum()} changed pixels lie outside the tumour's footprint"
    )


# --------------------------------------------------------------------------- slices


def test_contour_leaves_the_image_visible_inside_the_label(
    nb: NotebookPage, artifacts: Path
) -> None:
    apply(nb, view_mode="axial", label_visible=False)
    plain = nb.shot(0)
    apply(nb, view_mode="axial")
    fill = nb.shot(0, artifacts / "labels_ct_axial_fill.png")
    apply(nb, view_mode="axial", overlay_style="contour")
    contour = nb.shot(0, artifacts / "labels_ct_axial_contour.png")
    filled = changed(fill, plain, 20)
    lines = changed(contour, plain, 20)
    assert filled.mean() > 0.03, "the fill overlay shows no label"
    assert lines.sum() > 200, "the contour overlay draws no lines"
    assert lines.sum() < 0.35 * filled.sum(), "the contour covers as much as the fill"
    # the boundaries of the classes: where the fill picture's colour steps between neighbours
    step = np.zeros(filled.shape, dtype=bool)
    tint = fill.astype(np.int16) - plain.astype(np.int16)
    step[1:] |= np.abs(tint[1:] - tint[:-1]).max(axis=2) > 25
    step[:, 1:] |= np.abs(tint[:, 1:] - tint[:, :-1]).max(axis=2) > 25
    near = dilate(step, 3)
    interior = filled & ~near
    assert interior.sum() > 500
    diff = np.abs(contour.astype(np.int16) - plain.astype(np.int16)).max(axis=2)
    print(
        f"\ncontour vs image inside the label (away from boundaries): mean |diff| "
        f"{diff[interior].mean():.2f}, max {diff[interior].max()}"
    )
    assert diff[interior].mean() <= 1.0, "the contour style tints the inside of the label"
    assert (lines & ~near).sum() <= 0.02 * lines.sum(), "contour lines off the label boundary"


def test_overlay_style_contour_from_the_panel(nb: NotebookPage) -> None:
    apply(nb, view_mode="coronal")
    before = nb.shot(0)
    select = nb.widget(0).locator('[data-control="overlay_style"]')
    frames = nb.widget_state(0).frames
    select.select_option("contour")
    nb.wait_rendered(0, after=frames)
    assert nb.eval_json("viewer.overlay_style") == "contour"
    assert mean_abs_diff(before, nb.shot(0)) > CHANGED / 4


# --------------------------------------------------------------------------- legend


def test_legend_lists_names_and_hides_ids(nb: NotebookPage) -> None:
    apply(nb, label_names={1: "liver", 2: "tumour"})
    legend = nb.widget(0).locator(".nbviewer3d-legend")
    legend.get_by_text("1 liver").wait_for()
    assert legend.get_by_text("2 tumour").count() == 1
    before = nb.shot(0)
    frames = nb.widget_state(0).frames
    legend.locator('input[data-label-id="2"]').uncheck()
    nb.wait_rendered(0, after=frames)
    assert nb.eval_json("viewer.hidden_labels") == [2]
    assert mean_abs_diff(before, nb.shot(0)) > NOISE
    apply(nb, label_names={1: "liver", 2: "tumour"})
    assert legend.locator('input[data-label-id="2"]').is_checked()


# --------------------------------------------------------------------------- 116-region atlas


def atlas_setup(cache: Path | None) -> str:
    """MNI152 T1 with a 116-region atlas, or the head phantom's brain so split without it."""
    load = (
        f"from mni_atlas import mni_head_with_atlas\n"
        f"t1, atlas = mni_head_with_atlas(Path({str(cache)!r}))\n"
        if cache
        else "import nibabel\nfrom nbviewer3d.phantoms import head, parcellate\n"
        "_p = head()\nt1 = nibabel.Nifti1Image(_p.image, _p.affine)\n"
        "atlas = nibabel.Nifti1Image(parcellate(_p.label > 0, 116), _p.affine)\n"
    )
    return f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(TESTS)!r})
import nbviewer3d
{load}
names = {{i: f"region {{i}}" for i in range(1, 117)}}
viewer = nbviewer3d.view(t1, label=atlas, label_names=names, height={HEIGHT})
viewer
"""


@pytest.fixture(scope="module")
def atlas_page(module_notebooks: Any, tmp_path_factory: pytest.TempPathFactory) -> NotebookPage:
    pytest.importorskip("nibabel")
    from mni_atlas import nilearn_wheel

    wheels = Path("/tmp/nbviewer3d-wheels")
    cache: Path | None = wheels
    try:
        nilearn_wheel(wheels)
    except Exception as error:  # no registry: the phantom's brain stands in for the MNI T1
        print(f"nilearn's wheel (MNI152 T1) is not available ({error}); using phantoms.head()")
        cache = None
    nb: NotebookPage = module_notebooks.open([atlas_setup(cache)])
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    return nb


def test_atlas_gets_116_distinct_colours(atlas_page: NotebookPage, artifacts: Path) -> None:
    nb = atlas_page
    nb.shot(0, artifacts / "labels_atlas_volume.png")
    rows = nb.widget(0).locator(".nbviewer3d-legend-row")
    assert rows.count() == 116
    swatches = (
        nb.widget(0)
        .locator(".nbviewer3d-swatch")
        .evaluate_all("(els) => els.map((e) => getComputedStyle(e).backgroundColor)")
    )
    assert len(set(swatches)) == 116, "two regions share a colour"
    nb.change("viewer.view_mode = 'axial'")
    fill = nb.shot(0, artifacts / "labels_atlas_axial_fill.png")
    nb.change("viewer.overlay_style = 'contour'")
    nb.shot(0, artifacts / "labels_atlas_axial_contour.png")
    nb.change("viewer.view_mode = 'coronal'; viewer.overlay_style = 'fill'")
    nb.shot(0, artifacts / "labels_atlas_coronal_fill.png")
    colours = {tuple(c) for c in fill.reshape(-1, 3)[::7].tolist()}
    assert len(colours) > 200
    Image.fromarray(fill)  # the shot is a valid picture
