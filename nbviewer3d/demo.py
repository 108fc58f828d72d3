"""A real abdominal CT with a liver/tumour label, read from an installed PyPI package.

The voxels come from the LiTS challenge (case 117) as shipped by
``liver-ct-segmentation-package`` 1.6.0. They are read from its files, never bundled here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nbviewer3d.volume import Volume

PACKAGE = "liver_ct_segmentation_package"
INSTALL = "pip install --no-deps liver-ct-segmentation-package==1.6.0"
SOURCE = "LiTS case 117 via liver-ct-segmentation-package (spacing unknown, 1 mm assumed)"

_MRC_HEADER_BYTES = 1024
# MRC "mode" word -> numpy dtype, for the two modes the package's files use.
_MRC_MODES: dict[int, type[np.generic]] = {2: np.float32, 6: np.uint16}


def liver_data_dir() -> Path:
    """The package's ``data`` folder, found without importing the package.

    Importing it would pull in torch and more; only its files are needed.
    """
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        data_dir = Path(location) / "data"
        if (data_dir / "img_117.mrc").is_file() and (data_dir / "lab_117.mrc").is_file():
            return data_dir
    raise ModuleNotFoundError(
        "The demo CT needs the package liver-ct-segmentation-package 1.6.0 "
        f"(found: {', '.join(locations) or 'nothing'}). Install it without its pinned "
        f"dependencies (they include an old torch): {INSTALL}"
    )


def read_mrc(path: Path) -> npt.NDArray[np.generic]:
    """Voxels of an MRC file as stored: header words nx, ny, nz, mode, then C-order data.

    The returned array has shape ``(nz, ny, nx)``; MRC's x varies fastest.
    """
    header = np.fromfile(path, dtype="<i4", count=4)
    nx, ny, nz, mode = (int(v) for v in header)
    if mode not in _MRC_MODES:
        raise ValueError(f"{path}: MRC mode {mode} is not one of {sorted(_MRC_MODES)}")
    dtype = np.dtype(_MRC_MODES[mode]).newbyteorder("<")
    data = np.fromfile(path, dtype=dtype, offset=_MRC_HEADER_BYTES)
    if data.size != nx * ny * nz:
        raise ValueError(f"{path}: {data.size} voxels after the header, expected {nx}x{ny}x{nz}")
    return data.reshape(nz, ny, nx)


def load_liver_ct() -> tuple[Volume, Volume]:
    """LiTS case 117: a contrast abdominal CT cropped around the liver, and its label.

    Returns ``(image, label)``: the image is float32 Hounsfield units (-1063 to 1877),
    128x128x128; the label is uint16 with 0 background, 1 liver, 2 tumour.

    The files store no voxel spacing, so 1 mm is assumed on every axis: shapes are right,
    physical sizes are not. The stored array is indexed (patient right->left,
    anterior->posterior, inferior->superior); it is flipped along its first two axes to RAS
    (x grows toward the patient's right, y toward the front, as the identity direction says)
    and transposed to this package's ``[z, y, x]`` order, so that ``data[k]`` is an axial
    slice and ``k`` grows toward the head.

    Raises ``ModuleNotFoundError`` naming the pip command when the package is missing.
    """
    data_dir = liver_data_dir()
    image = read_mrc(data_dir / "img_117.mrc")
    label = read_mrc(data_dir / "lab_117.mrc")
    # The stored axes are (x, y, z) running to the left, back and head: RAS flips x and y.
    image_zyx = np.ascontiguousarray(image[::-1, ::-1].transpose(2, 1, 0))
    label_zyx = np.ascontiguousarray(label[::-1, ::-1].transpose(2, 1, 0))
    return (
        Volume(image_zyx, kind="image", source=SOURCE),
        Volume(label_zyx, kind="label", source=SOURCE),
    )
