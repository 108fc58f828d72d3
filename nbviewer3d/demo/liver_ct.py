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


# Where each stored axis points, found by looking at slices and projections of case 117
# (see load_liver_ct): axis 0 toward the patient's left, 1 posterior, 2 superior. In RAS
# (+x right, +y anterior, +z superior) those are -x, -y, +z: column a is axis a's direction.
LIVER_CT_DIRECTION = (-1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 1.0)


def load_liver_ct() -> tuple[Volume, Volume]:
    """LiTS case 117: a contrast abdominal CT cropped around the liver, and its label.

    Returns ``(image, label)``: the image is float32 Hounsfield units (-1063 to 1877),
    128x128x128; the label is uint16 with 0 background, 1 liver, 2 tumour.

    The files store no voxel spacing, so 1 mm is assumed on every axis: shapes are right,
    physical sizes are not. The voxels are kept as stored (no copy, no transpose); the
    direction matrix places them in RAS world space so that the liver lies on the patient's
    right (+x), the spine posterior (-y) and the head superior (+z). That orientation was
    read from the pictures: a maximum-intensity projection along stored axis 2 shows the
    vertebrae end-on (axis 2 is head-foot) with the spinous process toward high axis 1 (axis
    1 runs front to back) and the aorta on the high-axis-0 side of the vertebral body (axis 0
    runs right to left, the liver sitting at low axis 0); the ribs and the diaphragm side of
    the liver lie at high axis 2 and the contrast-filled colon at low axis 2 (axis 2 runs
    foot to head). So the stored array is LPS-ordered: axis 0 -> left, 1 -> posterior,
    2 -> superior, i.e. RAS directions -x, -y, +z.

    Raises ``ModuleNotFoundError`` naming the pip command when the package is missing.
    """
    data_dir = liver_data_dir()
    image = read_mrc(data_dir / "img_117.mrc")
    label = read_mrc(data_dir / "lab_117.mrc")
    # voxel [0, 0, 0] sits at the right-anterior-inferior corner, the volume in x, y, z >= 0
    origin = (image.shape[0] - 1.0, image.shape[1] - 1.0, 0.0)
    image.flags.writeable = False
    label.flags.writeable = False
    return (
        Volume(image, origin=origin, direction=LIVER_CT_DIRECTION, kind="image", source=SOURCE),
        Volume(label, origin=origin, direction=LIVER_CT_DIRECTION, kind="label", source=SOURCE),
    )
