"""Viewer: the anywidget model. Display traits sync with the browser; voxels travel by message.

Wire protocol (the browser asks, the kernel answers; display traits never carry voxels):

    browser -> kernel   {"type": "fetch", "step": s}
    kernel -> browser   {"type": "volumes", "step": s, "version": v, "volumes": [meta, ...]}
                        with buffers[i] holding volumes[i]'s voxels (see transport.encode)
                        {"type": "error", "step": s, "message": "..."}
    where buffers do not get through, the same as base64 text (see text_transport.py)
    kernel -> browser   {"type": "screenshot", ...}, browser -> kernel {"type": "frame", ...}
                        (see screenshot.py)

The browser caches each step's volumes by (step, version) under a ``cache_mb`` cap, so going
back to a step it holds sends nothing; ``add`` on an existing step bumps its version.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import math
import numbers
import os
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets as t

from . import camera as camera_form
from . import label_style, text_transport
from .comparison import AFTER_FETCH_S, AFTER_STEP_S, StepMetrics
from .contract import COMPARE_MODES, VIEW_MODES
from .delivery import Delivery
from .export import ANYWIDGET_OWN, output_bundle
from .heatmaps import as_heatmap, heatmap_on_grid
from .inputs import as_channels, as_volume
from .lazy import kernel_owned
from .scalars import normalise_scalars
from .screenshot import Frame, ScreenshotPending, Screenshots, ScreenshotSave, as_json
from .static_picture import Still, StillCache, still
from .store import MemoryStore, StepStore
from .transfer import default_preset, presets
from .transport import (
    channel_key,
    finite_range,
    nonfinite_count,
    robust_range,
    smallest_label_type,
)
from .versions import StepVersions
from .volume import Volume, on_grid

_BUNDLE = Path(__file__).parent / "static" / "widget.js"
_NOTICES = 5  # follow notices kept under the view
_NOT_BUILT = (
    "nbviewer3d's front end is not built (nbviewer3d/static/widget.js is missing): install the "
    "package with `pip install .` or build it with `cd js && npm ci && npm run build`"
)
# without the bundle the cell still says what is wrong instead of staying blank
_NOT_BUILT_ESM = (
    "export default { render({ el }) { el.textContent = " + json.dumps(_NOT_BUILT) + "; } };"
)

_SHARED_OPTIONS = ("index", "axes", "spacing", "origin", "direction")
CONVERT_OPTIONS = (*_SHARED_OPTIONS, "channel", "threshold", "heatmap_channel")
_ADD_OPTIONS = (
    "index, axes, spacing, origin, direction, channel (image), threshold (label, prediction), "
    "heatmap_channel (heatmap)"
)
# the part of the heat map's range below which it is transparent unless heatmap_threshold says
_DEFAULT_THRESHOLD_FRACTION = 0.25
# itkwidgets names its view modes by the axis normal to the slice
_VIEW_MODE_ALIASES = {"v": "volume", "z": "axial", "y": "coronal", "x": "sagittal"}


def _ram_mb() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (ValueError, OSError, AttributeError):
        return 8192


def _bundle_source() -> str | Path:
    """The front end's code as text: anywidget connects each instance to the signal of a
    watched bundle Path and never disconnects, so every viewer would stay in memory
    (manzt/anywidget#929). The Path (live reload) only where ANYWIDGET_HMR asks for it."""
    if not _BUNDLE.is_file():
        return _NOT_BUILT_ESM
    if os.environ.get("ANYWIDGET_HMR") == "1":
        return _BUNDLE
    return _BUNDLE.read_text(encoding="utf-8")


class FiniteFloat(t.Float):  # type: ignore[type-arg]
    """A float trait that refuses NaN and infinity (JSON has no word for them)."""

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, numbers.Real) and not math.isfinite(value):
            raise t.TraitError(f"{self.name} must be a finite number, not {value!r}")
        return super().validate(obj, value)


