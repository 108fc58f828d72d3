"""Turn the arrays and images users hold into a :class:`~nbviewer3d.volume.Volume`.

Accepted inputs: numpy arrays, torch tensors (any device, with or without grad), MONAI
``MetaTensor``, nibabel images, SimpleITK and itk images, and anything with ``__array__``
(dask, xarray, zarr, ...). torch, MONAI, nibabel, SimpleITK and itk are optional: each is
imported only when the input is one of its types.

Layout rule
-----------
* An input without geometry (numpy, torch, ``__array__``) is read in numpy/vtk order, slice
  index first, whatever its library: ``(z, y, x)`` as given, ``(y, x)`` as a one-slice
  volume, ``(C, z, y, x)`` channel first and ``(N, C, z, y, x)`` batch first (MONAI's
  ``CHW[D]`` / ``NCHW[D]``, read with the spatial axes in the order they come). A 3D input
  is ``(z, y, x)`` unless ``channel=`` is given; then it is ``(C, y, x)``, one 2D image.
* An input with an affine (MONAI ``MetaTensor``, nibabel) is placed by its affine: array
  axes 0, 1, 2 (after batch and channel) are affine columns 0, 1, 2 and become the volume's
  x, y, z, so ``arr[i, j, k]`` lands at ``data[k, j, i]``. nibabel's 4th axis (time or
  components) is the channel axis.
* SimpleITK and itk images are already ``(z, y, x)`` as arrays; their spacing, origin and
  direction are used as they are (multi-component pixels are the channel axis).

World coordinates are the input's own: RAS for nibabel and MetaTensor affines, LPS for
SimpleITK and itk. ``spacing``, ``origin`` (both ``(x, y, z)``) and ``direction`` (3x3,
columns = the x, y, z axis directions) given as keywords replace what the input carries.

Values are not altered: dtype, NaN and Inf stay as given (narrowing for the wire happens in
``transport``); only bool becomes uint8 and torch dtypes numpy lacks (bfloat16, float8)
become float32. The returned data may share memory with the input and is read-only.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .volume import KINDS, Volume

Array = npt.NDArray[Any]
_XYZ = tuple[float, float, float]
_Grid = tuple[_XYZ, _XYZ, tuple[float, ...]]  # spacing, origin, direction

_FORMS = (
    "a numpy array, torch tensor, MONAI MetaTensor, nibabel image, SimpleITK or itk image, "
    "or an object with __array__"
)
_LAYOUTS = "(z, y, x), (y, x), (C, z, y, x) or (N, C, z, y, x)"
_IDENTITY = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class _Raw:
    """An input read into numpy, before batch/channel selection and reorientation."""

    array: Array
    source: str
    # how many leading non-spatial axes the array has: None = decide from ndim (plain arrays)
    leading: int | None = None
    # 4x4 (or batched (N, 4, 4)) affine whose columns 0-2 place the array's spatial axes
    affine: Array | None = None
    spacing: tuple[float, float, float] = (1.0, 1.0, 1.0)
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0)
    direction: tuple[float, ...] = _IDENTITY


def as_volume(
    obj: object,
    *,
    kind: str = "image",
    index: int | None = None,
    channel: int | None = None,
    spacing: object = None,
    origin: object = None,
    direction: object = None,
    threshold: float | None = None,
    name: str = "image",
) -> Volume:
    """Read ``obj`` into a Volume indexed ``[z, y, x]`` with its spacing, origin and direction.

    ``obj`` is a numpy array, torch tensor (any device, with grad or not: read through a
    detached CPU copy or view, the tensor untouched), MONAI MetaTensor, nibabel image,
    SimpleITK or itk image, or an object with ``__array__``. Plain arrays and tensors are
    ``(z, y, x)`` as given, ``(y, x)`` (one slice), ``(C, z, y, x)`` or ``(N, C, z, y, x)``;
    a 3D input with ``channel=`` is ``(C, y, x)``. MetaTensor and nibabel inputs are placed
    by their affine: array axis 0 is x, so ``arr[i, j, k]`` becomes ``data[k, j, i]``. See
    the module docstring.

    ``kind``: ``"image"`` (intensities) or ``"label"`` (non-negative integer class ids; bool
    and integral floats accepted). ``index``: the batch item of an ``(N, C, ...)`` input,
    needed when N > 1. ``channel``: the channel to show; without it a single channel is
    taken, images with several channels are an error, and labels with several channels
    (one-hot, probabilities, logits) become their argmax. ``threshold``: for labels, turns
    one probability channel into ``0``/``1`` by ``value >= threshold``. ``spacing`` and
    ``origin`` ``(x, y, z)`` and ``direction`` (3x3 or 9 numbers row-major) replace the
    input's geometry. ``name`` names the input in error messages.
    """
    if kind not in KINDS:
        raise ValueError(f"{name}: kind must be one of {KINDS}, got {kind!r}")
    if threshold is not None:
        if kind != "label":
            raise ValueError(
                f"{name}: threshold= turns probabilities into a label; it does not apply to an "
                'image (pass kind="label", or leave threshold out)'
            )
        if isinstance(threshold, bool) or not np.isfinite(_number(threshold, "threshold", name)):
            raise ValueError(f"{name}: threshold must be a finite number, got {threshold!r}")
    raw = _read(obj, name)
    _check_dtype(raw.array, name)
    array, affine = _select(raw, kind, index, channel, threshold, name)
    if affine is None:
        data = array[np.newaxis] if array.ndim == 2 else array
        grid: _Grid = (raw.spacing, raw.origin, raw.direction)
    else:
        data, grid = _reorient(array, affine, name)
    if kind == "label":
        data = _check_label(data, name)
    elif data.dtype == np.bool_:
        data = data.astype(np.uint8)
    data = np.ascontiguousarray(data).view()
    data.flags.writeable = False  # it may share the user's buffer: no way back into it
    try:
        return Volume(
            data=data,
            spacing=grid[0] if spacing is None else _xyz("spacing", spacing),
            origin=grid[1] if origin is None else _xyz("origin", origin),
            direction=grid[2] if direction is None else _direction(direction),
            kind="label" if kind == "label" else "image",
            source=raw.source,
        )
    except (TypeError, ValueError) as error:
        raise type(error)(f"{name}: {error}") from None


# ---- reading each library's objects ----------------------------------------------------


def _libraries(obj: object) -> set[str]:
    """Top-level packages of the classes ``obj`` is an instance of (no imports)."""
    return {cls.__module__.partition(".")[0] for cls in type(obj).__mro__}


def _read(obj: object, name: str) -> _Raw:
    if obj is None:
        raise TypeError(f"{name}: got None; pass {_FORMS}")
    if isinstance(obj, (str, bytes, np.str_, np.bytes_)):
        raise TypeError(f"{name}: got a string {obj!r:.60}; pass {_FORMS} (not a path)")
    if isinstance(obj, Volume):
        return _Raw(obj.data, obj.source, 0, None, obj.spacing, obj.origin, obj.direction)
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
        return _Raw(array, source, 2, affine)  # collated batch: (N, C, spatial...)
    # MONAI keeps 4x4 affines for 2D images too; spatial_shape, when loaded, tells the rank
    rank = len(np.ravel(tensor.meta.get("spatial_shape", ())))
    leading = array.ndim - rank if rank in (2, 3) and array.ndim - rank in (0, 1) else None
    return _Raw(array, source, leading, affine)


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
        return _Raw(np.moveaxis(array, 3, 0), source, 1, affine)
    return _Raw(array, source, 0, affine)


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
    """SimpleITK/itk: array already (z, y, x[, C]); geometry in (x, y, z), 2D or 3D."""
    n = len(spacing)
    if n not in (2, 3):
        raise ValueError(f"{source}: {n}D images cannot be shown; pass a 2D or 3D image")
    matrix = np.eye(3)
    matrix[:n, :n] = np.asarray(direction, dtype=np.float64).reshape(n, n)
    leading = 0
    if components > 1:
        array = np.moveaxis(array, -1, 0)
        leading = 1
    return _Raw(
        array,
        source,
        leading,
        spacing=_pad3(spacing, 1.0),
        origin=_pad3(origin, 0.0),
        direction=tuple(float(v) for v in matrix.ravel()),
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
            "batches are (N, C, z, y, x)"
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
    if kind == "image":
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
            "neither one-hot nor a single class map; pass channel=, or a (z, y, x) class map"
        )
    classes: Array = np.argmax(array, axis=0).astype(np.uint8 if count <= 256 else np.uint16)
    return classes


# ---- geometry and values -----------------------------------------------------------------


def _reorient(array: Array, affine: Array, name: str) -> tuple[Array, _Grid]:
    """Array axes (x, y[, z]) placed by a 4x4 ``affine`` -> data [z, y, x] and its geometry."""
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    columns = affine[:3, :3]
    steps = np.linalg.norm(columns, axis=0)
    if np.any(steps == 0) or not np.all(np.isfinite(affine)):
        raise ValueError(f"{name}: affine {affine.tolist()} is singular or not finite")
    direction = tuple((columns / steps).ravel().tolist())
    return array.T, (_pad3(steps, 1.0), _pad3(affine[:3, 3], 0.0), direction)


def _check_label(data: Array, name: str) -> Array:
    if data.dtype == np.bool_:
        return data.astype(np.uint8)
    if data.dtype.kind == "f":
        if not np.all(np.isfinite(data)):
            raise ValueError(f"{name}: label holds NaN or Inf; labels are class ids")
        if not np.array_equal(data, np.round(data)):
            raise ValueError(
                f"{name}: float label with non-integer values (probabilities?); pass "
                "threshold= for one probability channel, or a (C, z, y, x) array whose channel "
                "axis is reduced by argmax, or integer class ids"
            )
    if data.dtype.kind in "if" and data.min() < 0:
        raise ValueError(f"{name}: negative label id {data.min()}; label ids must be >= 0")
    return data


def _xyz(keyword: str, value: object) -> tuple[float, float, float]:
    numbers = np.asarray(value, dtype=np.float64).ravel()
    if numbers.shape != (3,):
        raise ValueError(f"{keyword} must be three numbers in (x, y, z) order, got {value!r}")
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
