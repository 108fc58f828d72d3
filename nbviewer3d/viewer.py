"""Viewer: the anywidget model. Display traits sync with the browser; voxels travel by message.

Wire protocol (the browser asks, the kernel answers; display traits never carry voxels):

    browser -> kernel   {"type": "fetch", "step": s}
    kernel -> browser   {"type": "volumes", "step": s, "version": v, "volumes": [meta, ...]}
                        with buffers[i] holding volumes[i]'s voxels (see transport.encode)
                        {"type": "error", "step": s, "message": "..."}

The browser caches each step's volumes by (step, version) under a ``cache_mb`` cap, so going
back to a step it holds sends nothing; ``add`` on an existing step bumps its version.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import numbers
import threading
import warnings
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets as t

from . import label_style
from .inputs import as_volume
from .store import MemoryStore, StepStore
from .transfer import default_preset, presets
from .transport import ROLES, encode, nonfinite_count, robust_range
from .volume import Volume, on_grid

_BUNDLE = Path(__file__).parent / "static" / "widget.js"
_NOT_BUILT = (
    "nbviewer3d's front end is not built (nbviewer3d/static/widget.js is missing): install the "
    "package with `pip install .` or build it with `cd js && npm ci && npm run build`"
)
# without the bundle the cell still says what is wrong instead of staying blank
_NOT_BUILT_ESM = (
    "export default { render({ el }) { el.textContent = " + json.dumps(_NOT_BUILT) + "; } };"
)

_SHARED_OPTIONS = ("index", "axes", "spacing", "origin", "direction")
CONVERT_OPTIONS = (*_SHARED_OPTIONS, "channel", "threshold")
_ADD_OPTIONS = (
    "index, axes, spacing, origin, direction, channel (image), threshold (label, prediction)"
)
VIEW_MODES = ("volume", "axial", "coronal", "sagittal", "quad")
# itkwidgets names its view modes by the axis normal to the slice
_VIEW_MODE_ALIASES = {"v": "volume", "z": "axial", "y": "coronal", "x": "sagittal"}


class NonFiniteVoxelsWarning(UserWarning):
    """An image holds NaN or Inf voxels: they are left out of the range and drawn transparent."""


def colormaps() -> list[str]:
    """The colormap preset names ``cmap`` accepts."""
    names: list[str] = json.loads((Path(__file__).parent / "colormaps.json").read_text())
    return names


def _check_step(step: object) -> int:
    if isinstance(step, numbers.Integral) and not isinstance(step, bool):
        return int(step)
    raise TypeError(f"step must be an int (a training step or epoch), got {step!r}")


class Viewer(anywidget.AnyWidget):
    """Volume rendering and slice views of an image with its label and prediction, per step."""

    _esm = _BUNDLE if _BUNDLE.is_file() else _NOT_BUILT_ESM

    cmap = t.Unicode("Grayscale").tag(sync=True)
    vmin = t.Float(None, allow_none=True).tag(sync=True)
    vmax = t.Float(None, allow_none=True).tag(sync=True)
    # 3D transfer function (see transfer.py and README "presets"): picked from the first image
    preset = t.Unicode(None, allow_none=True).tag(sync=True)
    # [[value, opacity], ...] in data units replacing the preset's opacity curve, or None
    opacity = t.Any(None, allow_none=True).tag(sync=True)
    sample_distance = t.Float(0.25, min=0.0, max=1.0).tag(sync=True)
    gradient_opacity = t.Float(0.7, min=0.0, max=1.0).tag(sync=True)
    label_blend = t.Float(0.5, min=0.0, max=1.0).tag(sync=True)
    label_visible = t.Bool(True).tag(sync=True)
    # Any: the validator takes more forms (lookup tables, pairs, arrays) than Dict or List would
    label_names = t.Any({}).tag(sync=True)
    label_colors = t.Any({}).tag(sync=True)
    hidden_labels = t.Any([]).tag(sync=True)
    overlay_style = t.Unicode("fill").tag(sync=True)
    view_mode = t.Unicode("volume").tag(sync=True)
    compare = t.Unicode("overlay").tag(sync=True)
    # the linked 3D cursor: a voxel index [i, j, k] in the image array's own axis order (the
    # slices every slice view shows); None until an image arrives, then its centre
    cursor = t.Any(None, allow_none=True).tag(sync=True)
    steps = t.List(t.Int(), read_only=True).tag(sync=True)
    step = t.Int(0).tag(sync=True)
    height = t.Int(480, min=120).tag(sync=True)
    cache_mb = t.Int(512, min=16).tag(sync=True)
    scalars = t.Dict().tag(sync=True)
    _versions = t.Dict().tag(sync=True)
    # the window centre the viewer opened with: HU presets sit at their table values there
    _default_level = t.Float(None, allow_none=True).tag(sync=True)

    _follow_stop: threading.Event | None = None
    _follow_task: asyncio.Task[None] | None = None

    DISPLAY_TRAITS = (
        "cmap",
        "vmin",
        "vmax",
        "preset",
        "opacity",
        "sample_distance",
        "gradient_opacity",
        "label_blend",
        "label_visible",
        "label_names",
        "label_colors",
        "hidden_labels",
        "overlay_style",
        "view_mode",
        "cursor",
        "height",
        "cache_mb",
    )

    def __init__(self, store: StepStore | None = None, **display: Any) -> None:
        if not _BUNDLE.is_file():
            warnings.warn(_NOT_BUILT, RuntimeWarning, stacklevel=2)
        unknown = sorted(set(display) - set(self.DISPLAY_TRAITS))
        if unknown:
            raise TypeError(
                f"unknown display option(s) {unknown}; accepted: {', '.join(self.DISPLAY_TRAITS)}"
            )
        # before the traits: validating a given cursor reads the store's image
        self._store: StepStore = store if store is not None else MemoryStore()
        super().__init__(**display)
        if self.vmin is not None and self.vmax is not None:
            self._default_level = (self.vmin + self.vmax) / 2
        self.bytes_sent = 0
        self.on_msg(self._on_message)
        self._sync_steps()

    # ---- validation -------------------------------------------------------------------

    @t.validate("cmap")
    def _valid_cmap(self, proposal: dict[str, Any]) -> str:
        name: str = proposal["value"]
        names = colormaps()
        if name not in names:
            raise t.TraitError(f"unknown cmap {name!r}; nbviewer3d.colormaps() lists: {names}")
        return name

    @t.validate("preset")
    def _valid_preset(self, proposal: dict[str, Any]) -> str | None:
        name: str | None = proposal["value"]
        names = presets()
        if name is not None and name not in names:
            raise t.TraitError(f"unknown preset {name!r}; nbviewer3d.presets() lists: {names}")
        return name

    @t.observe("preset")
    def _preset_drops_custom_opacity(self, change: dict[str, Any]) -> None:
        # a new preset shows its own curve; the first one (given or picked) keeps `opacity`
        if change["old"] is not None:
            self.opacity = None

    @t.validate("opacity")
    def _valid_opacity(self, proposal: dict[str, Any]) -> list[list[float]] | None:
        return _opacity_points(proposal["value"])

    @t.validate("view_mode")
    def _valid_view_mode(self, proposal: dict[str, Any]) -> str:
        mode = _VIEW_MODE_ALIASES.get(proposal["value"], proposal["value"])
        if mode not in VIEW_MODES:
            raise t.TraitError(
                f"unknown view_mode {proposal['value']!r}; accepted: {', '.join(VIEW_MODES)} "
                "(or itkwidgets' 'x', 'y', 'z', 'v')"
            )
        return str(mode)

    @t.validate("cursor")
    def _valid_cursor(self, proposal: dict[str, Any]) -> list[int] | None:
        return _cursor_index(proposal["value"], self.image)

    @t.validate("label_names", "label_colors", "hidden_labels", "overlay_style")
    def _valid_label_style(self, proposal: dict[str, Any]) -> Any:
        """Names ``{id: str}``, colours ``{id: "#rrggbb"}``, hidden ids, "fill" | "contour"."""
        normalise = getattr(label_style, proposal["trait"].name)
        try:
            return normalise(proposal["value"])
        except ValueError as error:
            raise t.TraitError(str(error)) from None

    @t.validate("step")
    def _valid_step(self, proposal: dict[str, Any]) -> int:
        step = _check_step(proposal["value"])
        if self.steps and step not in self.steps:
            raise t.TraitError(f"no volumes at step {step}; steps present: {self.steps}")
        return step

    @t.validate("vmin", "vmax")
    def _valid_range(self, proposal: dict[str, Any]) -> float | None:
        value: float | None = proposal["value"]
        name = proposal["trait"].name
        other = self.vmax if name == "vmin" else self.vmin
        if value is not None and other is not None:
            lo, hi = (value, other) if name == "vmin" else (other, value)
            if lo >= hi:
                raise t.TraitError(f"vmin must be below vmax, got vmin={lo}, vmax={hi}")
        return value

    # ---- data -------------------------------------------------------------------------

    def add(
        self,
        step: int,
        image: object = None,
        label: object = None,
        prediction: object = None,
        **convert: Any,
    ) -> None:
        """Add or replace volumes at ``step``; displayed views update and the slider grows.

        ``convert`` goes to :func:`nbviewer3d.inputs.as_volume`: ``index``, ``axes``,
        ``spacing``, ``origin`` and ``direction`` for every input, ``channel`` for the image
        and ``threshold`` for the label and prediction (float probability maps only). Arrays
        are read by the axis convention of :mod:`nbviewer3d.inputs`: ``(x, y, z)``, MONAI's
        ``(H, W, D)``, unless ``axes=`` says otherwise. The voxels are copied unless the
        conversion already made them new, so a tensor reused in place by the training loop
        doesn't change what an earlier step shows.
        """
        step = _check_step(step)
        if not isinstance(self._store, MemoryStore):
            raise TypeError("add() is for viewers made with view(); this one reads its store")
        given = {"image": image, "label": label, "prediction": prediction}
        if all(v is None for v in given.values()):
            raise ValueError("add() needs at least one of image=, label=, prediction=")
        unknown = sorted(set(convert) - set(CONVERT_OPTIONS))
        if unknown:
            raise TypeError(f"unknown option(s) {unknown} for add(); accepted: {_ADD_OPTIONS}")
        shared = {k: v for k, v in convert.items() if k in _SHARED_OPTIONS}
        volumes: dict[str, Volume] = {}
        for role, obj in given.items():
            if obj is None:
                continue
            if role == "image":
                volume = as_volume(
                    obj, kind="image", name=role, channel=convert.get("channel"), **shared
                )
            else:
                volume = as_volume(
                    obj, kind="label", name=role, threshold=convert.get("threshold"), **shared
                )
            volumes[role] = _owned(volume)
        existing = dict(self._store.volumes(step)) if step in self._store.steps() else {}
        reference = volumes.get("image") or existing.get("image")
        for role in ("label", "prediction"):
            if role in volumes and reference is not None:
                volumes[role] = on_grid(volumes[role], reference, role)
        if "image" in volumes:
            _warn_nonfinite(volumes["image"], step)
        self._store.put(step, volumes)
        if "image" in volumes:
            self._default_range(volumes["image"])
        self._sync_steps(replaced=[step] if existing else [])

    def _default_range(self, image: Volume) -> None:
        """Fill what the user left unset from the image: vmin/vmax from its robust range,
        the preset from its values (see ``nbviewer3d.transfer.default_preset``)."""
        with self.hold_sync():
            self._default_window(image)
            if self.preset is None:
                self.preset = default_preset(image.data)
            if self._default_level is None and self.vmin is not None and self.vmax is not None:
                self._default_level = (self.vmin + self.vmax) / 2
            current = self.image
            if self.cursor is None and (current is None or current.data.shape == image.data.shape):
                self.cursor = [(n - 1) // 2 for n in image.data.shape]

    def _default_window(self, image: Volume) -> None:
        vmin: float | None = self.vmin
        vmax: float | None = self.vmax
        if vmin is not None and vmax is not None:
            return
        lo, hi = robust_range(image.data)
        if vmin is None and vmax is None:
            self.vmax = hi
            self.vmin = lo
        elif vmin is None and vmax is not None:
            self.vmin = min(lo, vmax - (hi - lo))
        elif vmin is not None:
            self.vmax = max(hi, vmin + (hi - lo))

    def _sync_steps(self, replaced: list[int] | None = None) -> None:
        steps = self._store.steps()
        was_at_latest = not self.steps or self.step == self.steps[-1]
        versions = dict(self._versions)
        for s in steps:
            versions.setdefault(str(s), 0)
        for s in replaced or []:
            versions[str(s)] = versions.get(str(s), 0) + 1
        with self.hold_sync():
            self.set_trait("steps", steps)
            self._versions = versions
            if steps and (was_at_latest or self.step not in steps):
                self.step = steps[-1] if was_at_latest else steps[0]

    def _current(self, role: str) -> Volume | None:
        if self.step not in self._store.steps():
            return None
        return self._store.volumes(self.step).get(role)

    @property
    def image(self) -> Volume | None:
        """The current step's image: ``.data`` (numpy, the array as passed; see the axis
        convention in :mod:`nbviewer3d.inputs`) and its geometry."""
        return self._current("image")

    @property
    def label(self) -> Volume | None:
        """The current step's label map."""
        return self._current("label")

    @property
    def prediction(self) -> Volume | None:
        """The current step's predicted label map."""
        return self._current("prediction")

    # ---- browser messages -------------------------------------------------------------

    def _on_message(self, _widget: object, content: object, _buffers: object) -> None:
        if not isinstance(content, dict) or content.get("type") != "fetch":
            return
        step = content.get("step")
        try:
            step = _check_step(step)
            volumes = self._store.volumes(step)
            metas: list[dict[str, Any]] = []
            buffers: list[bytes | memoryview] = []
            for role in ROLES:
                if role in volumes:
                    meta, buffer = encode(volumes[role], role)
                    metas.append(meta)
                    buffers.append(buffer)
        except Exception as error:  # the cell shows it; the kernel keeps running
            message = f"could not load step {step}: {type(error).__name__}: {error}"
            self.send({"type": "error", "step": step, "message": message})
            return
        version = self._versions.get(str(step), 0)
        self.send({"type": "volumes", "step": step, "version": version, "volumes": metas}, buffers)
        self.bytes_sent += sum(memoryview(b).nbytes for b in buffers)

    # ---- following a store that grows (a logdir being written) ------------------------

    def poll(self) -> list[int]:
        """Pick up steps the store gained since the last look; returns the new steps."""
        refresh = getattr(self._store, "refresh", None)
        if refresh is None:
            raise TypeError("poll() and follow() need a store that can refresh (a logdir)")
        new: list[int] = refresh()
        if new:
            self._sync_steps()
            self._on_refresh()
        return new

    def _on_refresh(self) -> None:
        scalars = getattr(self._store, "scalars", None)
        if scalars is not None:
            self.scalars = scalars()

    def follow(self, interval_s: float = 2.0) -> None:
        """Add new steps as they arrive, every ``interval_s`` seconds, until ``unfollow()``."""
        self.poll()
        self.unfollow()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:  # inside Jupyter: poll on the kernel's loop, between cells
            self._follow_task = loop.create_task(self._follow_on_loop(interval_s))
            return
        stop = threading.Event()
        self._follow_stop = stop

        def run() -> None:
            while not stop.wait(interval_s):
                self.poll()

        threading.Thread(target=run, name="nbviewer3d-follow", daemon=True).start()

    async def _follow_on_loop(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            self.poll()

    def unfollow(self) -> None:
        if self._follow_task is not None:
            self._follow_task.cancel()
            self._follow_task = None
        if self._follow_stop is not None:
            self._follow_stop.set()
            self._follow_stop = None

    def close(self) -> None:
        self.unfollow()
        super().close()


def _owned(volume: Volume) -> Volume:
    """The volume with voxels nobody else can write to."""
    data = volume.data
    if data.flags.owndata and not data.flags.writeable:
        return volume
    copy = data.copy(order="K")  # keeps an F-ordered (x, y, z) ITK layout as it is
    copy.flags.writeable = False
    return dataclasses.replace(volume, data=copy)


_OPACITY_FORM = (
    "opacity must be None (the preset's curve) or a list of at least two [value, opacity] "
    "points, value in data units and opacity in 0..1, e.g. [[-200, 0], [300, 0.8]]"
)


def _opacity_points(value: object) -> list[list[float]] | None:
    """Validated opacity points, sorted by value; None keeps the preset's curve."""
    if value is None:
        return None
    try:
        points = [[float(v), float(a)] for v, a in value]  # type: ignore[attr-defined]
    except (TypeError, ValueError) as error:
        raise t.TraitError(f"{_OPACITY_FORM}; got {value!r}") from error
    if len(points) < 2:
        raise t.TraitError(f"{_OPACITY_FORM}; got {len(points)} point(s)")
    for v, a in points:
        if not np.isfinite(v) or not 0.0 <= a <= 1.0:
            raise t.TraitError(f"{_OPACITY_FORM}; got the point [{v}, {a}]")
    return sorted(points, key=lambda p: p[0])


_CURSOR_FORM = (
    "cursor must be None or a voxel index [i, j, k] of three non-negative ints in the image "
    "array's own axis order"
)


def _cursor_index(value: object, image: Volume | None) -> list[int] | None:
    """The validated cursor: three ints inside the current image (when there is one)."""
    if value is None:
        return None
    try:
        index = [_check_int(v) for v in value]  # type: ignore[attr-defined]
    except TypeError as error:
        raise t.TraitError(f"{_CURSOR_FORM}; got {value!r}") from error
    if len(index) != 3 or min(index) < 0:
        raise t.TraitError(f"{_CURSOR_FORM}; got {value!r}")
    if image is not None and any(i >= n for i, n in zip(index, image.data.shape, strict=True)):
        raise t.TraitError(
            f"cursor {index} lies outside the image, whose shape is {list(image.data.shape)}"
        )
    return index


def _check_int(value: object) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    raise TypeError(value)


def _warn_nonfinite(volume: Volume, step: int) -> None:
    count = nonfinite_count(volume.data)
    if count:
        warnings.warn(
            f"the image at step {step} has {count} NaN/Inf voxels: they are left out of the "
            "color range and drawn transparent",
            NonFiniteVoxelsWarning,
            stacklevel=3,
        )
