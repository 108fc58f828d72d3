"""The one-call entry points: view() for live arrays, view_logdir() for TensorBoard logdirs."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

from .run_comparison import RunComparison
from .viewer import CONVERT_OPTIONS, Viewer
from .volume import Volume

if TYPE_CHECKING:
    from .events import LogdirStore

_ALIASES = {
    "label_image": "label",
    "label_image_blend": "label_blend",
    "label_image_names": "label_names",
}


def _split(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    convert = {k: options.pop(k) for k in CONVERT_OPTIONS if k in options}
    unknown = sorted(set(options) - set(Viewer.DISPLAY_TRAITS))
    if unknown:
        accepted = ", ".join((*Viewer.DISPLAY_TRAITS, *CONVERT_OPTIONS))
        raise TypeError(f"unknown option(s) {unknown}; accepted: {accepted}")
    return convert, options


def view(
    image: object = None,
    label: object = None,
    prediction: object = None,
    heatmap: object = None,
    *,
    step: int = 0,
    scalars: object = None,
    **options: Any,
) -> Viewer:
    """Show an image with its label and prediction: a widget to display in a notebook cell.

    Inputs may be numpy arrays, torch tensors (any device), MONAI MetaTensors, nibabel or
    SimpleITK/itk images, or anything with ``__array__``. Arrays are ``(x, y, z)``, MONAI's
    ``(H, W, D)`` (``axes="zyx"`` for slice-first stacks): the axis convention is stated in
    :mod:`nbviewer3d.inputs`, with the ``index``/``channel``/``axes``/``spacing``/``threshold``
    options (see ``nbviewer3d.as_volume``). Display options are the Viewer's traits
    (``cmap``, ``vmin``, ``vmax``, ``preset``, ``opacity``, ``sample_distance``,
    ``label_blend``, ``view_mode``, ``label_names``, ``label_colors``, ``hidden_labels``,
    ``overlay_style``, ...); itkwidgets' ``label_image=``, ``label_image_blend=`` and
    ``label_image_names=`` are accepted as aliases. ``heatmap`` is a continuous map drawn over
    the image with its own ``heatmap_cmap``/``heatmap_vmin``/``heatmap_vmax``/
    ``heatmap_opacity``/``heatmap_threshold``, or ``"entropy"``/``"max_prob"`` of the
    prediction's probabilities (see ``Viewer.add``). A multi-channel image keeps all its
    channels: ``channel=`` picks the first one shown, ``channel_names=`` names them.
    """
    for alias, name in _ALIASES.items():
        if alias in options:
            value = options.pop(alias)
            if name == "label":
                if label is not None:
                    raise TypeError("pass the label once: label= or label_image=, not both")
                label = value
            else:
                options[name] = value
    convert, display = _split(options)
    viewer = Viewer(**display)
    if scalars is not None:
        viewer.set_trait("scalars", scalars)
    given = (image, label, prediction, heatmap)
    if any(v is not None for v in given):
        viewer.add(
            step, image=image, label=label, prediction=prediction, heatmap=heatmap, **convert
        )
    return viewer


@overload
def view_logdir(
    path: str,
    run: str | None = None,
    image: str | None = None,
    label: str | None = None,
    prediction: str | None = None,
    *,
    heatmap: str | None = None,
    runs: None = None,
    frame_dim: int = -3,
    follow: bool = False,
    **display: Any,
) -> Viewer: ...


@overload
def view_logdir(
    path: str,
    run: None = None,
    image: str | None = None,
    label: str | None = None,
    prediction: str | None = None,
    *,
    heatmap: str | None = None,
    runs: Sequence[str],
    frame_dim: int = -3,
    follow: bool = False,
    **display: Any,
) -> RunComparison: ...


def view_logdir(
    path: str,
    run: str | None = None,
    image: str | None = None,
    label: str | None = None,
    prediction: str | None = None,
    *,
    heatmap: str | None = None,
    runs: Sequence[str] | None = None,
    frame_dim: int = -3,
    follow: bool = False,
    **display: Any,
) -> Viewer | RunComparison:
    """Walk every logged step of a TensorBoard run: image, label and prediction overlaid.

    ``path`` is a logdir (local or any fsspec URL). ``image``/``label``/``prediction``/
    ``heatmap`` name tags when MONAI's usual naming doesn't tell them apart (a tag whose name
    holds ``cam``, ``heatmap``, ``saliency``, ``occlusion``, ``attention`` or ``entropy`` is
    taken as the heat map). ``run`` picks the run shown first
    (default: the first, sorted, that holds volumes); with several, ``viewer.runs`` lists them
    and ``viewer.run`` (or the panel's run menu) switches, keeping the step and every display
    setting. ``runs=[a, b]`` shows those runs side by side instead (a
    :class:`~nbviewer3d.run_comparison.RunComparison`): same step, camera and settings.
    Volumes are decoded and sent only when the slider reaches their step.
    ``follow=True`` adds new steps, and new points of the scalar curves drawn under the view,
    as training writes them (see ``Viewer.follow``). MONAI's ``TensorBoardImageHandler``
    names (``input_0``, ``input_1``, ``output``) pair as image, label and prediction; volume
    tags given no role are named once in an ``UnpairedTagWarning`` saying how to show them.
    """
    from .events import LogdirStore, open_logdir

    for alias in ("label_image_blend", "label_image_names"):
        if alias in display:
            name = _ALIASES[alias]
            if name in display:
                raise TypeError(f"pass {name}= or {alias}=, not both")
            display[name] = display.pop(alias)
    if runs is None:
        store = LogdirStore(path, run, image, label, prediction, frame_dim, heatmap)
        return _logdir_viewer(store, follow, display)
    if run is not None:
        raise TypeError("pass run= (one run, with a run menu) or runs= (side by side), not both")
    if isinstance(runs, str) or len(runs) < 2:
        raise TypeError(f"runs= takes a list of at least two run names, got {runs!r}")
    logdir = open_logdir(path)
    stores = [LogdirStore(logdir, r, image, label, prediction, frame_dim, heatmap) for r in runs]
    viewers = [_logdir_viewer(store, follow, dict(display)) for store in stores]
    return RunComparison(viewers)


def _logdir_viewer(store: LogdirStore, follow: bool, display: dict[str, Any]) -> Viewer:
    viewer = Viewer(store=store, **display)
    viewer.scalars = store.scalars()
    viewer._on_refresh()
    needs_range = viewer.vmin is None or viewer.vmax is None or viewer.preset is None
    if needs_range or "heatmap" in store.roles:  # else nothing is decoded before a look
        first = _first_readable(store)
        image = first.get("image") if first is not None else None
        if image is not None and needs_range:
            viewer._default_range(image)
        if first is not None and "heatmap" in first:
            viewer._default_heatmap_range(first["heatmap"])
    if follow:
        viewer.follow()
    return viewer


def _first_readable(store: LogdirStore) -> dict[str, Volume] | None:
    """The volumes of the first step that decodes; each step before it that doesn't is
    named in an UnreadableStepWarning (the view shows the same reason at that step)."""
    from .events import LogdirError, UnreadableStepWarning

    for step in store.steps():
        try:
            return store.volumes(step)
        except (LogdirError, OSError, ValueError) as error:
            warnings.warn(
                f"step {step} of run {store.run!r} could not be read ({error}); the other "
                "steps are shown, and this one shows the reason",
                UnreadableStepWarning,
                stacklevel=4,
            )
    return None
