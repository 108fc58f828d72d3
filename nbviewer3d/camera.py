"""The 3D view's camera as a plain dict (the ``camera`` trait), validated and normalised.

World coordinates are the patient's RAS frame in mm (as everything the viewer draws). ``None``
means the default view (in front of the patient, framed on the volume); the browser sets the
trait when the user stops rotating, panning or zooming, and Python may set it at any time.
"""

from __future__ import annotations

import math
from typing import Any

KEYS = ("position", "focal_point", "view_up", "view_angle", "parallel_scale")
DEFAULT_VIEW_ANGLE = 30.0

FORM = (
    "camera must be None (the default view) or a dict with 'position', 'focal_point' and "
    "'view_up' (three numbers each, RAS mm), and optionally 'view_angle' (degrees, 0 < a < 180, "
    f"default {DEFAULT_VIEW_ANGLE:g}) and 'parallel_scale' (> 0), e.g. "
    "{'position': [0, -500, 0], 'focal_point': [0, 0, 0], 'view_up': [0, 0, 1]}"
)


def _vector(value: dict[str, Any], key: str) -> list[float]:
    try:
        vector = [float(v) for v in value[key]]
    except KeyError:
        raise ValueError(f"{FORM}; '{key}' is missing") from None
    except (TypeError, ValueError):
        raise ValueError(f"{FORM}; got {key}={value[key]!r}") from None
    if len(vector) != 3 or not all(math.isfinite(v) for v in vector):
        raise ValueError(f"{FORM}; got {key}={value[key]!r}")
    return vector


def _number(value: dict[str, Any], key: str, default: float) -> float:
    raw = value.get(key, default)
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{FORM}; got {key}={raw!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{FORM}; got {key}={raw!r}")
    return number


def normalise(value: object) -> dict[str, Any] | None:
    """The camera as ``{position, focal_point, view_up, view_angle, parallel_scale}`` or None.

    ``view_up`` is made a unit vector at right angles to the direction of view, as the
    browser's camera keeps it; ``parallel_scale`` defaults to the half height seen at the
    focal point. Raises ValueError naming the accepted form.
    """
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"{FORM}; got {type(value).__name__}")
    unknown = sorted(set(value) - set(KEYS))
    if unknown:
        raise ValueError(f"{FORM}; unknown key(s) {unknown}")
    position = _vector(value, "position")
    focal = _vector(value, "focal_point")
    up = _vector(value, "view_up")
    look = [f - p for f, p in zip(focal, position, strict=True)]
    distance = math.hypot(*look)
    if distance == 0:
        raise ValueError(f"{FORM}; position and focal_point are the same point")
    look = [c / distance for c in look]
    along = sum(u * c for u, c in zip(up, look, strict=True))
    orthogonal = [u - along * c for u, c in zip(up, look, strict=True)]
    length = math.hypot(*orthogonal)
    if length < 1e-9:
        raise ValueError(f"{FORM}; view_up must not point along the direction of view")
    # a camera the browser sent is already orthonormal: kept bit for bit, so it isn't echoed
    if abs(along) > 1e-9 or abs(length - 1) > 1e-9:
        up = [u / length for u in orthogonal]
    angle = _number(value, "view_angle", DEFAULT_VIEW_ANGLE)
    if not 0 < angle < 180:
        raise ValueError(f"{FORM}; got view_angle={angle}")
    default_scale = distance * math.tan(math.radians(angle) / 2)
    scale = _number(value, "parallel_scale", default_scale)
    if scale <= 0:
        raise ValueError(f"{FORM}; got parallel_scale={scale}")
    return {
        "position": position,
        "focal_point": focal,
        "view_up": up,
        "view_angle": angle,
        "parallel_scale": scale,
    }
