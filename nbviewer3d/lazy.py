"""Inputs too large to copy into the kernel: dask, zarr (OME-Zarr too), xarray, np.memmap.

Such an input is read slab by slab along axis 0, never whole. One that fits the kernel's
budget for a volume (:data:`KERNEL_VOLUME_BYTES`, :func:`set_lazy_budget`) is read into one
new array (a read-only memmap is used as it is); a larger one is kept as the largest pyramid
level (:mod:`nbviewer3d.pyramid`) that fits, or for OME-Zarr the finest stored level that
fits, with a :class:`LazyLevelWarning`. The budget counts 4 bytes a voxel whatever the dtype,
so an image and its label of one shape keep the same level and stay on one grid.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .pyramid import Factors, downsample, level_shape, plan_levels, slab_rows

BUDGET_ITEMSIZE = 4


def _default_budget() -> int:
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):  # no sysconf (Windows): assume 8 GiB
        ram = 8 * 2**30
    return min(512 * 2**20, ram // 10)


KERNEL_VOLUME_BYTES = _default_budget()


def set_lazy_budget(nbytes: int) -> None:
    """Set how many bytes of voxels (counted at 4 bytes a voxel) one volume read from a lazy
    input (dask, zarr, xarray, np.memmap) may hold in the kernel; larger inputs are kept as a
    downsampled level. Default: 512 MiB, or a tenth of the RAM if that is less."""
    global KERNEL_VOLUME_BYTES
    if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes <= 0:
        raise ValueError(f"set_lazy_budget takes a positive number of bytes, got {nbytes!r}")
    KERNEL_VOLUME_BYTES = nbytes


class LazyLevelWarning(UserWarning):
    """A lazy input larger than the kernel's budget is shown downsampled."""


@dataclass(frozen=True)
class LazySource:
    """A lazy input at full resolution, behind a Volume that holds a downsampled level of it.

    ``array`` is the input as given (any array with shape, dtype and numpy slicing),
    ``shape`` and ``dtype`` its own; ``factors`` the downsampling of its last three axes in
    the level kept (``volume.data``).
    """

    array: Any
    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    factors: Factors


# arrays made here: new, read-only, referenced by nobody else (viewer._owned keeps them)
_MADE: weakref.WeakValueDictionary[int, npt.NDArray[Any]] = weakref.WeakValueDictionary()


def kernel_owned(data: npt.NDArray[Any]) -> bool:
    """Whether ``data`` views an array made here or a read-only memmap: no one can write it."""
    root = data
    while isinstance(root.base, np.ndarray):
        root = root.base
    if isinstance(root, np.memmap) and root.mode == "r":
        return True
    return _MADE.get(id(root)) is root


def is_lazy(obj: object, libraries: set[str]) -> bool:
    """Whether ``obj`` is read here (``libraries``: the packages of its classes)."""
    if isinstance(obj, np.memmap):
        return True
    if "dask" in libraries and hasattr(obj, "chunks") and hasattr(obj, "dtype"):
        return True
    if "xarray" in libraries and hasattr(obj, "dims") and hasattr(obj, "dtype"):
        return True
    return "zarr" in libraries and (hasattr(obj, "dtype") or hasattr(obj, "attrs"))


