"""Transfer-function presets for the 3D view: the names, the tables, the one the data calls for.

The tables live in ``presets.json`` (read here and bundled into the front end). Each preset
gives ``color`` (``[value, r, g, b]`` points, or ``"cmap"``: the ``cmap`` trait over
vmin..vmax) and ``opacity`` (``[value, opacity]`` points). ``units`` says what the values
are: ``"HU"`` (absolute Hounsfield units, CT presets) or ``"window"`` (0..1 spread over
vmin..vmax).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

_SAMPLE_VOXELS = 1_000_000

CT_PRESET = "ct-soft-tissue"
MR_PRESET = "mr-default"
PROBABILITY_PRESET = "probability"
GENERIC_PRESET = "generic"


@cache
def _table() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = json.loads(
        (Path(__file__).parent / "presets.json").read_text()
    )
    return table


def presets() -> list[str]:
    """The transfer-function preset names ``preset`` accepts."""
    return list(_table())


# 0..1 data with at least this fraction of voxels strictly between 0.05 and 0.95 is a
# rescaled scan, not a probability map (which sits near 0 and 1 but at its boundaries)
_SCAN_FRACTION = 0.25


def default_preset(data: npt.NDArray[Any]) -> str:
    """The preset that suits ``data``, from its values alone.

    - CT-like: values reach air (-900 HU or below, but not below -3100, the lowest padding
      scanners write) and bone (300 HU or above): ``ct-soft-tissue``.
    - probabilities: every value within [0, 1], mostly near 0 or 1 (fewer than a quarter of
      the voxels strictly between 0.05 and 0.95): ``probability``. A scan rescaled to 0..1
      (MONAI's ``ScaleIntensityRange``) has most voxels in between and goes on to the rules
      below, so it is not drawn as a faint probability cloud.
    - MR-like: no negative values and a dark background (at least 20 % of the voxels below
      a tenth of the 99.5th percentile): ``mr-default``.
    - anything else: ``generic``.
    """
    flat = data.reshape(-1)
    sample = flat[:: max(1, flat.size // _SAMPLE_VOXELS)]
    if sample.dtype == np.bool_:
        return PROBABILITY_PRESET
    sample = sample.astype(np.float64)
    sample = sample[np.isfinite(sample)]
    if sample.size == 0:
        return GENERIC_PRESET
    lo, hi = float(sample.min()), float(sample.max())
    if -3100 <= lo <= -900 and hi >= 300:
        return CT_PRESET
    if lo >= 0 and hi <= 1 and np.mean((sample > 0.05) & (sample < 0.95)) < _SCAN_FRACTION:
        return PROBABILITY_PRESET
    if lo >= 0:
        top = float(np.percentile(sample, 99.5))
        if top > 0 and np.mean(sample < 0.1 * top) >= 0.2:
            return MR_PRESET
    return GENERIC_PRESET
