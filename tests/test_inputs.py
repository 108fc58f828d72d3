"""as_volume: every accepted input becomes a Volume in the layout given, with the geometry it
carries (the axis convention of nbviewer3d.inputs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from nbviewer3d.inputs import as_volume
from nbviewer3d.volume import Volume

ROOT = Path(__file__).resolve().parents[1]
OPTIONAL = ("torch", "monai", "nibabel", "SimpleITK", "itk")

# array axis 0 -> world y (0.8 mm), axis 1 -> world x (0.8 mm), axis 2 -> world -z (2.5 mm)
AFFINE = np.array(
    [
        [0.0, 0.8, 0.0, 10.0],
        [0.8, 0.0, 0.0, -20.0],
        [0.0, 0.0, -2.5, 30.0],
        [0.0, 0.0, 0.0, 1.0],
    ]
)


def ramp(shape: tuple[int, ...], dtype: npt.DTypeLike = np.float32) -> npt.NDArray[Any]:
    """Distinct values, so that any transposition or flip shows."""
    return np.arange(int(np.prod(shape))).reshape(shape).astype(dtype)


def world(volume: Volume, i: int, j: int, k: int) -> npt.NDArray[np.float64]:
    """Where voxel data[i, j, k] sits in the volume's own frame, computed here from the
    definition: origin + direction @ (spacing * (i, j, k))."""
    direction = np.reshape(volume.direction, (3, 3))
    return np.asarray(volume.origin) + direction @ (np.asarray(volume.spacing) * (i, j, k))


def assert_placed_by_affine(volume: Volume, array: npt.NDArray[Any]) -> None:
    """arr[i, j, k] stays at data[i, j, k], at the world point the affine gives it."""
    assert volume.shape == array.shape
    assert volume.frame == "RAS"
    np.testing.assert_allclose(volume.spacing, (0.8, 0.8, 2.5))
    np.testing.assert_allclose(volume.origin, (10.0, -20.0, 30.0))
    np.testing.assert_allclose(
        np.reshape(volume.direction, (3, 3)), [[0, 1, 0], [1, 0, 0], [0, 0, -1]]
    )
    for i, j, k in [(0, 0, 0), (1, 2, 3), (2, 0, 1), (array.shape[0] - 1, 1, 0)]:
        assert volume.data[i, j, k] == array[i, j, k]
        np.testing.assert_allclose(world(volume, i, j, k), (AFFINE @ [i, j, k, 1])[:3])
        np.testing.assert_allclose(volume.world((i, j, k)), (AFFINE @ [i, j, k, 1])[:3])


# ---- numpy and __array__ ------------------------------------------------------------------


def test_numpy_3d_is_xyz_as_given_with_dtype_and_defaults() -> None:
    array = ramp((4, 5, 6), np.int16)
    volume = as_volume(array)
    assert volume.shape == (4, 5, 6)
    assert volume.data.dtype == np.int16
    np.testing.assert_array_equal(volume.data, array)
    assert (volume.spacing, volume.origin, volume.kind) == ((1, 1, 1), (0, 0, 0), "image")
    assert volume.source == "numpy.ndarray"


def test_result_is_read_only_and_the_users_array_is_untouched() -> None:
    array = ramp((3, 4, 5))
    before = array.copy()
    volume = as_volume(array)
    assert not volume.data.flags.writeable
    assert array.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        volume.data[0, 0, 0] = -1
    np.testing.assert_array_equal(array, before)


def test_non_contiguous_input_comes_back_c_contiguous() -> None:
    array = ramp((6, 8, 10))[::2, :, ::-1]
    volume = as_volume(array)
    assert volume.data.flags.c_contiguous
    np.testing.assert_array_equal(volume.data, array)


def test_keywords_set_geometry_in_array_axis_order() -> None:
    flip = [[-1, 0, 0], [0, 1, 0], [0, 0, 1]]
    volume = as_volume(ramp((2, 3, 4)), spacing=(0.5, 0.7, 3.0), origin=[1, 2, 3], direction=flip)
    assert volume.spacing == (0.5, 0.7, 3.0)
    assert volume.origin == (1.0, 2.0, 3.0)
    assert volume.direction == (-1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    np.testing.assert_allclose(world(volume, 3, 2, 1), (1 - 3 * 0.5, 2 + 2 * 0.7, 3 + 3.0))
    np.testing.assert_allclose(volume.world((3, 2, 1)), (1 - 3 * 0.5, 2 + 2 * 0.7, 3 + 3.0))


def test_2d_is_a_one_slice_volume() -> None:
    array = ramp((5, 7))
    volume = as_volume(array)
    assert volume.shape == (5, 7, 1)  # (x, y) and one z slice
    np.testing.assert_array_equal(volume.data[:, :, 0], array)
    slice_first = as_volume(array, axes="zyx")  # (y, x): the one voxel goes where z is
    assert slice_first.shape == (1, 5, 7)
    np.testing.assert_array_equal(np.asarray(slice_first)[0], array)


def test_3d_with_channel_is_chw_2d() -> None:
    array = ramp((3, 5, 7))
    volume = as_volume(array, channel=2)
    assert volume.shape == (5, 7, 1)
    np.testing.assert_array_equal(volume.data[:, :, 0], array[2])


def test_axes_zyx_keeps_the_voxels_and_maps_array_axes_to_world_axes() -> None:
    xyz = ramp((4, 5, 6))  # (x, y, z)
    spacing_xyz, origin_xyz = (0.5, 0.8, 2.5), (10.0, -20.0, 30.0)
    reference = as_volume(xyz, spacing=spacing_xyz, origin=origin_xyz)
    zyx = np.ascontiguousarray(xyz.transpose(2, 1, 0))  # a slice-first stack of the same
    volume = as_volume(zyx, axes="zyx", spacing=spacing_xyz[::-1], origin=origin_xyz[::-1])
    assert np.shares_memory(volume.data, zyx)  # held as given
    assert volume.shape == (6, 5, 4)
    assert volume.spacing == (2.5, 0.8, 0.5)
    assert volume.origin == origin_xyz  # the world position of voxel [0, 0, 0]
    np.testing.assert_array_equal(np.reshape(volume.direction, (3, 3)), np.eye(3)[::-1])
    for x, y, z in [(0, 0, 0), (3, 1, 2), (1, 4, 5)]:
        assert volume.data[z, y, x] == reference.data[x, y, z]
        np.testing.assert_allclose(volume.world((z, y, x)), reference.world((x, y, z)))
        np.testing.assert_allclose(
            reference.world((x, y, z)), np.add(origin_xyz, np.multiply(spacing_xyz, (x, y, z)))
        )


def test_axes_is_a_permutation_and_excludes_direction() -> None:
    for bad in ("xy", "xyy", "ijk", 3):
        with pytest.raises(ValueError, match=r"axes must name the world axis.*permutation"):
            as_volume(ramp((2, 3, 4)), axes=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pass axes= or direction=, not both"):
        as_volume(ramp((2, 3, 4)), axes="zyx", direction=np.eye(3))
    volume = as_volume(ramp((2, 3, 4)), axes="yzx")
    # array axis 0 -> world y, 1 -> z, 2 -> x
    np.testing.assert_allclose(volume.world((1, 0, 0)), (0, 1, 0))
    np.testing.assert_allclose(volume.world((0, 1, 0)), (0, 0, 1))
    np.testing.assert_allclose(volume.world((0, 0, 1)), (1, 0, 0))


def test_np_asarray_of_a_volume_is_its_data() -> None:
    array = ramp((2, 3, 4))
    volume = as_volume(array)
    assert np.asarray(volume) is volume.data
    assert np.shares_memory(np.asarray(volume), array)
    np.testing.assert_array_equal(np.asarray(volume, dtype=np.float64), array)


def test_nan_and_inf_stay_in_images() -> None:
    array = ramp((2, 3, 4))
    array[0, 0, 0], array[1, 2, 3] = np.nan, np.inf
    volume = as_volume(array)
    assert np.isnan(volume.data[0, 0, 0])
    assert volume.data[1, 2, 3] == np.inf


def test_bool_becomes_uint8() -> None:
    mask = ramp((2, 3, 4)) % 2 == 0
    for kind in ("image", "label"):
        volume = as_volume(mask, kind=kind)
        assert volume.data.dtype == np.uint8
        np.testing.assert_array_equal(volume.data, mask)


class ArrayLike:
    """A real __array__ provider (the protocol dask, xarray and zarr implement)."""

    def __init__(self, array: npt.NDArray[Any]) -> None:
        self._array = array

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> npt.NDArray[Any]:
        return self._array


def test_objects_with_array_protocol() -> None:
    array = ramp((2, 3, 4))
    volume = as_volume(ArrayLike(array))
    np.testing.assert_array_equal(volume.data, array)
    assert volume.source.endswith("ArrayLike")


def test_volume_passes_through_with_its_geometry() -> None:
    given = Volume(ramp((2, 3, 4)), spacing=(1, 2, 3), origin=(4, 5, 6), source="mine")
    volume = as_volume(given, spacing=(7, 8, 9))
    assert volume.spacing == (7, 8, 9)
    assert (volume.origin, volume.source) == ((4, 5, 6), "mine")
    np.testing.assert_array_equal(volume.data, given.data)


def test_channel_first_4d_and_batched_5d() -> None:
    batch = ramp((3, 2, 4, 5, 6))
    volume = as_volume(batch, index=1, channel=1)
    np.testing.assert_array_equal(volume.data, batch[1, 1])
    single = as_volume(batch[2:], channel=0)  # N == 1: index defaults to 0
    np.testing.assert_array_equal(single.data, batch[2, 0])
    assert as_volume(batch[0, :1]).shape == (4, 5, 6)  # C == 1: channel defaults to 0
    last = as_volume(batch, index=-1, channel=-1)
    np.testing.assert_array_equal(last.data, batch[2, 1])


# ---- labels -----------------------------------------------------------------------------


def test_integer_and_integral_float_labels_are_kept() -> None:
    ids = ramp((2, 3, 4), np.int32) % 5
    np.testing.assert_array_equal(as_volume(ids, kind="label").data, ids)
    floats = as_volume(ids.astype(np.float32), kind="label")
    assert floats.data.dtype == np.float32
    assert floats.kind == "label"
    np.testing.assert_array_equal(floats.data, ids)


def test_one_hot_and_probability_channels_reduce_by_argmax() -> None:
    ids = ramp((3, 4, 5), np.int64) % 3
    one_hot = np.stack([ids == c for c in range(3)]).astype(np.uint8)
    np.testing.assert_array_equal(as_volume(one_hot, kind="label").data, ids)
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 4, 3, 4, 5)).astype(np.float32)
    volume = as_volume(logits, kind="label", index=1)
    assert volume.data.dtype == np.uint8
    np.testing.assert_array_equal(volume.data, logits[1].argmax(axis=0))


def test_threshold_on_one_probability_channel() -> None:
    probability = np.linspace(0, 1, 24, dtype=np.float32).reshape(1, 2, 3, 4)
    volume = as_volume(probability, kind="label", threshold=0.5)
    assert volume.data.dtype == np.uint8
    np.testing.assert_array_equal(volume.data, probability[0] >= 0.5)
    plain = as_volume(probability[0], kind="label", threshold=0.25)
    np.testing.assert_array_equal(plain.data, probability[0] >= 0.25)
    picked = np.concatenate([1 - probability, probability])
    chosen = as_volume(picked, kind="label", channel=0, threshold=0.5)
    np.testing.assert_array_equal(chosen.data, 1 - probability[0] >= 0.5)


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.bool_])
def test_threshold_never_merges_the_classes_of_an_integer_label(dtype: type) -> None:
    ids = (ramp((2, 3, 4), np.int32) % 3).astype(dtype)
    with pytest.raises(ValueError, match=r"threshold=.*float probability map.*merge its classes"):
        as_volume(ids, kind="label", threshold=0.5, name="prediction")
    with pytest.raises(ValueError, match=r"merge its classes"):
        as_volume(ids[None], kind="label", threshold=1, name="prediction")


@pytest.mark.parametrize(
    ("array", "options", "match"),
    [
        (np.full((2, 3, 4), 0.3), {}, r"non-integer values.*threshold=.*channel axis"),
        (np.full((2, 3, 4), np.nan), {}, "NaN or Inf"),
        (np.full((2, 3, 4), -1, np.int8), {}, r"negative label id -1.*>= 0"),
        (np.full((2, 3, 4), -2.0), {}, "negative label id"),
        (np.full((3, 2, 3, 4), 0.3), {"threshold": 0.5}, r"one probability channel.*3.*channel="),
        (np.full((3, 2, 3, 4), 5, np.int16), {}, r"neither one-hot.*channel="),
    ],
)
def test_bad_labels(array: npt.NDArray[Any], options: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        as_volume(array, kind="label", name="prediction", **options)


# ---- bad input ---------------------------------------------------------------------------

FORMS = r"a numpy array, torch tensor, MONAI MetaTensor, nibabel image, SimpleITK or itk image"
LAYOUTS = r"\(x, y, z\), \(x, y\), \(C, x, y, z\) or \(N, C, x, y, z\)"


@pytest.mark.parametrize(
    ("obj", "error", "match"),
    [
        (None, TypeError, f"label: got None; pass {FORMS}"),
        ("ct.nii.gz", TypeError, f"got a string 'ct.nii.gz'; pass {FORMS}"),
        ({"image": 1}, TypeError, f"cannot read a dict; pass {FORMS}"),
        (np.float32(3), ValueError, f"got a scalar; accepted layouts: {LAYOUTS}"),
        (np.arange(5), ValueError, f"1D array of shape \\(5,\\); accepted layouts: {LAYOUTS}"),
        (np.zeros((1,) * 6), ValueError, f"6D array.*accepted layouts: {LAYOUTS}"),
        (np.zeros((0, 3, 4)), ValueError, r"empty array of shape \(0, 3, 4\)"),
        (np.zeros((2, 3, 4), complex), TypeError, "complex128.*bool, integer or float"),
        (np.zeros((2, 3, 4), object), TypeError, "dtype object.*bool, integer or float"),
        (np.full((2, 3, 4), "a"), TypeError, "dtype <U1.*bool, integer or float"),
    ],
)
def test_bad_inputs(obj: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        as_volume(obj, kind="label", name="label")


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({}, ValueError, f"4 channels on axis 0.*pass channel=0..3 \\(layouts: {LAYOUTS}"),
        ({"channel": 4}, ValueError, r"channel=4 is out of range for 4"),
        ({"channel": 1.0}, TypeError, "channel must be an int"),
        ({"channel": True}, TypeError, "channel must be an int"),
        ({"index": 0}, ValueError, r"no batch axis; batches are \(N, C, x, y, z\)"),
        ({"channel": 0, "threshold": 0.5}, ValueError, r"threshold=.*not apply to an image"),
        (
            {"channel": 0, "kind": "mask"},
            ValueError,
            r"kind must be one of \('image', 'label', 'heatmap'\)",
        ),
        (
            {"channel": 0, "spacing": (1, 2)},
            ValueError,
            r"spacing must be three numbers, one per array axis",
        ),
        ({"channel": 0, "spacing": (1, 0, 2)}, ValueError, "image: spacing must be positive"),
        ({"channel": 0, "origin": "abc"}, ValueError, "image: could not convert"),
        ({"channel": 0, "direction": np.eye(2)}, ValueError, "direction must be a 3x3 matrix"),
    ],
)
def test_bad_options_on_a_four_channel_image(
    options: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        as_volume(ramp((4, 2, 3, 4)), **options)


def test_batch_needs_index_and_3d_has_no_channel_axis() -> None:
    with pytest.raises(ValueError, match=r"2 choices on the batch item .* axis; pass index=0..1"):
        as_volume(ramp((2, 1, 2, 3, 4)))
    with pytest.raises(ValueError, match=r"no channel axis; accepted layouts"):
        as_volume(Volume(ramp((2, 3, 4))), channel=0)
    with pytest.raises(TypeError, match="threshold must be a number"):
        as_volume(ramp((2, 3, 4)), kind="label", threshold="half")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        as_volume(ramp((2, 3, 4)), kind="label", threshold=float("nan"))


def test_importing_inputs_imports_no_optional_library() -> None:
    code = (
        "import sys, numpy\n"
        "from nbviewer3d.inputs import as_volume\n"
        "as_volume(numpy.zeros((2, 3, 4)))\n"
        f"print(sorted(m for m in {OPTIONAL!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# ---- torch and MONAI --------------------------------------------------------------------


def test_torch_tensor_with_grad_is_detached_and_left_untouched() -> None:
    torch = pytest.importorskip("torch")
    tensor = torch.arange(24.0).reshape(2, 3, 4).requires_grad_(True)
    volume = as_volume(tensor * 2)  # a non-leaf in the graph, as model outputs are
    assert volume.source == "torch.Tensor"
    assert volume.data.dtype == np.float32
    np.testing.assert_array_equal(volume.data, np.arange(24.0).reshape(2, 3, 4) * 2)
    assert tensor.requires_grad
    assert tensor.grad is None
    assert torch.equal(tensor.detach(), torch.arange(24.0).reshape(2, 3, 4))


def test_torch_dtypes_numpy_lacks_and_complex() -> None:
    torch = pytest.importorskip("torch")
    half = torch.tensor([[[1.5, -2.25]]], dtype=torch.bfloat16)
    volume = as_volume(half)
    assert volume.data.dtype == np.float32
    np.testing.assert_array_equal(volume.data, [[[1.5, -2.25]]])
    with pytest.raises(TypeError, match="complex tensors cannot be shown"):
        as_volume(torch.zeros(2, 3, 4, dtype=torch.complex64))
    with pytest.raises(ValueError, match="'meta' device holds no voxels"):
        as_volume(torch.zeros(2, 3, 4, device="meta"))


def test_torch_nchwd_with_index_and_one_hot_label() -> None:
    torch = pytest.importorskip("torch")
    batch = torch.arange(2 * 3 * 24, dtype=torch.float32).reshape(2, 3, 2, 3, 4)
    volume = as_volume(batch, index=1, channel=2)
    np.testing.assert_array_equal(volume.data, batch[1, 2].numpy())
    ids = torch.arange(24).reshape(2, 3, 4) % 4
    one_hot = torch.nn.functional.one_hot(ids, 4).permute(3, 0, 1, 2)[None]
    label = as_volume(one_hot, kind="label")
    np.testing.assert_array_equal(label.data, ids.numpy())


def test_metatensor_is_placed_by_its_affine() -> None:
    torch = pytest.importorskip("torch")
    monai_data = pytest.importorskip("monai.data")
    array = ramp((3, 4, 5))
    tensor = monai_data.MetaTensor(torch.from_numpy(array)[None], affine=torch.tensor(AFFINE))
    volume = as_volume(tensor)
    assert volume.source == "monai.MetaTensor"
    assert_placed_by_affine(volume, array)


def test_collated_metatensor_batch_uses_the_items_affine() -> None:
    torch = pytest.importorskip("torch")
    monai_data = pytest.importorskip("monai.data")
    array = ramp((3, 4, 5))
    shifted = AFFINE.copy()
    shifted[:3, 3] += 100
    items = [
        {"image": monai_data.MetaTensor(torch.from_numpy(a)[None], affine=torch.tensor(m))}
        for a, m in [(array * 0, shifted), (array, AFFINE)]
    ]
    batch = monai_data.list_data_collate(items)["image"]
    assert tuple(batch.affine.shape) == (2, 4, 4)
    assert_placed_by_affine(as_volume(batch, index=1), array)
    with pytest.raises(ValueError, match=r"pass index=0\.\.1"):
        as_volume(batch)


def test_2d_metatensor_with_spatial_shape_is_one_slice() -> None:
    torch = pytest.importorskip("torch")
    monai_data = pytest.importorskip("monai.data")
    array = ramp((1, 4, 6))  # (C, H, W): a channel-first 2D image, as LoadImage gives
    tensor = monai_data.MetaTensor(torch.from_numpy(array), meta={"spatial_shape": (4, 6)})
    volume = as_volume(tensor)
    assert volume.shape == (4, 6, 1)  # (H, W) = (x, y), one slice
    np.testing.assert_array_equal(volume.data[:, :, 0], array[0])


# ---- nibabel, SimpleITK, itk --------------------------------------------------------------


def test_nibabel_image_is_placed_by_its_affine() -> None:
    nib = pytest.importorskip("nibabel")
    array = ramp((3, 4, 5), np.int16)
    volume = as_volume(nib.Nifti1Image(array, AFFINE), kind="label")
    assert volume.data.dtype == np.int16
    assert volume.source == "nibabel.Nifti1Image"
    assert_placed_by_affine(volume, array)


def test_nibabel_4d_last_axis_is_the_channel() -> None:
    nib = pytest.importorskip("nibabel")
    array = ramp((3, 4, 5, 2))
    volume = as_volume(nib.Nifti1Image(array, AFFINE), channel=1)
    assert_placed_by_affine(volume, array[..., 1])
    with pytest.raises(ValueError, match=r"2 channels.*pass channel=0\.\.1"):
        as_volume(nib.Nifti1Image(array, AFFINE))


LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0])


def test_simpleitk_image_is_held_in_its_index_order_and_placed_in_lps() -> None:
    sitk = pytest.importorskip("SimpleITK")
    array = ramp((3, 4, 5), np.int16)  # sitk's array view: (z, y, x)
    image = sitk.GetImageFromArray(array)
    image.SetSpacing((0.7, 0.9, 2.5))
    image.SetOrigin((-1.0, 2.0, 3.0))
    direction = (0.0, 1.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    image.SetDirection(direction)
    volume = as_volume(image)
    assert volume.shape == (5, 4, 3)  # the image's own index order (x, y, z)
    np.testing.assert_array_equal(volume.data, array.T)
    assert volume.data.flags.f_contiguous  # a transposed view, no copy
    assert volume.data.dtype == np.int16
    assert volume.spacing == (0.7, 0.9, 2.5)
    assert volume.origin == (-1.0, 2.0, 3.0)
    assert volume.direction == direction
    assert volume.frame == "LPS"
    assert volume.source == "SimpleITK.Image"
    index = (4, 1, 2)  # (x, y, z), SimpleITK's order
    assert volume.data[index] == image[index]
    lps = np.asarray(image.TransformIndexToPhysicalPoint(index))
    np.testing.assert_allclose(world(volume, *index), lps)
    np.testing.assert_allclose(volume.world(index), LPS_TO_RAS @ lps)
    with pytest.raises(ValueError, match=r"axes='zyx' is for arrays without geometry"):
        as_volume(image, axes="zyx")


def test_simpleitk_2d_and_vector_images() -> None:
    sitk = pytest.importorskip("SimpleITK")
    plane = sitk.GetImageFromArray(ramp((4, 6)))
    plane.SetSpacing((0.5, 0.25))
    volume = as_volume(plane)
    assert volume.shape == (6, 4, 1)
    np.testing.assert_array_equal(volume.data[:, :, 0], ramp((4, 6)).T)
    assert volume.spacing == (0.5, 0.25, 1.0)
    vectors = ramp((2, 3, 4, 3))
    image = sitk.GetImageFromArray(vectors, isVector=True)
    assert image.GetNumberOfComponentsPerPixel() == 3
    np.testing.assert_array_equal(as_volume(image, channel=2).data, vectors[..., 2].T)


@pytest.mark.filterwarnings("ignore:builtin type .* has no __module__:DeprecationWarning")
def test_itk_image_is_held_in_its_index_order_and_placed_in_lps() -> None:
    itk = pytest.importorskip("itk", reason="itk is optional (pip install itk)")
    array = ramp((3, 4, 5))
    image = itk.image_from_array(array)
    image.SetSpacing((0.7, 0.9, 2.5))
    image.SetOrigin((-1.0, 2.0, 3.0))
    matrix = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    image.SetDirection(itk.matrix_from_array(matrix))
    volume = as_volume(image)
    np.testing.assert_array_equal(volume.data, array.T)
    assert volume.spacing == pytest.approx((0.7, 0.9, 2.5))
    assert volume.origin == (-1.0, 2.0, 3.0)
    assert volume.direction == tuple(matrix.ravel())
    assert volume.frame == "LPS"
    assert volume.source.startswith("itk.")
    point = image.TransformIndexToPhysicalPoint((4, 1, 2))
    np.testing.assert_allclose(world(volume, 4, 1, 2), tuple(point))
