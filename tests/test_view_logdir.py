"""view_logdir end to end in the kernel: real MONAI-written runs, every step, label overlay."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from kernel_wire import Wire

import nbviewer3d
from nbviewer3d.events import LogdirError, LossySourceWarning

torch = pytest.importorskip("torch")
monai_visualize = pytest.importorskip("monai.visualize")
tensorboard_writer = pytest.importorskip("torch.utils.tensorboard")

STEPS = (2, 4, 6)


def _case(step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image, label, output) as MONAI loops hold them: (C=1, H, W, D) float tensors."""
    rng = np.random.default_rng(step)
    image = rng.normal(0, 1, (1, 24, 20, 16)).astype(np.float32)
    label = np.zeros((1, 24, 20, 16), np.float32)
    label[0, 5:15, 4:12, 3:10] = 1
    output = np.roll(label, step // 2, axis=1)
    return image, label, output


def _write_run(run: Path, lossless: bool) -> None:
    plot = nbviewer3d.plot_2d_or_3d_image if lossless else monai_visualize.plot_2d_or_3d_image
    writer = tensorboard_writer.SummaryWriter(str(run))
    for step in STEPS:
        image, label, output = _case(step)
        for tag, data in (("image", image), ("label", label), ("output", output)):
            plot(torch.from_numpy(data[None]), step, writer, tag=tag)
        writer.add_scalar("val_mean_dice", 0.5 + step / 100, step)
    writer.close()


def test_a_monai_run_walks_every_step_with_label_and_prediction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_run(tmp_path / "runs" / "monai", lossless=False)
    with pytest.warns(LossySourceWarning):  # once, when the first image sets the color range
        viewer = nbviewer3d.view_logdir(str(tmp_path / "runs"), cmap="X Ray")
    assert viewer.steps == list(STEPS)
    assert viewer.scalars["val_mean_dice"]["steps"] == list(STEPS)
    assert viewer.cmap == "X Ray"
    wire = Wire(viewer, monkeypatch)
    for step in STEPS:
        reply = wire.fetch(step)
        assert [m["role"] for m in reply["volumes"]] == ["image", "label", "prediction"]
        arrays = wire.arrays()
        _, label, output = _case(step)
        # GIF (H, W, D) lands as [z, y, x] = (D, W, H); label ids come back as 0/1
        np.testing.assert_array_equal(arrays["label"], label[0].transpose(2, 1, 0))
        np.testing.assert_array_equal(arrays["prediction"], output[0].transpose(2, 1, 0))
        assert arrays["image"].shape == (16, 20, 24)


def test_gif_sources_warn_that_they_are_lossy(tmp_path: Path) -> None:
    _write_run(tmp_path / "runs" / "monai", lossless=False)
    # with the window and the preset given, nothing is decoded before the first look
    viewer = nbviewer3d.view_logdir(str(tmp_path / "runs"), vmin=0, vmax=255, preset="generic")
    with pytest.warns(LossySourceWarning, match="8-bit"):
        image = viewer.image
    assert image is not None and image.lossy


def test_the_lossless_logger_shows_the_exact_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_run(tmp_path / "runs" / "lossless", lossless=True)
    viewer = nbviewer3d.view_logdir(str(tmp_path / "runs"))
    assert viewer.steps == list(STEPS)
    wire = Wire(viewer, monkeypatch)
    for step in STEPS:
        wire.fetch(step)
        image, label, _ = _case(step)
        arrays = wire.arrays()
        np.testing.assert_array_equal(arrays["image"], image[0].transpose(2, 1, 0))
        np.testing.assert_array_equal(arrays["label"], label[0].transpose(2, 1, 0))


def test_explicit_tags_and_a_clear_error_when_none_match(tmp_path: Path) -> None:
    _write_run(tmp_path / "runs" / "lossless", lossless=True)
    viewer = nbviewer3d.view_logdir(str(tmp_path / "runs"), image="output_HWD", label="label_HWD")
    assert viewer.steps == list(STEPS)
    with pytest.raises(LogdirError, match="label_HWD"):
        nbviewer3d.view_logdir(str(tmp_path / "runs"), image="ct_HWD")
    with pytest.raises(TypeError, match=r"unknown display option.*channel.*accepted: cmap"):
        nbviewer3d.view_logdir(str(tmp_path / "runs"), channel=1)


def test_follow_picks_up_steps_written_after_display(tmp_path: Path) -> None:
    run = tmp_path / "runs" / "live"
    writer = tensorboard_writer.SummaryWriter(str(run))
    image, label, _ = _case(0)
    nbviewer3d.plot_2d_or_3d_image(torch.from_numpy(image[None]), 0, writer, tag="image")
    nbviewer3d.plot_2d_or_3d_image(torch.from_numpy(label[None]), 0, writer, tag="label")
    writer.flush()
    viewer = nbviewer3d.view_logdir(str(tmp_path / "runs"))
    assert viewer.steps == [0]
    for step in (1, 2):
        nbviewer3d.plot_2d_or_3d_image(torch.from_numpy(image[None]), step, writer, tag="image")
    writer.flush()
    assert viewer.poll() == [1, 2]
    assert viewer.steps == [0, 1, 2]
    assert viewer.step == 2  # it was on the latest step, so it follows
    writer.close()
