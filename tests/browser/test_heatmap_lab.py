"""Heat maps and channels in JupyterLab: a heat map over the real liver CT with its own
threshold, colormap and opacity (panel and Python), a real MONAI GradCAM over the CT, and a
four-channel MR walked from the panel's channel selector without re-sending voxels.

Screenshots land in tests/artifacts/heatmap_*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .jupyter import NotebookPage, mean_abs_diff
from .pixels import CHANGED, NOISE

pytestmark = pytest.mark.browser

HEIGHT = 360
SIGMA = 14.0
CT_SETUP = f"""
import numpy as np
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

ct, label = load_liver_ct()
# a known map: a Gaussian blob centred in the liver, 1 at its centre
centre = np.argwhere(np.asarray(label) == 1).mean(axis=0)
grid = np.meshgrid(*[np.arange(n) for n in ct.shape], indexing="ij")
heat = np.exp(-sum((g - c) ** 2 for g, c in zip(grid, centre)) / (2 * {SIGMA} ** 2))
heat = heat.astype(np.float32)
axial = int(round(centre[2]))
viewer = nbviewer3d.view(
    ct, label=label, heatmap=heat, height={HEIGHT}, view_mode="axial",
    cursor=[ct.shape[0] // 2, ct.shape[1] // 2, axial],
)
viewer
"""
GRADCAM = f"""
import torch
from monai.networks.nets import resnet10
from monai.visualize import GradCAM

torch.manual_seed(0)
net = resnet10(spatial_dims=3, n_input_channels=1, num_classes=2).eval()  # untrained
# the CT at half resolution, windowed to 0..1: GradCAM's map comes back on that 64^3 grid
x = torch.from_numpy(np.asarray(ct, dtype=np.float32)[::2, ::2, ::2].copy())[None, None]
x = (x.clamp(-200, 300) + 200) / 500
cam = GradCAM(nn_module=net, target_layers="layer4")(x)
prediction = np.roll(np.asarray(label), 4, axis=0)  # a stand-in model output, 4 mm off
cam_viewer = nbviewer3d.view(
    ct, label=label, prediction=prediction, heatmap=cam, heatmap_threshold=0.6,
    height={HEIGHT}, view_mode="axial", cursor=[ct.shape[0] // 2, ct.shape[1] // 2, axial],
)
cam_viewer
"""
DEFAULTS: dict[str, Any] = {
    "view_mode": "axial",
    "label_visible": False,
    "heatmap_visible": True,
    "heatmap_cmap": "inferno",
    "heatmap_opacity": 0.6,
    "heatmap_threshold": 0.25,
}


def apply(nb: NotebookPage, **traits: Any) -> None:
    nb.set_traits({**DEFAULTS, **traits})


@pytest.fixture(scope="module")
def ct_page(module_notebooks: Any, liver_ct: object) -> NotebookPage:
    nb: NotebookPage = module_notebooks.open([CT_SETUP, GRADCAM])
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    return nb


@pytest.fixture
def nb(ct_page: NotebookPage) -> Iterator[NotebookPage]:
    apply(ct_page)
    yield ct_page
    ct_page.check_errors()


def changed(a: np.ndarray, b: np.ndarray, threshold: int = 12) -> np.ndarray:
    return np.asarray(np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > threshold)


def test_defaults_come_from_the_map(nb: NotebookPage) -> None:
    assert nb.eval_json("[viewer.heatmap_vmin, viewer.heatmap_vmax]") == pytest.approx(
        nb.eval_json("[float(heat.min()), float(heat.max())]")
    )
    assert nb.eval_json("list(viewer.heatmap.shape)") == [128, 128, 128]


def test_heat_map_changes_the_slice_only_above_its_threshold(
    nb: NotebookPage, artifacts: Path
) -> None:
    """The pixels the map changes cover as much of the slice as its voxels above the
    threshold do; a threshold above the map's maximum leaves the CT as it was."""
    apply(nb, heatmap_visible=False)
    plain = nb.shot(0, artifacts / "heatmap_axial_hidden.png")
    areas = {}
    for threshold in (0.2, 0.6):
        apply(nb, heatmap_threshold=threshold)
        shot = nb.shot(0, artifacts / f"heatmap_axial_threshold_{threshold}.png")
        areas[threshold] = int(changed(plain, shot).sum())
    voxels = {t: nb.eval_json(f"int((heat[:, :, axial] >= {t}).sum())") for t in areas}
    # the same voxel-to-pixel scale for both thresholds: the pixel areas keep the voxel ratio
    assert areas[0.6] > 0
    assert areas[0.6] / areas[0.2] == pytest.approx(voxels[0.6] / voxels[0.2], rel=0.15)
    apply(nb, heatmap_threshold=1.5)
    above_max = nb.shot(0)
    assert mean_abs_diff(plain, above_max) < NOISE
    assert changed(plain, above_max).sum() == 0


def test_colormap_and_opacity_from_the_panel(nb: NotebookPage, artifacts: Path) -> None:
    before = nb.shot(0)
    frames = nb.widget_state(0).frames
    nb.widget(0).locator('[data-control="heatmap_cmap"]').select_option("viridis")
    nb.wait_rendered(0, after=frames)
    assert nb.eval_json("viewer.heatmap_cmap") == "viridis"
    viridis = nb.shot(0, artifacts / "heatmap_axial_viridis.png")
    assert mean_abs_diff(before, viridis) > CHANGED / 4
    apply(nb, heatmap_visible=False)
    plain = nb.shot(0)
    inside = changed(plain, before)
    # only the heat map's pixels changed colour
    assert not (changed(before, viridis) & ~inside).any()
    apply(nb, heatmap_cmap="viridis")
    slider = nb.widget(0).locator('[data-control="heatmap_opacity"]')
    frames = nb.widget_state(0).frames
    slider.fill("0")
    nb.wait_rendered(0, after=frames)
    assert nb.eval_json("viewer.heatmap_opacity") == 0
    assert mean_abs_diff(plain, nb.shot(0)) < NOISE


def test_colour_bar_names_the_range_and_threshold(nb: NotebookPage, artifacts: Path) -> None:
    nb.widget(0).screenshot(path=str(artifacts / "heatmap_widget_with_panel.png"))
    bar = nb.widget(0).locator('[data-control="heatmap_colorbar"]')
    text = bar.get_attribute("aria-label")
    assert "inferno" in text and "transparent below 0.25" in text
    ticks = nb.widget(0).locator(".nbviewer3d-colorbar-ticks > span").all_text_contents()
    assert ticks[1] == "0.25"


@pytest.mark.parametrize("label_visible", [False, True])
def test_3d_heat_map_shows_inside_the_ct(
    nb: NotebookPage, artifacts: Path, label_visible: bool
) -> None:
    apply(nb, view_mode="volume", heatmap_visible=False, label_visible=label_visible)
    plain = nb.shot(0, artifacts / f"heatmap_volume_hidden_label_{label_visible}.png")
    apply(nb, view_mode="volume", label_visible=label_visible)
    shown = nb.shot(0, artifacts / f"heatmap_volume_label_{label_visible}.png")
    assert mean_abs_diff(plain, shown) > CHANGED / 4


def test_monai_gradcam_over_the_ct(ct_page: NotebookPage, artifacts: Path) -> None:
    """A real GradCAM of an untrained MONAI ResNet on the CT at half resolution: the map goes
    in as GradCAM returns it, (1, 1, 64, 64, 64), and is upsampled onto the CT's grid."""
    nb = ct_page
    nb.run_cell(1)
    nb.wait_rendered(1, step=0)
    assert nb.eval_json("list(cam.shape)") == [1, 1, 64, 64, 64]
    assert nb.eval_json("list(cam_viewer.heatmap.shape)") == [128, 128, 128]
    shown = nb.shot(1, artifacts / "heatmap_gradcam_axial.png")
    nb.change("cam_viewer.heatmap_visible = False", index=1)
    plain = nb.shot(1)
    assert mean_abs_diff(plain, shown) > CHANGED / 4
    nb.change("cam_viewer.heatmap_visible = True\ncam_viewer.view_mode = 'volume'", index=1)
    nb.shot(1, artifacts / "heatmap_gradcam_volume.png")


def test_errors_and_gradcam_in_one_quad_view(ct_page: NotebookPage, artifacts: Path) -> None:
    """The review in one view: CT, the prediction's errors against the label and the GradCAM
    map, in the quad layout, each with its own control."""
    nb = ct_page
    nb.change("cam_viewer.view_mode = 'quad'\ncam_viewer.heatmap_visible = True", index=1)
    overlay = nb.shot(1)
    nb.change("cam_viewer.compare = 'errors'", index=1)
    errors = nb.shot(1, artifacts / "heatmap_gradcam_errors_quad.png")
    assert mean_abs_diff(overlay, errors) > CHANGED / 4, "errors mode drew the overlay"
    nb.change("cam_viewer.heatmap_visible = False", index=1)
    without_map = nb.shot(1)
    assert mean_abs_diff(errors, without_map) > CHANGED / 4, "the map is gone in errors mode"
    nb.change("cam_viewer.heatmap_visible = True\ncam_viewer.compare = 'overlay'", index=1)
    nb.check_errors()


# --------------------------------------------------------------------------- channels

MR_SETUP = f"""
import numpy as np
import nbviewer3d
from nbviewer3d import phantoms

head = phantoms.head()
t1 = head.image.astype(np.float32)
# four contrasts of one head on four value scales, as a BraTS case holds T1, T1ce, T2, FLAIR
mr = np.stack([t1, np.where(t1 > 0, 800 - t1, 0), 3 * t1, np.where(head.label > 0, 2 * t1, 0)])
viewer = nbviewer3d.view(
    mr, spacing=head.spacing, channel_names=["T1", "T1ce", "T2", "FLAIR"],
    view_mode="axial", height={HEIGHT},
)
viewer
"""


@pytest.fixture(scope="module")
def mr_page(module_notebooks: Any) -> NotebookPage:
    nb: NotebookPage = module_notebooks.open([MR_SETUP])
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    return nb


def test_channel_selector_walks_the_channels_without_sending(
    mr_page: NotebookPage, artifacts: Path
) -> None:
    nb = mr_page
    select = nb.widget(0).locator('[data-control="channel"]')
    assert select.locator("option").all_text_contents() == [
        "0: T1",
        "1: T1ce",
        "2: T2",
        "3: FLAIR",
    ]
    sent = nb.eval_json("viewer.bytes_sent")
    shots = [nb.shot(0, artifacts / "heatmap_channel_0.png")]
    windows = [nb.eval_json("[viewer.vmin, viewer.vmax]")]
    for channel in (1, 2, 3):
        frames = nb.widget_state(0).frames
        select.select_option(str(channel))
        nb.wait_rendered(0, after=frames)
        nb.page.wait_for_function(
            "([el, c]) => el.value === c", arg=[select.element_handle(), str(channel)]
        )
        assert nb.eval_json("viewer.channel") == channel
        nb.wait_rendered(0, after=nb.widget_state(0).frames - 1)
        shots.append(nb.shot(0, artifacts / f"heatmap_channel_{channel}.png"))
        windows.append(nb.eval_json("[viewer.vmin, viewer.vmax]"))
        assert mean_abs_diff(shots[-1], shots[-2]) > CHANGED
    # the browser held every channel: walking them sent no voxels
    assert nb.eval_json("viewer.bytes_sent") == sent
    # each channel opened on its own range; T2 (3 x T1) spans three times T1's window
    assert windows[2][1] == pytest.approx(3 * windows[0][1], rel=0.05)
    assert len({tuple(w) for w in windows}) == 4
    nb.change("viewer.channel = 0")
    assert nb.eval_json("[viewer.vmin, viewer.vmax]") == windows[0]
    assert mean_abs_diff(nb.shot(0), shots[0]) < NOISE
