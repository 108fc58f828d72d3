from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from nbviewer3d.inputs import as_volume
from nbviewer3d.transport import encode, label_ids, robust_range, wire_array
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


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "int64"])
def test_label_ids_find_every_class_even_one_voxel_in_a_uniform_slab(dtype: str) -> None:
    rng = np.random.default_rng(7)
    label = np.zeros((96, 64, 80), dtype=dtype)  # several slabs, most of them all background
    label[10:40, 5:60, 20:70] = 3
    label[50:52, 30:33, 40:41] = rng.integers(0, 9, size=(2, 3, 1))  # a mixed slab
    label[90, 63, 79] = 12  # one voxel, the last of the volume
    label[70, 0, 0] = 255 if dtype == "uint8" else 4000
    expected = [int(v) for v in np.unique(label)]
    assert label_ids(label) == expected
    assert label_ids(np.asfortranarray(label)) == expected
    assert label_ids(np.full((3, 3, 3), 5, dtype=dtype)) == [5]
    assert label_ids(np.zeros((0, 4, 4), dtype=dtype)) == []


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


def wire_world(meta: dict[str, Any], index: Any) -> npt.NDArray[np.float64]:
    """The RAS point where the wire puts element ``index`` of its C-order shape, by the wire
    contract: origin + direction @ (spacing * index), direction row-major, columns = axes."""
    direction = np.reshape(meta["direction"], (3, 3))
    steps = np.asarray(meta["spacing"]) * np.asarray(index, dtype=np.float64)
    return np.asarray(meta["origin"]) + steps @ direction.T


def placed(meta: dict[str, Any], buffer: bytes | memoryview) -> list[tuple[Any, float]]:
    """Every voxel as (RAS point rounded to 1e-6 mm, value), sorted: two payloads that show
    the same picture give the same list, whatever their memory layout."""
    values = _decoded(meta, buffer)
    index = np.indices(values.shape).reshape(3, -1).T
    points = np.round(wire_world(meta, index), 6)
    return sorted(zip(map(tuple, points.tolist()), values.ravel().tolist(), strict=True))


def test_geometry_of_c_ordered_data_travels_per_array_axis() -> None:
    vol = Volume(np.zeros((2, 3, 4), np.int16), spacing=(0.5, 0.7, 2.5), origin=(1, 2, 3))
    meta, _ = encode(vol, "image")
    assert meta["shape"] == [2, 3, 4]
    assert meta["spacing"] == [0.5, 0.7, 2.5]
    assert meta["origin"] == [1.0, 2.0, 3.0]
    assert meta["direction"] == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize("dtype", [np.int16, np.float64, np.int32, np.uint8])