class WirePrecisionWarning(UserWarning):
    """An integer image whose values reach beyond float32's exact integers (2**24) is sent
    to the browser as float32, so values that far out are drawn rounded (the kernel keeps
    them exact)."""


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

    _esm = _bundle_source()

    cmap = t.Unicode("Grayscale").tag(sync=True)
    vmin = FiniteFloat(None, allow_none=True).tag(sync=True)
    vmax = FiniteFloat(None, allow_none=True).tag(sync=True)
    # 3D transfer function (see transfer.py and README "presets"): picked from the first image
    preset = t.Unicode(None, allow_none=True).tag(sync=True)
    # [[value, opacity], ...] in data units replacing the preset's opacity curve, or None
    opacity = t.Any(None, allow_none=True).tag(sync=True)
    sample_distance = FiniteFloat(0.25, min=0.0, max=1.0).tag(sync=True)
    gradient_opacity = FiniteFloat(0.7, min=0.0, max=1.0).tag(sync=True)
    label_blend = FiniteFloat(0.5, min=0.0, max=1.0).tag(sync=True)
    label_visible = t.Bool(True).tag(sync=True)
    # Any: the validator takes more forms (lookup tables, pairs, arrays) than Dict or List would
    label_names = t.Any({}).tag(sync=True)
    label_colors = t.Any({}).tag(sync=True)
    hidden_labels = t.Any([]).tag(sync=True)
    overlay_style = t.Unicode("fill").tag(sync=True)
    # "overlay": label and prediction blended; "errors": TP/FP/FN per class (see comparison.py)
    compare = t.Unicode("overlay").tag(sync=True)
    view_mode = t.Unicode("volume").tag(sync=True)
    # the 3D view's camera in RAS mm (camera.py); None: the default view
    camera = t.Any(None, allow_none=True).tag(sync=True)
    # the logdir run on screen (None for view()) and the runs it can switch to
    run = t.Unicode(None, allow_none=True).tag(sync=True)
    runs = t.List(t.Unicode(), read_only=True).tag(sync=True)
    # the linked 3D cursor: a voxel index [i, j, k] in the image array's own axis order (the
    # slices every slice view shows); None until an image arrives, then its centre
    cursor = t.Any(None, allow_none=True).tag(sync=True)
    steps = t.List(t.Int(), read_only=True).tag(sync=True)
    step = t.Int(0).tag(sync=True)
    height = t.Int(480, min=120).tag(sync=True)
    cache_mb = t.Int(512, min=16).tag(sync=True)
    # the kernel's budget for the voxels of add()ed steps; older steps beyond it wait on disk
    kernel_cache_mb = t.Int(min(2048, _ram_mb() // 4), min=16)
    # training curves drawn under the view: {name: {"steps": [...], "values": [...]}}
    scalars = t.Dict().tag(sync=True)
    _versions = t.Dict().tag(sync=True)
    # shown step -> the roles it has no volume for yet (a run being written, see follow())
    _incomplete = t.Dict().tag(sync=True)
    # what following met: skipped records and errors, newest last (shown under the view)
    follow_notices = t.List(t.Unicode(), read_only=True).tag(sync=True)
    # the current step's metrics rows for the panel (NaN as None: JSON has no NaN)
    _metrics: t.List[dict[str, Any]] = t.List().tag(sync=True)
    # the window centre the viewer opened with: HU presets sit at their table values there
    _default_level = FiniteFloat(None, allow_none=True).tag(sync=True)
    # heat map overlay (README "Heat maps"): its own colormap, range, opacity and threshold
    heatmap_cmap = t.Unicode("inferno").tag(sync=True)
    heatmap_vmin = FiniteFloat(None, allow_none=True).tag(sync=True)
    heatmap_vmax = FiniteFloat(None, allow_none=True).tag(sync=True)
    heatmap_threshold = FiniteFloat(None, allow_none=True).tag(sync=True)
    heatmap_opacity = FiniteFloat(0.6, min=0.0, max=1.0).tag(sync=True)
    heatmap_visible = t.Bool(True).tag(sync=True)
    # the image channel shown (multi-channel images keep every channel), and their names
    channel = t.Int(0, min=0).tag(sync=True)
    channel_names = t.List(t.Unicode()).tag(sync=True)
    channel_count = t.Int(1, read_only=True).tag(sync=True)

    _follow_stop: threading.Event | None = None
    _follow_error: Exception | None = None
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
        "compare",
        "view_mode",
        "cursor",
        "camera",
        "height",
        "cache_mb",
        "kernel_cache_mb",
        "heatmap_cmap",
        "heatmap_vmin",
        "heatmap_vmax",
        "heatmap_threshold",
        "heatmap_opacity",
        "heatmap_visible",
        "channel_names",
    )
    # synced traits that don't change the picture (left out of a screenshot's state)
    _NOT_DRAWN = (
        "steps",
        "scalars",
        "runs",
        "cache_mb",
        "_versions",
        "_incomplete",
        "follow_notices",
        "_metrics",
        "channel_count",
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
        self._store: StepStore = (
            store if store is not None else MemoryStore(budget=self.kernel_cache_mb * 2**20)
        )
        super().__init__(**display)
        if self.vmin is not None and self.vmax is not None:
            self._default_level = (self.vmin + self.vmax) / 2
        self._step_metrics = StepMetrics(self._store)
        self._browser_fetched = False
        # each channel's [vmin, vmax] while another channel is shown
        self._channel_windows: dict[int, tuple[float | None, float | None]] = {}
        self.bytes_sent = 0
        # "binary" (comm buffers) until the browser finds that buffers do not get through
        # and switches to "base64" (see text_transport.py)
        self.transport = "binary"
        self._delivery = Delivery()
        self._step_versions = StepVersions()
        self._screenshots = Screenshots(self.send, self._drawn_state, self._drawn_traits)
        self._stills = StillCache()
        self.on_msg(self._on_message)
        runs = self._store.runs()
        if runs:
            self.set_trait("runs", runs)
            self.set_trait("run", getattr(self._store, "run", runs[0]))
        self._sync_steps()
        self.observe(self._on_metrics_change, names=["step", "_versions", "label_names"])

    # ---- validation -------------------------------------------------------------------

    @t.validate("cmap", "heatmap_cmap")
    def _valid_cmap(self, proposal: dict[str, Any]) -> str:
        name: str = proposal["value"]
        names = colormaps()
        if name not in names:
            trait = proposal["trait"].name
            raise t.TraitError(f"unknown {trait} {name!r}; nbviewer3d.colormaps() lists: {names}")
        return name

    @t.validate("heatmap_vmin", "heatmap_vmax")
    def _valid_heatmap_range(self, proposal: dict[str, Any]) -> float | None:
        return self._keep_window(proposal, "heatmap_vmin", "heatmap_vmax")

    @t.validate("channel")
    def _valid_channel(self, proposal: dict[str, Any]) -> int:
        channel: int = proposal["value"]
        if channel >= self.channel_count:
            raise t.TraitError(
                f"channel={channel} is out of range: the image has {self.channel_count} "
                f"channel(s), 0..{self.channel_count - 1}"
            )
        return channel

    @t.observe("channel")
    def _channel_keeps_its_window(self, change: dict[str, Any]) -> None:
        """Each channel keeps its own vmin/vmax: leaving one saves its window, coming back
        restores it; a channel shown for the first time opens on its robust range."""
        self._channel_windows[change["old"]] = (self.vmin, self.vmax)
        window = self._channel_windows.get(change["new"])
        if window is None or None in window:
            image = self.image
            if image is None:
                return
            window = robust_range(image.data)
        lo, hi = window
        with self.hold_sync():
            self.vmin = None
            self.vmax = hi
            self.vmin = lo

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

    @t.validate("compare")
    def _valid_compare(self, proposal: dict[str, Any]) -> str:
        mode: str = proposal["value"]
        if mode not in COMPARE_MODES:
            raise t.TraitError(
                f"unknown compare {mode!r}; accepted: {', '.join(map(repr, COMPARE_MODES))}"
            )
        return mode

    @t.validate("camera")
    def _valid_camera(self, proposal: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return camera_form.normalise(proposal["value"])
        except ValueError as error:
            raise t.TraitError(str(error)) from None

    @t.validate("run")
    def _valid_run(self, proposal: dict[str, Any]) -> str | None:
        run: str | None = proposal["value"]
        if run not in self.runs:
            where = f"runs: {self.runs}" if self.runs else "this viewer shows one run (view())"
            raise t.TraitError(f"no run {run!r}; {where}")
        return run

    @t.observe("run")
    def _switch_run(self, change: dict[str, Any]) -> None:
        """Show another run: same step (or the nearest it logged), same display settings."""
        old, new = change["old"], change["new"]
        if old is None or new == getattr(self._store, "run", None):
            return
        self._store = self._store.with_run(new)
        steps = self._store.steps()
        with self.hold_sync():
            self.set_trait("steps", steps)
            self._versions = self._step_versions.switch(dict(self._versions), old, new, steps)
            if steps:
                self.step = min(steps, key=lambda s: (abs(s - self.step), s))
            self._on_refresh()

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

    @t.validate("scalars")
    def _valid_scalars(self, proposal: dict[str, Any]) -> dict[str, dict[str, list[Any]]]:
        """See :mod:`nbviewer3d.scalars` for the accepted forms."""
        try:
            return normalise_scalars(proposal["value"])
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
        return self._keep_window(proposal, "vmin", "vmax")

    def _keep_window(self, proposal: dict[str, Any], low: str, high: str) -> float | None:
        """Setting one end past the other moves the other along, keeping the window's width
        (a window that is not set yet gets width 1)."""
        value: float | None = proposal["value"]
        name = proposal["trait"].name
        lo, hi = getattr(self, low), getattr(self, high)
        if value is None or lo is None or hi is None:
            return value
        width = hi - lo if hi > lo else 1.0
        if name == low and value >= hi:
            self.set_trait(high, value + width)
        elif name == high and value <= lo:
            self.set_trait(low, value - width)
        return value

    def set_range(self, vmin: float, vmax: float) -> None:
        """Set the image's display window in one call (``vmin < vmax``, finite)."""
        lo, hi = float(vmin), float(vmax)
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            raise ValueError(f"set_range needs finite vmin < vmax, got {vmin!r}, {vmax!r}")
        with self.hold_trait_notifications():
            self.set_trait("vmin", None)
            self.set_trait("vmax", hi)
            self.set_trait("vmin", lo)

    # ---- data -------------------------------------------------------------------------

    def add(
        self,
        step: int,
        image: object = None,
        label: object = None,
        prediction: object = None,
        heatmap: object = None,
        **convert: Any,
    ) -> None:
        """Add or replace volumes at ``step``; displayed views update and the slider grows.

        ``heatmap`` is a continuous map drawn over the image with its own colormap, range,
        opacity and threshold (the ``heatmap_*`` traits): on the image's grid, or smaller by an
        integer factor per axis (upsampled, see :mod:`nbviewer3d.heatmaps`); MONAI's
        ``GradCAM(...)(x)`` goes in as it is (``index=``, ``heatmap_channel=``). The strings
        ``"entropy"`` and ``"max_prob"`` derive it from ``prediction`` given as ``(C, x, y, z)``
        probabilities or logits. An image with several channels keeps them all:
        ``viewer.channel`` picks the one shown (``channel=`` here sets it).

        ``convert`` goes to :func:`nbviewer3d.inputs.as_volume`: ``index``, ``axes``,
        ``spacing``, ``origin`` and ``direction`` for every input, ``channel`` for the image,
        ``threshold`` for the label and prediction (float probability maps only) and
        ``heatmap_channel`` for the heat map. Arrays
        are read by the axis convention of :mod:`nbviewer3d.inputs`: ``(x, y, z)``, MONAI's
        ``(H, W, D)``, unless ``axes=`` says otherwise. The voxels are copied unless the
        conversion already made them new, so a tensor reused in place by the training loop
        doesn't change what an earlier step shows.
        """
        step = _check_step(step)
        if not isinstance(self._store, MemoryStore):
            raise TypeError("add() is for viewers made with view(); this one reads its store")
        given = {"image": image, "label": label, "prediction": prediction, "heatmap": heatmap}
        if all(v is None for v in given.values()):
            raise ValueError("add() needs at least one of image=, label=, prediction=, heatmap=")
        unknown = sorted(set(convert) - set(CONVERT_OPTIONS))
        if unknown:
            raise TypeError(f"unknown option(s) {unknown} for add(); accepted: {_ADD_OPTIONS}")
        shared = {k: v for k, v in convert.items() if k in _SHARED_OPTIONS}
        volumes: dict[str, Volume] = {}
        channel = convert.get("channel")
        if image is not None:
            channels = as_channels(image, name="image", channel_axis=channel is not None, **shared)
            if channel is not None:
                _check_channel(channel, len(channels))
            for c, volume in enumerate(channels):
                volumes[channel_key(c)] = _owned(volume)
        for role, obj in (("label", label), ("prediction", prediction)):
            if obj is not None:
                volume = as_volume(
                    obj, kind="label", name=role, threshold=convert.get("threshold"), **shared
                )
                volumes[role] = _owned(volume)
        if heatmap is not None:
            volumes["heatmap"] = _owned(
                as_heatmap(
                    heatmap,
                    volumes.get("prediction"),
                    prediction,
                    channel=convert.get("heatmap_channel"),
                    **shared,
                )
            )
        existing = dict(self._store.volumes(step)) if step in self._store.steps() else {}
        reference = volumes.get("image") or existing.get("image")
        if reference is None:  # label and prediction of one step share a grid all the same
            reference = volumes.get("label") or existing.get("label")
        for role in ("label", "prediction"):
            if role in volumes and reference is not None and volumes[role] is not reference:
                volumes[role] = on_grid(volumes[role], reference, role)
            elif role in existing and image is not None and reference is not None:
                # a new image under a kept label
                on_grid(existing[role], reference, f"step {step}'s {role} (kept)")
        if "heatmap" in volumes and reference is not None:
            volumes["heatmap"] = heatmap_on_grid(volumes["heatmap"], reference)
        if image is not None:
            for c in range(len(channels)):
                _warn_nonfinite(volumes[channel_key(c)], step)
                _warn_wire_precision(volumes[channel_key(c)], step)
        self._store.put(step, volumes, replace_image=image is not None)
        if image is not None:
            with self.hold_sync():
                self.set_trait("channel_count", max(self.channel_count, len(channels)))
                if channel is not None:
                    self.channel = channel % len(channels)
            self._default_range(volumes[channel_key(min(self.channel, len(channels) - 1))])
        if "heatmap" in volumes:
            self._default_heatmap_range(volumes["heatmap"])
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

    def _default_heatmap_range(self, heatmap: Volume) -> None:
        """Unset heat-map range from the map's finite range, the threshold a quarter up it."""
        with self.hold_sync():
            lo, hi = finite_range(heatmap.data)
            if hi <= lo:
                hi = lo + 1.0
            if self.heatmap_vmin is None and self.heatmap_vmax is None:
                self.heatmap_vmax = hi
                self.heatmap_vmin = lo
            lo = self.heatmap_vmin if self.heatmap_vmin is not None else lo
            hi = self.heatmap_vmax if self.heatmap_vmax is not None else hi
            if self.heatmap_threshold is None:
                self.heatmap_threshold = lo + _DEFAULT_THRESHOLD_FRACTION * (hi - lo)

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
        versions = self._step_versions.update(dict(self._versions), steps, replaced or [])
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
        """The current step's image (its shown channel): ``.data`` (numpy, the array as
        passed; see the axis convention in :mod:`nbviewer3d.inputs`) and its geometry."""
        return self._current(channel_key(self.channel)) or self._current("image")

    @property
    def label(self) -> Volume | None:
        """The current step's label map."""
        return self._current("label")

    @property
    def prediction(self) -> Volume | None:
        """The current step's predicted label map."""
        return self._current("prediction")

    # ---- prediction versus label -------------------------------------------------------

    @property
    def metrics(self) -> list[dict[str, Any]]:
        """Per-class Dice, HD95 (mm), voxel counts and volumes (ml) of the current step's
        prediction against its label, one dict per class (``pandas.DataFrame(viewer.metrics)``);
        ``[]`` unless the step has both. Definitions: :mod:`nbviewer3d.metrics`."""
        return self._step_metrics.rows(self.step, self._version(self.step), self.label_names)

    def metrics_by_step(self) -> list[dict[str, Any]]:
        """:attr:`metrics` of every step, each row with its ``step`` first (loads each step)."""
        return [
            {"step": step, **row}
            for step in self.steps
            for row in self._step_metrics.rows(step, self._version(step), self.label_names)
        ]

    def _version(self, step: int) -> int:
        return int(self._versions.get(str(step), 0))

    def _on_metrics_change(self, _change: object = None) -> None:
        if not self._browser_fetched:
            return  # no view yet: the first fetch's answer publishes them
        if self._step_metrics.cached(self.step, self._version(self.step)):
            self._publish_metrics()
        else:
            self._step_metrics.schedule(self._publish_metrics, AFTER_STEP_S)

    def _publish_metrics(self) -> None:
        if self.step not in self._store.steps():
            self._metrics = []
            return
        self._metrics = self._metrics_rows(self.step)

    def _metrics_rows(self, step: int) -> list[dict[str, Any]]:
        """``step``'s metrics as the panel reads them (NaN as None: JSON has no NaN)."""
        rows = self._step_metrics.rows(step, self._version(step), self.label_names)
        return [
            {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
            for row in rows
        ]

    @property
    def heatmap(self) -> Volume | None:
        """The current step's heat map, on the image's grid."""
        return self._current("heatmap")

    # ---- browser messages -------------------------------------------------------------

    def _on_message(self, _widget: object, content: object, received: object) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "frame":
            self._on_frame(content, list(received) if isinstance(received, list) else [])
        elif kind in ("fetch", "chunks", "plane"):
            self._on_fetch(content)

    def _on_fetch(self, content: dict[str, Any]) -> None:
        """A step's volumes at a level (see delivery.py), more chunks of one, or one voxel plane
        of it at full resolution (see planes.py)."""
        if content.get("transport") == "base64":
            self.transport = "base64"
        step = content.get("step")
        try:
            step = _check_step(step)
            version = self._version(step)
            if content.get("version", version) != version:
                return  # chunks of a version the browser no longer wants
            level = content.get("level")
            level = None if level is None else _check_int(level)

            def load() -> Mapping[str, Volume]:
                return self._store.volumes(step)

            if content["type"] == "fetch":
                messages = self._delivery.reply(step, version, level, self.transport, load)
            elif content["type"] == "plane":
                axis, index = _check_int(content.get("axis")), _check_int(content.get("index"))
                messages = [self._delivery.plane(step, version, axis, index, self.transport, load)]
            else:
                first, count = _check_int(content.get("first")), _check_int(content.get("count"))
                preview = content.get("preview") is True
                messages = self._delivery.chunks(
                    step, version, level or 0, first, count, self.transport, load, preview
                )
        except Exception as error:  # the cell shows it; the kernel keeps running
            message = f"could not load step {step}: {type(error).__name__}: {error}"
            self.send({"type": "error", "step": step, "message": message})
            return
        for reply, buffers, nbytes in messages:
            self.send(reply, buffers)
            self.bytes_sent += nbytes
        self._browser_fetched = True
        if content["type"] == "fetch" and step == self.step:
            self._step_metrics.schedule(self._publish_metrics, AFTER_FETCH_S)

    def _on_frame(self, content: dict[str, Any], buffers: list[Any]) -> None:
        if text_transport.buffer_dropped(content, buffers):
            # the PNG did not get through: the browser sends it as text from now on
            self.transport = "base64"
            self.send({"type": "transport", "transport": "base64"})
            self._screenshots.ask_again(content.get("ids"))
            return
        self._screenshots.receive(content, buffers)

    # ---- pictures (see screenshot.py for why a cell can't wait for the browser) ----------

    def _drawn_traits(self) -> list[str]:
        left_out = {*anywidget.AnyWidget.class_trait_names(), *ANYWIDGET_OWN, *self._NOT_DRAWN}
        return sorted(n for n in self.trait_names(sync=True) if n not in left_out)

    def _drawn_state(self) -> dict[str, Any]:
        """What the picture depends on, as the browser reports it with a frame."""
        state = {name: as_json(getattr(self, name)) for name in self._drawn_traits()}
        state["version"] = self._versions.get(str(self.step), 0)
        return state

    def screenshot(self, as_array: bool = False) -> bytes | np.ndarray:
        """The current rendering as PNG bytes (``as_array=True``: ``(h, w, 3)`` uint8 RGB).

        The browser sends the picture it drew; ipykernel reads it only between cells. When
        the last picture here shows the viewer's current state it is returned at once;
        otherwise the browser is asked for one and :class:`ScreenshotPending` is raised: run
        ``viewer.screenshot()`` again in a later cell, or use :meth:`save_screenshot`, which
        works from the same cell.
        """
        frame = self._screenshots.current()
        if frame is None:
            self._screenshots.request()
            raise ScreenshotPending(
                "the browser has not sent a picture of the viewer's current state yet; it was "
                "asked for one, which arrives after this cell has run (ipykernel reads widget "
                "messages between cells): call viewer.screenshot() again in the next cell, or "
                "use viewer.save_screenshot(path), which writes the file as soon as it arrives "
                "(the viewer must be displayed)"
            )
        return frame.as_array() if as_array else frame.png

    def save_screenshot(self, path: str | Path) -> ScreenshotSave:
        """Write the current rendering to ``path`` as PNG; works from the cell that made or
        changed the view.

        When the picture of the current state is here, it is written now. Otherwise a line in
        the cell says the file will be saved, and it is, when the browser has drawn this
        state (after the cell); the line then says "saved" (or, if the viewer changed before
        the browser drew it, what changed and that nothing was written). The returned
        :class:`~nbviewer3d.screenshot.ScreenshotSave` has ``.done`` and ``.error``.
        """
        target = Path(path)
        if not target.parent.is_dir():
            raise FileNotFoundError(
                f"cannot save a screenshot to {target}: there is no folder {target.parent}"
            )
        save = ScreenshotSave(target, self._drawn_state())
        frame = self._screenshots.current()
        if frame is not None:
            save._finish(frame)
            return save
        save._show()
        self._screenshots.request(save)
        return save

    # ---- outputs read without a kernel (export.py) ---------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        self._prepare_first_fetch()
        return output_bundle(self, data, metadata)

    def _prepare_first_fetch(self) -> None:
        """Encode the current step's first level now: the browser asks for it once its bundle
        and WebGL are up, and the kernel would otherwise only start encoding then."""
        step = self.step
        if step not in self._store.steps():
            return
        # what goes wrong is said by the fetch itself, in the view
        with contextlib.suppress(Exception):
            self._delivery.prepare(step, self._version(step), lambda: self._store.volumes(step))

    def _still(self) -> Still | None:
        """The output's picture of the current state, made again only when that changed."""
        state = self._drawn_state()
        frame = self._screenshots.current()

        def make() -> Still | None:
            return still(self.image, self.label, state, frame.png if frame else None)

        return self._stills.get((state, frame), make)

    def _summary(self) -> str:
        """The viewer in words, for the output's text/plain."""
        if not self.steps:
            return "nbviewer3d viewer (no volumes yet)"
        image = self.image
        shown = [r for r in ("label", "prediction", "heatmap") if self._current(r) is not None]
        what = (
            f"image {'x'.join(map(str, image.shape))} {image.data.dtype}" if image else "no image"
        )
        run = f"run {self.run!r}, " if self.run is not None else ""
        return (
            f"nbviewer3d viewer: {run}step {self.step} of {len(self.steps)} "
            f"({', '.join([what, *shown])})"
        )

    @property
    def last_frame(self) -> Frame | None:
        """The last picture the browser sent, with the state it shows (``.state``)."""
        return self._screenshots.latest

    # ---- following a store that grows (a logdir being written) ------------------------

    def poll(self) -> list[int]:
        """Pick up what the store gained since the last look; returns the steps new to view.

        A step that gets a record after it was shown (a label logged after its image) is
        fetched again by every view. Raises what the last background poll of :meth:`follow`
        raised, if it has not been raised yet."""
        self._raise_follow_error()
        return self._poll()

    def _poll(self) -> list[int]:
        refresh = getattr(self._store, "refresh", None)
        if refresh is None:
            raise TypeError("poll() and follow() need a store that can refresh (a logdir)")
        new, changed = refresh()
        runs = self._store.runs()
        with self.hold_sync():
            if runs != self.runs:
                self.set_trait("runs", runs)
            if new or changed:
                self._sync_steps(replaced=changed)
            self._on_refresh()  # scalars grow between the steps that log volumes
        return list(new)

    def _on_refresh(self) -> None:
        scalars = getattr(self._store, "scalars", None)
        if scalars is not None:
            self.scalars = scalars()
        incomplete = getattr(self._store, "incomplete", None)
        if incomplete is not None:
            self._incomplete = {str(k): v for k, v in incomplete().items()}

    def follow(self, interval_s: float = 2.0, grace_s: float | None = None) -> None:
        """Add new steps as they arrive, every ``interval_s`` seconds, until ``unfollow()``.

        A step appears once its image, label and prediction (those the run pairs) are all
        logged, or ``grace_s`` seconds (default 20) after its first one, marked incomplete.
        Records skipped while following, and errors, are shown under the view; an error is
        also raised by the next call of :meth:`poll` or :meth:`follow`.
        """
        self._raise_follow_error()
        if grace_s is not None:
            if not math.isfinite(grace_s) or grace_s < 0:
                raise ValueError(f"grace_s must be a number of seconds >= 0, not {grace_s!r}")
            self._store.grace_s = grace_s  # type: ignore[attr-defined]
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
                self._background_poll()

        threading.Thread(target=run, name="nbviewer3d-follow", daemon=True).start()

    async def _follow_on_loop(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            self._background_poll()

    def _background_poll(self) -> None:
        """One poll of follow(): what it warns or raises goes under the view (a background
        task has no cell to print to); an error is kept to be raised by the next call."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                self._poll()
            except Exception as error:
                self._follow_error = error
                self._notify(f"following stopped a poll: {type(error).__name__}: {error}")
        for warning in caught:
            self._notify(f"{warning.category.__name__}: {warning.message}")

    def _notify(self, message: str) -> None:
        self.set_trait("follow_notices", [*self.follow_notices, message][-_NOTICES:])

    def _raise_follow_error(self) -> None:
        error, self._follow_error = self._follow_error, None
        if error is not None:
            raise RuntimeError(
                f"following this viewer's logdir failed: {type(error).__name__}: {error}"
            ) from error

    def unfollow(self) -> None:
        if self._follow_task is not None:
            self._follow_task.cancel()
            self._follow_task = None
        if self._follow_stop is not None:
            self._follow_stop.set()
            self._follow_stop = None

    # ---- what the kernel holds --------------------------------------------------------

    def remove(self, step: int) -> None:
        """Drop ``step`` and its volumes (from the kernel, and from every view)."""
        store = self._memory_store("remove()")
        step = _check_step(step)
        if step not in store.steps():
            raise ValueError(f"no volumes at step {step}; steps present: {store.steps()}")
        store.remove(step)
        with self.hold_sync():
            self._versions = self._step_versions.drop(dict(self._versions), [step])
            self._sync_steps()

    def clear(self) -> None:
        """Drop every step (the viewer stays, empty, ready for :meth:`add`)."""
        store = self._memory_store("clear()")
        with self.hold_sync():
            self._versions = self._step_versions.drop(dict(self._versions), store.steps())
            store.clear()
            self._sync_steps()

    def _memory_store(self, call: str) -> MemoryStore:
        if not isinstance(self._store, MemoryStore):
            raise TypeError(f"{call} is for viewers made with view(); this one shows a logdir")
        return self._store

    @t.observe("kernel_cache_mb")
    def _budget_changed(self, change: dict[str, Any]) -> None:
        if isinstance(self._store, MemoryStore):
            self._store.budget = int(change["new"]) * 2**20
            self._store.put_within_budget()

    def close(self) -> None:
        """Stop following, close the widget in every view and free its voxels."""
        self.unfollow()
        store = getattr(self, "_store", None)  # None: __init__ refused its arguments
        if isinstance(store, MemoryStore):
            store.clear()
        super().close()


def _warn_wire_precision(volume: Volume, step: int) -> None:
    data = volume.data
    if data.dtype.kind not in "iu" or data.dtype.itemsize < 4 or data.size == 0:
        return
    limit = 1 << 24
    lo, hi = int(data.min()), int(data.max())
    if lo < -limit or hi > limit:
        warnings.warn(
            f"step {step}: the image's {data.dtype} values reach {lo}..{hi}, beyond float32's "
            f"exact integers (+-{limit}); the browser draws them from float32, so values that "
            "far out are rounded on screen (the kernel, metrics and screenshots' data keep "
            "them exact). Subtract an offset or rescale to keep them exact.",
            WirePrecisionWarning,
            stacklevel=3,
        )


def _owned(volume: Volume) -> Volume:
    """The volume with voxels nobody else can write to; labels at their smallest type."""
    data = volume.data
    if volume.kind == "label":
        volume = dataclasses.replace(volume, data=smallest_label_type(data))
        data = volume.data
    if (data.flags.owndata and not data.flags.writeable) or kernel_owned(data):
        return volume  # kernel_owned: read from a lazy input, or a read-only memmap
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
    if not all(math.isfinite(v) and math.isfinite(a) for v, a in points):
        raise t.TraitError(f"{_OPACITY_FORM}; got a point that is not finite: {points}")
    for v, a in points:
        if not np.isfinite(v) or not 0.0 <= a <= 1.0:
            raise t.TraitError(f"{_OPACITY_FORM}; got the point [{v}, {a}]")
    return sorted(points, key=lambda p: p[0])


def _check_channel(channel: object, count: int) -> None:
    if isinstance(channel, bool) or not isinstance(channel, numbers.Integral):
        raise TypeError(f"channel must be an int, got {channel!r}")
    if not -count <= int(channel) < count:
        raise ValueError(f"channel={channel} is out of range for an image of {count} channel(s)")


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
