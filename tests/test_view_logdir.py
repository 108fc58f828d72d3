"""view_logdir end to end in the kernel: real MONAI-written runs, every step, label overlay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
        # GIF (H, W, D) arrives as logged; label ids come back as 0/1
        np.testing.assert_array_equal(arrays["label"], label[0])
        np.testing.assert_array_equal(arrays["prediction"], output[0])
        assert arrays["image"].shape == (24, 20, 16)


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
        np.testing.assert_array_equal(arrays["image"], image[0])
        np.testing.assert_array_equal(arrays["label"], label[0])


def test_explicit_tags_and_a_clear_error_when_none_match(tmp_path: Path) -> None:
    _write_run(tmp_path / "runs" / "lossless", lossless=True)
    viewer = nbviewer3d.view_logdir(str(tmp_path / "runs"), image="output_HWD", label="label_HWD")
    assert viewer.steps == list(STEPS)
    with pytest.raises(LogdirError, match="label_HWD"):
        nbviewer3d.view_logdir(str(tmp_path / "runs"), image="ct_HWD")
    for option in ("channel", "axes"):
        with pytest.raises(TypeError, match=rf"unknown display option.*{option}.*accepted: cmap"):
            nbviewer3d.view_logdir(str(tmp_path / "runs"), **{option: 1})


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
    assert viewer.poll() == []  # each waits for its label (or the grace period)
    for step in (1, 2):
        nbviewer3d.plot_2d_or_3d_image(torch.from_numpy(label[None]), step, writer, tag="label")
    writer.flush()
    assert viewer.poll() == [1, 2]
    assert viewer.steps == [0, 1, 2]
    assert viewer.step == 2  # it was on the latest step, so it follows
    # points of a curve logged between volume steps reach the widget too
    for step in (3, 4):
        writer.add_scalar("loss", 1 / step, step)
    writer.flush()
    assert viewer.poll() == []
    assert viewer.scalars["loss"]["steps"] == [3, 4]
    writer.close()


# ---- one tensor, four roads: view(t) and view_logdir of t logged three ways ---------------

H, W, D = 28, 22, 16


def _phantom() -> np.ndarray:
    """(1, 1, H, W, D) float32, anatomy-like and asymmetric: air around an elliptic body of
    soft tissue (40), a bright spine column (700) posterior of centre along D, a liver-like
    blob (90) on the +x side with a hot spot (1200, the unique maximum) inside it."""
    x, y, z = np.indices((H, W, D), dtype=np.float32)
    volume = np.full((H, W, D), -1000.0, np.float32)
    body = ((x - 13) / 12) ** 2 + ((y - 11) / 9) ** 2 <= 1
    volume[body] = 40 + z[body] * 0.25  # a gentle superior-inferior gradient
    volume[((x - 13) ** 2 + (y - 5) ** 2 <= 4)] = 700  # the spine, posterior
    liver = ((x - 19) / 5) ** 2 + ((y - 13) / 4) ** 2 + ((z - 9) / 5) ** 2 <= 1
    volume[liver] = 90
    volume[20, 13, 9] = 1200
    return volume[None, None]


def _monai_grey(array: np.ndarray) -> np.ndarray:
    """MONAI's documented GIF encoding: min-max rescale to 0..255, then uint8 truncation."""
    lo, hi = array.min(), array.max()
    return ((array - lo) / (hi - lo) * 255).astype(np.uint8)


