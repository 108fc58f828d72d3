"""Lazy inputs (dask, zarr, OME-Zarr, xarray, np.memmap): read slab by slab, kept within the
kernel's budget as a pyramid level when larger, and not copied again by the viewer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nbviewer3d
from nbviewer3d import inputs, lazy, pyramid
from nbviewer3d.pyramid import downsample
from nbviewer3d.volume import Volume

da = pytest.importorskip("dask.array")
zarr = pytest.importorskip("zarr")
xr = pytest.importorskip("xarray")

REPO = Path(__file__).resolve().parents[1]
SHAPE = (40, 32, 24)


def _ct() -> np.ndarray:
    return np.random.default_rng(7).integers(-1000, 1500, SHAPE).astype(np.int16)


@pytest.fixture
def budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A budget under SHAPE (at 4 bytes a voxel): such inputs are kept as level (2, 2, 2)."""
    monkeypatch.setattr(lazy, "KERNEL_VOLUME_BYTES", int(np.prod(SHAPE)) * 4 // 5)


def _grid(volume: Volume, shape: tuple[int, ...]) -> np.ndarray:
    """World positions of the outer corners of ``shape`` voxels on ``volume``'s grid."""
    corners = [
        [-0.5 + (n if c else 0) for n, c in zip(shape, bits, strict=True)]
        for bits in np.ndindex(2, 2, 2)
    ]
    return volume.world(corners)


# The whole lazy path in a fresh interpreter, so that only its own peak memory is measured.
_BIG_SCRIPT = textwrap.dedent(
    """
    import json, warnings
    import numpy as np
    import dask.array as da
    import nbviewer3d

    SHAPE = (2048, 2048, 512)
    CHUNKS = (32, 512, 512)
    computed = {"image": [], "label": []}

    def status_kb(field):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])

    def disc(x0, x1, y0, y1, cx, cy, rx, ry):
        x = ((np.arange(x0, x1, dtype=np.float32) - cx) / rx) ** 2
        y = ((np.arange(y0, y1, dtype=np.float32) - cy) / ry) ** 2
        return (x[:, None] + y[None, :]) < 1

    def masks(block_info):
        (x0, x1), (y0, y1), (z0, z1) = block_info[None]["array-location"]
        z = np.arange(z0, z1)
        body = disc(x0, x1, y0, y1, 1024, 1024, 900, 700)[:, :, None] & ((z > 16) & (z < 496))
        bone = disc(x0, x1, y0, y1, 1100, 1000, 200, 150)[:, :, None] & ((z > 100) & (z < 400))
        return body, bone

    def ct(block_info=None):  # soft tissue in air, a bone rod inside
        body, bone = masks(block_info)
        computed["image"].append(body.size)
        image = np.where(body, np.int16(40), np.int16(-1000))
        image[bone] = 700
        return image

    def ids(block_info=None):
        body, bone = masks(block_info)
        computed["label"].append(body.size)
        return body.astype(np.uint8) + bone

    chunks = tuple((c,) * (n // c) for n, c in zip(SHAPE, CHUNKS))
    image = da.map_blocks(ct, dtype=np.int16, chunks=chunks)
    label = da.map_blocks(ids, dtype=np.uint8, chunks=chunks)
    start = status_kb("VmRSS")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        viewer = nbviewer3d.view(image, spacing=(0.5, 0.5, 1.25), origin=(-10, 20, 5))
        after_view = status_kb("VmHWM")
        viewer.add(0, label=label)
    grown = status_kb("VmHWM")
    counted = {k: sum(v) for k, v in computed.items()}
    # a slice view asks for the sagittal plane through the rod at full resolution
    sent = []
    viewer.send = lambda content, buffers=None: sent.append((content, buffers or []))
    request = {"type": "plane", "step": 0, "version": viewer._version(0), "axis": 0}
    viewer._on_message(viewer, {**request, "index": 275}, [])
    reply, buffers = sent[-1]
    metas = {m["role"]: m for m in reply["volumes"]}
    plane = np.frombuffer(bytes(buffers[0]), np.int16).reshape(metas["image"]["shape"])
    print(json.dumps({
        "plane": {
            "shapes": {r: m["shape"] for r, m in metas.items()},
            "bytes": sum(reply["sizes"]),
            "computed": {k: sum(v) - counted[k] for k, v in computed.items()},
            "bone": int(plane[0, 1000, 250]),
            "growth_mb": (status_kb("VmHWM") - grown) / 1024,
        },
        "view_growth_mb": (after_view - start) / 1024,
        "growth_mb": (status_kb("VmHWM") - start) / 1024,
        "warnings": [
            str(w.message) for w in caught if isinstance(w.message, nbviewer3d.LazyLevelWarning)
        ],
        "largest_block": max(computed["image"] + computed["label"]),
        "computed": counted,
        "image": [viewer.image.shape, viewer.image.spacing, viewer.image.origin],
        "full": [viewer.image.full.shape, viewer.image.full.factors],
        "label": [viewer.label.shape, viewer.label.full.factors, int(viewer.label.data.max())],
        "bone": int(viewer.image.data[275, 250, 128]),
        "writeable": bool(viewer.image.data.flags.writeable),
    }))
    """
)


def test_a_4_gib_dask_volume_is_shown_as_a_level_within_bounded_memory() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", _BIG_SCRIPT], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    total = 2048 * 2048 * 512
    # every chunk computed once (the label's ids checked on the same pass), never the whole
    assert report["computed"] == {"image": total, "label": total}
    assert report["largest_block"] == 32 * 512 * 512
    assert report["view_growth_mb"] < 500, report
    assert report["growth_mb"] < 700, report
    assert len(report["warnings"]) == 2  # once per input
    message = report["warnings"][0]
    for part in ("(2048, 2048, 512)", "int16", "4 GiB", "(4, 4, 2)", "(512, 512, 256)"):
        assert part in message
    assert "set_lazy_budget" in message
    shape, spacing, origin = report["image"]
    assert shape == [512, 512, 256]
    assert spacing == [2.0, 2.0, 2.5]
    assert report["full"] == [[2048, 2048, 512], [4, 4, 2]]
    assert report["label"] == [[512, 512, 256], [4, 4, 2], 2]
    assert report["bone"] == 700  # inside the rod
    assert not report["writeable"]
    # the plane at full resolution, read from the source: only the chunks it crosses
    plane = report["plane"]
    assert plane["shapes"] == {"image": [1, 2048, 512], "label": [1, 2048, 512]}
    assert plane["bone"] == 700  # source voxel (1101, 1000, 250), inside the rod
    assert plane["computed"] == {"image": 4 * 32 * 512 * 512, "label": 4 * 32 * 512 * 512}
    assert plane["bytes"] < 2048 * 512 * 3
    assert plane["growth_mb"] < 100, plane
    full_grid = Volume(np.zeros((1, 1, 1)), spacing=(0.5, 0.5, 1.25), origin=(-10, 20, 5))
    level = Volume(np.zeros((1, 1, 1)), spacing=tuple(spacing), origin=tuple(origin))
    np.testing.assert_allclose(_grid(level, shape), _grid(full_grid, (2048, 2048, 512)))


def test_a_lazy_level_lies_where_the_full_volume_does(budget: None) -> None:
    direction = (0.0, 0.0, 1.0, 0.0, 1.0, 0.0, -1.0, 0.0, 0.0)
    given = {"spacing": (0.8, 0.6, 2.0), "origin": (5.0, -3.0, 11.0), "direction": direction}
    full = nbviewer3d.as_volume(_ct(), **given)
    with pytest.warns(nbviewer3d.LazyLevelWarning, match=r"\(2, 2, 2\)"):
        level = nbviewer3d.as_volume(da.from_array(_ct(), chunks=8), **given)
    assert level.shape == (20, 16, 12)
    assert level.full is not None and level.full.shape == SHAPE
    np.testing.assert_allclose(_grid(level, level.shape), _grid(full, SHAPE))
    np.testing.assert_array_equal(level.data, downsample(_ct(), (2, 2, 2), "image"))


def test_a_small_dask_array_is_read_whole_without_a_warning() -> None:
    volume = nbviewer3d.as_volume(da.from_array(_ct(), chunks=(7, 9, 11)))
    np.testing.assert_array_equal(volume.data, _ct())
    assert volume.full is None
    assert volume.source == "dask.Array"
    assert not volume.data.flags.writeable


def test_a_lazily_read_array_is_not_copied_again() -> None:
    volume = nbviewer3d.as_volume(da.from_array(_ct(), chunks=10))
    viewer = nbviewer3d.view(volume)
    assert np.shares_memory(viewer.image.data, volume.data)
    plain = _ct()
    assert not np.shares_memory(nbviewer3d.view(plain).image.data, plain)  # as before


def test_a_read_only_memmap_is_shown_without_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "ct.raw"
    writer = np.memmap(path, dtype=np.int16, mode="w+", shape=(256, 256, 256))
    writer[100:150] = 900
    writer.flush()
    mapped = np.memmap(path, dtype=np.int16, mode="r", shape=(256, 256, 256))
    viewer = nbviewer3d.view(mapped)
    assert np.shares_memory(viewer.image.data, mapped)
    assert viewer.image.data[120, 0, 0] == 900
    viewer.add(1, image=writer)  # writable: the user may still change it, so it is copied
    assert not np.shares_memory(viewer.image.data, writer)
    np.testing.assert_array_equal(viewer.image.data, writer)


def test_a_large_memmap_is_downsampled(tmp_path: Path, budget: None) -> None:
    path = tmp_path / "ct.raw"
    np.memmap(path, dtype=np.int16, mode="w+", shape=SHAPE)[:] = _ct()
    mapped = np.memmap(path, dtype=np.int16, mode="r", shape=SHAPE)
    with pytest.warns(nbviewer3d.LazyLevelWarning):
        volume = nbviewer3d.as_volume(mapped)
    np.testing.assert_array_equal(volume.data, downsample(_ct(), (2, 2, 2), "image"))
    assert volume.full is not None and volume.full.array is mapped


@pytest.mark.parametrize("kind", ["image", "label"])
def test_zarr_and_xarray_equal_the_numpy_path(kind: str) -> None:
    data = _ct() if kind == "image" else (_ct() % 4).astype(np.uint8)
    stored = zarr.create_array(store={}, shape=data.shape, chunks=(8, 8, 8), dtype=data.dtype)
    stored[:] = data
    expected = nbviewer3d.as_volume(data, kind=kind, spacing=(1, 2, 3), axes="zyx")
    for given in (stored, xr.DataArray(data, dims=("z", "y", "x"))):
        volume = nbviewer3d.as_volume(given, kind=kind, spacing=(1, 2, 3), axes="zyx")
        np.testing.assert_array_equal(volume.data, expected.data)
        assert volume.data.dtype == expected.data.dtype
        geometry = (volume.spacing, volume.origin, volume.direction, volume.kind)
        assert geometry == (expected.spacing, expected.origin, expected.direction, kind)
        viewer = nbviewer3d.view(given) if kind == "image" else nbviewer3d.view(label=given)
        shown = viewer.image if kind == "image" else viewer.label
        assert shown is not None
        np.testing.assert_array_equal(shown.data, data)


def test_lazy_levels_equal_numpy_levels(budget: None) -> None:
    data = _ct()
    labels = (data % 3).astype(np.uint8)
    stored = zarr.create_array(store={}, shape=data.shape, chunks=(8, 8, 8), dtype=data.dtype)
    stored[:] = data
    for given in (stored, xr.DataArray(da.from_array(data, chunks=9))):
        with pytest.warns(nbviewer3d.LazyLevelWarning):
            volume = nbviewer3d.as_volume(given)
        np.testing.assert_array_equal(volume.data, downsample(data, (2, 2, 2), "image"))
    with pytest.warns(nbviewer3d.LazyLevelWarning, match="most common id"):
        label = nbviewer3d.as_volume(da.from_array(labels, chunks=8), kind="label")
    np.testing.assert_array_equal(label.data, downsample(labels, (2, 2, 2), "label"))


def _ome_zarr(root: Path, levels: list[np.ndarray]) -> Any:
    group = zarr.open_group(root, mode="w")
    datasets = []
    for index, level in enumerate(levels):
        group.create_array(str(index), data=level, chunks=(8, 8, 8))
        factor = 2.0**index
        datasets.append(
            {
                "path": str(index),
                "coordinateTransformations": [
                    {"type": "scale", "scale": [2.0 * factor, 0.5 * factor, 0.5 * factor]},
                    {"type": "translation", "translation": [10.0, 0.0, -4.0]},
                ],
            }
        )
    axes = [{"name": name, "type": "space", "unit": "millimeter"} for name in "zyx"]
    group.attrs["multiscales"] = [{"version": "0.4", "axes": axes, "datasets": datasets}]
    return zarr.open_group(root, mode="r")


def test_an_ome_zarr_group_uses_its_stored_level(tmp_path: Path, budget: None) -> None:
    data = _ct()
    stored_level = data[::2, ::2, ::2].copy()  # not what downsample() would give
    group = _ome_zarr(tmp_path / "ct.zarr", [data, stored_level])
    with pytest.warns(nbviewer3d.LazyLevelWarning, match="OME-Zarr group stores"):
        volume = nbviewer3d.as_volume(group, axes="zyx")
    np.testing.assert_array_equal(volume.data, stored_level)
    assert volume.full is not None and volume.full.shape == SHAPE
    assert volume.full.factors == (2, 2, 2)
    full = nbviewer3d.as_volume(data, axes="zyx", spacing=(2.0, 0.5, 0.5), origin=(10, 0, -4))
    assert volume.spacing == (4.0, 1.0, 1.0)
    np.testing.assert_allclose(_grid(volume, volume.shape), _grid(full, SHAPE))


def test_a_small_ome_zarr_group_is_read_at_full_resolution(tmp_path: Path) -> None:
    group = _ome_zarr(tmp_path / "ct.zarr", [_ct(), _ct()[::2, ::2, ::2]])
    volume = nbviewer3d.as_volume(group)
    np.testing.assert_array_equal(volume.data, _ct())
    assert (volume.spacing, volume.origin) == ((2.0, 0.5, 0.5), (10.0, 0.0, -4.0))
    assert volume.full is None


def test_a_zarr_group_without_multiscales_is_refused(tmp_path: Path) -> None:
    group = zarr.open_group(tmp_path / "plain.zarr", mode="w")
    with pytest.raises(TypeError, match="without OME-Zarr multiscales"):
        nbviewer3d.as_volume(group)


def test_a_lazy_label_is_checked_slab_by_slab(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, ...]] = []
    check = inputs.check_label

    def spy(data: np.ndarray, name: str) -> np.ndarray:
        seen.append(data.shape)
        return check(data, name)

    monkeypatch.setattr(inputs, "check_label", spy)
    monkeypatch.setattr(pyramid, "SLAB_BYTES", 32 * 24 * 4 * 8)  # 8 rows of int32
    label = np.zeros(SHAPE, np.int32)
    label[5:30, 3:9, 2:20] = 4
    volume = nbviewer3d.as_volume(da.from_array(label, chunks=8), kind="label")
    np.testing.assert_array_equal(volume.data, label)
    assert seen == [(8, 32, 24)] * 5  # never the whole array
    label[-1, 0, 0] = 70000
    seen.clear()
    with pytest.raises(ValueError, match="label id 70000 is above 65535"):
        nbviewer3d.view(label=da.from_array(label, chunks=8))
    assert seen and max(shape[0] for shape in seen) == 8


