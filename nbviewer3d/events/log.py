"""Lossless logging of volumes into TensorBoard event files.

A volume becomes a tensor summary under the ``nbviewer3d`` plugin: the voxels, zstd-compressed
with their dtype kept, in the tensor's single ``string_val``; dtype, shape, kind and geometry
as JSON in the plugin data. TensorBoard opens such files and ignores the unknown plugin.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import zstandard
from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.types_pb2 import DT_STRING

from ..inputs import as_volume, check_label
from ..volume import Volume
from .decode import FORMAT_VERSION, PLUGIN_NAME
from .records import masked_crc32c

_ZSTD_LEVEL = 3


def volume_summary(tag: str, volume: Volume, kind: str) -> Summary:
    """The tensor summary holding ``volume``'s voxels exactly, in their layout, with their
    geometry (spacing per axis, origin, direction, frame)."""
    data = volume.data
    order: Literal["C", "F"] = (
        "F" if data.flags.f_contiguous and not data.flags.c_contiguous else "C"
    )
    header = {
        "version": FORMAT_VERSION,
        "dtype": data.dtype.str,
        "shape": list(data.shape),
        "order": order,
        "kind": kind,
        "spacing": list(volume.spacing),
        "origin": list(volume.origin),
        "direction": list(volume.direction),
        "frame": volume.frame,
        "compression": "zstd",
    }
    # the array's own memory when it is contiguous in the order stored: no copy
    in_order = data.flags.c_contiguous if order == "C" else data.flags.f_contiguous
    raw = data if in_order else data.copy(order=order)
    flat = raw.reshape(-1, order=order).view(np.uint8).data
    payload = zstandard.ZstdCompressor(level=_ZSTD_LEVEL, threads=-1).compress(flat)
    tensor = TensorProto(
        dtype=DT_STRING,
        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]),
        string_val=[payload],
    )
    metadata = SummaryMetadata(
        plugin_data=SummaryMetadata.PluginData(
            plugin_name=PLUGIN_NAME, content=json.dumps(header).encode()
        )
    )
    return Summary(value=[Summary.Value(tag=tag, tensor=tensor, metadata=metadata)])


def _add_summary(writer: Any, summary: Summary, step: int) -> None:
    """Write through the writer's file writer: torch.utils.tensorboard, tensorboardX, or any
    object with ``_get_file_writer()``, ``file_writer`` or ``add_summary``."""
    if hasattr(writer, "_get_file_writer"):
        file_writer = writer._get_file_writer()
    elif getattr(writer, "file_writer", None) is not None:
        file_writer = writer.file_writer
    else:
        file_writer = writer
    if not hasattr(file_writer, "add_summary"):
        raise TypeError(
            f"cannot log to {type(writer).__name__}: expected a torch.utils.tensorboard or "
            "tensorboardX SummaryWriter, or a writer with _get_file_writer() or add_summary()"
        )
    _use_c_checksums(file_writer)
    if type(file_writer).__module__.startswith("tensorboardX"):
        from tensorboardX.proto.summary_pb2 import Summary as SummaryX

        file_writer.add_summary(SummaryX.FromString(summary.SerializeToString()), step)
    else:
        file_writer.add_summary(summary, step)


def _use_c_checksums(file_writer: Any) -> None:
    """Give the writer's record framing the C checksum of :mod:`.records`.

    tensorboard's writer (used by torch.utils.tensorboard) checksums every record in pure
    Python at about 7 MB/s: 20 s for one 512x512x300 CT, inside the training loop.
    tensorboardX does the same unless the ``crc32c`` package is installed. The values are
    identical (masked CRC-32C, tested against tensorboard's own), so the files don't change;
    only the module-level function those writers call is replaced, once.
    """
    module = (
        "tensorboardX.record_writer"
        if type(file_writer).__module__.startswith("tensorboardX")
        else "tensorboard.summary.writer.record_writer"
    )
    framing = sys.modules.get(module)
    if framing is not None and getattr(framing, "masked_crc32c", None) is not masked_crc32c:
        setattr(framing, "masked_crc32c", masked_crc32c)  # noqa: B010


def log_volume(
    writer: Any,
    tag: str,
    volume: Any,
    step: int,
    spacing: Sequence[float] | None = None,
    origin: Sequence[float] | None = None,
    direction: Sequence[float] | None = None,
    kind: str | None = None,
    threshold: float | None = None,
) -> None:
    """Log ``volume`` losslessly: the exact voxels (dtype kept) and its geometry.

    ``volume`` is anything :func:`nbviewer3d.as_volume` reads (a Volume, numpy or torch
    ``(x, y, z)`` = MONAI's ``(H, W, D)``, MetaTensor placed by its affine, nibabel,
    SimpleITK, ...); ``spacing``/``origin`` (per array axis) and ``direction`` replace its
    geometry. The voxels are stored in the layout given and come back so. ``kind`` is
    ``"image"``, ``"label"`` or ``"heatmap"`` (a CAM, saliency or uncertainty map: ``view_logdir``
    draws it over the image); left out, a Volume's own kind, else ``"image"``.
    A label is checked here, in the training loop, not when it is viewed: class ids
    0..65535 (any integer or integral float type, or bool); probabilities need
    ``threshold=`` (stored as the 0/1 label it gives) and a ``(C, x, y, z)`` one-hot or
    logits array is reduced by argmax, as in :func:`nbviewer3d.as_volume`.
    Read it back with ``open_logdir(...).volume(run, tag, step)``.
    """
    if kind not in (None, "image", "label", "heatmap"):
        raise ValueError(f"kind must be 'image', 'label' or 'heatmap', got {kind!r}")
    if threshold is not None and kind != "label":
        raise ValueError('threshold= turns probabilities into a label: pass kind="label" too')
    if isinstance(volume, Volume):
        checked = replace(
            volume,
            spacing=volume.spacing if spacing is None else tuple(spacing),  # type: ignore[arg-type]
            origin=volume.origin if origin is None else tuple(origin),  # type: ignore[arg-type]
            direction=volume.direction if direction is None else tuple(direction),
        )
        if kind == "label" or (kind is None and volume.kind == "label"):
            checked = replace(checked, data=check_label(checked.data, tag))
    else:
        # kind="image" keeps the dtype; the kind is stored beside the voxels.
        checked = as_volume(
            volume,
            kind="label" if kind == "label" else "image",
            threshold=threshold,
            spacing=spacing,
            origin=origin,
            direction=direction,
            name=tag,
        )
    _add_summary(writer, volume_summary(tag, checked, kind=kind or checked.kind), step)


def plot_2d_or_3d_image(
    data: Any,
    step: int,
    writer: Any,
    index: int = 0,
    max_channels: int = 1,
    frame_dim: int = -3,
    max_frames: int = 24,
    tag: str = "output",
) -> None:
    """Drop-in for ``monai.visualize.plot_2d_or_3d_image`` that keeps the exact values.

    Same signature and the same tags (``{tag}_HWD/image``, ``{tag}_HWD/image/{i}``,
    ``{tag}_HW``, ``{tag}_HW_{j}``, ``{tag}_CHW``), but each channel is logged as a lossless
    tensor summary instead of a rescaled 8-bit GIF. Volumes come back in the layout logged,
    as the GIF reader returns MONAI's: the ``(H, W, D)`` array, a MetaTensor placed by its
    affine, a plain array's ``(H, W, D)`` read as (x, y, z).
    ``frame_dim`` and ``max_frames`` only shape MONAI's GIF or video; they are accepted for
    compatibility.
    """
    del frame_dim, max_frames
    d = data[index]
    ndim = len(d.shape)
    if ndim == 2:
        _log(writer, f"{tag}_HW", d, step)
    elif ndim == 3 and d.shape[0] == 3 and max_channels == 3:
        _log(writer, f"{tag}_CHW", d, step)
    elif ndim == 3:
        for j in range(min(max_channels, d.shape[0])):
            _log(writer, f"{tag}_HW_{j}", d[j], step)
    elif ndim >= 4:
        if ndim > 4:
            d = d.reshape((-1, *d.shape[-3:]))
        count = min(max_channels, d.shape[0])
        suffix = "/image" if count == 1 else "/image/{}"
        for i in range(count):
            volume = as_volume(d, channel=i, name=tag)
            _add_summary(
                writer, volume_summary(f"{tag}_HWD" + suffix.format(i), volume, "image"), step
            )
    else:
        raise ValueError(
            "plot_2d_or_3d_image expects NCHW[D] data or a list of CHW[D] arrays, "
            f"got an item of shape {tuple(d.shape)}"
        )


def _log(writer: Any, tag: str, data: Any, step: int, channel: int | None = None) -> None:
    volume = as_volume(data, channel=channel, name=tag)
    _add_summary(writer, volume_summary(tag, volume, kind="image"), step)
