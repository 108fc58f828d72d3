"""view_logdir in JupyterLab: a run written by MONAI's plot_2d_or_3d_image, walked step by step.

The notebook itself writes the run with the real writers (MONAI + torch.utils.tensorboard),
on a crop of the real liver CT, then opens it with nbviewer3d.view_logdir.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from .jupyter import NotebookPage, mean_abs_diff
from .pixels import CHANGED, NOISE

pytestmark = pytest.mark.browser

STEPS = [2, 4, 6]
WRITE_RUN = f"""
import numpy as np, torch
from monai.visualize import plot_2d_or_3d_image as monai_plot
from torch.utils.tensorboard import SummaryWriter
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

ct, label = load_liver_ct()
# MONAI's (H, W, D) in RAS order: the CT is stored left/posterior-ward, so flip axes 0 and 1
crop = (slice(104, 24, -1), slice(104, 24, -1), slice(24, 104))
image = torch.from_numpy(np.clip((ct.data[crop] + 200) / 450, 0, 1).astype(np.float32))[None, None]
truth = torch.from_numpy((label.data[crop] > 0).astype(np.float32))[None, None]

def log_step(writer, plot, step):
    # a "prediction" that drifts step by step, so every step looks different
    output = torch.roll(truth, shifts=3 * step, dims=3)
    plot(image, step, writer, tag="image")
    plot(truth, step, writer, tag="label")
    plot(output, step, writer, tag="output")
    writer.add_scalar("val_mean_dice", step / 10, step)

gif_writer, exact_writer = SummaryWriter("runs/gif"), SummaryWriter("runs/exact")
for step in {STEPS}:
    log_step(gif_writer, monai_plot, step)
    log_step(exact_writer, nbviewer3d.plot_2d_or_3d_image, step)
gif_writer.flush(); exact_writer.flush()
viewer = nbviewer3d.view_logdir("runs", run="gif", height=320)
viewer
"""
EXACT = 'exact = nbviewer3d.view_logdir("runs", run="exact", height=320)\nexact'


def go_to(nb: NotebookPage, step: int) -> None:
    if nb.eval_json("viewer.step") != step:
        nb.change(f"viewer.step = {step}", step=step)


def step_slider(nb: NotebookPage, index: int = 0) -> Any:
    return nb.widget(index).locator('[data-control="step"]')


@pytest.fixture(scope="module")
def run_page(module_notebooks: Any, liver_ct: object) -> NotebookPage:
    pytest.importorskip("monai")
    nb: NotebookPage = module_notebooks.open([WRITE_RUN, EXACT])
    nb.run_cell(0)
    nb.wait_rendered(0, step=STEPS[-1])
    return nb


def test_the_slider_walks_every_logged_step(run_page: NotebookPage, artifacts: Path) -> None:
    nb = run_page
    assert nb.eval_json("viewer.steps") == STEPS
    go_to(nb, STEPS[-1])
    shots = {STEPS[-1]: nb.shot(0)}
    slider = step_slider(nb)
    for step in reversed(STEPS[:-1]):
        slider.focus()
        before = nb.widget_state(0).frames
        slider.press("ArrowLeft")
        nb.wait_rendered(0, after=before, step=step)
        assert nb.eval_json("viewer.step") == step
        shots[step] = nb.shot(0, path=artifacts / f"logdir_step_{step}.png")
    # the drifting prediction makes each logged step its own picture
    for a, b in itertools.pairwise(STEPS):
        assert mean_abs_diff(shots[a], shots[b]) > CHANGED


def test_the_label_and_prediction_overlay_the_gif_image(run_page: NotebookPage) -> None:
    nb = run_page
    with_labels = nb.shot(0)
    nb.change("viewer.label_visible = False")
    without = nb.shot(0)
    nb.change("viewer.label_visible = True")
    assert mean_abs_diff(with_labels, without) > CHANGED
    assert mean_abs_diff(with_labels, nb.shot(0)) < NOISE


def test_the_lossless_run_shows_the_exact_values(run_page: NotebookPage) -> None:
    nb = run_page
    nb.run_cell(1)
    nb.wait_rendered(1, step=STEPS[-1])
    same = nb.eval_json("bool(np.array_equal(np.asarray(exact.image), image[0, 0].numpy()))")
    assert same is True
    assert nb.eval_json("exact.image.lossy") is None


def test_follow_adds_steps_that_training_writes_after_display(run_page: NotebookPage) -> None:
    nb = run_page
    go_to(nb, STEPS[-1])
    nb.execute("viewer.follow(interval_s=0.5)")
    before = nb.widget_state(0).frames
    nb.execute("log_step(gif_writer, monai_plot, 8); gif_writer.flush()")
    # the viewer was on the latest step, so it moves on to the new one by itself
    nb.wait_rendered(0, after=before, step=8)
    assert nb.eval_json("viewer.steps") == [*STEPS, 8]
    assert nb.eval_json("viewer.step") == 8
    nb.execute("viewer.unfollow()")