def test_a_lazy_label_over_budget_checks_its_full_resolution_ids(budget: None) -> None:
    label = np.zeros(SHAPE, np.int32)
    label[3, 3, 3] = 70000  # one voxel: the block's mode would drop it
    with pytest.raises(ValueError, match="label id 70000"):
        nbviewer3d.as_volume(da.from_array(label, chunks=8), kind="label")


def test_a_label_and_its_image_of_one_shape_keep_one_grid(budget: None) -> None:
    image = da.from_array(_ct(), chunks=8)
    label = da.from_array((_ct() > 0).astype(np.uint8), chunks=8)  # uint8: a quarter the bytes
    with pytest.warns(nbviewer3d.LazyLevelWarning):
        viewer = nbviewer3d.view(image, label=label)
    assert viewer.label is not None and viewer.image is not None
    assert viewer.label.same_grid(viewer.image)


def test_set_lazy_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lazy, "KERNEL_VOLUME_BYTES", lazy.KERNEL_VOLUME_BYTES)
    nbviewer3d.set_lazy_budget(int(np.prod(SHAPE)) * 4)
    volume = nbviewer3d.as_volume(da.from_array(_ct(), chunks=8))
    assert volume.shape == SHAPE
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="positive number of bytes"):
            nbviewer3d.set_lazy_budget(bad)  # type: ignore[arg-type]


def test_a_large_multichannel_lazy_input_is_refused(budget: None) -> None:
    stack = da.from_array(np.stack([_ct(), _ct()]), chunks=8)
    with pytest.raises(ValueError, match="not one 3D volume"):
        nbviewer3d.as_volume(stack, channel=0)
    with pytest.warns(nbviewer3d.LazyLevelWarning):
        one = nbviewer3d.as_volume(stack[1])
    assert one.shape == (20, 16, 12)
