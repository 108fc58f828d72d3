"""Where a Viewer gets its volumes: step -> {role: Volume}, decoded only when asked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

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
    """Volumes held in the kernel, added step by step (``Viewer.add``)."""

    def __init__(self) -> None:
        self._by_step: dict[int, dict[str, Volume]] = {}

    def steps(self) -> list[int]:
        return sorted(self._by_step)

    def volumes(self, step: int) -> Mapping[str, Volume]:
        return self._by_step[step]

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
                del held[key]
        held.update(volumes)
