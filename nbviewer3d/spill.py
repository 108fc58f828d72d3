"""Steps the kernel holds beyond its memory budget, kept on disk until asked for.

A :class:`~nbviewer3d.store.MemoryStore` keeps the most recently used steps in memory up to
``budget`` bytes of voxels and writes the others, voxel for voxel, to a private temporary
folder (removed with the store). Nothing a user added is dropped: a spilled step reads back
bit-exact, with its geometry.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import weakref
from pathlib import Path

import numpy as np

from .volume import Volume


@dataclasses.dataclass(frozen=True)
class Spilled:
    """A volume whose voxels wait in ``path`` (``.npy``); everything else kept as it was."""

    path: Path
    volume: Volume  # with an empty stand-in for ``data``

    def load(self) -> Volume:
        data = np.load(self.path)
        data.flags.writeable = False
        return dataclasses.replace(self.volume, data=data)


class SpillFolder:
    """A temporary folder for spilled voxels, removed when the store is collected."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="nbviewer3d-spill-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.path, True)
        self._count = 0

    def spill(self, volume: Volume) -> Spilled:
        self._count += 1
        path = self.path / f"{self._count}.npy"
        np.save(path, volume.data, allow_pickle=False)  # an F-ordered array stays F-ordered
        stand_in = np.empty((0,) * volume.data.ndim, dtype=volume.data.dtype)
        return Spilled(path, dataclasses.replace(volume, data=stand_in))

    def remove(self, spilled: Spilled) -> None:
        spilled.path.unlink(missing_ok=True)
