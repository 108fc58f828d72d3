"""Where a Viewer gets its volumes: step -> {role: Volume}, decoded only when asked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from .spill import Spilled, SpillFolder
from .volume import Volume


@runtime_checkable
class StepStore(Protocol):
    """Anything that lists steps and hands out each step's volumes by role."""

    def steps(self) -> list[int]: ...

    def volumes(self, step: int) -> Mapping[str, Volume]: ...

    def runs(self) -> list[str]:
        """The runs a viewer may switch between (empty: the store is one run)."""
        ...

    def with_run(self, run: str) -> StepStore:
        """The same kind of store over another of :meth:`runs`."""
        ...


class MemoryStore:
    """Volumes held in the kernel, added step by step (``Viewer.add``).

    At most ``budget`` bytes of voxels stay in memory (``None``: no limit): the steps used
    least recently beyond it are spilled to a temporary folder (:mod:`nbviewer3d.spill`)
    and read back, bit-exact, when asked for. Nothing added is ever dropped but by
    :meth:`remove` and :meth:`clear`.
    """

    def __init__(self, budget: int | None = None) -> None:
        self._by_step: dict[int, dict[str, Volume | Spilled]] = {}
        self._recent: list[int] = []  # least recently used first
        self.budget = budget
        self._folder: SpillFolder | None = None

    def steps(self) -> list[int]:
        return sorted(self._by_step)

    def volumes(self, step: int) -> Mapping[str, Volume]:
        held = self._by_step[step]
        if any(isinstance(v, Spilled) for v in held.values()):
            for key, value in list(held.items()):
                if isinstance(value, Spilled):
                    held[key] = value.load()
                    self._spill_folder().remove(value)
        self._touch(step)
        self._keep_within_budget(keep=step)
        return {k: v for k, v in held.items() if isinstance(v, Volume)}

    def runs(self) -> list[str]:
        return []

    def with_run(self, run: str) -> StepStore:
        raise TypeError("a viewer made with view() holds one run; runs come from view_logdir()")

    def put(self, step: int, volumes: Mapping[str, Volume], replace_image: bool = False) -> None:
        """Add or replace roles at ``step``; roles not named keep their volumes.
        ``replace_image`` drops every channel the step's image had before."""
        held = self._by_step.setdefault(step, {})
        if replace_image:
            for key in [k for k in held if k == "image" or k.startswith("image.")]:
                self._forget(held.pop(key))
        for key in volumes:
            if key in held:
                self._forget(held[key])
        held.update(volumes)
        self._touch(step)
        self._keep_within_budget(keep=step)

    def put_within_budget(self) -> None:
        """Spill what a lowered budget no longer holds."""
        if self._recent:
            self._keep_within_budget(keep=self._recent[-1])

    def remove(self, step: int) -> None:
        for value in self._by_step.pop(step).values():
            self._forget(value)
        self._recent.remove(step)

    def clear(self) -> None:
        for step in list(self._by_step):
            self.remove(step)

    @property
    def resident_bytes(self) -> int:
        """Bytes of voxels held in memory (spilled steps not counted)."""
        return sum(
            v.data.nbytes
            for held in self._by_step.values()
            for v in held.values()
            if isinstance(v, Volume)
        )

    def _touch(self, step: int) -> None:
        if step in self._recent:
            self._recent.remove(step)
        self._recent.append(step)

    def _keep_within_budget(self, keep: int) -> None:
        if self.budget is None:
            return
        resident = self.resident_bytes
        for step in list(self._recent):
            if resident <= self.budget:
                return
            if step == keep:
                continue
            held = self._by_step[step]
            for key, value in list(held.items()):
                if isinstance(value, Volume):
                    resident -= value.data.nbytes
                    held[key] = self._spill_folder().spill(value)

    def _spill_folder(self) -> SpillFolder:
        if self._folder is None:
            self._folder = SpillFolder()
        return self._folder

    def _forget(self, value: Volume | Spilled) -> None:
        if isinstance(value, Spilled):
            self._spill_folder().remove(value)
