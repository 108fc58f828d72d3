"""Logdir: every step of every tag that real writers (MONAI through torch.utils.tensorboard
and tensorboardX) put in event files, refreshed while training writes, on any fsspec path."""

from __future__ import annotations

import io
import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from nbviewer3d.events import (
    CorruptRecordWarning,
    LogdirError,
    LossySourceWarning,
    TruncatedRecordWarning,
    open_logdir,
)
from nbviewer3d.events.decode import gif_frame_count

torch = pytest.importorskip("torch")
img2tensorboard = pytest.importorskip("monai.visualize.img2tensorboard")
SummaryWriter = pytest.importorskip("torch.utils.tensorboard").SummaryWriter

SHAPE = (20, 16, 12)  # MONAI's (H, W, D)
STEPS = [0, 2, 4, 6]


def _image(step: int) -> npt.NDArray[np.float32]:
    """A CT-like volume whose range changes per step (so MONAI's rescaling differs)."""
    rng = np.random.default_rng(step)
    return (rng.normal(0, 100, SHAPE) + 40 * step).astype(np.float32)


def _label(step: int) -> npt.NDArray[np.float32]:
    h, w, d = np.indices(SHAPE)
    label = np.zeros(SHAPE, np.float32)
    label[(h - 10) ** 2 + (w - 8) ** 2 + (d - 6) ** 2 < 30 + step] = 1
    label[(h - 10) ** 2 + (w - 8) ** 2 + (d - 6) ** 2 < 6] = 2
    return label


def _batch(array: npt.NDArray[np.float32]) -> object:
    return torch.from_numpy(array[None, None].copy())


