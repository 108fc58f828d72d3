"""Summary values -> numpy arrays: GIF volumes (MONAI), PNG images, tensor summaries.

Axis convention (see :mod:`nbviewer3d.inputs`): MONAI logs channel-first ``CHWD`` data whose
spatial axes are in NIfTI index order (x, y, z), nbviewer3d's own order. A GIF frame stack is
reassembled to the ``(H, W, D)`` array that was logged, and that array is the volume's data;
2D images and tensor summaries come back as logged, with a one-voxel third axis.
"""

from __future__ import annotations

import io
import json
import struct
from typing import Any

import numpy as np
import numpy.typing as npt
import zstandard
from PIL import Image, ImageSequence
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.util import tensor_util

from .decode_limit import check_voxels
from .errors import LogdirError

PLUGIN_NAME = "nbviewer3d"
FORMAT_VERSION = 2
# version 1 stored the voxels as [z, y, x] in C order with spacing (x, y, z)
READABLE_VERSIONS = (1, 2)
FRAME_DIMS = (-3, -2, -1)

GIF_LOSSY = (
    "MONAI's plot_2d_or_3d_image stored this volume as an 8-bit GIF: its values were min-max "
    "rescaled to 0..255 for this step alone and truncated, so they are not the logged values"
)
GIF_LABEL_LOSSY = (
    GIF_LOSSY + "; label ids were recovered by ranking the grey levels present in this step, "
    "so a class absent from the step shifts the ids above it"
)


def gif_frame_count(data: bytes) -> tuple[int, int, int]:
    """``(width, height, frames)`` read from the GIF's blocks without decompressing anything.

    Raises :class:`LogdirError` for bytes that are not a well-formed GIF or whose decoded
    size would exceed the decode limit (:func:`nbviewer3d.set_decode_limit`).
    """
    if len(data) < 13 or data[:6] not in (b"GIF87a", b"GIF89a"):
        raise LogdirError("not a GIF image (expected a GIF87a or GIF89a header)")
    width, height, packed = struct.unpack_from("<HHB", data, 6)
    pos = 13 + (3 << ((packed & 7) + 1) if packed & 0x80 else 0)
    frames = 0
    end = len(data)

    def skip_sub_blocks(p: int) -> int:
        while p < end:
            size = data[p]
            p += 1 + size
            if size == 0:
                return p
        raise LogdirError("truncated GIF: a data block runs past the end of the image")

    while True:
        if pos >= end:
            raise LogdirError("truncated GIF: no trailer")
        block = data[pos]
        if block == 0x3B:
            break
        if block == 0x21:
            pos = skip_sub_blocks(pos + 2)
        elif block == 0x2C:
            if pos + 10 > end:
                raise LogdirError("truncated GIF image descriptor")
            fw, fh, fpacked = struct.unpack_from("<HHB", data, pos + 5)
            if fw > width or fh > height:
                raise LogdirError(f"GIF frame {fw}x{fh} is larger than its screen {width}x{height}")
            pos += 10 + (3 << ((fpacked & 7) + 1) if fpacked & 0x80 else 0)
            pos = skip_sub_blocks(pos + 1)
            frames += 1
        else:
            raise LogdirError(f"malformed GIF: unknown block 0x{block:02x} at byte {pos}")
    if width == 0 or height == 0 or frames == 0:
        raise LogdirError(f"empty GIF ({width}x{height}, {frames} frames)")
    check_voxels((height, width, frames), "GIF")
    return width, height, frames


def gif_to_hwd(data: bytes, frame_dim: int = -3) -> npt.NDArray[np.uint8]:
    """Decode MONAI's animated GIF to the ``(H, W, D)`` array that was logged.

    ``frame_dim`` is the one given to MONAI's ``plot_2d_or_3d_image`` (-3, -2 or -1): the
    spatial axis that became the GIF's frames.
    """
    if frame_dim not in FRAME_DIMS:
        raise LogdirError(f"frame_dim must be one of {FRAME_DIMS} (as in MONAI), got {frame_dim}")
    width, height, count = gif_frame_count(data)
    shape = [height, width]
    shape.insert(frame_dim + 3, count)  # frames along the axis MONAI took them from
    out = np.empty(shape, dtype=np.uint8)
    frames = np.moveaxis(out, frame_dim + 3, 0)
    decoded = 0
    try:
        with Image.open(io.BytesIO(data)) as im:
            for i, frame in enumerate(ImageSequence.Iterator(im)):
                if i >= count or frame.size != (width, height):
                    raise LogdirError(f"GIF frame {i} does not match the {count} frames declared")
                frames[i] = np.asarray(frame.convert("L"))
                decoded += 1
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise LogdirError(f"GIF could not be decoded: {exc}") from exc
    if decoded != count:
        raise LogdirError(f"GIF declared {count} frames but {decoded} decoded")
    return out


