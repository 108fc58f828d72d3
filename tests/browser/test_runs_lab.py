"""Runs, the camera and pictures in JupyterLab, on two runs logged from the real liver CT.

The notebook writes a logdir with two runs (same CT and label, each run's "prediction" a
different shift of the label), opens it with view_logdir and, in the same cell, asks for a
screenshot file: the kernel can only read the browser's answer after the cell, which is
what save_screenshot is designed for.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from .jupyter import NotebookPage, mean_abs_diff
from .pixels import CHANGED, NOISE
from .test_golden import SEED, SEEDED_RANDOM

pytestmark = pytest.mark.browser

STEPS = [1, 2, 3]
SETUP = f"""
import numpy as np
from pathlib import Path
from torch.utils.tensorboard import SummaryWriter
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

ct, label = load_liver_ct()
ras = (slice(None, None, -1), slice(None, None, -1), slice(None))  # (x, y, z) in RAS
image = ct.data[ras].astype(np.float32)
truth = label.data[ras].astype(np.uint8)
for run, shift in (("baseline", 6), ("unet", 0)):
    writer = SummaryWriter(f"model_runs/{{run}}")
    for step in {STEPS}:
        nbviewer3d.log_volume(writer, "image", image, step)
        nbviewer3d.log_volume(writer, "label", truth, step, kind="label")
        output = np.roll(truth, shift * step, axis=2)
        nbviewer3d.log_volume(writer, "output", output, step, kind="label")
    writer.close()
viewer = nbviewer3d.view_logdir("model_runs", height=300, label_blend=0.7)
saving = viewer.save_screenshot("first.png")
viewer
"""
PAIR = 'pair = nbviewer3d.view_logdir("model_runs", runs=["baseline", "unet"], height=260)\npair'


def png_rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def canvas_diff(picture: np.ndarray, canvas: np.ndarray) -> float:
    """Mean |diff| of a picture and the canvas box's screenshot, which may hold one more row
    or column where the box sits at a fractional page position (the best alignment counts)."""
    h, w = picture.shape[:2]
    extra_y, extra_x = canvas.shape[0] - h, canvas.shape[1] - w
    assert 0 <= extra_y <= 1 and 0 <= extra_x <= 1, (picture.shape, canvas.shape)
    return min(
        mean_abs_diff(picture, canvas[dy : dy + h, dx : dx + w])
        for dy in range(extra_y + 1)
        for dx in range(extra_x + 1)
    )


def drag(nb: NotebookPage, index: int = 0, dx: float = 0.25, dy: float = 0.1) -> None:
    """A real mouse drag across widget ``index``'s canvas (rotates the 3D view)."""
    box = nb.canvas(index).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5
    nb.page.mouse.move(x, y)
    nb.page.mouse.down()
    for i in range(1, 6):
        nb.page.mouse.move(x + box["width"] * dx * i / 5, y + box["height"] * dy * i / 5)
    nb.page.mouse.up()


@pytest.fixture(scope="module")
def runs_page(module_notebooks: Any, liver_ct: object) -> NotebookPage:
    pytest.importorskip("torch")
    nb: NotebookPage = module_notebooks.open([SETUP, PAIR])
    nb.run_cell(0)
    nb.wait_rendered(0, step=STEPS[-1])
    return nb


def test_save_screenshot_from_the_cell_that_made_the_view(
    runs_page: NotebookPage, artifacts: Path
) -> None:
    nb = runs_page
    assert nb.wait_for_kernel("saving.done"), nb.eval_json("saving.message")
    # the cell's own output line turned from "will be saved" into "saved"
    assert "nbviewer3d: saved first.png (step 3)" in nb.cell_text(0)
    saved = Path(nb.eval_json("str(Path('first.png').resolve())")).read_bytes()
    (artifacts / "runs_first_screenshot.png").write_bytes(saved)
    canvas = nb.shot(0, artifacts / "runs_first_canvas.png")
    picture = png_rgb(saved)
    # the picture is what the canvas box shows (GL frame and orientation cube)
    assert canvas_diff(picture, canvas) < NOISE
    assert nb.eval_json("viewer.screenshot() == Path('first.png').read_bytes()") is True
    shape = nb.eval_json("list(viewer.screenshot(as_array=True).shape)")
    assert shape == [*picture.shape[:2], 3]
    assert shape[0] == 300  # the viewer's height


def test_screenshot_in_a_later_cell_after_a_change(
    runs_page: NotebookPage, artifacts: Path
) -> None:
    nb = runs_page
    nb.change("viewer.cmap = 'Cool to Warm'; viewer.view_mode = 'axial'")
    said = nb.execute(
        "try:\n    viewer.screenshot()\nexcept nbviewer3d.ScreenshotPending as e:\n    print(e)"
    )
    assert "call viewer.screenshot() again in the next cell" in said
    assert nb.wait_for_kernel("viewer.last_frame.state['view_mode'] == 'axial'")
    path = Path(nb.eval_json("str(Path('axial.png').resolve())"))
    nb.execute("Path('axial.png').write_bytes(viewer.screenshot())")
    (artifacts / "runs_axial_screenshot.png").write_bytes(path.read_bytes())
    canvas = nb.shot(0, artifacts / "runs_axial_canvas.png")
    # the edge letters are drawn again as text on the picture: only their outlines may differ
    assert canvas_diff(png_rgb(path.read_bytes()), canvas) < 0.5
    nb.change("viewer.cmap = 'Grayscale'; viewer.view_mode = 'volume'")