def read_lazy(
    obj: Any, kind: str, name: str = "image"
) -> tuple[npt.NDArray[Any], LazySource | None]:
    """The voxels of a lazy input, read slab by slab: all of them when they fit the budget
    (``None``: nothing else to keep), else a pyramid level that fits and the source behind it.
    ``kind`` "label" checks the ids of each slab of a 3D input as it is read (and reduces by
    block mode)."""
    levels = _stored_levels(obj, name)
    full = levels[0]
    shape = tuple(int(n) for n in full.shape)
    if _fits(shape):
        if isinstance(full, np.memmap) and full.mode == "r":
            if kind == "label" and full.ndim == 3:
                for start, stop in _slab_bounds(shape, full.dtype.itemsize, 1):
                    _check_label(full[start:stop], name)
            return full, None
        return _read_whole(full, kind, name), None
    stored = next((i for i, level in enumerate(levels) if _fits(level.shape)), None)
    chosen = levels[-1 if stored is None else stored]
    stored_factors = _factors(shape, tuple(int(n) for n in chosen.shape))
    if stored is not None:
        data = _read_whole(chosen, kind, name)
        factors = stored_factors
        why = "the finest level the OME-Zarr group stores that fits"
    else:
        data, more = _read_level(chosen, kind, name)
        factors = (
            stored_factors[0] * more[0],
            stored_factors[1] * more[1],
            stored_factors[2] * more[2],
        )
        why = "the largest pyramid level that fits (block " + (
            "mode, the most common id)" if kind == "label" else "mean)"
        )
    _warn(name, full, data, factors, why)
    source = LazySource(full, shape, np.dtype(full.dtype), factors)
    return data, source


def ome_zarr_geometry(
    group: Any,
) -> tuple[tuple[float, float, float], tuple[float, float, float]] | None:
    """Spacing and origin (per array axis, the last three) of an OME-Zarr group's full
    resolution level, in the units its axes name; ``None`` for anything else."""
    multiscales = _multiscales(group)
    if multiscales is None:
        return None
    scale, translation = _transform(multiscales[0]["datasets"][0], multiscales[0])
    ones = [1.0, 1.0, 1.0, *scale][-3:]
    zeros = [0.0, 0.0, 0.0, *translation][-3:]
    return (ones[0], ones[1], ones[2]), (zeros[0], zeros[1], zeros[2])


def _fits(shape: tuple[int, ...]) -> bool:
    return math.prod(shape) * BUDGET_ITEMSIZE <= KERNEL_VOLUME_BYTES


def _multiscales(obj: Any) -> list[dict[str, Any]] | None:
    attrs = getattr(obj, "attrs", None)
    if attrs is None or hasattr(obj, "dtype"):
        return None
    attributes = dict(attrs)
    meta = attributes.get("ome", attributes)  # OME-Zarr 0.5 nests its metadata under "ome"
    multiscales = meta.get("multiscales") if isinstance(meta, dict) else None
    return multiscales if isinstance(multiscales, list) and multiscales else None


def _transform(dataset: dict[str, Any], multiscale: dict[str, Any]) -> tuple[Any, Any]:
    """A dataset's scale and translation, composed with the multiscale's own (if any)."""
    scale: Any = None
    translation: Any = None
    for owner in (dataset, multiscale):
        for transform in owner.get("coordinateTransformations", []):
            if transform.get("type") == "scale":
                value = np.asarray(transform["scale"], dtype=np.float64)
                scale = value if scale is None else scale * value
                translation = None if translation is None else translation * value
            elif transform.get("type") == "translation":
                value = np.asarray(transform["translation"], dtype=np.float64)
                translation = value if translation is None else translation + value
    return (
        [] if scale is None else scale.tolist(),
        [] if translation is None else translation.tolist(),
    )


def _stored_levels(obj: Any, name: str) -> list[Any]:
    """The input's levels, finest first: an OME-Zarr group's arrays, else the input alone."""
    if hasattr(obj, "dtype") and hasattr(obj, "shape"):
        return [obj]
    multiscales = _multiscales(obj)
    if multiscales is None:
        raise TypeError(
            f"{name}: a zarr group without OME-Zarr multiscales metadata; pass one of its "
            "arrays (group['name'])"
        )
    return [obj[dataset["path"]] for dataset in multiscales[0]["datasets"]]


def _factors(full: tuple[int, ...], level: tuple[int, ...]) -> Factors:
    a, b, c = (max(1, round(n / m)) for n, m in zip(full[-3:], level[-3:], strict=True))
    return (a, b, c)


