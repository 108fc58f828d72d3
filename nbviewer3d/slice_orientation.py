"""How the slice views lay an image's planes on screen, as js/src/view/orientation.ts does.

Radiological convention: the axial view is seen from the feet with anterior up, the coronal
from the front with superior up (both put the patient's right on the screen's left), the
sagittal from the patient's left with superior up. An image's array axes enter only through
its RAS direction matrix, so permuted or flipped arrays show the same way up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SLICE_MODES = ("axial", "coronal", "sagittal")
_WORLD_AXIS = {"sagittal": 0, "coronal": 1, "axial": 2}
# (look, up) per view, in RAS
_RADIOLOGICAL = {
    "axial": ((0.0, 0.0, 1.0), (0.0, 1.0, 0.0)),
    "coronal": ((0.0, -1.0, 0.0), (0.0, 0.0, 1.0)),
    "sagittal": ((1.0, 0.0, 0.0), (0.0, 0.0, 1.0)),
}
# the browser's order, so that ties between oblique axes go the same way
_PERMUTATIONS = ((0, 1, 2), (1, 0, 2), (0, 2, 1), (2, 1, 0), (1, 2, 0), (2, 0, 1))

Matrix = npt.NDArray[np.float64]


def match_axes(direction: Matrix) -> tuple[int, int, int]:
    """For world x, y and z, the array axis running closest to it (one-to-one)."""
    axes = direction / np.linalg.norm(direction, axis=0)
    best, best_score = _PERMUTATIONS[0], -1.0
    for p in _PERMUTATIONS:
        score = sum(abs(axes[world, a]) for world, a in enumerate(p))
        if score > best_score + 1e-9:
            best, best_score = p, score
    return best


@dataclass(frozen=True)
class PlaneView:
    """Which array axis a view cuts across, and how the other two lie on screen."""

    mode: str
    axis: int
    rows: int  # the array axis running down the screen...
    rows_up: bool  # ...with its index growing upwards
    cols: int  # the array axis running across the screen...
    cols_right: bool  # ...with its index growing to the right
    up: tuple[float, float, float]  # RAS directions of the screen's top
    right: tuple[float, float, float]  # and right edges

    def plane(self, data: npt.NDArray[np.generic], index: int) -> npt.NDArray[np.generic]:
        """Slice ``index`` of ``data`` as it appears on screen (row 0 at the top)."""
        cut: npt.NDArray[np.generic] = np.take(data, index, axis=self.axis)
        rest = [a for a in range(3) if a != self.axis]
        picture = cut if rest.index(self.rows) == 0 else cut.T
        if self.rows_up:
            picture = picture[::-1, :]
        if not self.cols_right:
            picture = picture[:, ::-1]
        return picture

    def edge_letters(self) -> dict[str, str]:
        """The patient direction each edge of the screen faces (R/L, A/P, S/I)."""
        up, right = np.array(self.up), np.array(self.right)
        return {
            "top": _letter(up),
            "bottom": _letter(-up),
            "left": _letter(-right),
            "right": _letter(right),
        }


def _letter(v: Matrix) -> str:
    world = int(np.argmax(np.abs(v)))
    return ("RL", "AP", "SI")[world][0 if v[world] >= 0 else 1]


def plane_view(mode: str, direction: Matrix) -> PlaneView:
    """The browser's slice camera for ``mode`` over an image of RAS ``direction`` (3x3,
    column a = array axis a): it looks straight across the slices, with the in-plane axis
    closest to the convention's up pointing up."""
    axes = direction / np.linalg.norm(direction, axis=0)
    axis = match_axes(direction)[_WORLD_AXIS[mode]]
    u, v = (a for a in range(3) if a != axis)
    want_look, want_up = (np.array(d) for d in _RADIOLOGICAL[mode])
    normal = np.cross(axes[:, u], axes[:, v])
    normal /= np.linalg.norm(normal)
    look = -normal if normal @ want_look < 0 else normal
    rows = u if abs(axes[:, u] @ want_up) >= abs(axes[:, v] @ want_up) else v
    cols = v if rows == u else u
    up = axes[:, rows] * (1 if axes[:, rows] @ want_up >= 0 else -1)
    up = up - (up @ look) * look
    up /= np.linalg.norm(up)
    right = np.cross(look, up)
    return PlaneView(
        mode=mode,
        axis=axis,
        rows=rows,
        rows_up=bool(axes[:, rows] @ up > 0),
        cols=cols,
        cols_right=bool(axes[:, cols] @ right > 0),
        up=(float(up[0]), float(up[1]), float(up[2])),
        right=(float(right[0]), float(right[1]), float(right[2])),
    )
