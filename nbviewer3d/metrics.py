"""Prediction-versus-label metrics per class: Dice, Hausdorff 95 in mm, voxel counts, ml.

Classes are the non-zero ids present in the label or the prediction (0 is background). For
class ``c``: TP voxels hold ``c`` in both, FP in the prediction only, FN in the label only; a
voxel of class ``a`` predicted as ``b`` is an FN of ``a`` and an FP of ``b``.

- ``dice`` = 2 TP / (2 TP + FP + FN): 0 when one side is empty, NaN when both are.
- ``hd95_mm``: the symmetric 95th-percentile Hausdorff distance between the two surfaces, in
  mm, as MONAI's ``compute_hausdorff_distance(percentile=95)`` defines it: a surface voxel is a
  voxel of the class with a face neighbour (6-connectivity) outside it or outside the array;
  for each surface voxel of one side, the distance from its centre to the nearest surface
  voxel centre of the other, scaled per axis by the spacing; the 95th percentile (linear
  interpolation) of each direction's distances, and the larger of the two. NaN when either
  side is empty.
- ``label_ml`` / ``prediction_ml``: voxel count times the voxel volume (the product of the
  spacing, mm^3) / 1000.

Distances are exact Euclidean distances, computed with numpy only: a separable squared
distance transform (nearest feature along the first axis by two sweeps, then a minimum over
the second axis) restricted to the bounding box of both surfaces, which holds every nearest
point, and the third axis' minimum taken only at the surface voxels asked about. The cost is
about (box voxels) x (box length along the second axis).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Spacing = tuple[float, float, float]

# the keys of a metrics row, in the order a table shows them
COLUMNS = (
    "class",
    "name",
    "dice",
    "hd95_mm",
    "label_voxels",
    "prediction_voxels",
    "tp_voxels",
    "fp_voxels",
    "fn_voxels",
    "label_ml",
    "prediction_ml",
)

# joint ids up to this many classes are counted with one bincount; beyond, with np.unique
_BINCOUNT_CLASSES = 1024


def segmentation_metrics(
    label: npt.ArrayLike,
    prediction: npt.ArrayLike,
    spacing: Sequence[float] = (1.0, 1.0, 1.0),
    names: Mapping[int, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per class present in ``label`` or ``prediction`` (3D integer arrays of one
    shape, ``spacing`` in mm per array axis), keys as in :data:`COLUMNS`; ``names`` maps ids
    to the ``name`` column. Rows are plain dicts: ``pandas.DataFrame(rows)`` makes a table."""
    truth = _ids("label", label)
    predicted = _ids("prediction", prediction)
    if truth.shape != predicted.shape:
        raise ValueError(
            f"label and prediction must have one shape, got {truth.shape} and {predicted.shape}"
        )
    step = _spacing(spacing)
    voxel_ml = math.prod(step) / 1000.0
    counts = _confusion(truth, predicted)
    rows: list[dict[str, Any]] = []
    for c in sorted({c for pair in counts for c in pair if c != 0}):
        tp = counts.get((c, c), 0)
        in_label = sum(n for (a, _), n in counts.items() if a == c)
        in_prediction = sum(n for (_, b), n in counts.items() if b == c)
        fp = in_prediction - tp
        fn = in_label - tp
        both_empty = in_label == 0 and in_prediction == 0
        rows.append(
            {
                "class": c,
                "name": (names or {}).get(c, ""),
                "dice": math.nan if both_empty else 2 * tp / (2 * tp + fp + fn),
                "hd95_mm": (
                    hd95(truth == c, predicted == c, step)
                    if in_label and in_prediction
                    else math.nan
                ),
                "label_voxels": in_label,
                "prediction_voxels": in_prediction,
                "tp_voxels": tp,
                "fp_voxels": fp,
                "fn_voxels": fn,
                "label_ml": in_label * voxel_ml,
                "prediction_ml": in_prediction * voxel_ml,
            }
        )
    return rows


def hd95(a: npt.NDArray[np.bool_], b: npt.NDArray[np.bool_], spacing: Sequence[float]) -> float:
    """The symmetric 95th-percentile Hausdorff distance in mm between the surfaces of two
    boolean masks of one shape (NaN when either is empty); see the module docstring."""
    step = _spacing(spacing)
    surface_a = surface(a)
    surface_b = surface(b)
    if not surface_a.any() or not surface_b.any():
        return math.nan
    a_to_b = nearest_distances(surface_b, np.argwhere(surface_a), step)
    b_to_a = nearest_distances(surface_a, np.argwhere(surface_b), step)
    return float(max(np.percentile(a_to_b, 95), np.percentile(b_to_a, 95)))