def _read_whole(array: Any, kind: str, name: str) -> npt.NDArray[Any]:
    """A new read-only copy of ``array``, read slab by slab (labels checked as they come)."""
    shape = tuple(int(n) for n in array.shape)
    dtype = np.dtype(array.dtype)
    data = np.empty(shape, dtype=dtype)
    for start, stop in _slab_bounds(shape, dtype.itemsize, 1):
        slab = np.asarray(array[start:stop])
        if kind == "label" and len(shape) == 3:  # (C, x, y, z) ids are checked once reduced
            _check_label(slab, name)
        data[start:stop] = slab
    return _made(data)


def _read_level(array: Any, kind: str, name: str) -> tuple[npt.NDArray[Any], Factors]:
    """The largest pyramid level of ``array`` that fits, computed slab by slab."""
    shape = tuple(int(n) for n in array.shape)
    dtype = np.dtype(array.dtype)
    leading, spatial = shape[:-3], shape[-3:]
    if len(shape) < 3 or any(n != 1 for n in leading):
        raise ValueError(
            f"{name}: a lazy input of shape {shape} ({dtype}) is larger than the kernel's "
            f"budget for a volume ({KERNEL_VOLUME_BYTES / 2**20:.0f} MiB) and is not one 3D "
            "volume; pass one (x, y, z) volume of it (array[c], read lazily), or raise the "
            "budget with nbviewer3d.set_lazy_budget(nbytes)"
        )
    volume = array[(0,) * len(leading)] if leading else array
    x, y, z = spatial
    factors = plan_levels((x, y, z), BUDGET_ITEMSIZE, KERNEL_VOLUME_BYTES)[-1]
    reduce_kind = "label" if kind == "label" else "image"
    level: npt.NDArray[Any] | None = None
    for start, stop in _slab_bounds(spatial, dtype.itemsize, factors[0]):
        slab = np.asarray(volume[start:stop])
        if kind == "label":
            _check_label(slab, name)
        reduced = downsample(slab, factors, reduce_kind)
        if level is None:
            level = np.empty(level_shape((x, y, z), factors), dtype=reduced.dtype)
        first = start // factors[0]
        level[first : first + reduced.shape[0]] = reduced
    assert level is not None  # a shape with no voxels fits any budget
    return _made(level.reshape(*leading, *level.shape)), factors


def _slab_bounds(shape: tuple[int, ...], itemsize: int, multiple: int) -> list[tuple[int, int]]:
    rows = slab_rows(shape, itemsize, multiple)
    return [(start, min(start + rows, shape[0])) for start in range(0, shape[0], rows)]


def _check_label(slab: npt.NDArray[Any], name: str) -> None:
    from .inputs import check_label  # inputs reads lazy inputs through this module

    check_label(slab, name)


def _made(data: npt.NDArray[Any]) -> npt.NDArray[Any]:
    root = data if data.base is None else data.base
    assert isinstance(root, np.ndarray)
    _MADE[id(root)] = root
    data.flags.writeable = False
    root.flags.writeable = False
    return data


def _warn(name: str, full: Any, data: npt.NDArray[Any], factors: Factors, why: str) -> None:
    shape = tuple(int(n) for n in full.shape)
    size = math.prod(shape) * np.dtype(full.dtype).itemsize
    warnings.warn(
        f"{name}: the input of shape {shape} ({np.dtype(full.dtype)}, {_size(size)}) is larger "
        f"than the kernel's budget for one volume ({_size(KERNEL_VOLUME_BYTES)} at 4 bytes a "
        f"voxel); it is shown downsampled by {factors} to shape {tuple(data.shape)}: {why}. "
        "volume.full keeps the input at full resolution. To keep more voxels, raise the "
        "budget before view()/add(): nbviewer3d.set_lazy_budget(nbytes)",
        LazyLevelWarning,
        stacklevel=_user_stacklevel(),
    )


def _size(nbytes: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes} bytes"


def _user_stacklevel() -> int:
    """The stacklevel of the first caller outside nbviewer3d (the user's line)."""
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        package
    ):
        frame = frame.f_back
        level += 1
    return level
