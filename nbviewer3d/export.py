"""Outputs that work without a kernel: a still picture in every output, and self-contained pages.

- Every displayed viewer's output carries ``image/png`` (static_picture.py) and a
  ``text/plain`` saying what it shows, beside the widget: GitHub and nbconvert show that
  picture where no widget can run.
- :func:`export_html` writes one HTML file holding the widget's code, its display state and
  the voxels of the chosen steps: it renders the interactive viewer offline, with no kernel
  and no network. The page's loader (js/src/offline.ts) answers the front end's fetches from
  the embedded volumes, encoded as the kernel sends them (viewer.py, transport.encode).
- :func:`set_embed` (or ``NBVIEWER3D_EMBED=1``) makes each output such a page instead of a
  live widget, so ``jupyter nbconvert --execute --to html`` gives an interactive offline file.
"""

from __future__ import annotations

import base64
import html
import json
import os
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget

from .transport import encode

if TYPE_CHECKING:
    from .viewer import Viewer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_LOADER = Path(__file__).parent / "static" / "offline.js"
_EMBED_ENV = "NBVIEWER3D_EMBED"
_embed: bool | None = None  # set_embed's choice; None: the environment variable decides
# synced traits anywidget adds to each instance: its code and id, never part of what is drawn
ANYWIDGET_OWN = ("_esm", "_css", "_anywidget_id")


def set_embed(on: bool = True) -> None:
    """Make each viewer's output a self-contained interactive page (``text/html``, an iframe
    holding what :func:`export_html` writes for the current step) instead of the live widget;
    ``set_embed(False)`` goes back. Default: on when the environment variable
    ``NBVIEWER3D_EMBED`` is ``1``, so that
    ``NBVIEWER3D_EMBED=1 jupyter nbconvert --execute --to html notebook.ipynb`` gives an
    interactive page that works offline."""
    global _embed
    _embed = bool(on)


def embedding() -> bool:
    if _embed is not None:
        return _embed
    return os.environ.get(_EMBED_ENV) == "1"


def _chosen_steps(viewer: Viewer, steps: str | Iterable[int]) -> list[int]:
    if steps == "current":
        return [viewer.step] if viewer.step in viewer.steps else []
    if steps == "all":
        return list(viewer.steps)
    if isinstance(steps, str):
        raise ValueError(f'steps must be "current", "all" or a list of steps, not {steps!r}')
    chosen = sorted({int(s) for s in steps})
    missing = [s for s in chosen if s not in viewer.steps]
    if missing:
        raise ValueError(f"no volumes at step(s) {missing}; steps present: {viewer.steps}")
    return chosen


def _state(viewer: Viewer, steps: list[int]) -> dict[str, Any]:
    """The synced traits as the browser holds them, narrowed to the embedded steps."""
    base = set(anywidget.AnyWidget.class_trait_names())
    names = [n for n in viewer.trait_names(sync=True) if n not in base and n not in ANYWIDGET_OWN]
    state: dict[str, Any] = json.loads(json.dumps(viewer.get_state(key=names)))
    kept = {str(s) for s in steps}
    state["steps"] = steps
    state["_versions"] = {k: v for k, v in state["_versions"].items() if k in kept}
    state["_incomplete"] = {k: v for k, v in state["_incomplete"].items() if k in kept}
    state["runs"] = [viewer.run] if viewer.run is not None else []
    if viewer.step not in steps and steps:
        state["step"] = steps[0]
    return state


def _step(viewer: Viewer, step: int) -> dict[str, Any]:
    """One step as the kernel sends it (viewer.py ``_on_message``), buffers in base64."""
    metas, buffers = [], []
    for key, volume in viewer._store.volumes(step).items():
        meta, buffer = encode(volume, key)
        metas.append(meta)
        buffers.append(base64.b64encode(buffer).decode("ascii"))
    return {
        "version": viewer._version(step),
        "volumes": metas,
        "buffers": buffers,
        "metrics": viewer._metrics_rows(step),
    }


