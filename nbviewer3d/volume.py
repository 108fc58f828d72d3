"""Volume: voxels in the layout the user gave, plus the geometry that places them in space.

The axis convention is stated once, in :mod:`nbviewer3d.inputs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from .lazy import LazySource

Kind = Literal["image", "label", "heatmap"]
KINDS: tuple[Kind, ...] = ("image", "label", "heatmap")
Frame = Literal["RAS", "LPS"]
FRAMES: tuple[Frame, ...] = ("RAS", "LPS")

_IDENTITY = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
# LPS <-> RAS: the world x and y axes point the other way
_FLIP_XY = np.diag([-1.0, -1.0, 1.0])


def _triple(name: str, value: object) -> tuple[float, float, float]:
    arr = np.asarray(value, dtype=np.float64).ravel()
    if arr.shape != (3,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be three finite numbers, got {value!r}")
    return (float(arr[0]), float(arr[1]), float(arr[2]))


@dataclass(frozen=True)
class Volume:
    """A 3D grid of voxels, held in the layout the user passed or logged (no transposes).

    ``data`` is the 3D array (C- or F-contiguous as given, read-only when it came through
    :func:`nbviewer3d.as_volume`); ``spacing`` is the voxel size along each array axis, in
    millimetres; ``origin`` is the world position of voxel ``[0, 0, 0]``; ``direction`` is the
    3x3 row-major matrix whose column ``a`` is the world direction of array axis ``a``.
    ``frame`` names the world of origin and direction: ``"RAS"`` (NIfTI, MONAI, nibabel; the
    default) or ``"LPS"`` (DICOM, ITK); the browser shows everything in RAS. ``kind`` says
    whether the voxels are intensities (``image``), class ids (``label``) or a continuous map
    drawn over the image (``heatmap``: a class activation map, saliency, a probability).
    ``source`` names where the voxels came from; ``lossy`` holds a sentence when that source
    did not keep the values the user logged (MONAI's 8-bit GIFs), else ``None``.
    ``full`` is set when ``data`` is a pyramid level of a lazy input too large for the kernel
    (dask, zarr, a memmap...): it holds that source at full resolution, ``full.shape`` its
    real size and ``full.factors`` the downsampling of ``data``; else ``None``.
    ``np.asarray(volume)`` is ``volume.data``. The axis convention is in :mod:`nbviewer3d.inputs`.
    """

    data: npt.NDArray[np.generic]
    spacing: tuple[float, float, float] = (1.0, 1.0, 1.0)
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0)
    direction: tuple[float, ...] = _IDENTITY
    kind: Kind = "image"
    source: str = "array"
    lossy: str | None = field(default=None, compare=False)
    frame: Frame = "RAS"
    full: LazySource | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.data, np.ndarray) or self.data.ndim != 3:
            raise ValueError("Volume.data must be a 3D numpy array")
        if self.kind not in KINDS:
            raise ValueError(f"Volume.kind must be one of {KINDS}, got {self.kind!r}")
        if self.frame not in FRAMES:
            raise ValueError(f"Volume.frame must be one of {FRAMES}, got {self.frame!r}")
        spacing = _triple("spacing", self.spacing)
        if min(spacing) <= 0:
            raise ValueError(f"spacing must be positive, got {spacing}")
        object.__setattr__(self, "spacing", spacing)
        object.__setattr__(self, "origin", _triple("origin", self.origin))
        direction = np.asarray(self.direction, dtype=np.float64).ravel()
        if direction.shape != (9,) or not np.all(np.isfinite(direction)):
            raise ValueError("direction must be a 3x3 matrix (9 numbers, row-major)")
        if abs(np.linalg.det(direction.reshape(3, 3))) < 1e-6:
            raise ValueError(f"direction {direction.tolist()} is singular")
        object.__setattr__(self, "direction", tuple(float(v) for v in direction))

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> npt.NDArray[Any]:
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    @property
    def shape(self) -> tuple[int, int, int]:
        """Voxel counts per array axis."""
        a, b, c = self.data.shape
        return (a, b, c)

    @property
    def ras_origin(self) -> tuple[float, float, float]:
        """``origin`` in RAS world coordinates."""
        if self.frame == "RAS":
            return self.origin
        x, y, z = self.origin
        return (-x, -y, z)

    @property
    def ras_direction(self) -> npt.NDArray[np.float64]:
        """``direction`` as a 3x3 matrix in RAS world coordinates (column a = array axis a)."""
        matrix = np.asarray(self.direction, dtype=np.float64).reshape(3, 3)
        return matrix if self.frame == "RAS" else _FLIP_XY @ matrix

    def world(self, index: object) -> npt.NDArray[np.float64]:
        """RAS world position (mm) of voxel ``index`` (one (i, j, k) or an (n, 3) array)."""
        ijk = np.asarray(index, dtype=np.float64)
        steps = ijk * np.asarray(self.spacing)
        result: npt.NDArray[np.float64] = steps @ self.ras_direction.T + np.asarray(self.ras_origin)
        return result

    def same_grid(self, other: Volume, atol: float = 1e-4) -> bool:
        """Whether ``other`` has the same voxel grid, so that the two overlay voxel for voxel."""
        return (
            self.shape == other.shape
            and np.allclose(self.spacing, other.spacing, atol=atol)
            and np.allclose(self.ras_origin, other.ras_origin, atol=atol)
            and np.allclose(self.ras_direction, other.ras_direction, atol=atol)
        )

    def describe_grid(self) -> str:
        sp = ", ".join(f"{s:g}" for s in self.spacing)
        org = ", ".join(f"{o:g}" for o in self.origin)
        axes = ", ".join(
            _axis_name(column) for column in np.asarray(self.direction).reshape(3, 3).T
        )
        return (
            f"shape {self.shape}, spacing per axis ({sp}), origin ({org}) {self.frame}, "
            f"axis directions ({axes})"
        )


def _axis_name(column: npt.NDArray[np.float64]) -> str:
    """``+x``, ``-z``... for an axis along a world axis, else its three components."""
    k = int(np.argmax(np.abs(column)))
    if np.allclose(np.abs(column), np.eye(3)[k], atol=1e-6):
        return ("+" if column[k] > 0 else "-") + "xyz"[k]
    return "(" + " ".join(f"{v:.3g}" for v in column) + ")"


def on_grid(volume: Volume, reference: Volume, role: str) -> Volume:
    """Put a label on the image's grid: it must match the image voxel for voxel.

    A label without geometry of its own (a bare array, a GIF from MONAI) takes the image's;
    one with geometry must have the image's. The error names both grids.
    """
    if volume.shape != reference.shape:
        raise ValueError(
            f"the {role}'s grid differs from the image's: {role} has shape {volume.shape}, "
            f"image has {reference.shape}; a {role} must hold one class id per image voxel, "
            "in the same array layout as the image (resample or transpose it first)"
        )
    bare = Volume(volume.data)
    if volume.full is not None:  # a level of a lazy input: what a bare input's level has
        factors = np.asarray(volume.full.factors, dtype=np.float64)
        bare = Volume(volume.data, spacing=tuple(factors), origin=tuple((factors - 1) / 2))
    if volume.same_grid(bare) and not reference.same_grid(bare):
        return replace(
            volume,
            spacing=reference.spacing,
            origin=reference.origin,
            direction=reference.direction,
            frame=reference.frame,
        )
    if not volume.same_grid(reference):
        raise ValueError(
            f"the {role}'s grid differs from the image's: {role} {volume.describe_grid()}; "
            f"image {reference.describe_grid()}"
        )
    return volume
