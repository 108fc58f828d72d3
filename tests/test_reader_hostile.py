"""The reader against hostile and damaged logdirs written by real writers: every bad record
is skipped with a warning naming its place, oversized declarations are refused before any
allocation, and the good records of the logdir are all still read."""

from __future__ import annotations

import json
import resource
import warnings
from pathlib import Path

import numpy as np
import pytest
import zstandard
from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.types_pb2 import DT_FLOAT, DT_STRING

import nbviewer3d
from nbviewer3d.events import BadSummaryWarning, LogdirError, log_volume, open_logdir
from nbviewer3d.events.decode import FORMAT_VERSION, PLUGIN_NAME, gif_to_hwd

SummaryWriter = pytest.importorskip("torch.utils.tensorboard").SummaryWriter


def _write(logdir: Path, summaries: list[tuple[int, Summary]]) -> None:
    writer = SummaryWriter(str(logdir))
    for step, summary in summaries:
        writer._get_file_writer().add_summary(summary, step)
    writer.close()


def _tensor_summary(tag: str, shape: list[int], values: list[float], plugin: str = "") -> Summary:
    tensor = TensorProto(
        dtype=DT_FLOAT,
        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=n) for n in shape]),
        float_val=values,
    )
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=plugin))
    return Summary(value=[Summary.Value(tag=tag, tensor=tensor, metadata=metadata)])


def _scalar(tag: str, value: float) -> Summary:
    return Summary(value=[Summary.Value(tag=tag, simple_value=value)])


def test_a_malformed_scalar_is_skipped_naming_file_offset_tag_and_step(tmp_path: Path) -> None:
    bad = _tensor_summary("loss", [2], [1.0, 2.0], plugin="scalars")
    _write(tmp_path, [(0, _scalar("loss", 0.5)), (1, bad), (2, _scalar("loss", 0.25))])
    with pytest.warns(BadSummaryWarning) as caught:
        logdir = open_logdir(str(tmp_path))
    (message,) = [str(w.message) for w in caught]
    assert "tfevents" in message
    assert "record at byte " in message
    assert "tag 'loss', step 1" in message
    assert "shape [2]" in message
    series = logdir.scalars(".", "loss")
    assert series.steps.tolist() == [0, 2]  # not half-indexed: step 1 left no entry
    assert logdir.steps(".", "loss") == [0, 2]
    assert series.values.tolist() == [0.5, 0.25]


def test_a_malformed_scalar_during_refresh_does_not_stop_it(tmp_path: Path) -> None:
    writer = SummaryWriter(str(tmp_path))
    writer.add_scalar("loss", 1.0, 0)
    writer.flush()
    logdir = open_logdir(str(tmp_path))
    writer._get_file_writer().add_summary(
        _tensor_summary("loss", [3], [1, 2, 3], plugin="scalars"), 1
    )
    writer.add_scalar("loss", 0.5, 2)
    writer.flush()
    with pytest.warns(BadSummaryWarning, match="tag 'loss', step 1"):
        new = logdir.refresh()
    assert (".", "loss", 2) in new
    assert logdir.scalars(".", "loss").steps.tolist() == [0, 2]
    writer.close()


def test_a_tensor_declaring_more_values_than_it_holds_is_refused(tmp_path: Path) -> None:
    bomb = _tensor_summary("image", [1000, 1000, 250], [1.0])  # ~150 bytes, 954 MiB declared
    good = _tensor_summary("image", [2, 3, 4], list(range(24)))
    _write(tmp_path, [(0, bomb), (1, good)])
    logdir = open_logdir(str(tmp_path))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(LogdirError) as info:
        logdir.volume(".", "image", 0)
    message = str(info.value)
    assert "tag 'image', step 0" in message
    assert "record at byte" in message
    assert "declares shape [1000, 1000, 250] (250000000 values) but holds 1" in message
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 100_000  # KiB
    np.testing.assert_array_equal(
        logdir.volume(".", "image", 1).data, np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    )


