"""Pyramid levels: which levels, block means and modes, geometry, and every kind of input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nbviewer3d import pyramid
from nbviewer3d.pyramid import downsample, level_geometry, level_shape, level_volume, plan_levels
from nbviewer3d.volume import Volume

MiB = 2**20


def test_a_small_volume_is_its_only_level() -> None:
    assert plan_levels((128, 128, 128), 2, smallest_bytes=4 * MiB) == [(1, 1, 1)]
    assert plan_levels((128, 128, 128), 1) == [(1, 1, 1)]  # 2 MiB under the default 3 MiB


def test_a_512_cube_halves_down_to_128() -> None:
    levels = plan_levels((512, 512, 512), 2, smallest_bytes=4 * MiB)
    assert levels == [(1, 1, 1), (2, 2, 2), (4, 4, 4)]
    assert level_shape((512, 512, 512), levels[-1]) == (128, 128, 128)
    # 128^3 int16 is 4 MiB, more than the default 3 MiB: one level further
    assert plan_levels((512, 512, 512), 2)[-1] == (8, 8, 8)


def test_the_short_axis_waits_until_the_others_come_down_to_it() -> None:
    levels = plan_levels((512, 512, 100), 2)
    assert levels[:3] == [(1, 1, 1), (2, 2, 1), (4, 4, 1)]
    assert levels[3] == (8, 8, 2)  # 64 x 64 x 50: z is now at least half the longest
    last = level_shape((512, 512, 100), levels[-1])
    assert np.prod(last) * 2 <= 3 * MiB


def test_level_shape_rounds_up() -> None:
    assert level_shape((5, 4, 3), (2, 2, 2)) == (3, 2, 2)


def test_integer_means_are_exact_and_rounded() -> None:
    data = np.array([1, 2, 3, 5, 10, 11, 100, 101], dtype=np.int16).reshape(2, 2, 2)
    assert downsample(data, (2, 2, 2), "image").tolist() == [[[29]]]  # 233 / 8 = 29.125
    pairs = np.array([0, 1, 2, 4, -3, -4, 32767, 32766], dtype=np.int16).reshape(4, 1, 2)
    result = downsample(pairs, (1, 1, 2), "image")
    assert result.dtype == np.int16
    assert result.ravel().tolist() == [0, 3, -4, 32766]  # .5 rounds to even, as np.rint


def test_means_of_big_integers_are_exact() -> None:
    # float32 accumulation would round 2**24 + 1; float64 does not
    data = np.full((2, 2, 2), 2**24 + 1, dtype=np.int32)
    assert downsample(data, (2, 2, 2), "image").item() == 2**24 + 1


def test_float_means_are_float32_and_skip_nan() -> None:
    data = np.array([1.0, np.nan, 3.0, 5.0, np.nan, np.nan, np.nan, np.nan]).reshape(2, 1, 4)
    result = downsample(data, (1, 1, 2), "heatmap")
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result.ravel()[:2], [1.0, 4.0])
    assert np.isnan(result.ravel()[2:]).all()  # every voxel NaN: the block is NaN


def test_edge_blocks_replicate_the_edge() -> None:
    data = np.arange(3, dtype=np.uint8).reshape(3, 1, 1)  # 0, 1, 2 -> blocks (0, 1), (2, 2)
    assert downsample(data, (2, 1, 1), "image").ravel().tolist() == [0, 2]
    labels = np.array([1, 2, 2, 7, 7], dtype=np.uint8).reshape(1, 1, 5)
    assert downsample(labels, (1, 1, 3), "label").ravel().tolist() == [2, 7]


def test_label_mode_is_the_most_common_id_ties_to_the_larger() -> None:
    most = np.array([3, 3, 3, 9, 9, 0, 0, 1], dtype=np.uint16).reshape(2, 2, 2)
    assert downsample(most, (2, 2, 2), "label").item() == 3
    tie = np.array([5, 5, 5, 5, 2, 2, 2, 2], dtype=np.uint8).reshape(2, 2, 2)
    assert downsample(tie, (2, 2, 2), "label").item() == 5
    three_way = np.array([0, 0, 4, 4, 1, 1, 7, 6], dtype=np.uint8).reshape(2, 2, 2)
    assert downsample(three_way, (2, 2, 2), "label").item() == 4
    assert downsample(three_way, (2, 2, 2), "label").dtype == np.uint8


def test_a_small_structure_survives_a_tie_with_the_background() -> None:
    label = np.zeros((4, 4, 4), np.uint8)
    label[0:2, 0:2, 0] = 1  # half a block: ties with 0, kept
    label[2, 2, 2] = 2  # one voxel in eight: background wins
    result = downsample(label, (2, 2, 2), "label")
    assert result[0, 0, 0] == 1
    assert result[1, 1, 1] == 0


def _brute_mode(block: np.ndarray) -> int:
    ids, counts = np.unique(block, return_counts=True)
    return int(ids[counts == counts.max()].max())


@settings(max_examples=80, deadline=None)
@given(
    label=hnp.arrays(
        np.uint16,
        hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=9),
        elements=st.integers(0, 6) | st.integers(0, 65535),
    ),
    factors=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
)
def test_label_levels_hold_only_ids_of_their_block(label: np.ndarray, factors: tuple) -> None:
    result = downsample(label, factors, "label")
    assert result.shape == level_shape(label.shape, factors)
    padded = np.pad(
        label, [(0, -n % f) for n, f in zip(label.shape, factors, strict=True)], mode="edge"
    )
    for index in np.ndindex(result.shape):
        block = padded[
            tuple(slice(i * f, (i + 1) * f) for i, f in zip(index, factors, strict=True))
        ]
        assert result[index] == _brute_mode(block)


def test_a_uint16_atlas_of_hundreds_of_classes() -> None:
    rng = np.random.default_rng(3)
    atlas = (rng.integers(0, 40, (8, 8, 8)) * 17).astype(np.uint16)  # ids up to 663
    result = downsample(atlas, (4, 4, 4), "label")
    for index in np.ndindex(result.shape):
        block = atlas[tuple(slice(i * 4, (i + 1) * 4) for i in index)]
        assert result[index] == _brute_mode(block)


def test_slab_by_slab_equals_one_slab(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(-1000, 3000, (37, 20, 11)).astype(np.int16)
    label = rng.integers(0, 4, (37, 20, 11)).astype(np.uint8)
    whole = downsample(image, (2, 2, 2), "image"), downsample(label, (2, 2, 2), "label")
    monkeypatch.setattr(pyramid, "SLAB_BYTES", 20 * 11 * 2 * 3)  # 3 rows: 2 after rounding
    sliced = downsample(image, (2, 2, 2), "image"), downsample(label, (2, 2, 2), "label")
    np.testing.assert_array_equal(whole[0], sliced[0])
    np.testing.assert_array_equal(whole[1], sliced[1])


@pytest.mark.parametrize("kind", ["image", "label"])
def test_f_ordered_and_strided_inputs_equal_c_ordered(kind: str) -> None:
    rng = np.random.default_rng(1)
    data = rng.integers(0, 5, (21, 16, 9)).astype(np.uint8)
    expected = downsample(data, (2, 4, 2), kind)
    assert expected.flags.c_contiguous
    fortran = np.asfortranarray(data)
    strided = np.ascontiguousarray(np.repeat(data, 2, axis=1))[:, ::2]
    assert not strided.flags.c_contiguous and not strided.flags.f_contiguous
    for given_array in (fortran, strided):
        result = downsample(given_array, (2, 4, 2), kind)
        assert result.flags.c_contiguous
        np.testing.assert_array_equal(result, expected)


def test_memmap_input(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    data = rng.normal(size=(10, 12, 14)).astype(np.float32)
    mapped = np.memmap(tmp_path / "v.raw", dtype=np.float32, mode="w+", shape=data.shape)
    mapped[:] = data
    mapped.flush()
    read_only = np.memmap(tmp_path / "v.raw", dtype=np.float32, mode="r", shape=data.shape)
    result = downsample(read_only, (2, 3, 2), "image")
    assert type(result) is np.ndarray
    np.testing.assert_allclose(result, downsample(data, (2, 3, 2), "image"))
    np.testing.assert_allclose(result[0, 0, 0], data[:2, :3, :2].mean(), rtol=1e-6)


def test_bool_inputs_stay_bool() -> None:
    mask = np.zeros((4, 4, 4), bool)
    mask[:2, :2, :2] = True
    assert downsample(mask, (2, 2, 2), "label").dtype == np.bool_
    assert downsample(mask, (2, 2, 2), "label")[0, 0, 0]


def test_level_geometry_centres_the_first_block() -> None:
    # axis 0 along world -y, axis 1 along +x, axis 2 along +z
    direction = (0.0, 1.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    spacing, origin = level_geometry((0.5, 1.0, 2.0), (10.0, 20.0, 30.0), direction, (2, 4, 1))
    assert spacing == (1.0, 4.0, 2.0)
    np.testing.assert_allclose(origin, (10.0 + 1.5, 20.0 - 0.25, 30.0))


@pytest.mark.parametrize("frame", ["RAS", "LPS"])
def test_a_level_lies_where_the_full_volume_does(frame: str) -> None:
    theta = 0.3
    c, s = np.cos(theta), np.sin(theta)
    direction = (c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0)
    full = Volume(
        np.arange(16 * 8 * 12, dtype=np.int16).reshape(16, 8, 12),
        spacing=(0.7, 1.1, 2.5),
        origin=(-40.0, 12.0, 7.0),
        direction=direction,
        frame=frame,  # type: ignore[arg-type]
        source="test",
        lossy="kept",
    )
    factors = (4, 2, 2)
    level = level_volume(full, factors)
    assert level.shape == (4, 4, 6)
    centre = full.world((np.array(full.shape) - 1) / 2)
    np.testing.assert_allclose(level.world((np.array(level.shape) - 1) / 2), centre)
    first_block = full.world([[i, j, k] for i in range(4) for j in range(2) for k in range(2)])
    np.testing.assert_allclose(level.world([0, 0, 0]), first_block.mean(axis=0))
    assert (level.kind, level.frame, level.source, level.lossy) == ("image", frame, "test", "kept")
    assert level.direction == full.direction
    np.testing.assert_array_equal(level.data, downsample(full.data, factors, "image"))


def test_level_volume_of_a_label_takes_the_mode() -> None:
    label = np.zeros((4, 4, 4), np.uint8)
    label[:2, :2, :1] = 3
    level = level_volume(Volume(label, kind="label"), (2, 2, 2))
    assert level.kind == "label"
    assert level.data[0, 0, 0] == 3
    assert not level.data.flags.writeable


def _phantom() -> np.ndarray:
    rng = np.random.default_rng(5)
    return rng.integers(-1024, 2000, (33, 24, 18)).astype(np.int16)


def test_dask_zarr_and_xarray_equal_numpy() -> None:
    da = pytest.importorskip("dask.array")
    zarr = pytest.importorskip("zarr")
    xr = pytest.importorskip("xarray")
    data = _phantom()
    labels = (data % 5).astype(np.uint8)
    stored = zarr.create_array(store={}, shape=data.shape, chunks=(8, 8, 8), dtype=data.dtype)
    stored[:] = data
    inputs = {
        "dask": da.from_array(data, chunks=(7, 10, 9)),
        "zarr": stored,
        "xarray": xr.DataArray(data, dims=("x", "y", "z")),
        "xarray over dask": xr.DataArray(da.from_array(data, chunks=5), dims=("x", "y", "z")),
    }
    expected = downsample(data, (2, 2, 4), "image")
    for name, lazy in inputs.items():
        np.testing.assert_array_equal(downsample(lazy, (2, 2, 4), "image"), expected, name)
    np.testing.assert_array_equal(
        downsample(da.from_array(labels, chunks=6), (3, 2, 2), "label"),
        downsample(labels, (3, 2, 2), "label"),
    )
