"""Heat maps over the image: putting a map on the image's grid, and maps derived from a
prediction's probabilities (``heatmap="entropy"`` / ``"max_prob"``).

A class activation map of a downsampled feature map (MONAI's ``CAM``/``GradCAM`` without their
upsampler, or a network's coarse output) covers the image with fewer voxels: when each axis is
an integer factor smaller it is upsampled here by linear interpolation with voxel centres
aligned, as ``torch.nn.functional.interpolate(mode="trilinear", align_corners=False)`` does,
which is what MONAI's own upsampler calls.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from .inputs import as_volume
from .volume import Volume, on_grid

DERIVED = ("entropy", "max_prob")


def upsampled(data: npt.NDArray[Any], factors: tuple[int, int, int]) -> npt.NDArray[np.float32]:
    """``data`` upsampled by an integer factor per axis, linear between voxel centres.

    Output voxel ``j`` of an axis samples input position ``(j + 0.5) / f - 0.5`` (clamped to
    the first and last voxel), the centre-aligned rule of ``align_corners=False``.
    """
    result = np.asarray(data, dtype=np.float32)
    for axis, factor in enumerate(factors):
        if factor == 1:
            continue
        n = result.shape[axis]
        position = np.clip((np.arange(n * factor) + 0.5) / factor - 0.5, 0, n - 1)
        below = np.floor(position).astype(np.intp)
        above = np.minimum(below + 1, n - 1)
        weight_shape = [1, 1, 1]
        weight_shape[axis] = n * factor
        weight = (position - below).astype(np.float32).reshape(weight_shape)
        result = (
            np.take(result, below, axis=axis) * (1 - weight)
            + np.take(result, above, axis=axis) * weight
        )
    return result


def _integer_factors(small: tuple[int, ...], big: tuple[int, ...]) -> tuple[int, int, int] | None:
    if any(b % s for s, b in zip(small, big, strict=True)):
        return None
    a, b, c = (big_n // small_n for small_n, big_n in zip(small, big, strict=True))
    return (a, b, c)


def heatmap_on_grid(heatmap: Volume, image: Volume) -> Volume:
    """The heat map on the image's grid: as it is when the grids match, upsampled when each of
    its axes is an integer factor smaller and it covers the same extent, else an error that
    names both grids."""
    if heatmap.shape == image.shape:
        return on_grid(heatmap, image, "heatmap")
    factors = _integer_factors(heatmap.shape, image.shape)
    if factors is None:
        raise ValueError(
            f"the heatmap's grid differs from the image's: heatmap has shape {heatmap.shape}, "
            f"image has {image.shape}; a heatmap must have the image's shape or one smaller by "
            "an integer factor per axis (as a CAM of a downsampled feature map is)"
        )
    coarse = Volume(heatmap.data)
    if not heatmap.same_grid(coarse):  # it has geometry: it must cover the image's extent
        expected = tuple(s * f for s, f in zip(image.spacing, factors, strict=True))
        centre = image.world((np.asarray(factors) - 1) / 2)
        if not (
            np.allclose(heatmap.spacing, expected, atol=1e-4)
            and np.allclose(heatmap.ras_direction, image.ras_direction, atol=1e-4)
            and np.allclose(heatmap.world((0, 0, 0)), centre, atol=1e-3)
        ):
            raise ValueError(
                f"the heatmap's grid does not cover the image's: heatmap "
                f"{heatmap.describe_grid()}; image {image.describe_grid()} (an integer-factor "
                f"heatmap by {factors} needs spacing {expected} and its first voxel centred on "
                "the image's first block)"
            )
    data = upsampled(heatmap.data, factors)
    data.flags.writeable = False
    return replace(
        heatmap,
        data=data,
        spacing=image.spacing,
        origin=image.origin,
        direction=image.direction,
        frame=image.frame,
    )


def probabilities(prediction: object, index: int | None = None) -> npt.NDArray[np.float64]:
    """A prediction's class probabilities ``(C, x, y, z)``, C >= 2.

    ``prediction`` is ``(C, x, y, z)`` or ``(N, C, x, y, z)`` (``index=`` picks the item) in
    any form :func:`nbviewer3d.as_volume` reads. Probabilities (every value in [0, 1], the
    channels summing to 1) are taken as they are; anything else is read as logits and goes
    through a softmax over the channels. One channel is a sigmoid output: probabilities
    ``[1 - p, p]`` (logits go through a sigmoid first).
    """
    from .inputs import as_channels

    try:
        channels = as_channels(prediction, index=index, name="prediction")
    except ValueError as error:
        raise ValueError(f"{error} (entropy/max_prob read the prediction's channels)") from None
    values = np.stack([np.asarray(v.data, dtype=np.float64) for v in channels])
    if values.shape[0] == 1:
        p = values[0]
        if p.min() < 0 or p.max() > 1:
            p = 1 / (1 + np.exp(-p))
        return np.stack([1 - p, p])
    if values.min() >= 0 and values.max() <= 1 and np.allclose(values.sum(axis=0), 1, atol=1e-3):
        return values
    shifted = np.exp(values - values.max(axis=0, keepdims=True))
    result: npt.NDArray[np.float64] = shifted / shifted.sum(axis=0, keepdims=True)
    return result


def derived_map(how: str, prediction: object, index: int | None = None) -> npt.NDArray[np.float32]:
    """``"entropy"``: the Shannon entropy of the class probabilities divided by ``log(C)``, 0
    where the model is sure and 1 where every class is equally likely; ``"max_prob"``: the
    probability of the most likely class (1 / C .. 1)."""
    if how not in DERIVED:
        raise ValueError(f"heatmap={how!r} is not a derived map; accepted: {', '.join(DERIVED)}")
    p = probabilities(prediction, index)
    if how == "max_prob":
        top: npt.NDArray[np.float32] = p.max(axis=0).astype(np.float32)
        return top
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p), 0.0)
    entropy: npt.NDArray[np.float32] = np.clip(
        -terms.sum(axis=0) / np.log(p.shape[0]), 0, 1
    ).astype(np.float32)
    return entropy


def as_heatmap(
    obj: object,
    prediction: Volume | None = None,
    raw_prediction: object = None,
    *,
    channel: int | None = None,
    **convert: Any,
) -> Volume:
    """The heat map ``obj`` as a Volume (kind ``heatmap``): an array, tensor or image read as
    :func:`nbviewer3d.as_volume` reads an image (``(x, y, z)``, ``(C, x, y, z)`` or
    ``(N, C, x, y, z)`` with ``index=``/``channel=``: MONAI's ``GradCAM(...)(x)`` as it comes),
    or ``"entropy"``/``"max_prob"`` derived from ``raw_prediction``'s probabilities or logits,
    placed where ``prediction`` (the same input read as a label) lies."""
    if not isinstance(obj, str):
        return as_volume(obj, kind="heatmap", channel=channel, name="heatmap", **convert)
    if obj not in DERIVED:
        raise ValueError(
            f"heatmap={obj!r}: a string names a map derived from the prediction; accepted: "
            f"{', '.join(DERIVED)} (or pass the map itself as an array or tensor)"
        )
    if prediction is None or raw_prediction is None:
        raise ValueError(
            f'heatmap="{obj}" derives the map from the prediction\'s probabilities: pass '
            "prediction= as (C, x, y, z) probabilities or logits in the same call"
        )
    data = derived_map(obj, raw_prediction, convert.get("index"))
    data.flags.writeable = False
    return Volume(
        data,
        spacing=prediction.spacing,
        origin=prediction.origin,
        direction=prediction.direction,
        kind="heatmap",
        source=f"{obj} of {prediction.source}",
        frame=prediction.frame,
    )