def test_declared_sizes_beyond_the_decode_limit_are_refused_before_allocating(
    tmp_path: Path,
) -> None:
    writer = SummaryWriter(str(tmp_path))
    log_volume(writer, "ct", np.zeros((64, 64, 64), np.int16), 0)
    writer.close()
    logdir = open_logdir(str(tmp_path))
    nbviewer3d.set_decode_limit(64 * 64 * 63)
    try:
        with pytest.raises(LogdirError, match=r"tag 'ct', step 0 .*262144 voxels, more than"):
            logdir.volume(".", "ct", 0)
    finally:
        nbviewer3d.set_decode_limit(None)
    assert logdir.volume(".", "ct", 0).data.shape == (64, 64, 64)
    with pytest.raises(ValueError, match="positive number of voxels"):
        nbviewer3d.set_decode_limit(0)


def _lossless_bomb(shape: list[int], dtype: str = "<f4") -> Summary:
    """An nbviewer3d record whose small payload decompresses to the declared size (zeros)."""
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    # compressed 1 MiB at a time: the test's own peak memory stays far below the volume's
    stream = zstandard.ZstdCompressor(level=19).compressobj(size=nbytes)
    zeros = bytes(1 << 20)
    parts = [
        stream.compress(zeros[: min(1 << 20, nbytes - at)]) for at in range(0, nbytes, 1 << 20)
    ]
    payload = b"".join([*parts, stream.flush()])
    header = {
        "version": FORMAT_VERSION,
        "dtype": dtype,
        "shape": shape,
        "order": "C",
        "kind": "image",
        "spacing": [1, 1, 1],
        "origin": [0, 0, 0],
        "direction": [1, 0, 0, 0, 1, 0, 0, 0, 1],
        "frame": "RAS",
        "compression": "zstd",
    }
    tensor = TensorProto(
        dtype=DT_STRING,
        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]),
        string_val=[payload],
    )
    meta = SummaryMetadata(
        plugin_data=SummaryMetadata.PluginData(
            plugin_name=PLUGIN_NAME, content=json.dumps(header).encode()
        )
    )
    return Summary(value=[Summary.Value(tag="ct", tensor=tensor, metadata=meta)])


def test_a_lossless_record_decodes_without_an_extra_full_size_copy(tmp_path: Path) -> None:
    shape = [256, 256, 256]  # 64 MiB of float32 from a few KB
    _write(tmp_path, [(0, _lossless_bomb(shape))])
    logdir = open_logdir(str(tmp_path))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    volume = logdir.volume(".", "ct", 0)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert volume.data.shape == tuple(shape)
    assert not volume.data.any()
    assert grown_kib < 1.5 * 64 * 1024  # one full-size array, not two or three
    nbviewer3d.set_decode_limit(1 << 20)
    try:
        with pytest.raises(LogdirError, match="16777216 voxels, more than the decode limit"):
            logdir.volume(".", "ct", 0)
    finally:
        nbviewer3d.set_decode_limit(None)


def test_a_gif_beyond_the_limit_is_refused_before_decoding() -> None:
    from PIL import Image

    frames = [Image.new("L", (300, 200), i) for i in range(10)]
    import io

    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    data = buffer.getvalue()
    assert gif_to_hwd(data, frame_dim=-1).shape == (200, 300, 10)
    nbviewer3d.set_decode_limit(200 * 300 * 9)
    try:
        with pytest.raises(LogdirError, match="GIF declares 200x300x10 = 600000 voxels"):
            gif_to_hwd(data)
    finally:
        nbviewer3d.set_decode_limit(None)


def test_one_undecodable_record_leaves_every_other_step_readable(tmp_path: Path) -> None:
    writer = SummaryWriter(str(tmp_path))
    for step in range(3):
        log_volume(writer, "ct", np.full((8, 8, 8), step, np.int16), step)
    writer.close()
    path = next(tmp_path.glob("*tfevents*"))
    logdir = open_logdir(str(tmp_path))
    offset = logdir._runs["."].entries["ct"][1].offset
    data = bytearray(path.read_bytes())
    data[offset + 40] ^= 0x55  # inside step 1's record: its checksum fails
    path.write_bytes(bytes(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        damaged = open_logdir(str(tmp_path))
    assert len(caught) == 1
    assert f"bytes {offset}-" in str(caught[0].message)
    assert damaged.steps(".", "ct") == [0, 2]
    assert damaged.volume(".", "ct", 2).data.max() == 2
