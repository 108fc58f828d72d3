"""Prediction versus label in a Viewer: the compare modes and the per-step metrics cache.

``compare`` modes: ``"overlay"`` blends label and prediction as two label maps (the default);
``"errors"`` draws one map of true positives, false positives and false negatives per class
(the browser derives it from the two maps it already holds, js/src/errors.ts);
``"side-by-side"`` shows label and prediction in two linked views.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from .metrics import segmentation_metrics
from .store import StepStore

# HD95 of a large organ takes seconds on a 128^3 grid, on the kernel's thread: the panel's
# table is computed after the browser has the step's voxels (just after the fetch is answered),
# or, for a step the browser holds already (no fetch comes), a moment after the step changed.
AFTER_FETCH_S = 0.05
AFTER_STEP_S = 1.0


class StepMetrics:
    """Metrics rows per (step, version), computed once from the store's label and prediction."""

    def __init__(self, store: StepStore) -> None:
        self._store = store
        self._rows: dict[tuple[int, int], list[dict[str, Any]]] = {}
        self._pending: asyncio.TimerHandle | None = None

    def cached(self, step: int, version: int) -> bool:
        return (step, version) in self._rows

    def rows(self, step: int, version: int, names: Mapping[int, str]) -> list[dict[str, Any]]:
        key = (step, version)
        if key not in self._rows:
            self._rows = {k: v for k, v in self._rows.items() if k[0] != step}
            self._rows[key] = self._compute(step)
        return [{**row, "name": names.get(row["class"], "")} for row in self._rows[key]]

    def _compute(self, step: int) -> list[dict[str, Any]]:
        if step not in self._store.steps():
            return []
        volumes = self._store.volumes(step)
        label = volumes.get("label")
        prediction = volumes.get("prediction")
        if label is None or prediction is None or label.data.shape != prediction.data.shape:
            return []
        return segmentation_metrics(label.data, prediction.data, label.spacing)

    def schedule(self, publish: Callable[[], None], delay_s: float) -> None:
        """Runs ``publish`` after ``delay_s`` on the running event loop (inside Jupyter), else
        now; a newer call replaces a pending one."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            _publish_safely(publish)
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(delay_s, _publish_safely, publish)


def _publish_safely(publish: Callable[[], None]) -> None:
    try:
        publish()
    except Exception as error:  # the panel's table stays empty; the kernel keeps running
        warnings.warn(
            f"nbviewer3d could not compute the metrics: {type(error).__name__}: {error}",
            RuntimeWarning,
            stacklevel=2,
        )
