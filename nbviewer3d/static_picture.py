"""A still picture of a viewer for outputs read without a kernel (GitHub, nbconvert).

The axial, coronal and sagittal slices through the cursor (the volume's centre unless moved),
side by side at one scale in mm, laid out like the slice views (see slice_orientation.py),
the image windowed to vmin..vmax in grey and the label drawn over it in the browser's colours
(label_palette.py), filled at label_blend or outlined. When the browser has sent a picture
of the viewer's current state (screenshot.py), that picture is used instead.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from .label_palette import LABEL_PALETTE
from .slice_orientation import SLICE_MODES, plane_view
from .transport import finite_range
from .volume import Volume

MAX_WIDTH = 768
MAX_HEIGHT = 288
GAP = 4  # px of background between panes
TITLE_COLOUR = (230, 230, 230)

RGBArray = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class LabelLook:
    """How the label is drawn (the viewer's label_* traits)."""

    colors: dict[int, str] = field(default_factory=dict)
    hidden: frozenset[int] = frozenset()
    blend: float = 0.5
    visible: bool = True
    style: str = "fill"

    def color(self, class_id: int) -> tuple[int, int, int]:
        given = self.colors.get(class_id)
        if given is not None:
            return (int(given[1:3], 16), int(given[3:5], 16), int(given[5:7], 16))
        r, g, b = LABEL_PALETTE.color(class_id)
        # rounds halves up, as the browser's byte conversion
        return (int(r * 255 + 0.5), int(g * 255 + 0.5), int(b * 255 + 0.5))


def grey(plane: npt.NDArray[Any], vmin: float, vmax: float) -> RGBArray:
    """Intensities windowed to 0..255 (NaN and Inf black, as the browser leaves them unlit)."""
    values = plane.astype(np.float32)
    width = vmax - vmin if vmax > vmin else 1.0
    scaled = np.clip((values - vmin) * (255.0 / width), 0, 255)
    scaled[~np.isfinite(values)] = 0
    level = scaled.astype(np.uint8)
    return np.repeat(level[:, :, None], 3, axis=2)


def _outline(ids: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Labelled pixels with a 4-neighbour of another id."""
    edge = np.zeros(ids.shape, dtype=bool)
    edge[1:, :] |= ids[1:, :] != ids[:-1, :]
    edge[:-1, :] |= ids[:-1, :] != ids[1:, :]
    edge[:, 1:] |= ids[:, 1:] != ids[:, :-1]
    edge[:, :-1] |= ids[:, :-1] != ids[:, 1:]
    return edge & (ids > 0)


def overlay(rgb: RGBArray, ids: npt.NDArray[Any], look: LabelLook) -> RGBArray:
    """``rgb`` with the label ``ids`` blended over it."""
    if not look.visible or look.blend <= 0:
        return rgb
    if ids.dtype == bool or not np.issubdtype(ids.dtype, np.integer):
        ids = ids.astype(np.int64)  # a 0/1 float or bool label: ids, not a mask
    present = [int(i) for i in np.unique(ids) if i > 0 and int(i) not in look.hidden]
    if not present:
        return rgb
    lut = np.zeros((int(ids.max()) + 1, 3), dtype=np.float32)
    shown = np.zeros(len(lut), dtype=bool)
    for class_id in present:
        lut[class_id] = look.color(class_id)
        shown[class_id] = True
    mask = shown[ids]
    alpha = look.blend
    if look.style == "contour":
        mask &= _outline(ids)
        alpha = min(1.0, 2 * alpha)
    out = rgb.astype(np.float32)
    out[mask] = out[mask] * (1 - alpha) + lut[ids[mask]] * alpha
    return np.rint(out).astype(np.uint8)


@dataclass(frozen=True)
class Pane:
    mode: str
    pixels: RGBArray
    size_mm: tuple[float, float]  # (width, height)
    letters: dict[str, str]


def panes(
    image: Volume,
    label: Volume | None,
    window: tuple[float, float],
    cursor: list[int] | None,
    look: LabelLook,
) -> list[Pane]:
    """The three slice views through ``cursor`` (default: the centre voxel)."""
    data = image.data
    centre = cursor if cursor is not None else [(n - 1) // 2 for n in data.shape]
    direction = image.ras_direction
    result = []
    for mode in SLICE_MODES:
        view = plane_view(mode, direction)
        index = min(max(int(centre[view.axis]), 0), data.shape[view.axis] - 1)
        rgb = grey(view.plane(data, index), *window)
        if label is not None:
            rgb = overlay(rgb, view.plane(label.data, index), look)
        height, width = rgb.shape[:2]
        size = (width * image.spacing[view.cols], height * image.spacing[view.rows])
        result.append(Pane(mode, rgb, size, view.edge_letters()))
    return result


def montage(views: list[Pane]) -> Image.Image:
    """The panes side by side at one scale (px per mm), within MAX_WIDTH x MAX_HEIGHT."""
    room = MAX_WIDTH - GAP * (len(views) - 1)
    scale = min(
        room / sum(p.size_mm[0] for p in views), MAX_HEIGHT / max(p.size_mm[1] for p in views)
    )
    sizes = [
        (max(1, round(p.size_mm[0] * scale)), max(1, round(p.size_mm[1] * scale))) for p in views
    ]
    width = sum(w for w, _ in sizes) + GAP * (len(views) - 1)
    height = max(h for _, h in sizes)
    canvas = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    x = 0
    for pane, (w, h) in zip(views, sizes, strict=True):
        top = (height - h) // 2
        picture = Image.fromarray(pane.pixels).resize((w, h), Image.Resampling.BILINEAR)
        canvas.paste(picture, (x, top))
        draw.text((x + 3, 2), pane.mode, fill=TITLE_COLOUR, font=font)
        draw.text(
            (x + 3, height // 2), pane.letters["left"], fill=TITLE_COLOUR, font=font, anchor="lm"
        )
        draw.text(
            (x + w - 3, height // 2),
            pane.letters["right"],
            fill=TITLE_COLOUR,
            font=font,
            anchor="rm",
        )
        x += w + GAP
    return canvas


def png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def shrunk_frame(frame_png: bytes) -> tuple[bytes, tuple[int, int]]:
    """A browser frame as it goes into the output: at most MAX_WIDTH wide."""
    with Image.open(io.BytesIO(frame_png)) as picture:
        if picture.width <= MAX_WIDTH:
            return frame_png, picture.size
        height = max(1, round(picture.height * MAX_WIDTH / picture.width))
        small = picture.convert("RGB").resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
    return png(small), small.size


def slice_picture(
    image: Volume,
    label: Volume | None,
    window: tuple[float | None, float | None],
    cursor: list[int] | None,
    look: LabelLook,
) -> tuple[bytes, tuple[int, int]]:
    """PNG bytes and (width, height) of the slice montage."""
    lo, hi = window
    if lo is None or hi is None:
        lo, hi = finite_range(image.data)
    picture = montage(panes(image, label, (lo, hi), cursor, look))
    return png(picture), picture.size


@dataclass(frozen=True)
class Still:
    """The picture that goes into the output, with what it shows in words."""

    png: bytes
    size: tuple[int, int]
    description: str


def still(
    image: Volume | None,
    label: Volume | None,
    state: dict[str, Any],
    frame_png: bytes | None,
) -> Still | None:
    """The output's picture of a viewer in ``state`` (its drawn traits, screenshot.py):
    the browser's frame of that state when there is one, else the slice montage."""
    step = state.get("step")
    if frame_png is not None:
        data, size = shrunk_frame(frame_png)
        return Still(
            data, size, f"the browser's rendering of step {step} ({state.get('view_mode')} view)"
        )
    if image is None:
        return None
    look = LabelLook(
        colors={int(k): v for k, v in (state.get("label_colors") or {}).items()},
        hidden=frozenset(state.get("hidden_labels") or ()),
        blend=float(state.get("label_blend", 0.5)),
        visible=bool(state.get("label_visible", True)),
        style=str(state.get("overlay_style", "fill")),
    )
    cursor = state.get("cursor")
    window = (state.get("vmin"), state.get("vmax"))
    data, size = slice_picture(image, label, window, cursor, look)
    where = "the centre" if cursor is None else f"voxel {cursor}"
    overlaid = " with the label" if label is not None else ""
    return Still(
        data, size, f"axial, coronal and sagittal slices of step {step} through {where}{overlaid}"
    )


class StillCache:
    """The last still and the state it was made from: made again only when that changed."""

    def __init__(self) -> None:
        self._key: object = None
        self._still: Still | None = None
        self._made = False

    def get(self, key: object, make: Callable[[], Still | None]) -> Still | None:
        """``make()``'s still, or the one kept when ``key`` equals the last one (compared
        with ==: it may hold dicts)."""
        if not self._made or key != self._key:
            self._still, self._key, self._made = make(), key, True
        return self._still
