"""Pairing of image/label/prediction tags, and the step store a Viewer reads a run through."""

from __future__ import annotations

import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from nbviewer3d.events import (
    LogdirError,
    LogdirStore,
    LossySourceWarning,
    UnpairedTagWarning,
    log_volume,
    open_logdir,
    pair_tags,
)
from nbviewer3d.events.pairing import split_tag

torch = pytest.importorskip("torch")
SummaryWriter = pytest.importorskip("torch.utils.tensorboard").SummaryWriter
img2tensorboard = pytest.importorskip("monai.visualize.img2tensorboard")


def test_split_tag_understands_monai_suffixes() -> None:
    assert split_tag("label_HWD/image") == ("label", 0)
    assert split_tag("output_HWD/image/2") == ("output", 2)
    assert split_tag("direct/image/1") == ("direct", 1)
    assert split_tag("val_HW_3") == ("val", 3)
    assert split_tag("rgb_CHW") == ("rgb", 0)
    assert split_tag("loss") == ("loss", 0)


def test_default_pairing_follows_monai_tutorial_names() -> None:
    tags = {
        "image_HWD/image": "volume",
        "label_HWD/image": "volume",
        "output_HWD/image": "volume",
        "val_mean_dice": "scalar",
    }
    assert pair_tags(tags) == {
        "image": "image_HWD/image",
        "label": "label_HWD/image",
        "prediction": "output_HWD/image",
    }
    other = {"val/inputs/image/0": "volume", "val/gt_HWD/image/0": "volume",
             "val/gt_HWD/image/1": "volume", "val/y_pred": "lossless_volume",
             "val/y_pred_HWD/image": "volume"}  # fmt: skip
    assert pair_tags(other) == {
        "image": "val/inputs/image/0",
        "label": "val/gt_HWD/image/0",
        "prediction": "val/y_pred",
    }
    assert pair_tags({"brain_HWD/image": "volume"}) == {"image": "brain_HWD/image"}


def test_explicit_mapping_and_errors_list_the_tags() -> None:
    tags = {"input_0_HWD/image": "volume", "seg_HWD/image/0": "volume", "out": "lossless_volume"}
    assert pair_tags(tags, image="input_0_HWD", label="seg", prediction="out") == {
        "image": "input_0_HWD/image",
        "label": "seg_HWD/image/0",
        "prediction": "out",
    }
    with pytest.raises(LogdirError, match=r"no tag 'missing'.*'input_0_HWD/image' \(volume\)"):
        pair_tags(tags, image="missing")
    with pytest.raises(LogdirError, match=r"Tags in this run: 'a_HWD/image' \(volume\), 'b'"):
        pair_tags({"a_HWD/image": "volume", "b_HWD/image": "volume", "b": "scalar"})


@pytest.fixture
def training_run(tmp_path: Path) -> Path:
    writer = SummaryWriter(str(tmp_path / "run"))
    for step in (1, 3):
        image = np.random.default_rng(step).normal(size=(1, 1, 8, 7, 6)).astype(np.float32)
        label = (image > 0.5).astype(np.float32)
        img2tensorboard.plot_2d_or_3d_image(torch.from_numpy(image), step, writer, tag="image")
        img2tensorboard.plot_2d_or_3d_image(torch.from_numpy(label), step, writer, tag="label")
        writer.add_scalar("loss", 1.0 / step, step)
    log_volume(writer, "output", np.ones((6, 7, 8), np.uint8), 3, kind="label")
    writer.flush()
    return tmp_path


def test_store_walks_steps_and_decodes_roles(training_run: Path) -> None:
    store = LogdirStore(str(training_run))
    assert store.run == "run"
    assert store.roles == {
        "image": "image_HWD/image",
        "label": "label_HWD/image",
        "prediction": "output",
    }
    assert store.steps() == [1, 3]
    with pytest.warns(Warning, match="8-bit GIFs"):
        first = store.volumes(1)
    assert set(first) == {"image", "label"}
    assert first["image"].kind == "image"
    assert first["label"].kind == "label"
    assert first["label"].lossy is not None
    assert first["label"].data.max() == 1
    last = store.volumes(3)
    assert last["prediction"].kind == "label"
    assert last["prediction"].lossy is None
    assert store.scalars() == {
        "loss": {
            "steps": [1, 3],
            "values": [1.0, pytest.approx(1 / 3)],
            "wall_times": store.logdir.scalars("run", "loss").wall_times.tolist(),
        }
    }
    with pytest.raises(LogdirError, match=r"steps: \[1, 3\]"):
        store.volumes(2)


