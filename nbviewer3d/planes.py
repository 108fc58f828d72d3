"""Full-resolution planes for slice views that show a coarser level of a step.

A step too large for the browser's texture limit or ``cache_mb`` is drawn at a coarser level
(see :mod:`delivery`), and so are its slice views. A slice view then asks for the one plane it
shows at full resolution: a few MB even for a whole-body CT, read from a lazy input's source
(dask, zarr, a memmap) when the kernel itself holds only a level of it.

    browser -> kernel   {"type": "plane", "step": s, "version": v, "axis": a, "index": i}
                        (axis: an array axis of the step, index: a voxel along it in level 0)
    kernel -> browser   {"type": "plane", "step": s, "version": v, "axis": a, "index": i,
                         "volumes": [meta, ...], "sizes": [...], "transport": t}
                        (no volumes and a "skipped" reason for a plane above PLANE_BYTES)

:meth:`delivery.Delivery.plane` answers. Each meta is :func:`transport.encode`'s for the
plane (shape 1 along ``axis``, its origin where that plane of the step lies) with the volume's
own ``range``, so the browser decodes it as any volume; ``buffers[i]`` holds volume ``i``'s
bytes, or with the base64 transport the meta's ``data``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .volume import Volume

# A plane above this many bytes (all volumes, before compression) is not sent: its reply holds
# no volumes and says why, and the slice view keeps the coarse slice.
PLANE_BYTES = 16 * 2**20


def plane_volume(volume: Volume, axis: int, index: int) -> Volume:
    """Voxel plane ``index`` along array ``axis`` of ``volume`` as a one-voxel-thick volume at
    full resolution: from the lazy source when the kernel holds a level of it (``index`` is
    then a voxel of that level: the plane through the middle of its block)."""
    if axis not in (0, 1, 2):
        raise ValueError(f"axis must be 0, 1 or 2 (an array axis), got {axis!r}")
    shape = volume.data.shape
    if not 0 <= index < shape[axis]:
        raise ValueError(f"index {index} is outside axis {axis} of a volume of shape {shape}")
    if volume.full is None:
        data, spacing, origin, at = volume.data, volume.spacing, volume.origin, index
    else:
        data, spacing, origin = _source_grid(volume)
        factor = volume.full.factors[axis]
        at = min(index * factor + (factor - 1) // 2, volume.full.shape[-3:][axis] - 1)
    where: list[Any] = [slice(None)] * 3
    where[axis] = slice(at, at + 1)
    plane = np.ascontiguousarray(np.asarray(data[tuple(where)]))
    plane.flags.writeable = False
    matrix = np.asarray(volume.direction, dtype=np.float64).reshape(3, 3)
    moved = np.asarray(origin, dtype=np.float64) + matrix[:, axis] * spacing[axis] * at
    x, y, z = (float(v) for v in moved)
    return dataclasses.replace(volume, data=plane, spacing=spacing, origin=(x, y, z), full=None)


def plane_bytes(volume: Volume, axis: int) -> int:
    """The bytes of one full-resolution plane along ``axis`` (of the lazy source, if any)."""
    shape = volume.data.shape if volume.full is None else volume.full.shape[-3:]
    itemsize = np.dtype(volume.data.dtype if volume.full is None else volume.full.dtype).itemsize
    return int(np.prod(shape)) // int(shape[axis]) * itemsize


def _source_grid(
    volume: Volume,
) -> tuple[Any, tuple[float, float, float], tuple[float, float, float]]:
    """A lazy level's source as a 3D array, with its spacing and origin (the inverse of
    :func:`pyramid.level_geometry`)."""
    source = volume.full
    assert source is not None
    array = source.array
    leading = len(source.shape) - 3
    if leading:
        array = array[(0,) * leading]
    factors = np.asarray(source.factors, dtype=np.float64)
    steps = np.asarray(volume.spacing, dtype=np.float64) / factors
    matrix = np.asarray(volume.direction, dtype=np.float64).reshape(3, 3)
    origin = np.asarray(volume.origin, dtype=np.float64) - matrix @ ((factors - 1) / 2 * steps)
    a, b, c = (float(v) for v in steps)
    x, y, z = (float(v) for v in origin)
    return array, (a, b, c), (x, y, z)