def test_fortran_ordered_data_goes_as_its_transpose_without_reordering(dtype: type) -> None:
    c_order = np.arange(2 * 3 * 4).reshape(2, 3, 4).astype(dtype)
    f_order = np.asfortranarray(c_order)
    rotate = (0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    volume = Volume(f_order, spacing=(0.5, 0.7, 2.5), origin=(1, 2, 3), direction=rotate)
    meta, buffer = encode(volume, "image")
    assert meta["shape"] == [4, 3, 2]
    assert meta["spacing"] == [2.5, 0.7, 0.5]
    columns = np.reshape(rotate, (3, 3))[:, ::-1]
    assert meta["direction"] == columns.ravel().tolist()
    if dtype == np.int16:  # already a wire dtype: the buffer is the user's memory
        assert np.shares_memory(np.frombuffer(buffer, np.int16), f_order)
    wire = _decoded(meta, buffer)
    for index in [(0, 0, 0), (1, 2, 3), (1, 0, 2)]:
        assert wire[index[::-1]] == f_order[index]
        np.testing.assert_allclose(wire_world(meta, index[::-1]), volume.world(index))
    assert placed(meta, buffer) == placed(
        *encode(Volume(c_order, (0.5, 0.7, 2.5), (1, 2, 3), rotate), "image")
    )


def test_lps_geometry_travels_as_ras() -> None:
    lps = (0.0, 1.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    volume = Volume(np.zeros((2, 3, 4), np.uint8), (1, 2, 3), (10, -20, 30), lps, frame="LPS")
    meta, _ = encode(volume, "image")
    assert meta["origin"] == [-10.0, 20.0, 30.0]
    expected = np.diag([-1.0, -1.0, 1.0]) @ np.reshape(lps, (3, 3))
    assert meta["direction"] == expected.ravel().tolist()
    # voxel [1, 2, 3] in LPS: origin + D @ (1*1, 2*2, 3*3) = (10 + 4, -20 - 1, 30 + 9)
    np.testing.assert_allclose(wire_world(meta, (1, 2, 3)), (-14.0, 21.0, 39.0))


def test_simpleitk_image_of_known_lps_geometry_is_shown_at_its_ras_position() -> None:
    sitk = pytest.importorskip("SimpleITK")
    zyx = np.arange(3 * 4 * 5, dtype=np.int16).reshape(3, 4, 5)
    image = sitk.GetImageFromArray(zyx)  # size (x, y, z) = (5, 4, 3)
    image.SetSpacing((0.5, 0.75, 2.0))
    image.SetOrigin((100.0, -50.0, 20.0))
    image.SetDirection((1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0))  # axial, LPS
    meta, buffer = encode(as_volume(image), "image")
    assert meta["shape"] == [3, 4, 5]  # sitk's own buffer, x fastest
    wire = _decoded(meta, buffer)
    for x, y, z in [(0, 0, 0), (4, 3, 2), (2, 1, 1)]:
        lps = image.TransformIndexToPhysicalPoint((x, y, z))
        # LPS (px, py, pz) is RAS (-px, -py, pz): x grows to the patient's left
        ras = (-100.0 - 0.5 * x, 50.0 - 0.75 * y, 20.0 + 2.0 * z)
        np.testing.assert_allclose(ras, (-lps[0], -lps[1], lps[2]))
        assert wire[z, y, x] == image[x, y, z]
        np.testing.assert_allclose(wire_world(meta, (z, y, x)), ras)


@pytest.mark.parametrize("contiguous", [False, True], ids=["view", "copy"])
def test_axes_zyx_of_a_permuted_tensor_places_the_same_voxels_at_the_same_points(
    contiguous: bool,
) -> None:
    torch = pytest.importorskip("torch")
    t = torch.arange(4 * 5 * 6, dtype=torch.float32).reshape(1, 1, 4, 5, 6)  # (N, C, H, W, D)
    spacing = (0.5, 0.8, 2.5)
    xyz_meta, xyz_buffer = encode(as_volume(t, spacing=spacing, origin=(1, 2, 3)), "image")
    permuted = t.permute(0, 1, 4, 3, 2)  # slice first: (N, C, D, W, H)
    if contiguous:
        permuted = permuted.contiguous()
    volume = as_volume(permuted, axes="zyx", spacing=spacing[::-1], origin=(3, 2, 1))
    assert volume.shape == (6, 5, 4)
    zyx_meta, zyx_buffer = encode(volume, "image")
    # a strided view of t is F-ordered: it goes as its transpose, t's own bytes
    assert zyx_meta["shape"] == ([6, 5, 4] if contiguous else [4, 5, 6])
    for h, w, d in [(0, 0, 0), (3, 4, 5), (1, 2, 3)]:
        point = np.asarray((1, 2, 3)) + np.multiply(spacing, (h, w, d))
        np.testing.assert_allclose(wire_world(xyz_meta, (h, w, d)), point)
        np.testing.assert_allclose(volume.world((d, w, h)), point)
        wire_index = (d, w, h) if contiguous else (h, w, d)
        np.testing.assert_allclose(wire_world(zyx_meta, wire_index), point)
        assert _decoded(zyx_meta, zyx_buffer)[wire_index] == float(t[0, 0, h, w, d])
    assert placed(xyz_meta, xyz_buffer) == placed(zyx_meta, zyx_buffer)


@pytest.mark.parametrize("affine", [np.eye(4), np.diag([0.5, 0.8, 2.5, 1.0])])
def test_metatensor_with_diagonal_positive_affine_matches_its_plain_tensor(
    affine: npt.NDArray[np.float64],
) -> None:
    torch = pytest.importorskip("torch")
    monai_data = pytest.importorskip("monai.data")
    t = torch.arange(3 * 4 * 5, dtype=torch.float32).reshape(1, 3, 4, 5) * 0.25 - 7
    meta_tensor = monai_data.MetaTensor(t, affine=torch.tensor(affine))
    from_affine = encode(as_volume(meta_tensor), "image")
    plain = encode(as_volume(meta_tensor.as_tensor(), spacing=np.diag(affine)[:3]), "image")
    assert from_affine[0] == plain[0]
    assert bytes(from_affine[1]) == bytes(plain[1])


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


def test_axes_say_which_array_axis_each_browser_index_axis_is() -> None:
    c_order = np.zeros((2, 3, 4), np.float32)
    meta, _ = encode(Volume(c_order), "image")
    assert meta["axes"] == [2, 1, 0]  # C order: vtk's fastest axis i is the array's last
    meta, _ = encode(Volume(np.asfortranarray(c_order)), "image")
    assert meta["axes"] == [0, 1, 2]  # sent transposed: i is the array's first axis