def test_store_refresh_reports_new_steps(training_run: Path) -> None:
    logdir = open_logdir(str(training_run))
    store = LogdirStore(logdir, run="run", image="image_HWD", label="label_HWD", grace_s=0)
    assert store.refresh() == ([], [])
    writer = SummaryWriter(str(training_run / "run"))
    img2tensorboard.plot_2d_or_3d_image(np.zeros((1, 1, 4, 4, 4)), 7, writer, tag="image")
    writer.close()
    assert store.refresh() == ([7], [])  # no grace: shown at once, without its label
    assert store.steps() == [1, 3, 7]
    assert store.incomplete()[7] == ["label"]


def test_store_opens_the_first_run_and_switches_to_the_others(training_run: Path) -> None:
    writer = SummaryWriter(str(training_run / "other"))
    log_volume(writer, "image", np.zeros((2, 2, 2), np.float32), 0)
    writer.close()
    store = LogdirStore(str(training_run), image="image_HWD")
    assert (store.run, store.runs()) == ("other", ["other", "run"])
    with pytest.raises(LogdirError, match="no run 'nope'"):
        LogdirStore(str(training_run), run="nope")
    assert store.steps() == [0]
    switched = store.with_run("run")
    assert (switched.run, switched.steps(), switched.logdir) == ("run", [1, 3], store.logdir)
    assert switched.roles["image"] == "image_HWD/image"  # the tags asked for go along
    assert LogdirStore(str(training_run), run="other").steps() == [0]


def _handler_run(logdir: Path, steps: tuple[int, ...]) -> None:
    """A run written by MONAI's own TensorBoardImageHandler (called as ignite would, per epoch)."""
    handlers = pytest.importorskip("monai.handlers")
    writer = SummaryWriter(str(logdir / "handler"))
    handler = handlers.TensorBoardImageHandler(
        summary_writer=writer,
        batch_transform=lambda batch: (batch["image"], batch["label"]),
        output_transform=lambda output: output,
        epoch_level=True,
    )
    image = torch.rand(1, 1, 12, 10, 8)
    label = (image > 0.5).float()
    for epoch in steps:
        state = SimpleNamespace(
            epoch=epoch, iteration=10 * epoch, batch={"image": image, "label": label}, output=label
        )
        handler(SimpleNamespace(state=state))
    writer.close()


def test_tensorboard_image_handler_names_pair_as_image_label_prediction(tmp_path: Path) -> None:
    _handler_run(tmp_path, (1, 2))
    tags = open_logdir(str(tmp_path)).tags("handler")
    assert sorted(tags) == ["input_0_HWD/image", "input_1_HWD/image", "output_HWD/image"]
    assert pair_tags(tags) == {
        "image": "input_0_HWD/image",
        "label": "input_1_HWD/image",
        "prediction": "output_HWD/image",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnpairedTagWarning)  # nothing is left out
        store = LogdirStore(str(tmp_path))
    assert store.steps() == [1, 2]
    with pytest.warns(LossySourceWarning):
        volumes = store.volumes(2)
    assert {role: v.kind for role, v in volumes.items()} == {
        "image": "image",
        "label": "label",
        "prediction": "label",
    }


def test_a_volume_tag_left_out_is_named_once_with_the_call_that_shows_it(
    training_run: Path,
) -> None:
    writer = SummaryWriter(str(training_run / "run"))
    for tag in ("probability", "<img src=x onerror=alert(1)>"):
        img2tensorboard.plot_2d_or_3d_image(np.zeros((1, 1, 4, 4, 4)), 1, writer, tag=tag)
    writer.close()
    with pytest.warns(UnpairedTagWarning) as caught:
        store = LogdirStore(str(training_run))
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "'probability_HWD/image'" in message
    # the odd tag's name holds "img" and "x", image words, but "image" is one: it wins
    assert "'<img src=x onerror=alert(1)>_HWD/image'" in message
    assert store.roles["image"] == "image_HWD/image"
    assert "view_logdir(path, image=" in message
    assert store.roles["prediction"] == "output"
    # a refresh names only tags it has not named before
    writer = SummaryWriter(str(training_run / "run"))
    img2tensorboard.plot_2d_or_3d_image(np.zeros((1, 1, 4, 4, 4)), 5, writer, tag="probability")
    img2tensorboard.plot_2d_or_3d_image(np.zeros((1, 1, 4, 4, 4)), 5, writer, tag="weights")
    writer.close()
    with pytest.warns(UnpairedTagWarning) as caught:
        store.refresh()
    assert len(caught) == 1
    assert "'weights_HWD/image'" in str(caught[0].message)
    assert "probability" not in str(caught[0].message).split("(shown")[0]
    # naming the roles says the rest is left out on purpose: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnpairedTagWarning)
        LogdirStore(str(training_run), image="image_HWD", prediction="probability_HWD")
