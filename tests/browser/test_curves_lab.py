"""Training curves under the view, and untrusted names, in JupyterLab.

The notebook writes a real run (torch's SummaryWriter, nbviewer3d's lossless logger, on a crop
of the real liver CT): volumes every 10 steps, a Dice curve with a dip at step 20, a loss
logged every step, and a scalar, a volume tag and a label name spelled as HTML.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .jupyter import RGB, NotebookPage, mean_abs_diff
from .pixels import CHANGED

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
VOLUME_STEPS = [0, 10, 20, 30, 40]
WRITE_RUN = f"""
import math
import numpy as np, torch
from torch.utils.tensorboard import SummaryWriter
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

HOSTILE = {HOSTILE!r}
ct, label = load_liver_ct()
crop = (slice(104, 24, -1), slice(104, 24, -1), slice(24, 104))
image = torch.from_numpy(np.clip((ct.data[crop] + 200) / 450, 0, 1).astype(np.float32))[None, None]
truth = torch.from_numpy((label.data[crop] > 0).astype(np.float32))[None, None]
writer = SummaryWriter("runs/review")
for step in {VOLUME_STEPS}:
    nbviewer3d.plot_2d_or_3d_image(image, step, writer, tag="image")
    nbviewer3d.plot_2d_or_3d_image(truth, step, writer, tag="label")
    output = torch.roll(truth, shifts=step // 2, dims=3)  # a prediction drifting step by step
    nbviewer3d.plot_2d_or_3d_image(output, step, writer, tag="output")
nbviewer3d.plot_2d_or_3d_image(image, 0, writer, tag=HOSTILE)  # a volume no role fits
for step in range(0, 41):
    writer.add_scalar("loss", math.exp(-step / 12), step)
    if step % 2 == 0:  # validation Dice with a dip around step 20
        dice = 0.5 + 0.4 * (1 - math.exp(-step / 15)) - 0.3 * (18 <= step <= 22)
        writer.add_scalar("val_mean_dice", dice, step)
for step in (0, 20, 40):
    writer.add_scalar(HOSTILE, step / 40, step)
writer.flush()
viewer = nbviewer3d.view_logdir("runs", height=320, label_names={{1: HOSTILE}})
viewer
"""
# MONAI's own TensorBoardImageHandler, called per epoch as ignite would (ignite is not needed
# to call it): it logs input_0 (image), input_1 (label) and output
WRITE_HANDLER_RUN = """
from types import SimpleNamespace
from monai.handlers import TensorBoardImageHandler

handler_writer = SummaryWriter("handler_runs/unet")
handler = TensorBoardImageHandler(
    summary_writer=handler_writer, epoch_level=True,
    batch_transform=lambda batch: (batch["image"], batch["label"]),
    output_transform=lambda output: output,
)
for epoch in (1, 2):
    output = torch.roll(truth, shifts=4 * epoch, dims=4)  # (B, C, H, W, D) as a network's
    state = SimpleNamespace(epoch=epoch, iteration=epoch,
                            batch={"image": image, "label": truth}, output=output)
    handler(SimpleNamespace(state=state))
handler_writer.flush()
handler_viewer = nbviewer3d.view_logdir("handler_runs", height=320, label_names={1: "liver"})
handler_viewer
"""
# the chart's plot area in CSS pixels (js/src/panel/curves.ts): from 40 to the width less 6
PLOT_LEFT, PLOT_MARGIN_RIGHT = 40, 6


def curve(nb: NotebookPage, name: str) -> Any:
    names = nb.page.locator(".nbviewer3d-curve-name", has_text=re.compile(f"^{re.escape(name)}$"))
    return nb.widget(0).locator(".nbviewer3d-curve").filter(has=names)


def step_x(nb: NotebookPage, name: str, step: float, last: int) -> float:
    """Where ``step`` lies in the chart's canvas, in CSS pixels from its left edge."""
    width = curve(nb, name).locator("canvas").bounding_box()["width"]
    return PLOT_LEFT + step / last * (width - PLOT_LEFT - PLOT_MARGIN_RIGHT)


def chart_shot(nb: NotebookPage, name: str, path: Path | None = None) -> RGB:
    from PIL import Image

    png = curve(nb, name).locator("canvas").screenshot(animations="disabled")
    if path is not None:
        path.write_bytes(png)
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def marker_x(nb: NotebookPage, name: str, path: Path | None = None) -> float:
    """Mean column, in CSS pixels, of the current-step marker's orange (#e8590c) in a chart."""
    shot = chart_shot(nb, name, path)
    width = curve(nb, name).locator("canvas").bounding_box()["width"]
    r, g, b = (shot[..., i].astype(int) for i in range(3))
    orange = (r > 190) & (g > 50) & (g < 130) & (b < 70)
    assert orange.sum() > 20, "no current-step marker in the chart"
    return float(np.nonzero(orange)[1].mean()) * width / shot.shape[1]


@pytest.fixture(scope="module")
def review(module_notebooks: Any, liver_ct: object) -> tuple[NotebookPage, list[str]]:
    pytest.importorskip("torch")
    nb: NotebookPage = module_notebooks.open([WRITE_RUN, WRITE_HANDLER_RUN])
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    nb.page.on("dialog", on_dialog)
    nb.run_cell(0)
    nb.wait_rendered(0, step=VOLUME_STEPS[-1])
    return nb, dialogs


def test_names_from_the_files_show_as_text(
    review: tuple[NotebookPage, list[str]], artifacts: Path
) -> None:
    nb, dialogs = review
    names = nb.widget(0).locator(".nbviewer3d-curve-name").all_inner_texts()
    assert sorted(names) == sorted([HOSTILE, "loss", "val_mean_dice"])
    legend = nb.widget(0).locator(".nbviewer3d-legend-row").all_inner_texts()
    assert [row.strip() for row in legend] == [f"1 {HOSTILE}"]
    # the warning naming the volume tag left out is in the cell's output, as text
    output = nb.page.locator(".jp-OutputArea-output").all_inner_texts()
    assert any(f"'{HOSTILE}_HWD/image'" in text and "view_logdir(path" in text for text in output)
    assert nb.page.locator('img[src="x"]').count() == 0
    assert dialogs == []
    nb.widget(0).screenshot(path=artifacts / "curves_widget_step_40.png")


def test_a_click_on_the_dice_dip_goes_to_that_step(
    review: tuple[NotebookPage, list[str]], artifacts: Path
) -> None:
    nb, _ = review
    assert nb.eval_json("viewer.step") == 40
    # the marker sits on step 40, at the right end
    assert abs(marker_x(nb, "val_mean_dice") - step_x(nb, "val_mean_dice", 40, 40)) < 3
    before_view = nb.shot(0)
    frames = nb.widget_state(0).frames
    # a little right of step 20: the nearest step with volumes is still 20
    canvas = curve(nb, "val_mean_dice").locator("canvas")
    x = step_x(nb, "val_mean_dice", 21, 40)
    nb.click_at(canvas, x / canvas.bounding_box()["width"], 0.5)
    nb.wait_rendered(0, after=frames, step=20)
    assert nb.eval_json("viewer.step") == 20
    hovering = curve(nb, "val_mean_dice").locator(".nbviewer3d-curve-value").inner_text()
    assert hovering.startswith("step 20: ")  # the pointer, still there, reads the step it hits
    nb.page.mouse.move(1, 1)
    shown = marker_x(nb, "val_mean_dice", artifacts / "curves_dice_step_20.png")
    assert abs(shown - step_x(nb, "val_mean_dice", 20, 40)) < 3
    # every chart marks the new step, and the view shows its volumes
    assert abs(marker_x(nb, "loss") - step_x(nb, "loss", 20, 40)) < 3
    assert mean_abs_diff(before_view, nb.shot(0)) > CHANGED
    caption = curve(nb, "val_mean_dice").locator(".nbviewer3d-curve-value").inner_text()
    dice_20 = 0.5 + 0.4 * (1 - math.exp(-20 / 15)) - 0.3  # the dip, as the notebook logs it
    assert caption == f"{dice_20:.4g}"
    nb.widget(0).screenshot(path=artifacts / "curves_widget_step_20.png")
    # a focused chart walks the volume steps with the arrow keys
    canvas.focus()
    for key, step in (("ArrowRight", 30), ("ArrowDown", 20), ("ArrowUp", 30)):
        frames = nb.widget_state(0).frames
        canvas.press(key)
        nb.wait_rendered(0, after=frames, step=step)
        assert nb.eval_json("viewer.step") == step
        assert canvas.get_attribute("aria-valuenow") == str(step)


def test_new_points_appear_while_following(review: tuple[NotebookPage, list[str]]) -> None:
    nb, _ = review
    loss = curve(nb, "loss")
    assert loss.get_attribute("data-points") == "41"
    before = chart_shot(nb, "loss")
    nb.execute("viewer.follow(interval_s=0.5)")
    try:
        nb.execute(
            "for step in range(41, 61):\n"
            "    writer.add_scalar('loss', 0.5 + step / 100, step)\n"
            "writer.flush()"
        )
        loss.and_(nb.page.locator('[data-points="61"]')).wait_for(timeout=20_000)
    finally:
        nb.execute("viewer.unfollow()")
    assert mean_abs_diff(before, chart_shot(nb, "loss")) > CHANGED
    assert nb.eval_json("viewer.steps") == VOLUME_STEPS  # no new volume step came with them


def test_a_tensorboard_image_handler_run_shows_label_and_prediction(
    review: tuple[NotebookPage, list[str]], artifacts: Path
) -> None:
    nb, _ = review
    pytest.importorskip("monai")
    nb.run_cell(1)
    nb.wait_rendered(1, step=2)
    roles = nb.eval_json("sorted(handler_viewer._store.roles.items())")
    assert roles == [
        ["image", "input_0_HWD/image"],
        ["label", "input_1_HWD/image"],
        ["prediction", "output_HWD/image"],
    ]
    # the legend's row for class 1 carries a swatch for the label and one for the prediction
    row = nb.widget(1).locator(".nbviewer3d-legend-row")
    assert row.all_inner_texts() == ["1 liver"]
    assert row.locator(".nbviewer3d-swatch").count() == 2
    outputs = nb.page.locator(".jp-Cell").nth(1).locator(".jp-OutputArea-output")
    assert not any("UnpairedTagWarning" in text for text in outputs.all_inner_texts())
    with_labels = nb.shot(1, path=artifacts / "curves_handler_run.png")
    nb.change("handler_viewer.label_visible = False", index=1)
    assert mean_abs_diff(with_labels, nb.shot(1)) > CHANGED
