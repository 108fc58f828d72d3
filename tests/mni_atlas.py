"""A real MR head with a many-region atlas: nilearn's MNI152 T1 and its brain split in regions.

The T1 is read out of nilearn's wheel (fetched with ``pip download --no-deps``, never
installed, never committed). The atlas is generated: the brain mask (T1 above a threshold)
split into ``regions`` parts, each voxel going to the nearest of ``regions`` seed points
drawn inside the mask with a seeded RNG. It has the shape of an atlas (many touching
regions filling the brain), not its anatomy.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nbviewer3d.phantoms import parcellate

NILEARN = "nilearn==0.14.1"
T1_MEMBER = "nilearn/datasets/data/mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"
BRAIN_THRESHOLD = 40  # uint8 T1 of a skull-stripped brain: 0 outside


def nilearn_wheel(cache: Path) -> Path:
    """nilearn's wheel in ``cache``, downloaded there once (raises when pip cannot)."""
    wheels = sorted(cache.glob("nilearn-0.14.1-*.whl"))
    if not wheels:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", NILEARN, "-d", str(cache)],
            check=True,
            capture_output=True,
        )
        wheels = sorted(cache.glob("nilearn-0.14.1-*.whl"))
    if not wheels:
        raise FileNotFoundError(f"pip download {NILEARN} left no wheel in {cache}")
    return wheels[0]


def mni_t1(wheel: Path) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
    """The MNI152 2009a T1 (uint8, 197x233x189 in NIfTI (i, j, k) order) and its affine."""
    import nibabel as nib

    with zipfile.ZipFile(wheel) as archive:
        raw = gzip.decompress(archive.read(T1_MEMBER))
    image = nib.Nifti1Image.from_bytes(raw)
    data = np.asarray(image.dataobj, dtype=np.uint8)
    return data, np.asarray(image.affine, dtype=np.float64)


def mni_head_with_atlas(cache: Path, regions: int = 116) -> tuple[object, object]:
    """(T1, atlas) as nibabel images on the template's grid, placed by its affine."""
    import nibabel as nib

    data, affine = mni_t1(nilearn_wheel(cache))
    atlas = parcellate(data > BRAIN_THRESHOLD, regions)
    return nib.Nifti1Image(data, affine), nib.Nifti1Image(atlas, affine)  # type: ignore[no-untyped-call]