def _monai_hwd_as_grey(array: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """What MONAI stores: min-max rescaled to 0..255, truncated."""
    lo, hi = array.min(), array.max()
    scaled = (array - lo) / (hi - lo) * 255 if hi > lo else np.zeros_like(array)
    return scaled.astype(np.uint8)


@pytest.fixture(scope="module")
def monai_logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run as in MONAI's spleen tutorial: image, label and output, plus scalars."""
    root = tmp_path_factory.mktemp("runs")
    writer = SummaryWriter(str(root / "unet"))
    for step in STEPS:
        img2tensorboard.plot_2d_or_3d_image(_batch(_image(step)), step, writer, tag="image")
        img2tensorboard.plot_2d_or_3d_image(_batch(_label(step)), step, writer, tag="label")
        img2tensorboard.plot_2d_or_3d_image(_batch(_label(step) > 0), step, writer, tag="output")
        writer.add_scalar("val_mean_dice", 0.1 * step, step)
    writer.close()
    return root


def test_every_step_of_every_tag_is_indexed(monai_logdir: Path) -> None:
    logdir = open_logdir(str(monai_logdir))
    assert logdir.runs == ["unet"]
    assert logdir.tags("unet") == {
        "image_HWD/image": "volume",
        "label_HWD/image": "volume",
        "output_HWD/image": "volume",
        "val_mean_dice": "scalar",
    }
    for tag in ("image_HWD/image", "label_HWD/image", "output_HWD/image"):
        assert logdir.steps("unet", tag) == STEPS
    scalars = logdir.scalars("unet", "val_mean_dice")
    assert scalars.steps.tolist() == STEPS
    np.testing.assert_allclose(scalars.values, [0.1 * s for s in STEPS], rtol=1e-6)
    assert np.all(np.diff(scalars.wall_times) >= 0)


def test_gif_volume_is_monai_grey_levels_as_logged(monai_logdir: Path) -> None:
    logdir = open_logdir(str(monai_logdir))
    with pytest.warns(LossySourceWarning, match="log_volume"):
        volume = logdir.volume("unet", "image_HWD/image", 4)
    expected = _monai_hwd_as_grey(_image(4))
    assert volume.kind == "image"
    np.testing.assert_array_equal(volume.data, expected)
    assert volume.lossy is not None
    assert "8-bit GIF" in volume.lossy
    assert "image_HWD/image" in volume.source
    assert "step 4" in volume.source
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once per logdir
        logdir.volume("unet", "image_HWD/image", 6)


def test_label_ids_recovered_from_grey_levels(monai_logdir: Path) -> None:
    logdir = open_logdir(str(monai_logdir))
    with pytest.warns(LossySourceWarning):
        label = logdir.volume("unet", "label_HWD/image", 2)
    assert label.kind == "label"
    np.testing.assert_array_equal(label.data, _label(2).astype(np.uint8))
    output = logdir.volume("unet", "output_HWD/image", 2)
    assert output.kind == "label"
    np.testing.assert_array_equal(output.data, (_label(2) > 0))
    as_image = logdir.volume("unet", "label_HWD/image", 2, kind="image")
    assert sorted(np.unique(as_image.data).tolist()) == [0, 127, 255]


def test_frame_dim_option_reads_gifs_logged_along_another_axis(tmp_path: Path) -> None:
    writer = SummaryWriter(str(tmp_path))
    image = _image(1)
    img2tensorboard.plot_2d_or_3d_image(_batch(image), 1, writer, frame_dim=-1, tag="image")
    writer.close()
    logdir = open_logdir(str(tmp_path))
    assert logdir.runs == ["."]
    with pytest.warns(LossySourceWarning):
        volume = logdir.volume(".", "image_HWD/image", 1, frame_dim=-1)
    np.testing.assert_array_equal(volume.data, _monai_hwd_as_grey(image))
    with pytest.raises(LogdirError, match="frame_dim must be one of"):
        logdir.volume(".", "image_HWD/image", 1, frame_dim=0)


def test_channels_direct_gifs_and_2d_forms(tmp_path: Path) -> None:
    writer = SummaryWriter(str(tmp_path / "run"))
    two_channels = np.stack([_image(0), _image(3)])[None]
    img2tensorboard.plot_2d_or_3d_image(torch.from_numpy(two_channels), 0, writer, max_channels=2)
    img2tensorboard.add_animated_gif(writer, "direct", _image(0)[None] / 1000, global_step=0)
    plane = _image(0)[:, :, 0]
    img2tensorboard.plot_2d_or_3d_image(plane[None], 0, writer, tag="slice")
    img2tensorboard.plot_2d_or_3d_image(
        np.stack([plane, plane[::-1]])[None], 0, writer, tag="planes", max_channels=2
    )
    rgb = np.stack([plane, plane, plane])[None]
    img2tensorboard.plot_2d_or_3d_image(rgb, 0, writer, tag="rgb", max_channels=3)
    writer.close()
    logdir = open_logdir(str(tmp_path))
    tags = logdir.tags("run")
    assert tags == {
        "output_HWD/image/0": "volume",
        "output_HWD/image/1": "volume",
        "direct/image/0": "volume",
        "slice_HW": "image2d",
        "planes_HW_0": "image2d",
        "planes_HW_1": "image2d",
        "rgb_CHW": "image2d",
    }
    with pytest.warns(LossySourceWarning):
        second = logdir.volume("run", "output_HWD/image/1", 0, kind="image")
    np.testing.assert_array_equal(second.data, _monai_hwd_as_grey(_image(3)))
    assert logdir.volume("run", "direct/image/0", 0).shape == (20, 16, 12)
    slice_volume = logdir.volume("run", "slice_HW", 0)
    assert slice_volume.shape == (20, 16, 1)  # (H, W) as logged, one slice
    assert slice_volume.lossy is not None
    np.testing.assert_array_equal(slice_volume.data[:, :, 0], _monai_hwd_as_grey(plane))
    assert logdir.volume("run", "rgb_CHW", 0).shape == (20, 16, 1)


def test_tensorboardx_writer(tmp_path: Path) -> None:
    tensorboardx = pytest.importorskip("tensorboardX")
    writer = tensorboardx.SummaryWriter(str(tmp_path / "tbx"))
    for step in (1, 2):
        img2tensorboard.plot_2d_or_3d_image(_batch(_image(step)), step, writer, tag="image")
        writer.add_scalar("loss", 1.0 / step, step)
    writer.close()
    logdir = open_logdir(str(tmp_path))
    assert logdir.tags("tbx") == {"image_HWD/image": "volume", "loss": "scalar"}
    assert logdir.steps("tbx", "image_HWD/image") == [1, 2]
    with pytest.warns(LossySourceWarning):
        volume = logdir.volume("tbx", "image_HWD/image", 2)
    np.testing.assert_array_equal(volume.data, _monai_hwd_as_grey(_image(2)))


def test_tensor_summaries_of_tensorboard_plugins(tmp_path: Path) -> None:
    from tensorboard.compat.proto.summary_pb2 import Summary
    from tensorboard.plugins.scalar import summary_v2 as scalar_summary
    from tensorboard.util import tensor_util

    writer = SummaryWriter(str(tmp_path))
    file_writer = writer._get_file_writer()
    metadata = scalar_summary.metadata.create_summary_metadata("", "")
    tensor = tensor_util.make_tensor_proto(np.float32(0.25))
    file_writer.add_summary(
        Summary(value=[Summary.Value(tag="acc", tensor=tensor, metadata=metadata)]), 3
    )
    field = np.arange(24, dtype=np.int16).reshape(2, 3, 4)
    tensor = tensor_util.make_tensor_proto(field)
    file_writer.add_summary(Summary(value=[Summary.Value(tag="field", tensor=tensor)]), 3)
    from tensorboard.plugins.image import metadata as image_metadata

    png = io.BytesIO()
    Image.fromarray(np.arange(12, dtype=np.uint8).reshape(3, 4) * 20).save(png, "PNG")
    tensor = tensor_util.make_tensor_proto(np.array([b"4", b"3", png.getvalue()], dtype=object))
    metadata = image_metadata.create_summary_metadata("", "")
    file_writer.add_summary(
        Summary(value=[Summary.Value(tag="png", tensor=tensor, metadata=metadata)]), 3
    )
    writer.close()
    logdir = open_logdir(str(tmp_path))
    assert logdir.tags(".") == {"acc": "scalar", "field": "tensor", "png": "image2d"}
    np.testing.assert_array_equal(
        logdir.volume(".", "png", 3).data[:, :, 0], np.arange(12).reshape(3, 4) * 20
    )
    with pytest.raises(LogdirError, match="holds scalars; use scalars"):
        logdir.volume(".", "acc", 3)
    assert logdir.scalars(".", "acc").values.tolist() == [0.25]
    np.testing.assert_array_equal(logdir.volume(".", "field", 3).data, field)


def test_errors_list_what_exists(monai_logdir: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an event file")
    with pytest.raises(LogdirError, match="no event files under"):
        open_logdir(str(tmp_path))
    with pytest.raises(LogdirError, match="does not exist"):
        open_logdir(str(tmp_path / "missing"))
    logdir = open_logdir(str(monai_logdir))
    with pytest.raises(LogdirError, match=r"runs: \['unet'\]"):
        logdir.tags("other")
    with pytest.raises(LogdirError, match=r"tags: .*label_HWD/image"):
        logdir.steps("unet", "missing")
    with pytest.raises(LogdirError, match=r"steps: \[0, 2, 4, 6\]"):
        logdir.volume("unet", "image_HWD/image", 1)


def _copy_run(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return next(target.rglob("*tfevents*"))


def test_refresh_follows_a_live_file(monai_logdir: Path, tmp_path: Path) -> None:
    events = next(monai_logdir.rglob("*tfevents*")).read_bytes()
    live = tmp_path / "live" / "events.out.tfevents.1.host"
    live.parent.mkdir()
    cut = len(events) // 2
    live.write_bytes(events[:cut])  # the tail record is half written
    with pytest.warns(TruncatedRecordWarning, match=r"live/events.out.tfevents.1.host: the file"):
        logdir = open_logdir(str(tmp_path))
    before = {tag: logdir.steps("live", tag) for tag in logdir.tags("live")}
    assert len(before["image_HWD/image"]) < len(STEPS)
    with live.open("ab") as f:
        f.write(events[cut:])
    new = logdir.refresh()
    assert logdir.steps("live", "image_HWD/image") == STEPS
    assert ("live", "image_HWD/image", STEPS[-1]) in new
    assert all(step not in before.get(tag, []) for _, tag, step in new)
    assert logdir.refresh() == []
    # a new event file in a new run
    (tmp_path / "second").mkdir()
    (tmp_path / "second" / live.name).write_bytes(events)
    logdir.refresh()
    assert logdir.runs == ["live", "second"]


def test_corrupt_record_is_skipped_and_the_rest_loads(monai_logdir: Path, tmp_path: Path) -> None:
    path = _copy_run(monai_logdir, tmp_path / "copy")
    logdir = open_logdir(str(tmp_path / "copy"))
    offset = logdir._runs["unet"].entries["image_HWD/image"][2].offset
    data = bytearray(path.read_bytes())
    data[offset + 200] ^= 0xFF
    path.write_bytes(bytes(data))
    (tmp_path / "copy" / "unet" / "events.out.tfevents.2.garbage").write_bytes(b"x" * 40)
    with pytest.warns(CorruptRecordWarning) as caught:
        damaged = open_logdir(str(tmp_path / "copy"))
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2, messages
    assert re.search(rf"{path.name}: bytes {offset}-\d+ skipped \(a record of", messages[0])
    assert messages[1].endswith(
        "garbage: bytes 0-40 hold no valid record (record header checksum mismatch)"
    )
    assert damaged.steps("unet", "image_HWD/image") == [0, 4, 6]
    assert damaged.steps("unet", "label_HWD/image") == STEPS


def test_absurd_gif_dimensions_are_refused_before_decoding() -> None:
    header = b"GIF89a" + (60000).to_bytes(2, "little") * 2 + b"\x00\x00\x00"
    frame = (
        b"\x2c"
        + b"\x00\x00\x00\x00"
        + (60000).to_bytes(2, "little") * 2
        + b"\x00"
        + b"\x08\x01\x00\x00"
    )
    with pytest.raises(LogdirError, match="GIF declares 60000x60000x1 = 3600000000 voxels"):
        gif_frame_count(header + frame + b"\x3b")
    with pytest.raises(LogdirError, match="not a GIF"):
        gif_frame_count(b"\x89PNG\r\n\x1a\n" + bytes(20))
    with pytest.raises(LogdirError, match="truncated GIF"):
        gif_frame_count(header + frame[:-2])


def test_memory_filesystem(monai_logdir: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    memory = fsspec.filesystem("memory")
    source = next(monai_logdir.rglob("*tfevents*"))
    memory.pipe(f"/logs/unet/{source.name}", source.read_bytes())
    try:
        logdir = open_logdir("memory://logs")
        assert logdir.runs == ["unet"]
        assert logdir.steps("unet", "label_HWD/image") == STEPS
        with pytest.warns(LossySourceWarning):
            volume = logdir.volume("unet", "label_HWD/image", 6)
        assert volume.source.startswith("memory://")
        np.testing.assert_array_equal(volume.data, _label(6).astype(np.uint8))
    finally:
        memory.rm("/logs", recursive=True)


@pytest.fixture
def s3_server() -> Iterator[str]:
    pytest.importorskip("s3fs", reason="s3fs is needed for the S3 test: pip install s3fs")
    moto_server = pytest.importorskip("moto.server", reason="moto is needed for the S3 test")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_s3_logdir_on_a_loopback_server(
    monai_logdir: Path, s3_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import s3fs

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    options = {"client_kwargs": {"endpoint_url": s3_server, "region_name": "us-east-1"}}
    s3 = s3fs.S3FileSystem(skip_instance_cache=True, **options)
    boto3 = pytest.importorskip("boto3")
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1").create_bucket(
        Bucket="bucket"
    )
    source = next(monai_logdir.rglob("*tfevents*")).read_bytes()
    half = source[: len(source) // 2]
    s3.pipe("bucket/runs/unet/events.out.tfevents.1.host", half)
    with pytest.warns(TruncatedRecordWarning, match="s3://bucket/runs/unet/events"):
        logdir = open_logdir(
            "s3://bucket/runs", storage_options={**options, "skip_instance_cache": True}
        )
    assert logdir.runs == ["unet"]
    partial = logdir.steps("unet", "image_HWD/image")
    s3.pipe("bucket/runs/unet/events.out.tfevents.1.host", source)
    logdir.refresh()
    assert logdir.steps("unet", "image_HWD/image") == STEPS != partial
    with pytest.warns(LossySourceWarning):
        volume = logdir.volume("unet", "image_HWD/image", 6)
    assert volume.source.startswith("s3://bucket/runs/unet/")
    np.testing.assert_array_equal(volume.data, _monai_hwd_as_grey(_image(6)))


def test_third_party_monai_event_files(shared_dir: Path) -> None:
    logdir = open_logdir(str(shared_dir / "fixtures" / "monai-events"))
    assert logdir.runs == ["image_and_label", "image_only"]
    assert logdir.tags("image_and_label") == {
        "image_HWD/image": "volume",
        "label_HWD/image": "volume",
    }
    assert logdir.tags("image_only") == {"image_HWD/image": "volume"}
    with pytest.warns(LossySourceWarning):
        image = logdir.volume("image_and_label", "image_HWD/image", 0)
    label = logdir.volume("image_and_label", "label_HWD/image", 0)
    assert image.shape == label.shape == (96, 96, 96)
    assert label.kind == "label"
    assert label.data.max() >= 1


def test_undecodable_images_raise_the_documented_error() -> None:
    from nbviewer3d.events.decode import gif_to_hwd, png_to_array

    header = b"GIF89a" + (4).to_bytes(2, "little") * 2 + b"\x00\x00\x00"
    frame = b"\x2c" + bytes(4) + (4).to_bytes(2, "little") * 2 + b"\x00" + b"\x08\x02\xff\xff\x00"
    with pytest.raises(LogdirError, match="GIF"):
        gif_to_hwd(header + frame + b"\x3b")
    with pytest.raises(LogdirError, match="image could not be decoded"):
        png_to_array(b"\x89PNG\r\n\x1a\n" + bytes(30))
