"""Step versions: the browser caches each step's volumes by (step, version).

A version changes when ``add`` replaces a step, and the steps of different runs (which share
step numbers) never share a version, so the browser can't show one run's step for another's.
"""

from __future__ import annotations


class StepVersions:
    """The versions of the steps of the run on screen, and of the runs seen before."""

    def __init__(self) -> None:
        self._by_run: dict[str | None, dict[str, int]] = {}
        self._base = 0  # what a new step of the run on screen starts at
        self._next = 1  # no version handed out so far reaches it
        self._retired: set[str] = set()  # steps removed from the run on screen

    def update(
        self, versions: dict[str, int], steps: list[int], replaced: list[int]
    ) -> dict[str, int]:
        """``versions`` with the new ``steps`` added and the ``replaced`` ones bumped."""
        out = dict(versions)
        for s in steps:
            if str(s) in self._retired:
                self._retired.discard(str(s))
                out[str(s)] = self._fresh()
            out.setdefault(str(s), self._base)
        for s in replaced:
            out[str(s)] = self._fresh()
        return out

    def drop(self, versions: dict[str, int], steps: list[int]) -> dict[str, int]:
        """``versions`` without the removed ``steps``; added again, they get fresh ones (the
        browser may still hold what they showed before)."""
        self._retired.update(str(s) for s in steps)
        return {k: v for k, v in versions.items() if k not in self._retired}

    def switch(
        self, versions: dict[str, int], old: str | None, new: str, steps: list[int]
    ) -> dict[str, int]:
        """Keeps the versions of run ``old``; returns run ``new``'s (as before, or fresh)."""
        self._by_run[old] = dict(versions)
        known = self._by_run.get(new)
        if known is None:
            self._base = self._fresh()
            return {str(s): self._base for s in steps}
        self._base = min(known.values(), default=self._fresh())
        return dict(known)

    def _fresh(self) -> int:
        fresh = self._next
        self._next += 1
        return fresh
