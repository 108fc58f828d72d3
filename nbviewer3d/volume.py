"""Volume: voxels in numpy C order (z, y, x) plus the geometry that places them in space."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

Kind = Literal["image", "label"]
KINDS: tuple[Kind, ...] = ("image", "label")

_IDENTITY = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


def _triple(name: str, value: object) -> tuple[float, float, float]:
    arr = np.asarray(value, dtype=np.float64).ravel()
    if arr.shape != (3,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be three finite numbers (x, y, z), got {value!r}")
    return (float(arr[0]), float(arr[1]), float(arr[2]))


@dataclass(frozen=True)
class Volume:
    """A 3D grid of voxels.

    ``data`` is indexed ``[z, y, x]`` (numpy C order); ``spacing`` and ``origin`` are given
    in ``(x, y, z)`` order, in millimetres; ``direction`` is the 3x3 row-major matrix whose
    columns are the x, y and z axis directions in world space. ``kind`` says whether the
    voxels are intensities (``image``) or class ids (``label``). ``source`` names where the
    voxels came from; ``lossy`` holds a sentence when that source did not keep the values the
    user logged (MONAI's 8-bit GIFs), else ``None``.
    """

    data: npt.NDArray[np.generic]
    spacing: tuple[float, float, float] = (1.0, 1.0, 1.0)
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0)
    direction: tuple[float, ...] = _IDENTITY
    kind: Kind = "image"
    source: str = "array"
    lossy: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.data, np.ndarray) or self.data.ndim != 3:
            raise ValueError("Volume.data must be a 3D numpy array indexed [z, y, x]")
        if self.kind not in KINDS:
            raise ValueError(f"Volume.kind must be one of {KINDS}, got {self.kind!r}")
        spacing = _triple("spacing", self.spacing)
        if min(spacing) <= 0:
            raise ValueError(f"spacing must be positive, got {spacing}")
        object.__setattr__(self, "spacing", spacing)
        object.__setattr__(self, "origin", _triple("origin", self.origin))
        direction = np.asarray(self.direction, dtype=np.float64).ravel()
        if direction.shape != (9,) or not np.all(np.isfinite(direction)):
            raise ValueError("direction must be a 3x3 matrix (9 numbers, row-major)")
        object.__setattr__(self, "direction", tuple(float(v) for v in direction))

    @property
    def shape(self) -> tuple[int, int, int]:
        """Voxel counts in numpy order (z, y, x)."""
        z, y, x = self.data.shape
        return (z, y, x)

    @property
    def dimensions(self) -> tuple[int, int, int]:
        """Voxel counts in vtk order (x, y, z)."""
        z, y, x = self.data.shape
        return (x, y, z)

    def same_grid(self, other: Volume, atol: float = 1e-4) -> bool:
        """Whether ``other`` has the same voxel grid, so that the two overlay voxel for voxel."""
        return (
            self.shape == other.shape
            and np.allclose(self.spacing, other.spacing, atol=atol)
            and np.allclose(self.origin, other.origin, atol=atol)
            and np.allclose(self.direction, other.direction, atol=atol)
        )

    def describe_grid(self) -> str:
        sp = ", ".join(f"{s:g}" for s in self.spacing)
        org = ", ".join(f"{o:g}" for o in self.origin)
        return f"shape (z, y, x)={self.shape}, spacing (x, y, z)=({sp}), origin=({org})"