def rank_labels(grey: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Grey levels of a rescaled label map back to ids 0..K, by rank (0/127/255 -> 0/1/2),
    in place."""
    present = np.bincount(grey.ravel(), minlength=256) > 0
    ranks = (np.cumsum(present) - 1).clip(0).astype(np.uint8)
    np.take(ranks, grey, out=grey)
    return grey


def png_to_array(data: bytes) -> npt.NDArray[np.uint8]:
    """A 2D image summary (PNG) as a one-slice volume ``(H, W, 1)`` of grey levels."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            check_voxels((im.height, im.width), "PNG image")
            return np.asarray(im.convert("L"))[:, :, None]
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise LogdirError(f"image could not be decoded: {exc}") from exc


def image_kind(image: Summary.Image) -> str:
    return "volume" if image.encoded_image_string[:3] == b"GIF" else "image2d"


def lossless_header(metadata_content: bytes) -> dict[str, Any]:
    try:
        header = json.loads(metadata_content)
    except ValueError as exc:
        raise LogdirError(f"nbviewer3d tensor summary has unreadable metadata: {exc}") from exc
    if not isinstance(header, dict) or header.get("version") not in READABLE_VERSIONS:
        raise LogdirError(
            f"nbviewer3d tensor summary of an unknown format version "
            f"(this reader reads versions {READABLE_VERSIONS})"
        )
    return header


def lossless_to_array(header: dict[str, Any], payload: bytes) -> npt.NDArray[Any]:
    """The exact voxels written by :func:`nbviewer3d.log_volume`, in the layout logged.

    Version 2 stores the bytes in C or F ``order`` (the layout logged); version 1 stored
    ``[z, y, x]`` C order for volumes whose spacing is ``(x, y, z)``: read back as ``.T``.
    """
    dtype = np.dtype(header["dtype"])
    if dtype.kind not in "biuf":
        raise LogdirError(f"nbviewer3d tensor summary holds an unsupported dtype {dtype}")
    shape = tuple(int(n) for n in header["shape"])
    check_voxels(shape, "nbviewer3d tensor summary")
    nbytes = dtype.itemsize * int(np.prod(shape))
    if header.get("compression") != "zstd":
        raise LogdirError(f"unknown compression {header.get('compression')!r} (expected 'zstd')")
    try:
        declared = zstandard.frame_content_size(payload)
        if declared != nbytes:
            raise LogdirError(
                f"nbviewer3d tensor summary declares {declared} bytes, expected {nbytes}"
            )
        flat = np.empty(nbytes // dtype.itemsize, dtype=dtype)
        filled = _decompress_into(payload, flat.view(np.uint8).data)
    except zstandard.ZstdError as exc:
        raise LogdirError(f"nbviewer3d tensor summary could not be decompressed: {exc}") from exc
    if filled != nbytes:
        raise LogdirError(f"nbviewer3d tensor summary holds {filled} bytes, expected {nbytes}")
    if header["version"] == 1:
        return flat.reshape(shape).T
    order = header.get("order", "C")
    if order not in ("C", "F"):
        raise LogdirError(f"nbviewer3d tensor summary of unknown order {order!r} (C or F)")
    return flat.reshape(shape, order=order)


_VALUE_FIELDS = (
    "half_val",
    "float_val",
    "double_val",
    "int_val",
    "int64_val",
    "bool_val",
    "uint32_val",
    "uint64_val",
)


def _decompress_into(payload: bytes, out: memoryview) -> int:
    """Decompress straight into ``out`` (no full-size intermediate); returns bytes written,
    reading one byte past ``out`` to notice a payload that holds more."""
    reader = zstandard.ZstdDecompressor().stream_reader(payload)
    filled = 0
    while filled < len(out):
        n = reader.readinto(out[filled:])
        if n == 0:
            break
        filled += n
    return filled + len(reader.read(1))


def tensor_to_array(tensor: Any) -> npt.NDArray[Any]:
    """A plain numeric tensor summary (2D or 3D) as a volume, as logged.

    Its values must all be stored: a tensor that declares a shape and holds fewer values
    (which TensorFlow would fill by repeating the last one) is refused, as is one beyond the
    decode limit."""
    shape = [d.size for d in tensor.tensor_shape.dim]
    check_voxels(shape, "tensor summary")
    count = int(np.prod(shape)) if shape else 1
    held = len(tensor.tensor_content) or max(len(getattr(tensor, field)) for field in _VALUE_FIELDS)
    per_value = np.dtype(tensor_util.dtypes.as_dtype(tensor.dtype).as_numpy_dtype).itemsize
    if tensor.tensor_content:
        held //= per_value
    if held != count:
        raise LogdirError(
            f"tensor summary declares shape {shape} ({count} values) but holds {held}"
        )
    array: npt.NDArray[Any] = tensor_util.make_ndarray(tensor)
    if array.dtype.kind not in "biuf" or array.ndim not in (2, 3):
        raise LogdirError(
            f"tensor summary of dtype {array.dtype} and shape {array.shape} is not a volume "
            "(expected a 2D or 3D numeric tensor)"
        )
    return array[:, :, None] if array.ndim == 2 else array
