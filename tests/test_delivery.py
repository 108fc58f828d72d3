"""Levels and chunks on the wire (nbviewer3d/delivery.py), the browser played by hand: a
volume above the preview size comes coarse first, every level is listed with its size, the
chunks the browser pulls refill level 0's exact bytes, and no message is above a chunk."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pytest
from kernel_wire import Wire

import nbviewer3d
from nbviewer3d import delivery, pyramid

SHAPE = (160, 150, 140)  # 3.4 M voxels: above the preview's 128^3


def _volumes() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    image = rng.integers(-1000, 2000, SHAPE, dtype=np.int16)
    label = np.zeros(SHAPE, np.uint8)
    label[40:120, 30:100, 20:60] = 1
    label[70:72, 70:72, 70:72] = 7  # 8 voxels: gone at coarse levels, still in the legend
    return image, label


def _reassemble(wire: Wire, header: dict[str, Any]) -> list[bytes]:
    buffers = [bytearray(size) for size in header["sizes"]]
    for content, got in wire.sent:
        if content["type"] != "chunk" or content["level"] != header["level"]:
            continue
        data = bytes(got[0])
        buffers[content["volume"]][content["offset"] : content["offset"] + len(data)] = data
    return [bytes(b) for b in buffers]


def _decode(meta: dict[str, Any], raw: bytes) -> np.ndarray:
    raw = zlib.decompress(raw) if meta["encoding"] == "deflate" else raw
    return np.frombuffer(raw, meta["dtype"]).reshape(meta["shape"])


def test_a_large_step_comes_coarse_first_and_lists_its_levels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image, label = _volumes()
    viewer = nbviewer3d.view(image, label=label, spacing=(0.8, 0.8, 2.0))
    wire = Wire(viewer, monkeypatch)
    header = wire.fetch(0)
    levels = header["levels"]
    assert levels[0]["shape"] == list(SHAPE) and levels[0]["factors"] == [1, 1, 1]
    assert header["level"] == len(levels) - 1 > 0
    coarse = levels[-1]
    assert np.prod(coarse["shape"]) <= delivery.PREVIEW_VOXELS
    assert levels[0]["bytes"] == image.size * (2 + 1)  # int16 image + uint8 label, decoded
    metas = {m["role"]: m for m in header["volumes"]}
    # what the browser needs of level 0 comes with the coarse level: window, legend, grid
    assert metas["image"]["range"] == [float(image.min()), float(image.max())]
    assert metas["label"]["labels"] == [0, 1, 7]
    assert metas["image"]["base"]["shape"] == list(image.shape)
    assert metas["image"]["factors"] == coarse["factors"]
    assert metas["image"]["shape"] == coarse["shape"]
    assert header["chunks"] == 0  # small enough to come with its buffers
    assert header["preview"] is True  # sampled: the cheapest first picture
    sampled = wire.arrays()["image"]
    np.testing.assert_array_equal(
        sampled, image[:: coarse["factors"][0], :: coarse["factors"][1], :: coarse["factors"][2]]
    )
    # the same level asked for by number is averaged (labels by their mode)
    viewer._on_message(viewer, {"type": "fetch", "step": 0, "level": header["level"]}, [])
    assert wire.sent[-1][0]["preview"] is False
    averaged = pyramid.level_volume(viewer.image, tuple(coarse["factors"]))
    np.testing.assert_array_equal(wire.arrays()["image"], averaged.data)
    # the coarse level lies where the full one does: same centre in world space
    spacing = np.array(metas["image"]["spacing"])
    centre = np.array(metas["image"]["origin"]) + spacing * (np.array(coarse["shape"]) - 1) / 2
    full_centre = np.array([0.8, 0.8, 2.0]) * (np.array(SHAPE) - 1) / 2
    np.testing.assert_allclose(centre, full_centre, atol=max(spacing))
    viewer.close()


def test_full_resolution_comes_in_pulled_chunks_that_refill_its_exact_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image, label = _volumes()
    monkeypatch.setattr(delivery, "BINARY_CHUNK_BYTES", 1 << 20)
    viewer = nbviewer3d.view(image, label=label)
    wire = Wire(viewer, monkeypatch)
    viewer._on_message(viewer, {"type": "fetch", "step": 0, "level": 0}, [])
    header = wire.sent[0][0]
    assert header["level"] == 0 and header["chunks"] > 6
    assert header["pushed"] == delivery.PUSHED_CHUNKS
    assert len(wire.sent) == 1 + header["pushed"]  # the rest waits to be asked for
    wire.pull(header)
    assert max(sum(len(bytes(b)) for b in got) for _, got in wire.sent) <= 1 << 20
    raw = _reassemble(wire, header)
    metas = header["volumes"]
    np.testing.assert_array_equal(_decode(metas[0], raw[0]), image)
    np.testing.assert_array_equal(_decode(metas[1], raw[1]), label)
    assert viewer.bytes_sent == sum(header["sizes"])
    viewer.close()


def test_a_level_or_chunk_that_does_not_exist_is_an_error_in_the_view(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image, _ = _volumes()
    viewer = nbviewer3d.view(image)
    wire = Wire(viewer, monkeypatch)
    viewer._on_message(viewer, {"type": "fetch", "step": 0, "level": 9}, [])
    assert wire.sent[-1][0]["type"] == "error"
    assert "level 9 does not exist" in wire.sent[-1][0]["message"]
    request = {"type": "chunks", "step": 0, "version": 0, "level": 0, "first": 99, "count": 1}
    viewer._on_message(viewer, request, [])
    assert "chunks 99..99 do not exist" in wire.sent[-1][0]["message"]
    # chunks of a version replaced since are not sent
    wire.sent.clear()
    viewer._on_message(viewer, {**request, "first": 0, "version": 5}, [])
    assert wire.sent == []
    viewer.close()


def test_the_first_level_is_encoded_when_the_viewer_is_displayed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image, label = _volumes()
    viewer = nbviewer3d.view(image, label=label)
    viewer._repr_mimebundle_()
    calls: list[int] = []
    encode_level = delivery.encode_level
    monkeypatch.setattr(delivery, "encode_level", lambda *a: calls.append(1) or encode_level(*a))
    wire = Wire(viewer, monkeypatch)
    header = wire.fetch(0)
    assert header["type"] == "volumes" and calls == []  # answered from what display encoded
    viewer.close()
