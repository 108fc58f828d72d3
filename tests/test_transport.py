from __future__ import annotations

import zlib

import numpy as np
import pytest

from nbviewer3d.transport import encode, robust_range, wire_array
from nbviewer3d.volume import Volume


def _decoded(meta: dict[str, object], buffer: bytes | memoryview) -> np.ndarray:
    raw = zlib.decompress(buffer) if meta["encoding"] == "deflate" else bytes(buffer)
    wire = np.frombuffer(raw, dtype=str(meta["dtype"])).reshape(meta["shape"])  # type: ignore[call-overload]
    return wire if meta["scale"] == 1 else wire * meta["scale"]


@pytest.mark.parametrize(
    ("dtype", "values", "wire"),
    [
        ("uint8", [0, 255], "uint8"),
        ("int8", [-128, 127], "int8"),
        ("uint16", [0, 65535], "uint16"),
        ("int16", [-1024, 3071], "int16"),
        ("float32", [-1000.5, 2000.25], "float32"),
        ("float64", [-1000.5, 2000.25], "float32"),
        ("int32", [-1024, 3071], "int16"),
        ("int64", [0, 200], "uint8"),
        ("uint32", [0, 60000], "uint16"),
        ("int32", [-(2**20), 2**20], "float32"),
        ("float64", [-1024.0, 3071.0], "int16"),
        ("float32", [0.0, 60000.0], "uint16"),
        ("bool", [0, 1], "uint8"),
    ],
)
def test_image_dtypes_narrow_to_textureable_without_changing_values(
    dtype: str, values: list[float], wire: str
) -> None:
    data = np.linspace(values[0], values[1], 4 * 5 * 6).reshape(4, 5, 6)
    data[0, 0, 0], data[-1, -1, -1] = values
    if np.dtype(wire).kind in "iub":
        data = np.round(data)
    data = data.astype(dtype)
    meta, buffer = encode(Volume(data), "image")
    assert meta["dtype"] == wire
    assert meta["encoding"] == "raw"
    assert meta["shape"] == [4, 5, 6]
    np.testing.assert_allclose(_decoded(meta, buffer), data.astype(np.float64), rtol=1e-6)


def test_labels_take_the_smallest_unsigned_type_and_are_deflated() -> None:
    label = np.zeros((16, 16, 16), dtype=np.int64)
    label[4:8, 4:8, 4:8] = 2
    label[10:12, 2:3, 5:9] = 7
    meta, buffer = encode(Volume(label, kind="label"), "label")
    assert meta["dtype"] == "uint8"
    assert meta["encoding"] == "deflate"
    assert meta["labels"] == [0, 2, 7]
    assert len(buffer) < label.size // 10
    np.testing.assert_array_equal(_decoded(meta, buffer), label)

    big = label.copy()
    big[0, 0, 0] = 300
    meta, buffer = encode(Volume(big, kind="label"), "prediction")
    assert meta["dtype"] == "uint16"
    assert meta["role"] == "prediction"
    np.testing.assert_array_equal(_decoded(meta, buffer), big)


def test_label_ids_above_uint16_are_refused() -> None:
    label = np.zeros((2, 2, 2), dtype=np.int64)
    label[0, 0, 0] = 70000
    with pytest.raises(ValueError, match="above 65535"):
        encode(Volume(label, kind="label"), "label")


def test_nonfinite_voxels_are_counted_and_left_out_of_the_range() -> None:
    data = np.arange(27, dtype=np.float32).reshape(3, 3, 3)
    data[0, 0, 0] = np.nan
    data[1, 1, 1] = np.inf
    meta, buffer = encode(Volume(data), "image")
    assert meta["nonfinite"] == 2
    assert meta["range"] == [1.0, 26.0]
    assert np.isnan(_decoded(meta, buffer)[0, 0, 0])


def test_geometry_travels_in_xyz_order() -> None:
    vol = Volume(np.zeros((2, 3, 4), np.int16), spacing=(0.5, 0.7, 2.5), origin=(1, 2, 3))
    meta, _ = encode(vol, "image")
    assert meta["spacing"] == [0.5, 0.7, 2.5]
    assert meta["origin"] == [1.0, 2.0, 3.0]
    assert meta["direction"] == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]


def test_big_endian_input_goes_out_little_endian() -> None:
    data = np.arange(8, dtype=">i2").reshape(2, 2, 2)
    wire, scale = wire_array(Volume(data))
    assert scale == 1
    assert wire.dtype.byteorder in ("<", "=")
    np.testing.assert_array_equal(wire, data)


def test_robust_range_ignores_outliers_and_nan() -> None:
    rng = np.random.default_rng(0)
    data = rng.normal(0, 1, (32, 32, 32)).astype(np.float32)
    data[0, 0, :4] = [1e6, -1e6, np.nan, np.inf]
    lo, hi = robust_range(data)
    assert -4 < lo < -2
    assert 2 < hi < 4


def test_robust_range_of_a_constant_volume_is_not_empty() -> None:
    lo, hi = robust_range(np.full((2, 2, 2), 5.0))
    assert lo < hi


def test_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="role must be one of"):
        encode(Volume(np.zeros((1, 1, 1))), "mask")


@pytest.mark.parametrize(("step", "scale"), [(0.25, 0.25), (0.5, 0.5), (0.0625, 0.0625)])
def test_floats_on_a_power_of_two_step_travel_as_16_bit_integers(step: float, scale: float) -> None:
    hu = np.arange(-1024, 3072, dtype=np.float32)[: 16 * 16 * 16].reshape(16, 16, 16) * step
    meta, buffer = encode(Volume(hu), "image")
    assert meta["dtype"] == "int16"
    assert meta["scale"] == scale
    assert meta["range"] == [float(hu.min()), float(hu.max())]
    assert len(buffer) == hu.size * 2
    np.testing.assert_array_equal(_decoded(meta, buffer), hu)


def test_floats_off_any_step_stay_float32() -> None:
    data = np.linspace(-1, 1, 4096, dtype=np.float32).reshape(16, 16, 16) / 3
    meta, _ = encode(Volume(data), "image")
    assert (meta["dtype"], meta["scale"]) == ("float32", 1.0)