def _esm(viewer: Viewer) -> str:
    esm = viewer._esm
    return esm.read_text(encoding="utf-8") if isinstance(esm, Path) else str(esm)


def _script_json(value: object) -> str:
    """JSON that can sit inside a <script> element: no "<" at all (only strings hold one)."""
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")


def page(viewer: Viewer, steps: str | Iterable[int] = "current") -> str:
    """The self-contained HTML page :func:`export_html` writes."""
    if not _LOADER.is_file():
        raise FileNotFoundError(
            f"{_LOADER} is missing: build the front end with `cd js && npm ci && npm run build`"
        )
    loader = _LOADER.read_text(encoding="utf-8")
    if "</script" in loader.lower():
        raise RuntimeError("the page loader holds '</script' and cannot be inlined")
    chosen = _chosen_steps(viewer, steps)
    data = {
        "esm": _esm(viewer),
        "state": _state(viewer, chosen),
        "steps": {str(s): _step(viewer, s) for s in chosen},
    }
    title = f"nbviewer3d: step {viewer.step}" if viewer.run is None else f"nbviewer3d: {viewer.run}"
    return _PAGE.format(title=html.escape(title), data=_script_json(data), loader=loader)


# No network at all: the widget code comes from a blob URL made in the page.
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; \
script-src 'unsafe-inline' blob:; style-src 'unsafe-inline'; img-src data: blob:; \
worker-src blob:; connect-src data: blob:">
<title>{title}</title>
<style>body {{ margin: 8px; font-family: system-ui, sans-serif; }}</style>
</head>
<body>
<div id="nbviewer3d-root"></div>
<script type="application/json" id="nbviewer3d-data">{data}</script>
<script>{loader}</script>
</body>
</html>
"""


def export_html(
    viewer: Viewer, path: str | os.PathLike[str], steps: str | Iterable[int] = "current"
) -> Path:
    """Write ``viewer`` as one self-contained HTML file that shows it interactively offline.

    The file holds the widget's code, the viewer's display settings and the voxels of
    ``steps``: ``"current"`` (the step shown), ``"all"``, or a list of steps; the step slider
    offers those only. Nothing is loaded from the network and no kernel is needed: rotate,
    slice, window and switch views as in the notebook. Returns the path written.
    """
    target = Path(path)
    target.write_text(page(viewer, steps), encoding="utf-8")
    return target


def iframe(viewer: Viewer) -> str:
    """The current step's page in an iframe (srcdoc), for an output's ``text/html``."""
    height = viewer.height + 240  # the page grows the frame to its content once it runs
    return (
        f'<iframe srcdoc="{html.escape(page(viewer), quote=True)}" '
        f'style="width: 100%; height: {height}px; border: 0" '
        'title="nbviewer3d (self-contained)"></iframe>'
    )


def output_bundle(
    viewer: Viewer, data: dict[str, Any], metadata: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The widget's mime bundle with the still picture, and in embed mode the page in place
    of the live widget (nbconvert prefers a widget view whose state it saved to any HTML)."""
    data, metadata = dict(data), dict(metadata)
    try:
        still = viewer._still()
    except Exception as error:  # the picture is a courtesy: never let it hide the widget
        warnings.warn(
            f"nbviewer3d could not draw the still picture for this output "
            f"({type(error).__name__}: {error}); the widget is shown without it",
            RuntimeWarning,
            stacklevel=3,
        )
        still = None
    summary = viewer._summary()
    if still is not None:
        data["image/png"] = base64.b64encode(still.png).decode("ascii")
        width, height = still.size
        metadata["image/png"] = {"width": width, "height": height}
        summary += f"; picture: {still.description}"
    data["text/plain"] = summary
    if embedding():
        data.pop(WIDGET_VIEW, None)
        data["text/html"] = iframe(viewer)
    return data, metadata
