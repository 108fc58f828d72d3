"""Lossless logging: exact voxels and geometry through the real writers, and back."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nbviewer3d.events import log_volume, open_logdir, plot_2d_or_3d_image
from nbviewer3d.volume import Volume

torch = pytest.importorskip("torch")
SummaryWriter = pytest.importorskip("torch.utils.tensorboard").SummaryWriter

rng = np.random.default_rng(7)
ARRAYS = {
    "hu": (rng.normal(40, 300, (9, 10, 11))).astype(np.float32),
    "nan": np.array([np.nan, np.inf, -0.0, 1e-30] * 6, np.float32).reshape(2, 3, 4),
    "f64": rng.normal(size=(3, 4, 5)),
    "i16": rng.integers(-1024, 3000, (4, 5, 6), dtype=np.int16),
    "u16": rng.integers(0, 3, (4, 5, 6), dtype=np.uint16),
    "big_endian": rng.normal(size=(2, 3, 4)).astype(">f4"),
}


def _writers(tmp_path: Path) -> list[tuple[str, Any]]:
    writers = [("torch", SummaryWriter(str(tmp_path / "torch")))]
    tensorboardx = pytest.importorskip("tensorboardX")
    writers.append(("tbx", tensorboardx.SummaryWriter(str(tmp_path / "tbx"))))
    return writers


def test_bit_identical_round_trip_with_geometry(tmp_path: Path) -> None:
    direction = (0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, -1.0)
    for _, writer in _writers(tmp_path):
        for step, (tag, array) in enumerate(ARRAYS.items()):
            kind = "label" if tag == "u16" else "image"
            log_volume(
                writer,
                tag,
                array,
                step,
                spacing=(0.7, 0.8, 2.5),
                origin=(-1, 2, 3),
                direction=direction,
                kind=kind,
            )
        log_volume(writer, "torch_tensor", torch.from_numpy(ARRAYS["hu"]), 5)
        ids = np.abs(ARRAYS["i16"])  # int16 class ids: the dtype is kept
        log_volume(writer, "volume", Volume(ids, spacing=(1, 2, 3), kind="label"), 9)
        writer.close()
    logdir = open_logdir(str(tmp_path))
    assert logdir.runs == ["tbx", "torch"]
    for run in logdir.runs:
        assert set(logdir.tags(run).values()) == {"lossless_volume"}
        for step, (tag, array) in enumerate(ARRAYS.items()):
            volume = logdir.volume(run, tag, step)
            assert volume.data.dtype == array.dtype
            assert volume.data.tobytes() == array.tobytes()
            assert volume.spacing == (0.7, 0.8, 2.5)
            assert volume.origin == (-1.0, 2.0, 3.0)
            assert volume.direction == direction
            assert volume.kind == ("label" if tag == "u16" else "image")
            assert volume.lossy is None
        assert logdir.volume(run, "torch_tensor", 5).data.tobytes() == ARRAYS["hu"].tobytes()
        kept = logdir.volume(run, "volume", 9)
        assert kept.spacing == (1.0, 2.0, 3.0)
        assert kept.kind == "label"  # the stored kind, when not overridden
        assert kept.data.dtype == np.int16
        np.testing.assert_array_equal(kept.data, np.abs(ARRAYS["i16"]))


def test_tensorboard_still_opens_the_file(tmp_path: Path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    writer = SummaryWriter(str(tmp_path))
    log_volume(writer, "ct", ARRAYS["hu"], 1)
    writer.add_scalar("loss", 0.5, 1)
    writer.close()
    accumulator = EventAccumulator(str(tmp_path), size_guidance={"tensors": 0})
    accumulator.Reload()
    assert accumulator.Tags()["tensors"] == ["ct"]
    assert accumulator.SummaryMetadata("ct").plugin_data.plugin_name == "nbviewer3d"


def test_plot_2d_or_3d_image_keeps_monai_tags_and_exact_values(tmp_path: Path) -> None:
    monai_tb = pytest.importorskip("monai.visualize.img2tensorboard")
    batch = rng.normal(0, 500, (2, 2, 6, 5, 4)).astype(np.float32)
    plane = rng.normal(size=(1, 1, 6, 5)).astype(np.float32)
    monai_writer = SummaryWriter(str(tmp_path / "monai"))
    ours = SummaryWriter(str(tmp_path / "ours"))
    for writer, plot in ((monai_writer, monai_tb.plot_2d_or_3d_image), (ours, plot_2d_or_3d_image)):
        plot(torch.from_numpy(batch), 3, writer, index=1, tag="image")
        plot(torch.from_numpy(batch), 3, writer, index=0, max_channels=2, tag="channels")
        plot(plane, 3, writer, tag="plane")
        writer.close()
    logdir = open_logdir(str(tmp_path))
    assert set(logdir.tags("ours")) == set(logdir.tags("monai"))
    assert set(logdir.tags("ours").values()) == {"lossless_volume"}
    image = logdir.volume("ours", "image_HWD/image", 3)
    np.testing.assert_array_equal(image.data, batch[1, 0])  # the (H, W, D) logged
    with pytest.warns(Warning, match="8-bit GIFs"):
        gif = logdir.volume("monai", "image_HWD/image", 3)
    assert gif.shape == image.shape == (6, 5, 4)  # the same layout as MONAI's GIF
    second = logdir.volume("ours", "channels_HWD/image/1", 3)
    np.testing.assert_array_equal(second.data, batch[0, 1])
    plane_volume = logdir.volume("ours", "plane_HW_0", 3)
    np.testing.assert_array_equal(plane_volume.data[:, :, 0], plane[0, 0])


def test_metatensor_geometry_comes_from_its_affine(tmp_path: Path) -> None:
    monai_data = pytest.importorskip("monai.data")
    affine = torch.diag(torch.tensor([0.5, 0.75, 2.0, 1.0], dtype=torch.float64))
    affine[:3, 3] = torch.tensor([10.0, 20.0, 30.0])
    array = rng.normal(size=(1, 1, 6, 5, 4)).astype(np.float32)
    tensor = monai_data.MetaTensor(torch.from_numpy(array), affine=affine[None])
    tensor.is_batch = True
    writer = SummaryWriter(str(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # MONAI's own
        plot_2d_or_3d_image(tensor, 0, writer, tag="ct")
    writer.close()
    volume = open_logdir(str(tmp_path)).volume(".", "ct_HWD/image", 0)
    np.testing.assert_array_equal(volume.data, array[0, 0])
    assert volume.spacing == (0.5, 0.75, 2.0)
    assert volume.origin == (10.0, 20.0, 30.0)


def test_bad_input_is_refused_with_the_accepted_forms(tmp_path: Path) -> None:
    writer = SummaryWriter(str(tmp_path))
    with pytest.raises(ValueError, match="kind must be 'image', 'label' or 'heatmap'"):
        log_volume(writer, "x", ARRAYS["hu"], 0, kind="mask")
    with pytest.raises(TypeError, match=r"expected a torch\.utils\.tensorboard or tensorboardX"):
        log_volume(object(), "x", ARRAYS["hu"], 0)
    with pytest.raises(ValueError, match="spacing"):
        log_volume(writer, "x", ARRAYS["hu"], 0, spacing=(1, 0, 1))
    writer.close()


def test_real_ct_exact_hu_lossless_and_label_ids_from_monai_gif(
    liver_ct: tuple[Volume, Volume], tmp_path: Path
) -> None:
    monai_tb = pytest.importorskip("monai.visualize.img2tensorboard")
    image, label = liver_ct
    hwd_image = image.data  # as stored: the layout the CT was given in
    hwd_label = label.data.astype(np.float32)
    writer = SummaryWriter(str(tmp_path))
    monai_tb.plot_2d_or_3d_image(hwd_label[None, None], 1, writer, tag="label")
    plot_2d_or_3d_image(hwd_image[None, None], 1, writer, tag="image")
    log_volume(writer, "ct", image, 1)
    writer.close()
    logdir = open_logdir(str(tmp_path))
    np.testing.assert_array_equal(logdir.volume(".", "image_HWD/image", 1).data, image.data)
    exact = logdir.volume(".", "ct", 1)
    assert exact.data.tobytes() == np.ascontiguousarray(image.data).tobytes()
    assert (exact.spacing, exact.origin, exact.direction) == (
        image.spacing,
        image.origin,
        image.direction,
    )
    with pytest.warns(Warning, match="8-bit GIFs"):
        recovered = logdir.volume(".", "label_HWD/image", 1)
    np.testing.assert_array_equal(recovered.data, label.data)


def test_fortran_ordered_volumes_round_trip_in_their_layout(tmp_path: Path) -> None:
    sitk = pytest.importorskip("SimpleITK")
    image = sitk.GetImageFromArray(ARRAYS["i16"])
    image.SetSpacing((0.5, 0.75, 2.0))
    image.SetOrigin((1.0, 2.0, 3.0))
    writer = SummaryWriter(str(tmp_path))
    log_volume(writer, "sitk", image, 0)
    writer.close()
    volume = open_logdir(str(tmp_path)).volume(".", "sitk", 0)
    np.testing.assert_array_equal(volume.data, ARRAYS["i16"].T)  # sitk's (x, y, z) index order
    assert volume.data.flags.f_contiguous
    assert volume.frame == "LPS"
    assert volume.spacing == (0.5, 0.75, 2.0)
    assert volume.world((1, 0, 0)).tolist() == [-1.5, -2.0, 3.0]


def _write_version_1_record(path: Path, zyx: np.ndarray, spacing: tuple[float, ...]) -> None:
    """A log_volume record as version 1 wrote it: voxels [z, y, x] in C order, spacing and
    origin (x, y, z), no order or frame in the header."""
    import json

    import zstandard
    from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
    from tensorboard.compat.proto.tensor_pb2 import TensorProto
    from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
    from tensorboard.compat.proto.types_pb2 import DT_STRING

    header = {
        "version": 1,
        "dtype": zyx.dtype.str,
        "shape": list(zyx.shape),
        "kind": "image",
        "spacing": list(spacing),
        "origin": [1.0, 2.0, 3.0],
        "direction": [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        "compression": "zstd",
    }
    tensor = TensorProto(
        dtype=DT_STRING,
        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]),
        string_val=[zstandard.ZstdCompressor().compress(zyx.tobytes())],
    )
    metadata = SummaryMetadata(
        plugin_data=SummaryMetadata.PluginData(
            plugin_name="nbviewer3d", content=json.dumps(header).encode()
        )
    )
    writer = SummaryWriter(str(path))
    summary = Summary(value=[Summary.Value(tag="old", tensor=tensor, metadata=metadata)])
    writer._get_file_writer().add_summary(summary, 4)
    writer.close()


def test_version_1_records_are_read_in_the_new_convention(tmp_path: Path) -> None:
    xyz = ARRAYS["hu"]  # (x, y, z) = (9, 10, 11)
    _write_version_1_record(tmp_path, np.ascontiguousarray(xyz.transpose(2, 1, 0)), (0.5, 1, 2))
    volume = open_logdir(str(tmp_path)).volume(".", "old", 4)
    np.testing.assert_array_equal(volume.data, xyz)
    assert volume.spacing == (0.5, 1.0, 2.0)
    np.testing.assert_allclose(volume.world((8, 9, 10)), (1 + 8 * 0.5, 2 + 9 * 1, 3 + 10 * 2))


def test_a_full_size_ct_round_trips_bit_exact_through_the_c_checksum(tmp_path: Path) -> None:
    """512x512x300 int16 through torch's writer: the writer's records are checksummed in C
    (tensorboard's pure-Python checksum took 20 s of the training loop for this volume)."""
    from tensorboard.summary.writer import record_writer

    ct = np.random.default_rng(3).normal(0, 400, (512, 512, 300)).astype(np.int16)
    writer = SummaryWriter(str(tmp_path))
    log_volume(writer, "ct", ct, 0)
    writer.close()
    from nbviewer3d.events.records import masked_crc32c

    assert record_writer.masked_crc32c is masked_crc32c
    volume = open_logdir(str(tmp_path)).volume(".", "ct", 0)
    assert volume.data.dtype == np.int16
    assert np.array_equal(volume.data, ct)


@pytest.mark.parametrize("writer_kind", ["torch", "tbx"])
def test_records_written_with_the_c_checksum_pass_tensorboards_own_check(
    tmp_path: Path, writer_kind: str
) -> None:
    from tensorboard.compat.tensorflow_stub.errors import OutOfRangeError
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New

    writers = dict(_writers(tmp_path))
    writer = writers[writer_kind]
    log_volume(writer, "ct", ARRAYS["i16"], 3)
    writer.add_scalar("loss", 0.25, 3)
    for other in writers.values():
        other.close()
    path = next((tmp_path / writer_kind).glob("*tfevents*"))
    reader = PyRecordReader_New(str(path).encode())  # verifies both checksums in Python
    count = 0
    while True:
        try:
            reader.GetNext()
        except OutOfRangeError:  # the end; a checksum failure raises DataLossError
            break
        count += 1
    assert count == 3  # file version, volume, scalar


def test_labels_are_checked_in_the_training_loop_not_when_viewed(tmp_path: Path) -> None:
    writer = SummaryWriter(str(tmp_path))
    with pytest.raises(ValueError, match="seg: negative label id -3"):
        log_volume(writer, "seg", np.full((4, 4, 4), -3, np.int16), 0, kind="label")
    probabilities = np.linspace(0, 1, 64, dtype=np.float32).reshape(4, 4, 4)
    with pytest.raises(ValueError, match=r"seg: float label with non-integer values.*threshold="):
        log_volume(writer, "seg", probabilities, 0, kind="label")
    with pytest.raises(ValueError, match="label id 70000 is above 65535"):
        log_volume(writer, "seg", Volume(np.full((2, 2, 2), 70000), kind="label"), 0)
    with pytest.raises(ValueError, match='pass kind="label" too'):
        log_volume(writer, "seg", probabilities, 0, threshold=0.5)
    log_volume(writer, "seg", probabilities, 1, kind="label", threshold=0.5)
    writer.close()
    logdir = open_logdir(str(tmp_path))
    assert logdir.steps(".", "seg") == [1]  # nothing of the refused calls was written
    stored = logdir.volume(".", "seg", 1)
    assert stored.kind == "label"
    np.testing.assert_array_equal(stored.data, probabilities > 0.5)
