"""Turn the arrays and images users hold into a :class:`~nbviewer3d.volume.Volume`.

Accepted inputs: numpy arrays, torch tensors (any device, with or without grad), MONAI
``MetaTensor``, nibabel images, SimpleITK and itk images, lazy arrays (dask, zarr arrays and
OME-Zarr groups, xarray, np.memmap: read slab by slab, see :mod:`nbviewer3d.lazy`) and
anything with ``__array__``. torch, MONAI, nibabel, SimpleITK and itk are optional: each is
imported only when the input is one of its types (dask, zarr and xarray never are: their
arrays are read by slicing).

Axis convention (the one rule; README "Array layout" and the docstrings point here)
---------------------------------------------------------------------------------
* An array without geometry (numpy, torch, ``__array__``) is read in MONAI / nibabel / NIfTI
  index order: its spatial axes are ``(x, y, z)``, i.e. MONAI's ``(H, W, D)`` after batch and
  channel. Accepted layouts: ``(x, y, z)``, ``(C, x, y, z)``, ``(N, C, x, y, z)``, and
  ``(x, y)`` for one slice; a 3D input with ``channel=`` is ``(C, x, y)``, one 2D image.
  ``spacing=`` and ``origin=`` are given in the same order as the array's axes. Such an
  input lies in RAS world space, array axes 0, 1, 2 along +x, +y, +z, with the given
  spacing and its voxel ``[0, 0, 0]`` at the origin.
* ``axes=`` (a permutation of ``"xyz"``, default ``"xyz"``) names the world axis of each
  array axis: ``axes="zyx"`` reads slice-first stacks (a DICOM series,
  ``sitk.GetArrayFromImage``, itkwidgets habits). The voxels stay as given; the Volume's
  direction maps array axis 0 to world z, and so on. ``spacing=``/``origin=`` stay in the
  array's axis order. A 2D array gets its one-voxel axis where ``axes`` puts z.
* MONAI ``MetaTensor`` and nibabel images are placed by their affine (RAS world): array
  axis ``a`` (after batch and channel) runs along affine column ``a``. SimpleITK and itk
  images are placed by their own geometry, in LPS world; their voxels are held in the
  image's own index order ``(x, y, z)`` (``GetArrayFromImage(img).T``, a view) with spacing
  in ``(x, y, z)``. ``axes=`` on an input with geometry is an error; ``spacing=`` (per array
  axis), ``origin=`` and ``direction=`` (3x3, column ``a`` = world direction of array axis
  ``a``, both in the input's own world: RAS, or LPS for SimpleITK/itk) replace its geometry.

RAS means world +x points to the patient's right, +y to the front (anterior) and +z to the
head (superior); LPS flips x and y. The browser shows every volume in RAS. A MetaTensor whose
affine is diagonal and positive and its ``.as_tensor()`` given the same spacing are the same
picture.

Every Volume handed back (``viewer.image``, ``open_logdir(...).volume(...)``) holds its
voxels in the layout the user passed or logged: no transposes, ``np.asarray(volume)`` works.
Values are not altered: dtype, NaN and Inf stay as given (narrowing for the wire happens in
``transport``); only bool becomes uint8 and torch dtypes numpy lacks (bfloat16, float8)
become float32. The returned data may share memory with the input and is read-only.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from .lazy import LazySource, is_lazy, ome_zarr_geometry, read_lazy
from .pyramid import level_geometry
from .volume import KINDS, Frame, Kind, Volume

Array = npt.NDArray[Any]
_XYZ = tuple[float, float, float]

_FORMS = (
    "a numpy array, torch tensor, MONAI MetaTensor, nibabel image, SimpleITK or itk image, "
    "or an object with __array__"
)
_LAYOUTS = "(x, y, z), (x, y), (C, x, y, z) or (N, C, x, y, z) (MONAI's H, W, D order)"
_IDENTITY = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
AXES = "xyz"


@dataclass(frozen=True)
class _Raw:
    """An input read into numpy, before batch/channel selection."""

    array: Array
    source: str
    # how many leading non-spatial axes the array has: None = decide from ndim (plain arrays)
    leading: int | None = None
    # whether the input places itself (affine, ITK geometry, a Volume): then axes= is refused
    placed: bool = False
    # 4x4 (or batched (N, 4, 4)) affine whose columns 0-2 place the array's spatial axes
    affine: Array | None = None
    spacing: _XYZ = (1.0, 1.0, 1.0)
    origin: _XYZ = (0.0, 0.0, 0.0)
    direction: tuple[float, ...] = _IDENTITY
    frame: Frame = "RAS"
    # the full-resolution input behind an array that is a pyramid level of it
    full: LazySource | None = None
    # whether the geometry above is the full input's, to be moved onto the level
    full_geometry: bool = False
    # a label's ids already checked slab by slab as a lazy input was read
    ids_checked: bool = False


@dataclass(frozen=True)
class _Grid:
    spacing: _XYZ
    origin: _XYZ
    direction: tuple[float, ...]


def as_volume(
    obj: object,
    *,
    kind: str = "image",
    index: int | None = None,
    channel: int | None = None,
    axes: str = AXES,
    spacing: object = None,
    origin: object = None,
    direction: object = None,
    threshold: float | None = None,
    name: str = "image",
) -> Volume:
    """Read ``obj`` into a Volume: its voxels as given, and the geometry that places them.

    ``obj`` is a numpy array, torch tensor (any device, with grad or not: read through a
    detached CPU copy or view, the tensor untouched), MONAI MetaTensor, nibabel image,
    SimpleITK or itk image, a Volume, or an object with ``__array__``. Plain arrays and
    tensors are ``(x, y, z)`` (MONAI's ``(H, W, D)``), ``(x, y)`` (one slice),
    ``(C, x, y, z)`` or ``(N, C, x, y, z)``; a 3D input with ``channel=`` is ``(C, x, y)``.
    ``axes="zyx"`` (any permutation of ``"xyz"``) reads slice-first stacks. MetaTensor and
    nibabel inputs are placed by their affine, SimpleITK/itk by their own geometry. The
    axis convention is in this module's docstring.

    ``kind``: ``"image"`` (intensities), ``"heatmap"`` (a continuous map drawn over the image,
    read as an image) or ``"label"`` (non-negative integer class ids; bool and integral floats
    accepted). ``index``: the batch item of an ``(N, C, ...)`` input,
    needed when N > 1. ``channel``: the channel to show; without it a single channel is
    taken, images and heat maps with several channels are an error (:func:`as_channels`
    keeps them all), and labels with several channels
    (one-hot, probabilities, logits) become their argmax. ``threshold``: for labels, turns
    one float probability channel into ``0``/``1`` by ``value >= threshold`` (an integer or
    bool label is refused: thresholding would merge its classes). ``spacing`` and ``origin``
    (in the array's axis order) and ``direction`` (3x3 or 9 numbers row-major, column ``a``
    the world direction of array axis ``a``) replace the input's geometry. ``name`` names
    the input in error messages.
    """
    if kind not in KINDS:
        raise ValueError(f"{name}: kind must be one of {KINDS}, got {kind!r}")
    _permutation(axes, name)  # a bad axes= is named before the input is read
    if threshold is not None:
        if kind != "label":
            raise ValueError(
                f"{name}: threshold= turns probabilities into a label; it does not apply to an "
                'image (pass kind="label", or leave threshold out)'
            )
        if isinstance(threshold, bool) or not np.isfinite(_number(threshold, "threshold", name)):
            raise ValueError(f"{name}: threshold must be a finite number, got {threshold!r}")
    # thresholded probabilities are averaged like an image: the ids exist only after
    raw = _read(obj, name, "heatmap" if threshold is not None else kind)
    return _volume(raw, kind, index, channel, axes, spacing, origin, direction, threshold, name)


def as_channels(
    obj: object,
    *,
    index: int | None = None,
    axes: str = AXES,
    spacing: object = None,
    origin: object = None,
    direction: object = None,
    name: str = "image",
    channel_axis: bool = False,
) -> list[Volume]:
    """Every channel of an image as its own Volume (one for an input without a channel axis).

    ``obj`` and the options are read as by :func:`as_volume`; ``channel_axis=True`` reads a 3D
    array as ``(C, x, y)`` (as ``channel=`` does there). The input is read once and each
    channel shares its memory where the input allows.
    """
    raw = _read(obj, name)
    probe = 0 if channel_axis else None
    leading = _leading(raw.array, probe, name) if raw.leading is None else raw.leading
    count = raw.array.shape[leading - 1] if leading >= 1 and raw.array.ndim > leading else 1
    channels = [None] if leading == 0 else list(range(count))
    return [
        _volume(raw, "image", index, c, axes, spacing, origin, direction, None, name)
        for c in channels
    ]


def _volume(
    raw: _Raw,
    kind: str,
    index: int | None,
    channel: int | None,
    axes: str,
    spacing: object,
    origin: object,
    direction: object,
    threshold: float | None,
    name: str,
) -> Volume:
    permutation = _permutation(axes, name)
    _check_dtype(raw.array, name)
    if raw.placed and axes != AXES:
        raise ValueError(
            f"{name}: axes={axes!r} is for arrays without geometry; a {raw.source} is placed by "
            "its own geometry (pass spacing=/origin=/direction= to replace it)"
        )
    if permutation != (0, 1, 2) and direction is not None:
        raise ValueError(
            f"{name}: pass axes= or direction=, not both (axes={axes!r} sets the direction)"
        )
    if threshold is not None and raw.array.dtype.kind != "f":
        raise ValueError(
            f"{name}: threshold= turns a float probability map into 0/1, but this input holds "
            f"{raw.array.dtype} values, class ids already: thresholding would merge its "
            "classes. Leave threshold out (or pass the probabilities)"
        )
    array, affine = _select(raw, kind, index, channel, threshold, name)
    if affine is not None:
        data, grid = _affine_grid(array, affine, name)
    elif raw.placed:
        data = array[:, :, np.newaxis] if array.ndim == 2 else array
        grid = _Grid(raw.spacing, raw.origin, raw.direction)
    else:
        data = np.expand_dims(array, axes.index("z")) if array.ndim == 2 else array
        grid = _axes_grid(permutation, raw.spacing, raw.origin)
    if kind == "label" and not raw.ids_checked:
        data = check_label(data, name)
    elif data.dtype == np.bool_:
        data = data.astype(np.uint8)
    if not (data.flags.c_contiguous or data.flags.f_contiguous):
        data = np.ascontiguousarray(data)
    data = data.view()
    data.flags.writeable = False  # it may share the user's buffer: no way back into it
    try:
        volume = Volume(
            data=data,
            spacing=grid.spacing if spacing is None else _three("spacing", spacing),
            origin=grid.origin if origin is None else _world_origin(origin, permutation),
            direction=grid.direction if direction is None else _direction(direction),
            kind=cast(Kind, kind),
            source=raw.source,
            frame=raw.frame,
        )
    except (TypeError, ValueError) as error:
        raise type(error)(f"{name}: {error}") from None
    if raw.full is None:
        return volume
    if not raw.full_geometry:
        return replace(volume, full=raw.full)
    level_spacing, level_origin = level_geometry(
        volume.spacing, volume.origin, volume.direction, raw.full.factors
    )
    return replace(volume, spacing=level_spacing, origin=level_origin, full=raw.full)


def _permutation(axes: object, name: str) -> tuple[int, int, int]:
    """``axes`` ("zyx") -> the world axis of each array axis ((2, 1, 0))."""
    if not isinstance(axes, str) or sorted(axes) != sorted(AXES):
        raise ValueError(
            f"{name}: axes must name the world axis of each array axis, a permutation of "
            f"'xyz' such as 'xyz' (the default, MONAI/NIfTI order) or 'zyx' (slice first), "
            f"got {axes!r}"
        )
    a, b, c = (AXES.index(letter) for letter in axes)
    return (a, b, c)


def _axes_grid(permutation: tuple[int, int, int], spacing: _XYZ, origin: _XYZ) -> _Grid:
    matrix = np.zeros((3, 3))
    for axis, world in enumerate(permutation):
        matrix[world, axis] = 1.0
    return _Grid(spacing, _world_origin(origin, permutation), tuple(matrix.ravel().tolist()))


def _world_origin(value: object, permutation: tuple[int, int, int]) -> _XYZ:
    """An origin given in the array's axis order, as world (x, y, z)."""
    given = _three("origin", value)
    world = [0.0, 0.0, 0.0]
    for axis, w in enumerate(permutation):
        world[w] = given[axis]
    return (world[0], world[1], world[2])


# ---- reading each library's objects ----------------------------------------------------


def _libraries(obj: object) -> set[str]:
    """Top-level packages of the classes ``obj`` is an instance of (no imports)."""
    return {cls.__module__.partition(".")[0] for cls in type(obj).__mro__}


def _read(obj: object, name: str, kind: str = "image") -> _Raw:
    if obj is None:
        raise TypeError(f"{name}: got None; pass {_FORMS}")
    if isinstance(obj, (str, bytes, np.str_, np.bytes_)):
        raise TypeError(f"{name}: got a string {obj!r:.60}; pass {_FORMS} (not a path)")
    if isinstance(obj, Volume):
        return _Raw(
            obj.data,
            obj.source,
            0,
            True,
            None,
            obj.spacing,
            obj.origin,
            obj.direction,
            obj.frame,
            obj.full,
        )
    libraries = _libraries(obj)
    source = f"{type(obj).__module__.partition('.')[0]}.{type(obj).__name__}"
    if "monai" in libraries and hasattr(obj, "affine"):
        return _read_metatensor(obj, source, name)
    if "torch" in libraries:
        return _Raw(_torch_to_numpy(obj, name), source)
    if "nibabel" in libraries and hasattr(obj, "affine"):
        return _read_nibabel(obj, source, name)
    if "SimpleITK" in libraries and hasattr(obj, "GetSpacing"):
        return _read_simpleitk(obj, source)
    if "itk" in libraries and hasattr(obj, "GetSpacing"):
        return _read_itk(obj, source)
    if is_lazy(obj, libraries):
        array, full = read_lazy(obj, kind, name)
        spacing, origin = ome_zarr_geometry(obj) or ((1.0, 1.0, 1.0), (0.0, 0.0, 0.0))
        return _Raw(
            array,
            source,
            spacing=spacing,
            origin=origin,
            full=full,
            full_geometry=True,
            ids_checked=kind == "label" and array.ndim == 3,
        )
    if isinstance(obj, np.ndarray):
        return _Raw(obj, source)
    if hasattr(obj, "__array__"):
        return _Raw(np.asarray(obj), source)
    raise TypeError(f"{name}: cannot read a {type(obj).__name__}; pass {_FORMS}")


def _torch_to_numpy(tensor: Any, name: str) -> Array:
    import torch

    if tensor.is_complex():
        raise TypeError(f"{name}: complex tensors cannot be shown; pass a real-valued tensor")
    if tensor.layout != torch.strided:
        tensor = tensor.to_dense()
    if tensor.is_meta:
        raise ValueError(f"{name}: a tensor on the 'meta' device holds no voxels; pass real data")
    if tensor.is_floating_point() and tensor.dtype not in (
        torch.float16,
        torch.float32,
        torch.float64,
    ):
        tensor = tensor.float()  # bfloat16, float8: numpy lacks them; float32 holds every value
    # force=True detaches, copies to the CPU and resolves conj/neg bits on a new tensor
    array: Array = tensor.numpy(force=True)
    return array


def _read_metatensor(tensor: Any, source: str, name: str) -> _Raw:
    array = _torch_to_numpy(tensor.as_tensor(), name)
    affine = _affine4(tensor.affine.numpy(force=True), name)
    if affine.ndim == 3:
        return _Raw(array, source, 2, True, affine)  # collated batch: (N, C, spatial...)
    # MONAI keeps 4x4 affines for 2D images too; spatial_shape, when loaded, tells the rank
    rank = len(np.ravel(tensor.meta.get("spatial_shape", ())))
    leading = array.ndim - rank if rank in (2, 3) and array.ndim - rank in (0, 1) else None
    return _Raw(array, source, leading, True, affine)


def _affine4(value: Any, name: str) -> Array:
    """A (3x3 or 4x4) affine, or a batch of them, as float64 4x4."""
    affine = np.asarray(value, dtype=np.float64)
    size = affine.shape[-1]
    if affine.ndim not in (2, 3) or size not in (3, 4) or affine.shape[-2] != size:
        raise ValueError(f"{name}: affine must be 3x3 (2D) or 4x4 (3D), got shape {affine.shape}")
    if size == 4:
        return affine
    padded = np.zeros((*affine.shape[:-2], 4, 4))
    keep = np.array([0, 1, 3])
    padded[..., keep[:, np.newaxis], keep] = affine
    padded[..., 2, 2] = 1.0
    return padded


def _read_nibabel(image: Any, source: str, name: str) -> _Raw:
    array = np.asanyarray(image.dataobj)
    if array.ndim == 5 and array.shape[3] == 1:
        array = array[:, :, :, 0]  # NIfTI vector images keep time as axis 3
    if array.ndim not in (2, 3, 4):
        raise ValueError(
            f"{name}: nibabel image of shape {array.shape}; accepted are (i, j[, k]) and "
            "(i, j, k, C) with C volumes or components"
        )
    affine = _affine4(image.affine, name)
    if array.ndim == 4:
        return _Raw(np.moveaxis(array, 3, 0), source, 1, True, affine)
    return _Raw(array, source, 0, True, affine)


def _read_simpleitk(image: Any, source: str) -> _Raw:
    import SimpleITK as sitk

    return _itk_like(
        sitk.GetArrayFromImage(image),
        image.GetNumberOfComponentsPerPixel(),
        image.GetSpacing(),
        image.GetOrigin(),
        image.GetDirection(),
        source,
    )


def _read_itk(image: Any, source: str) -> _Raw:
    import itk

    return _itk_like(
        itk.array_from_image(image),
        image.GetNumberOfComponentsPerPixel(),
        tuple(image.GetSpacing()),
        tuple(image.GetOrigin()),
        itk.array_from_matrix(image.GetDirection()),
        source,
    )


def _itk_like(
    array: Array,
    components: int,
    spacing: Any,
    origin: Any,
    direction: Any,
    source: str,
) -> _Raw:
    """SimpleITK/itk: the array (a copy) is slice first ``(z, y, x[, C])``; the voxels are held in
    the image's own index order ``(x, y, z)`` (a transposed view), geometry in LPS."""
    n = len(spacing)
    if n not in (2, 3):
        raise ValueError(f"{source}: {n}D images cannot be shown; pass a 2D or 3D image")
    matrix = np.eye(3)
    matrix[:n, :n] = np.asarray(direction, dtype=np.float64).reshape(n, n)
    leading = 0
    if components > 1:
        array = np.moveaxis(array, -1, 0)
        leading = 1
    spatial = list(range(leading, array.ndim))
    index_order = array.transpose(*range(leading), *spatial[::-1])
    return _Raw(
        index_order,
        source,
        leading,
        True,
        spacing=_pad3(spacing, 1.0),
        origin=_pad3(origin, 0.0),
        direction=tuple(float(v) for v in matrix.ravel()),
        frame="LPS",
    )


def _pad3(values: Any, fill: float) -> tuple[float, float, float]:
    padded = [float(v) for v in values] + [fill] * (3 - len(values))
    return (padded[0], padded[1], padded[2])


# ---- batch, channel, reduction -----------------------------------------------------------


def _check_dtype(array: Array, name: str) -> None:
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{name}: dtype {array.dtype} cannot be shown; pass bool, integer or float voxels"
        )