def surface(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Voxels of ``mask`` with a face neighbour outside it (outside the array counts)."""
    inner = np.zeros(mask.shape, dtype=bool)
    core = tuple(slice(1, n - 1) for n in mask.shape)
    inner[core] = mask[core]
    for axis in range(mask.ndim):
        for shift in (-1, 1):
            neighbour = tuple(
                slice(1 + shift, n - 1 + shift) if i == axis else slice(1, n - 1)
                for i, n in enumerate(mask.shape)
            )
            inner[core] &= mask[neighbour]
    result: npt.NDArray[np.bool_] = mask & ~inner
    return result


def nearest_distances(
    features: npt.NDArray[np.bool_], points: npt.NDArray[np.intp], spacing: Spacing
) -> npt.NDArray[np.float64]:
    """Euclidean distance in mm from each voxel index in ``points`` (n, 3) to the nearest
    True voxel of ``features`` (which must hold one)."""
    occupied = np.argwhere(features)
    lo = np.minimum(occupied.min(axis=0), points.min(axis=0))
    hi = np.maximum(occupied.max(axis=0), points.max(axis=0)) + 1
    box = features[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
    local = points - lo
    s0, s1, s2 = spacing
    n0, n1, n2 = box.shape
    # 1. along axis 0: index distance to the nearest feature in the same line, by two sweeps
    steps = np.full(box.shape, np.inf)
    run = np.full((n1, n2), np.inf)
    for i in range(n0):
        run = np.where(box[i], 0.0, run + 1)
        steps[i] = run
    run = np.full((n1, n2), np.inf)
    for i in range(n0 - 1, -1, -1):
        run = np.where(box[i], 0.0, run + 1)
        steps[i] = np.minimum(steps[i], run)
    along0 = (s0 * steps) ** 2
    # 2. over axis 1, at the (i, k) lines of the points' planes only
    planes = np.unique(local[:, 0])
    lines = along0[planes].transpose(1, 0, 2).reshape(n1, -1)
    in_plane = _lower_envelope(lines, s1).reshape(n1, len(planes), n2)
    # 3. over axis 2, at the points' own (i, j) lines only
    where = np.searchsorted(planes, local[:, 0])
    columns = in_plane[local[:, 1], where, :]
    cost = (s2 * (np.arange(n2)[None, :] - local[:, 2:3])) ** 2
    distances: npt.NDArray[np.float64] = np.sqrt(np.min(columns + cost, axis=1))
    return distances


def _lower_envelope(f: npt.NDArray[np.float64], step: float) -> npt.NDArray[np.float64]:
    """For each column of ``f`` (n, lines): out[x] = min over q of f[q] + (step * (x - q))^2,
    inf where the column is all inf. The lower envelope of parabolas (Felzenszwalb and
    Huttenlocher's linear-time 1D squared distance transform), run for all columns at once;
    (position, line) arrays are indexed flat, position-major, so each step reads a row."""
    n, lines = f.shape
    every = np.arange(lines)
    h = step * step
    flat_f = np.ascontiguousarray(f).reshape(-1)
    apex = np.zeros(n * lines, dtype=np.intp)  # kept parabolas, by stack depth and line
    start = np.full((n + 1) * lines, np.inf)  # where each kept parabola starts being lowest
    top = np.full(lines, -1)
    crossing = np.zeros(lines)
    for q in range(n):
        fq = f[q]
        finite = np.isfinite(fq)
        active = every[finite & (top >= 0)]
        lifted = fq[active] + h * q * q
        while active.size:
            at = top[active] * lines + active
            p = apex[at]
            cross = (lifted - (flat_f[p * lines + active] + h * p * p)) / (2 * h * (q - p))
            drop = cross <= start[at]
            crossing[active[~drop]] = cross[~drop]
            active = active[drop]
            lifted = lifted[drop]
            top[active] -= 1
        pushed = every[finite]
        top[pushed] += 1
        depth = top[pushed]
        apex[depth * lines + pushed] = q
        start[depth * lines + pushed] = np.where(depth == 0, -np.inf, crossing[pushed])
        start[(depth + 1) * lines + pushed] = np.inf
    out = np.full((n, lines), np.inf)
    has = every[top >= 0]
    depth = np.zeros(has.size, dtype=np.intp)
    for x in range(n):
        while True:
            move = start[(depth + 1) * lines + has] < x
            if not move.any():
                break
            depth[move] += 1
        p = apex[depth * lines + has]
        out[x, has] = flat_f[p * lines + has] + h * (x - p) ** 2
    return out


def _confusion(
    truth: npt.NDArray[np.integer[Any]], predicted: npt.NDArray[np.integer[Any]]
) -> dict[tuple[int, int], int]:
    """(label id, prediction id) -> voxel count, for the pairs that occur."""
    k = int(max(truth.max(initial=0), predicted.max(initial=0))) + 1
    joint = truth.reshape(-1).astype(np.int64) * k + predicted.reshape(-1)
    if k <= _BINCOUNT_CLASSES:
        counts = np.bincount(joint, minlength=k * k)
        codes = np.flatnonzero(counts)
        values = counts[codes]
    else:
        codes, values = np.unique(joint, return_counts=True)
    return {(int(c) // k, int(c) % k): int(n) for c, n in zip(codes, values, strict=True)}


def _ids(name: str, value: npt.ArrayLike) -> npt.NDArray[np.integer[Any]]:
    data = np.asarray(value)
    if data.ndim != 3:
        raise ValueError(f"{name} must be a 3D array of class ids, got shape {data.shape}")
    if data.dtype == bool:
        return data.astype(np.uint8)
    if not np.issubdtype(data.dtype, np.integer):
        if not np.issubdtype(data.dtype, np.floating) or not np.all(data == np.round(data)):
            raise ValueError(
                f"{name} must hold integer class ids (int, uint or bool; floats only when "
                f"whole), got {data.dtype}"
            )
        data = data.astype(np.int64)
    if data.size and data.min() < 0:
        raise ValueError(f"{name} holds negative class ids (min {data.min()}); ids are >= 0")
    return data


def _spacing(spacing: Sequence[float]) -> Spacing:
    values = tuple(float(s) for s in spacing)
    if len(values) != 3 or not all(math.isfinite(s) and s > 0 for s in values):
        raise ValueError(f"spacing must be three positive numbers (mm), got {tuple(spacing)}")
    return (values[0], values[1], values[2])
