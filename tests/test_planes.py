"""Full-resolution planes for slice views that draw a coarser level (nbviewer3d/planes.py): the
plane holds the step's own voxels and lies where they do, read from a lazy input's source
when the kernel holds only a level of it, and crosses the comm as binary or base64."""

from __future__ import annotations

import base64
import zlib
from typing import Any

import numpy as np
import pytest
from kernel_wire import Wire

import nbviewer3d
from nbviewer3d import lazy, planes
from nbviewer3d.planes import plane_volume
from nbviewer3d.volume import Volume

SHAPE = (40, 32, 24)
TILTED = (0.0, 0.0, 1.0, 0.0, 1.0, 0.0, -1.0, 0.0, 0.0)
GEOMETRY: dict[str, Any] = {"spacing": (0.8, 0.6, 2.0), "origin": (5.0, -3.0, 11.0)}


def _ct() -> np.ndarray:
    return np.random.default_rng(11).integers(-1000, 1500, SHAPE).astype(np.int16)


def _plane_points(axis: int, index: int) -> np.ndarray:
    """Voxel indices of plane ``index`` along ``axis`` of SHAPE, and the same in the plane."""
    grid = np.stack(np.meshgrid(*[np.arange(n) for n in SHAPE], indexing="ij"), -1)
    where: list[Any] = [slice(None)] * 3
    where[axis] = index
    return grid[tuple(where)].reshape(-1, 3)


@pytest.mark.parametrize("axis", [0, 1, 2])
@pytest.mark.parametrize("frame", ["RAS", "LPS"])
def test_a_plane_holds_the_voxels_of_the_volume_where_they_lie(axis: int, frame: str) -> None:
    ct = _ct()
    volume = Volume(ct, direction=TILTED, frame=frame, **GEOMETRY)
    index = SHAPE[axis] // 3
    plane = plane_volume(volume, axis, index)
    assert plane.shape[axis] == 1 and plane.spacing == volume.spacing
    where: list[Any] = [slice(None)] * 3
    where[axis] = slice(index, index + 1)
    np.testing.assert_array_equal(plane.data, ct[tuple(where)])
    full = _plane_points(axis, index)
    flat = full.copy()
    flat[:, axis] = 0
    np.testing.assert_allclose(plane.world(flat), volume.world(full), atol=1e-9)


def test_an_f_ordered_volume_gives_its_plane() -> None:
    ct = np.asfortranarray(_ct())
    volume = nbviewer3d.as_volume(ct, **GEOMETRY)
    plane = plane_volume(volume, 2, 5)
    np.testing.assert_array_equal(plane.data[:, :, 0], ct[:, :, 5])


def test_a_plane_outside_the_volume_is_refused() -> None:
    volume = nbviewer3d.as_volume(_ct())
    with pytest.raises(ValueError, match=r"index 40 is outside axis 0 .*\(40, 32, 24\)"):
        plane_volume(volume, 0, 40)
    with pytest.raises(ValueError, match="axis must be 0, 1 or 2"):
        plane_volume(volume, 3, 0)


def test_a_lazy_level_gives_its_source_plane_at_full_resolution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    da = pytest.importorskip("dask.array")
    monkeypatch.setattr(lazy, "KERNEL_VOLUME_BYTES", int(np.prod(SHAPE)) * 4 // 5)
    ct = _ct()
    full = nbviewer3d.as_volume(ct, direction=TILTED, **GEOMETRY)
    with pytest.warns(nbviewer3d.LazyLevelWarning):
        level = nbviewer3d.as_volume(da.from_array(ct, chunks=8), direction=TILTED, **GEOMETRY)
    assert level.full is not None and level.full.factors == (2, 2, 2)
    # voxel 7 of the level is the block of source voxels 14 and 15: the plane through 14 + 0
    plane = plane_volume(level, 1, 7)
    assert plane.shape == (40, 1, 24)
    np.testing.assert_array_equal(plane.data[:, 0, :], ct[:, 14, :])
    np.testing.assert_allclose(plane.spacing, full.spacing)
    points = _plane_points(1, 14)
    flat = points.copy()
    flat[:, 1] = 0
    np.testing.assert_allclose(plane.world(flat), full.world(points), atol=1e-9)


def _plane_message(viewer: nbviewer3d.Viewer, wire: Wire, axis: int, index: int) -> Any:
    request = {"type": "plane", "step": 0, "version": viewer._version(0)}
    request.update(axis=axis, index=index)
    if viewer.transport == "base64":
        request["transport"] = "base64"
    viewer._on_message(viewer, request, [])
    return wire.sent[-1]


@pytest.mark.parametrize("transport", ["binary", "base64"])
def test_the_browser_gets_the_plane_it_asks_for(
    monkeypatch: pytest.MonkeyPatch, transport: str
) -> None:
    ct = _ct()
    ct[3, 4, 5] = 3000  # the step's maximum, outside the plane asked for
    label = np.zeros(SHAPE, np.uint8)
    label[10:30, 8:20, 4:18] = 2
    viewer = nbviewer3d.view(ct, label=label, **GEOMETRY)
    viewer.transport = transport
    wire = Wire(viewer, monkeypatch)
    content, buffers = _plane_message(viewer, wire, 0, 20)
    assert content["type"] == "plane" and (content["axis"], content["index"]) == (0, 20)
    metas = {m["role"]: m for m in content["volumes"]}
    assert metas["image"]["shape"] == [1, 32, 24]
    # the step's range, not the plane's: the browser decodes NaN voxels as the step's
    assert metas["image"]["range"] == [float(ct.min()), 3000.0]
    got = {}
    for i, meta in enumerate(content["volumes"]):
        raw = base64.b64decode(meta["data"]) if transport == "base64" else bytes(buffers[i])
        assert len(raw) == content["sizes"][i]
        raw = zlib.decompress(raw) if meta["encoding"] == "deflate" else raw
        got[meta["role"]] = np.frombuffer(raw, meta["dtype"]).reshape(meta["shape"])
    assert buffers == [] if transport == "base64" else len(buffers) == 2
    np.testing.assert_array_equal(got["image"][0], ct[20])
    np.testing.assert_array_equal(got["label"][0], label[20])


def test_a_bad_plane_request_is_answered_with_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    viewer = nbviewer3d.view(_ct())
    wire = Wire(viewer, monkeypatch)
    content, _ = _plane_message(viewer, wire, 1, 99)
    assert content["type"] == "error" and content["step"] == 0
    assert "index 99 is outside axis 1" in content["message"]


def test_a_plane_too_large_for_one_message_is_skipped_with_its_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(planes, "PLANE_BYTES", 32 * 24 * 2 - 1)  # one plane of axis 0: 1536 B
    viewer = nbviewer3d.view(_ct())
    wire = Wire(viewer, monkeypatch)
    content, buffers = _plane_message(viewer, wire, 0, 3)
    assert content["type"] == "plane" and content["volumes"] == [] and buffers == []
    assert "a plane along axis 0 holds 0.0 MiB, above the" in content["skipped"]
    content, _ = _plane_message(viewer, wire, 2, 3)  # 40 x 32 int16: 2560 B, also above
    assert content["volumes"] == []
    monkeypatch.setattr(planes, "PLANE_BYTES", 40 * 32 * 2)
    content, _ = _plane_message(viewer, wire, 2, 3)
    assert [m["shape"] for m in content["volumes"]] == [[40, 32, 1]]