def _select(
    raw: _Raw, kind: str, index: int | None, channel: int | None, threshold: float | None, name: str
) -> tuple[Array, Array | None]:
    """Pick the batch item and channel; return the spatial array and its affine (if any)."""
    array, affine = raw.array, raw.affine
    leading = _leading(array, channel, name) if raw.leading is None else raw.leading
    if 0 in array.shape:
        raise ValueError(f"{name}: empty array of shape {array.shape}")
    if leading == 2:
        item = _pick(index, array.shape[0], "index", "batch item of (N, C, ...)", name)
        array = array[item]
        if affine is not None and affine.ndim == 3:
            affine = affine[item]
    elif index is not None:
        raise ValueError(
            f"{name}: index= picks a batch item, but shape {raw.array.shape} has no batch axis; "
            "batches are (N, C, x, y, z)"
        )
    if leading >= 1:
        array = _channel(array, kind, channel, threshold is not None, name)
    elif channel is not None:
        raise ValueError(
            f"{name}: channel= picks a channel, but shape {raw.array.shape} has no channel "
            f"axis; accepted layouts: {_LAYOUTS}"
        )
    if array.ndim not in (2, 3):
        raise ValueError(f"{name}: shape {raw.array.shape} is not one of {_LAYOUTS}")
    if threshold is not None:
        array = (array >= threshold).astype(np.uint8)
    return array, affine


