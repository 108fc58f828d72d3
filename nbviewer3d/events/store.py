"""LogdirStore: the step store a Viewer reads a logdir run through."""

from __future__ import annotations

import contextlib
import time
import warnings
from typing import Any, NamedTuple

from ..heatmaps import heatmap_on_grid
from ..volume import Kind, Volume, on_grid
from .errors import LogdirError, UnpairedTagWarning
from .logdir import Logdir, open_logdir
from .pairing import VOLUME_KINDS, pair_tags, unpaired, unpaired_message

# how long a step that training is still writing waits for its other volumes before it is
# shown anyway, marked incomplete
GRACE_S = 20.0


class StepChanges(NamedTuple):
    """What a refresh found: steps now shown for the first time, and shown steps that got a
    record since (a volume logged late, or logged again): their views must fetch them anew."""

    new: list[int]
    changed: list[int]


class LogdirStore:
    """Image, label and prediction of one run, step by step, decoded only when asked.

    ``logdir`` is a :class:`Logdir` or a path. ``run`` left out is the first run (sorted)
    that holds volumes; :meth:`runs` lists them and :meth:`with_run` opens another.
    ``image``/``label``/``prediction`` name tags explicitly (a MONAI base name such as
    ``"output_HWD"`` is enough); left out, they are guessed from MONAI's naming.
    Label and prediction volumes have kind ``label``, placed on the image's grid when they
    carry no geometry of their own (MONAI's GIFs). When the roles are guessed, each volume
    tag left out is named once in an :class:`UnpairedTagWarning`, here or when a refresh
    finds it.

    While training writes, a step appears (in :meth:`steps`) once every paired role has been
    logged for it, or ``grace_s`` seconds after its first record, whichever comes first; what
    it still lacks is in :meth:`incomplete`. Steps already in the logdir when it is opened
    all appear at once.
    """

    def __init__(
        self,
        logdir: Logdir | str,
        run: str | None = None,
        image: str | None = None,
        label: str | None = None,
        prediction: str | None = None,
        frame_dim: int = -3,
        heatmap: str | None = None,
        grace_s: float = GRACE_S,
    ) -> None:
        self.logdir = logdir if isinstance(logdir, Logdir) else open_logdir(logdir)
        self.grace_s = grace_s
        self.run = self._pick_run(run)
        self.frame_dim = frame_dim
        self._tags = {"image": image, "label": label, "prediction": prediction, "heatmap": heatmap}
        self.roles = pair_tags(self.logdir.tags(self.run), **self._tags)
        self._guessed = all(name is None for name in self._tags.values())
        self._reported: set[str] = set()
        self._steps = self._collect_steps()  # the steps shown
        self._waiting: dict[int, float] = {}  # step -> when its first record was seen
        self._warn_unpaired()

    def runs(self) -> list[str]:
        """The runs of the logdir that hold volumes, sorted (those a viewer can switch to)."""
        return [
            r
            for r in sorted(self.logdir.runs)
            if any(k in VOLUME_KINDS for k in self.logdir.tags(r).values())
        ]

    def with_run(self, run: str) -> LogdirStore:
        """A store over another run of the same logdir (its index is shared, not re-read),
        pairing tags the way this one was asked to."""
        return LogdirStore(
            self.logdir, run, frame_dim=self.frame_dim, grace_s=self.grace_s, **self._tags
        )

    def _pick_run(self, run: str | None) -> str:
        runs = self.logdir.runs
        if run is not None:
            if run not in runs:
                raise LogdirError(f"no run {run!r} in {self.logdir.path!r}; runs: {runs}")
            return run
        with_volumes = self.runs()
        if not with_volumes:
            raise LogdirError(f"no run in {self.logdir.path!r} holds volumes; runs: {runs}")
        return with_volumes[0]

    def _warn_unpaired(self) -> None:
        if not self._guessed:
            return  # the user named the roles: the rest is left out on purpose
        dropped = unpaired(self.logdir.tags(self.run), self.roles)
        new = [t for t in dropped if t not in self._reported]
        if not new:
            return
        self._reported.update(new)
        where = f"run {self.run!r} of {self.logdir.path!r}"
        warnings.warn(unpaired_message(new, self.roles, where), UnpairedTagWarning, stacklevel=4)

    def _collect_steps(self) -> list[int]:
        steps: set[int] = set()
        for tag in self.roles.values():
            steps.update(self.logdir.steps(self.run, tag))
        return sorted(steps)

    def steps(self) -> list[int]:
        return list(self._steps)

    def volumes(self, step: int) -> dict[str, Volume]:
        """Role -> Volume for the roles logged at ``step``."""
        result = {}
        for role, tag in self.roles.items():
            if step in self.logdir.steps(self.run, tag):
                kind: Kind = "label" if role in ("label", "prediction") else "image"
                if role == "heatmap":
                    kind = "heatmap"
                result[role] = self.logdir.volume(
                    self.run, tag, step, frame_dim=self.frame_dim, kind=kind
                )
        if not result:
            raise LogdirError(
                f"run {self.run!r} has no volumes at step {step}; steps: {self._steps}"
            )
        image = result.get("image")
        if image is not None:  # a GIF label carries no geometry: it lies on the image's grid
            for role in ("label", "prediction"):
                # on another grid it stays as is: the browser shows the image and says why
                if role in result:
                    with contextlib.suppress(ValueError):
                        result[role] = on_grid(result[role], image, role)
            if "heatmap" in result:
                with contextlib.suppress(ValueError):
                    result["heatmap"] = heatmap_on_grid(result["heatmap"], image)
        return result

    def scalars(self) -> dict[str, dict[str, list[Any]]]:
        """Scalar tag -> ``{"steps": [...], "values": [...], "wall_times": [...]}``."""
        result = {}
        for tag, kind in self.logdir.tags(self.run).items():
            if kind == "scalar":
                series = self.logdir.scalars(self.run, tag)
                result[tag] = {
                    "steps": series.steps.tolist(),
                    "values": series.values.tolist(),
                    "wall_times": series.wall_times.tolist(),
                }
        return result

    def incomplete(self) -> dict[int, list[str]]:
        """Shown step -> the paired roles it has no volume for (yet)."""
        held = {role: set(self.logdir.steps(self.run, tag)) for role, tag in self.roles.items()}
        result = {}
        for step in self._steps:
            missing = [role for role in self.roles if step not in held[role]]
            if missing:
                result[step] = missing
        return result

    def refresh(self) -> StepChanges:
        """Index what training wrote since: the steps shown for the first time, and the shown
        steps that got a record since (see :class:`StepChanges`)."""
        indexed = self.logdir.refresh()
        if self._guessed:  # a role whose first record just arrived pairs now; none changes
            roles = {**pair_tags(self.logdir.tags(self.run), **self._tags), **self.roles}
            if roles != self.roles:
                self.roles = roles
                indexed = [
                    (self.run, tag, step)
                    for tag in roles.values()
                    for step in self.logdir.steps(self.run, tag)
                ]
        self._warn_unpaired()
        tags = set(self.roles.values())
        touched = {step for run, tag, step in indexed if run == self.run and tag in tags}
        shown = set(self._steps)
        now = time.monotonic()
        for step in self._collect_steps():
            if step not in shown:
                self._waiting.setdefault(step, now)
        complete = self._complete_steps()
        new = sorted(
            s for s, seen in self._waiting.items() if s in complete or now - seen >= self.grace_s
        )
        for step in new:
            del self._waiting[step]
        self._steps = sorted(shown | set(new))
        return StepChanges(new, sorted(touched & shown))

    def _complete_steps(self) -> set[int]:
        sets = [set(self.logdir.steps(self.run, tag)) for tag in self.roles.values()]
        return set.intersection(*sets) if sets else set()
