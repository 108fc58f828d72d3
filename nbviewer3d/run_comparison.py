"""Runs side by side: a viewer per run, at the same step with the same camera and settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets  # type: ignore[import-untyped]

from .viewer import Viewer

# linked by hand: a run may lack the other's step, and the run is what differs
_UNLINKED = ("step", "run")


def nearest_step(steps: Sequence[int], step: int) -> int | None:
    """The step of ``steps`` closest to ``step`` (the earlier one on a tie), None if empty."""
    return min(steps, key=lambda s: (abs(s - step), s)) if steps else None


class RunComparison(ipywidgets.GridBox):  # type: ignore[misc]
    """Viewers of several runs in one row, linked both ways.

    Every display setting (colormap, window, preset, opacity, blend, labels, view mode,
    slices, camera, ...) set on one viewer, from Python or in its panel, is set on the others;
    moving one to a step moves the others to the same step, or to the nearest one they
    logged. ``comparison.viewers[i]`` is each run's :class:`Viewer` (``.run`` names it; its
    panel's run menu can switch it to another run).
    """

    def __init__(self, viewers: Sequence[Viewer]) -> None:
        if len(viewers) < 2:
            raise ValueError(f"a comparison needs at least two viewers, got {len(viewers)}")
        super().__init__(
            children=list(viewers),
            layout=ipywidgets.Layout(
                grid_template_columns=f"repeat({len(viewers)}, minmax(0, 1fr))",
                grid_gap="8px",
                width="100%",
            ),
        )
        self.viewers: tuple[Viewer, ...] = tuple(viewers)
        first = self.viewers[0]
        self._linked = [n for n in first._drawn_traits() if n not in _UNLINKED]
        self._moving = False
        for viewer in self.viewers:
            viewer.observe(self._follow_settings, names=self._linked)
            viewer.observe(self._follow_step, names="step")
        self._follow_settings({"owner": first})
        self._follow_step({"owner": first, "new": first.step})

    @property
    def runs(self) -> list[str | None]:
        """The run each viewer shows, left to right."""
        return [v.run for v in self.viewers]

    @property
    def step(self) -> int:
        """The first viewer's step (the others are at it or at their nearest)."""
        step: int = self.viewers[0].step
        return step

    @step.setter
    def step(self, step: int) -> None:
        self._follow_step({"owner": None, "new": step})

    def _follow_settings(self, change: dict[str, Any]) -> None:
        """Copies every linked trait from the viewer that changed, at once (vmin and vmax are
        checked against each other only when both are in)."""
        if self._moving:
            return
        source: Viewer = change["owner"]
        self._moving = True
        try:
            for viewer in self.viewers:
                if viewer is source:
                    continue
                with viewer.hold_trait_notifications():
                    for name in self._linked:
                        value = getattr(source, name)
                        if getattr(viewer, name) != value:
                            setattr(viewer, name, value)
        finally:
            self._moving = False

    def _follow_step(self, change: dict[str, Any]) -> None:
        if self._moving:
            return
        self._moving = True
        try:
            for viewer in self.viewers:
                if viewer is change["owner"]:
                    continue
                nearest = nearest_step(viewer.steps, change["new"])
                if nearest is not None:
                    viewer.step = nearest
        finally:
            self._moving = False

    def close(self) -> None:
        for viewer in self.viewers:
            viewer.unobserve(self._follow_settings, names=self._linked)
            viewer.unobserve(self._follow_step, names="step")
            viewer.close()
        super().close()