def _fetched(viewer: nbviewer3d.Viewer, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    wire = Wire(viewer, monkeypatch)
    wire.fetch(viewer.steps[0])
    return wire.arrays()["image"], wire.metas()["image"]


GEOMETRY = ("shape", "spacing", "origin", "direction")


def test_view_and_view_logdir_of_the_same_tensor_agree_on_every_road(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = torch.from_numpy(_phantom())
    shown, shown_meta = _fetched(nbviewer3d.view(t), monkeypatch)
    np.testing.assert_array_equal(shown, t[0, 0].numpy())  # (H, W, D) on the wire as given
    assert shown_meta["shape"] == [H, W, D]

    for run, log in {
        "monai": lambda w: monai_visualize.plot_2d_or_3d_image(t, 3, w, tag="image"),
        "ours": lambda w: nbviewer3d.plot_2d_or_3d_image(t, 3, w, tag="image"),
        "logged": lambda w: nbviewer3d.log_volume(w, "image", t, 3),
    }.items():
        writer = tensorboard_writer.SummaryWriter(str(tmp_path / run))
        log(writer)
        writer.close()
    logdir = str(tmp_path)
    for run in ("ours", "logged"):
        viewer = nbviewer3d.view_logdir(logdir, run=run, image="image")
        assert np.asarray(viewer.image).tobytes() == t[0, 0].numpy().tobytes()
        logged, meta = _fetched(viewer, monkeypatch)
        np.testing.assert_array_equal(logged, shown)
        assert {k: meta[k] for k in GEOMETRY} == {k: shown_meta[k] for k in GEOMETRY}

    with pytest.warns(LossySourceWarning):
        viewer = nbviewer3d.view_logdir(logdir, run="monai", image="image")
    gif, meta = _fetched(viewer, monkeypatch)
    assert {k: meta[k] for k in GEOMETRY} == {k: shown_meta[k] for k in GEOMETRY}
    np.testing.assert_array_equal(gif, _monai_grey(shown))
    np.testing.assert_array_equal(np.asarray(viewer.image), gif)
    # the same structure: the hot spot at the same voxel, grey levels ordered as the values
    assert np.unravel_index(gif.argmax(), gif.shape) == (20, 13, 9)
    assert np.unravel_index(shown.argmax(), shown.shape) == (20, 13, 9)
    assert np.all(np.diff(gif.ravel()[np.argsort(shown.ravel(), kind="stable")].astype(int)) >= 0)


def test_a_lossless_image_and_a_monai_gif_label_line_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = torch.from_numpy(_phantom())
    liver = (t == 90) | (t == 1200)
    writer = tensorboard_writer.SummaryWriter(str(tmp_path / "mixed"))
    nbviewer3d.plot_2d_or_3d_image(t, 1, writer, tag="image")
    monai_visualize.plot_2d_or_3d_image(liver.float(), 1, writer, tag="label")
    writer.close()
    with pytest.warns(LossySourceWarning):
        viewer = nbviewer3d.view_logdir(str(tmp_path))
    wire = Wire(viewer, monkeypatch)
    wire.fetch(1)
    arrays, metas = wire.arrays(), wire.metas()
    assert metas["label"]["shape"] == metas["image"]["shape"] == [H, W, D]
    np.testing.assert_array_equal(arrays["label"], liver[0, 0].numpy())
    # under the label lies the liver, and nothing else: the two line up voxel for voxel
    assert set(np.unique(arrays["image"][arrays["label"] == 1]).tolist()) == {90.0, 1200.0}
    assert not np.any(np.isin(arrays["image"][arrays["label"] == 0], [90.0, 1200.0]))


def test_a_gif_label_takes_the_grid_of_a_lossless_metatensor_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monai_data = pytest.importorskip("monai.data")
    t = torch.from_numpy(_phantom())
    affine = torch.diag(torch.tensor([0.8, 0.8, 2.5, 1.0], dtype=torch.float64))
    affine[:3, 3] = torch.tensor([-10.0, 20.0, 30.0])
    image = monai_data.MetaTensor(t[0], affine=affine)  # (C, H, W, D) placed by its affine
    writer = tensorboard_writer.SummaryWriter(str(tmp_path / "spaced"))
    nbviewer3d.plot_2d_or_3d_image(image[None], 1, writer, tag="image")
    monai_visualize.plot_2d_or_3d_image((t == 90).float(), 1, writer, tag="label")
    writer.close()
    with pytest.warns(LossySourceWarning):
        viewer = nbviewer3d.view_logdir(str(tmp_path))
    wire = Wire(viewer, monkeypatch)
    wire.fetch(1)
    metas = wire.metas()
    for key in GEOMETRY:
        assert metas["label"][key] == metas["image"][key], key
    assert metas["image"]["spacing"] == [0.8, 0.8, 2.5]
    assert metas["image"]["origin"] == [-10.0, 20.0, 30.0]
