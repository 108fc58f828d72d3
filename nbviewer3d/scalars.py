"""Training curves: the forms ``viewer.scalars`` accepts, normalised to what the browser draws.

Each name maps to ``(steps, values)`` (two sequences or arrays of the same length), to
``(steps, values, wall_times)`` (what ``Logdir.scalars`` returns), or to a dict with
``"steps"`` and ``"values"`` (and optionally ``"wall_times"``). The result is
``{name: {"steps": [int, ...], "values": [float | None, ...]}}`` sorted by step (with
``"wall_times"`` when given); NaN and Inf become None, drawn as gaps. Names are shown as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

ACCEPTED = (
    "scalars must map each curve's name (a str) to (steps, values), (steps, values, wall_times) "
    'or {"steps": [...], "values": [...]}, steps being ints, e.g. '
    'scalars={"loss": ([0, 10, 20], [0.9, 0.5, 0.3])}'
)


def normalise_scalars(value: object) -> dict[str, dict[str, list[Any]]]:
    """``value`` in one of the accepted forms (see the module docstring), normalised."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"scalars is a {type(value).__name__}. {ACCEPTED}")
    return {_name(name): _series(name, series) for name, series in value.items()}


def _error(name: str, problem: str) -> str:
    return f"scalars[{name!r}] {problem}. {ACCEPTED}"


def _name(name: object) -> str:
    if not isinstance(name, str):
        raise ValueError(f"scalars has the name {name!r}, not a str. {ACCEPTED}")
    return name


def _series(name: str, series: object) -> dict[str, list[Any]]:
    columns: dict[str, object]
    if isinstance(series, Mapping):
        if "steps" not in series or "values" not in series:
            raise ValueError(_error(name, f"has the keys {sorted(map(str, series))}"))
        columns = {k: series[k] for k in ("steps", "values", "wall_times") if k in series}
    elif isinstance(series, tuple | list):
        if len(series) not in (2, 3) or any(np.ndim(column) != 1 for column in series):
            raise ValueError(_error(name, "is not (steps, values): give the steps as well"))
        columns = dict(zip(("steps", "values", "wall_times"), series, strict=False))
    else:
        raise ValueError(_error(name, f"is {type(series).__name__}"))
    steps = _steps(name, columns["steps"])
    order = np.argsort(steps, kind="stable")
    ordered = steps[order]
    if np.any(ordered[1:] == ordered[:-1]):
        raise ValueError(_error(name, "has a step more than once"))
    lists: dict[str, list[Any]] = {"steps": ordered.tolist()}
    for key in ("values", "wall_times"):
        if key in columns:
            lists[key] = _numbers(name, key, columns[key], steps.size, order)
    return lists


def _steps(name: str, steps: object) -> npt.NDArray[np.int64]:
    array = _vector(name, "steps", steps)
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array) | (array != np.round(array))
        if bad.any():
            raise ValueError(_error(name, f"has the step {array[bad][0].item()!r}"))
    return array.astype(np.int64)


def _numbers(
    name: str, key: str, column: object, length: int, order: npt.NDArray[np.intp]
) -> list[float | None]:
    try:  # None (a gap, as this module writes them) reads as NaN
        array = np.asarray(column, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(_error(name, f"has {key} that are not numbers")) from error
    _check_vector(name, key, array)
    if array.size != length:
        raise ValueError(
            _error(name, f"has {length} steps but {array.size} {key.replace('_', ' ')}")
        )
    array = array[order]
    result: list[float | None] = list(array.tolist())
    for i in np.flatnonzero(~np.isfinite(array)).tolist():
        result[i] = None
    return result


def _vector(name: str, key: str, column: object) -> npt.NDArray[Any]:
    array = np.asarray(column)
    if array.size == 0:
        array = array.astype(np.int64)
    _check_vector(name, key, array)
    return array


def _check_vector(name: str, key: str, array: npt.NDArray[Any]) -> None:
    if array.ndim != 1 or array.dtype.kind not in "iuf":
        raise ValueError(_error(name, f"has {key} of shape {array.shape}, {array.dtype}"))