def _leading(array: Array, channel: int | None, name: str) -> int:
    """How many of a plain array's leading axes are batch/channel (see the layout rule)."""
    ndim = array.ndim
    if ndim == 3:
        return 1 if channel is not None else 0
    if ndim in (2, 4, 5):
        return {2: 0, 4: 1, 5: 2}[ndim]
    what = "a scalar" if ndim == 0 else f"{ndim}D array of shape {array.shape}"
    raise ValueError(f"{name}: got {what}; accepted layouts: {_LAYOUTS}")


def _pick(value: int | None, size: int, keyword: str, what: str, name: str) -> int:
    if value is None:
        if size == 1:
            return 0
        raise ValueError(f"{name}: {size} choices on the {what} axis; pass {keyword}=0..{size - 1}")
    if isinstance(value, bool):
        raise TypeError(f"{name}: {keyword} must be an int, got {value!r}")
    try:
        position = operator.index(value)
    except TypeError:
        raise TypeError(f"{name}: {keyword} must be an int, got {value!r}") from None
    if not -size <= position < size:
        raise ValueError(f"{name}: {keyword}={value} is out of range for {size} ({what})")
    return position


def _channel(array: Array, kind: str, channel: int | None, threshold: bool, name: str) -> Array:
    """Axis 0 is the channel: pick one, or reduce a label's channels by argmax."""
    count = array.shape[0]
    if channel is not None or count == 1:
        picked: Array = array[_pick(channel, count, "channel", "channel", name)]
        return picked
    if kind != "label":
        raise ValueError(
            f"{name}: {count} channels on axis 0 of shape {array.shape}; "
            f"pass channel=0..{count - 1} (layouts: {_LAYOUTS})"
        )
    if threshold:
        raise ValueError(
            f"{name}: threshold= applies to one probability channel, but there are {count}; "
            "pass channel= with it, or leave threshold out to take the argmax over channels"
        )
    if array.dtype.kind in "iu" and (array.min() < 0 or array.max() > 1):
        raise ValueError(
            f"{name}: {count} channels of integer ids on axis 0 of shape {array.shape} are "
            "neither one-hot nor a single class map; pass channel=, or an (x, y, z) class map"
        )
    classes: Array = np.argmax(array, axis=0).astype(np.uint8 if count <= 256 else np.uint16)
    return classes


