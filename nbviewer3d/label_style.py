"""How label maps are drawn: names, colours and visibility per class id, checked and normalised.

The Viewer's ``label_names``, ``label_colors`` and ``hidden_labels`` traits go through these
functions, so what syncs to the browser is always ``{id: name}``, ``{id: "#rrggbb"}`` and a
sorted list of ids.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .contract import OVERLAY_STYLES

_HEX = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_COLOR_FORMS = '"#rrggbb", "#rgb", (r, g, b) floats in 0..1 or (r, g, b) integers in 0..255'


def _class_id(value: object, what: str) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= 0:
        return int(value)
    if isinstance(value, str) and value.isdigit():  # JSON round trips turn keys into strings
        return int(value)
    raise ValueError(f"{what}: class ids are integers >= 0, got {value!r}")


def _pairs(value: object, what: str) -> Iterable[tuple[object, object]]:
    """(id, value) pairs of a mapping, or of a sequence indexed by id (a lookup table)."""
    if isinstance(value, Mapping):
        return value.items()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(
            f"{what} must be a dict {{class id: value}} or a list indexed by class id, "
            f"got {type(value).__name__}"
        )
    items = list(value)
    if items and all(
        isinstance(p, tuple | list) and len(p) == 2 and isinstance(p[1], str) for p in items
    ):
        return [(p[0], p[1]) for p in items]  # itkwidgets' [(id, name), ...]
    return enumerate(items)


def label_names(value: object) -> dict[int, str]:
    """``{id: name}`` from a dict, a list of names indexed by id, or ``[(id, name), ...]``."""
    names: dict[int, str] = {}
    for key, name in _pairs(value, "label_names"):
        class_id = _class_id(key, "label_names")
        if not isinstance(name, str):
            raise ValueError(f"label_names[{class_id}] must be a str, got {name!r}")
        names[class_id] = name
    return names


def hex_color(value: object, where: str = "colour") -> str:
    """A colour as ``"#rrggbb"``; accepts the forms listed in the error message."""
    if isinstance(value, str):
        if not _HEX.match(value):
            raise ValueError(f"{where} must be one of {_COLOR_FORMS}, got {value!r}")
        digits = value[1:].lower()
        return "#" + (digits if len(digits) == 6 else "".join(c * 2 for c in digits))
    try:
        channels = [float(c) for c in value]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise ValueError(f"{where} must be one of {_COLOR_FORMS}, got {value!r}") from None
    if len(channels) != 3:
        raise ValueError(f"{where} must have 3 channels (r, g, b), got {value!r}")
    integers = all(isinstance(c, numbers.Integral) for c in value)  # type: ignore[attr-defined]
    scale = 255.0 if integers and any(c > 1 for c in channels) else 1.0
    if not all(0 <= c <= scale for c in channels):
        bound = "0..255 (integers)" if scale > 1 else "0..1"
        raise ValueError(f"{where} channels must lie in {bound}, got {value!r}")
    return "#" + "".join(f"{round(c / scale * 255):02x}" for c in channels)


def label_colors(value: object) -> dict[int, str]:
    """``{id: "#rrggbb"}`` from a dict or a lookup table (a list or array indexed by id)."""
    if hasattr(value, "tolist") and not isinstance(value, Mapping):
        value = value.tolist()  # a numpy (N, 3) lookup table
    colors: dict[int, str] = {}
    for key, color in _pairs(value, "label_colors"):
        class_id = _class_id(key, "label_colors")
        colors[class_id] = hex_color(color, f"label_colors[{class_id}]")
    return colors


def hidden_labels(value: object) -> list[int]:
    """Sorted unique class ids."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"hidden_labels must be a list of class ids, got {value!r}")
    return sorted({_class_id(v, "hidden_labels") for v in value})


def overlay_style(value: Any) -> str:
    if value not in OVERLAY_STYLES:
        raise ValueError(f"unknown overlay_style {value!r}; accepted: {', '.join(OVERLAY_STYLES)}")
    return str(value)