def test_the_mouse_sets_the_camera_and_python_sets_it_back(
    runs_page: NotebookPage, artifacts: Path
) -> None:
    nb = runs_page
    nb.set_traits({"camera": None, "view_mode": "volume"})
    default = nb.shot(0)
    before = nb.widget_state(0).frames
    drag(nb)
    nb.wait_rendered(0, after=before)
    camera = nb.wait_for_kernel("viewer.camera")
    assert camera is not None, "the drag did not reach viewer.camera"
    turned = nb.shot(0, artifacts / "runs_camera_turned.png")
    assert mean_abs_diff(default, turned) > CHANGED
    nb.change("viewer.camera = None")
    assert mean_abs_diff(nb.shot(0), default) < NOISE
    nb.change(f"viewer.camera = {camera!r}")
    assert mean_abs_diff(nb.shot(0), turned) < NOISE


def rebuilt_volume_shot(nb: NotebookPage, path: Path | None = None) -> np.ndarray:
    """The 3D view after a trip through the axial view, its ray jitter seeded: vtk.js jitters
    each ray's start by Math.random() values drawn when the volume scene is built, so two
    builds draw the same picture only from the same seed (see test_golden.py)."""
    nb.page.evaluate(SEEDED_RANDOM)
    nb.change("viewer.view_mode = 'axial'")
    nb.page.evaluate(SEED)
    nb.change("viewer.view_mode = 'volume'")
    return nb.shot(0, path)


def test_settings_persist_across_steps_view_modes_and_runs(
    runs_page: NotebookPage, artifacts: Path
) -> None:
    nb = runs_page
    drag(nb, dx=-0.2, dy=0.15)
    camera = nb.wait_for_kernel("viewer.camera")
    nb.set_traits(
        {
            "cmap": "Cool to Warm",
            "preset": "ct-muscle",
            "label_blend": 0.8,
            "vmin": -100.0,
            "vmax": 250.0,
            "step": 2,
        },
        step=2,
    )
    read = (
        "{k: getattr(viewer, k) for k in ('cmap', 'preset', 'label_blend', 'vmin', 'vmax', "
        "'camera', 'opacity', 'view_mode')}"
    )
    settings = nb.eval_json(read)
    assert settings["camera"] == camera
    shot = rebuilt_volume_shot(nb, artifacts / "runs_baseline_step2.png")
    # walk a step, a view mode and the other run (from the panel's run menu), then come back
    nb.change("viewer.step = 3", step=3)
    nb.change("viewer.view_mode = 'sagittal'")
    menu = nb.widget(0).locator('[data-control="run"]')
    assert menu.is_visible()
    assert [o.strip() for o in menu.locator("option").all_inner_texts()] == ["baseline", "unet"]
    before = nb.widget_state(0).frames
    menu.select_option("unet")
    nb.wait_rendered(0, after=before, step=3)
    assert nb.eval_json("viewer.run") == "unet"
    nb.change("viewer.view_mode = 'volume'")
    other = nb.shot(0, artifacts / "runs_unet_step3.png")
    assert nb.eval_json(read) == settings
    nb.change("viewer.run = 'baseline'; viewer.step = 2", step=2)
    back = rebuilt_volume_shot(nb, artifacts / "runs_baseline_step2_again.png")
    assert mean_abs_diff(back, shot) < NOISE  # the same picture as before the walk
    assert mean_abs_diff(other, shot) > CHANGED  # the other run's prediction differs


def test_the_download_button_saves_the_picture(runs_page: NotebookPage, artifacts: Path) -> None:
    nb = runs_page
    nb.settle(0)
    button = nb.widget(0).locator('[data-control="download"]')
    with nb.page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "nbviewer3d-baseline-step2.png"
    path = artifacts / "runs_download.png"
    download.save_as(path)
    assert canvas_diff(png_rgb(path.read_bytes()), nb.shot(0)) < NOISE


def test_two_runs_side_by_side_share_camera_step_and_settings(
    runs_page: NotebookPage, artifacts: Path
) -> None:
    nb = runs_page
    nb.run_cell(1)
    nb.wait_rendered(1, step=STEPS[-1])
    nb.wait_rendered(2, step=STEPS[-1])
    before = nb.widget_state(2).frames
    drag(nb, index=1)
    nb.wait_rendered(2, after=before)  # the right one turned with the left one
    assert nb.wait_for_kernel("pair.viewers[0].camera is not None")
    assert nb.eval_json("pair.viewers[0].camera == pair.viewers[1].camera") is True
    nb.change("pair.viewers[1].step = 1; pair.viewers[1].cmap = 'Cool to Warm'", index=1, step=1)
    nb.wait_rendered(2, step=1)
    assert nb.eval_json("[v.step for v in pair.viewers]") == [1, 1]
    assert nb.eval_json("pair.viewers[0].cmap") == "Cool to Warm"
    nb.page.locator(".widget-gridbox").screenshot(path=artifacts / "runs_pair_widget.png")
    left = nb.shot(1, artifacts / "runs_pair_left.png")
    right = nb.shot(2, artifacts / "runs_pair_right.png")
    assert mean_abs_diff(left, right) > CHANGED  # same view, different predictions