# ---- geometry and values -----------------------------------------------------------------


def _affine_grid(array: Array, affine: Array, name: str) -> tuple[Array, _Grid]:
    """Array axes placed by a 4x4 ``affine`` (column a = axis a): the array and its grid."""
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    columns = affine[:3, :3]
    steps = np.linalg.norm(columns, axis=0)
    if np.any(steps == 0) or not np.all(np.isfinite(affine)):
        raise ValueError(f"{name}: affine {affine.tolist()} is singular or not finite")
    direction = tuple((columns / steps).ravel().tolist())
    return array, _Grid(_pad3(steps, 1.0), _pad3(affine[:3, 3], 0.0), direction)


MAX_LABEL_ID = 65535


def check_label(data: Array, name: str) -> Array:
    if data.dtype == np.bool_:
        return data.astype(np.uint8)
    if data.dtype.kind == "f":
        if not np.all(np.isfinite(data)):
            raise ValueError(f"{name}: label holds NaN or Inf; labels are class ids")
        if not np.array_equal(data, np.round(data)):
            raise ValueError(
                f"{name}: float label with non-integer values (probabilities?); pass "
                "threshold= for one probability channel, or a (C, x, y, z) array whose channel "
                "axis is reduced by argmax, or integer class ids"
            )
    if data.dtype.kind in "if" and data.min() < 0:
        raise ValueError(f"{name}: negative label id {data.min()}; label ids must be >= 0")
    if data.size and data.max() > MAX_LABEL_ID:
        raise ValueError(
            f"{name}: label id {data.max()} is above {MAX_LABEL_ID}, the largest the viewer "
            "draws; labels are class ids 0..65535 (uint8/uint16, or any integer type holding "
            "such ids)"
        )
    return data


def _three(keyword: str, value: object) -> _XYZ:
    numbers = np.asarray(value, dtype=np.float64).ravel()
    if numbers.shape != (3,):
        raise ValueError(f"{keyword} must be three numbers, one per array axis, got {value!r}")
    return (float(numbers[0]), float(numbers[1]), float(numbers[2]))


def _direction(value: object) -> tuple[float, ...]:
    matrix = np.asarray(value, dtype=np.float64)
    if matrix.size != 9:
        raise ValueError(f"direction must be a 3x3 matrix or 9 numbers row-major, got {value!r}")
    return tuple(matrix.ravel().tolist())


def _number(value: object, keyword: str, name: str) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{name}: {keyword} must be a number, got {value!r}") from None
