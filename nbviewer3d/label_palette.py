"""The front end's label colours (js/src/palette.ts), for pictures made in Python.

The first ids get hand-picked colours; later ids come from the same deterministic
farthest-point walk over OKLab as the browser's, so a class has one colour everywhere. The
tests check both sides against js/tests/label-palette.json.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

RGB = tuple[float, float, float]

LABEL_SEEDS: tuple[RGB, ...] = (
    (0.9, 0.12, 0.12),
    (0.12, 0.78, 0.2),
    (0.2, 0.4, 1.0),
    (1.0, 0.85, 0.1),
    (0.85, 0.2, 0.9),
    (0.1, 0.85, 0.9),
    (1.0, 0.55, 0.1),
    (0.6, 0.35, 1.0),
    (0.55, 0.95, 0.45),
    (1.0, 0.55, 0.7),
)
PREDICTION_SEEDS: tuple[RGB, ...] = (
    (0.1, 0.85, 0.9),
    (1.0, 0.55, 0.1),
    (1.0, 0.85, 0.1),
    (0.85, 0.2, 0.9),
    (0.12, 0.78, 0.2),
    (0.2, 0.4, 1.0),
    (1.0, 0.55, 0.7),
    (0.55, 0.95, 0.45),
    (0.9, 0.12, 0.12),
    (0.6, 0.35, 1.0),
)
MAX_DISTINCT_COLORS = 1024

Floats = npt.NDArray[np.float64]


def _to_linear(c: Floats) -> Floats:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _from_linear(c: Floats) -> Floats:
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * np.abs(c) ** (1 / 2.4) - 0.055)


def _rgb_to_oklab(rgb: Floats) -> Floats:
    """(n, 3) sRGB in 0..1 -> (n, 3) OKLab."""
    lr, lg, lb = _to_linear(rgb).T
    lms = np.cbrt(
        np.stack(
            [
                0.4122214708 * lr + 0.5363325363 * lg + 0.0514459929 * lb,
                0.2119034982 * lr + 0.6806995451 * lg + 0.1073969566 * lb,
                0.0883024619 * lr + 0.2817188376 * lg + 0.6299787005 * lb,
            ]
        )
    )
    lab: Floats = (
        np.array(
            [
                [0.2104542553, 0.793617785, -0.0040720468],
                [1.9779984951, -2.428592205, 0.4505937099],
                [0.0259040371, 0.7827717662, -0.808675766],
            ]
        )
        @ lms
    )
    return lab.T


def _candidates() -> tuple[Floats, Floats]:
    """In-gamut OKLCH samples (lightness 0.5..0.92, chroma >= 0.09, every 5 degrees of hue),
    in the browser's order: (rgb, lab), each (n, 3)."""
    samples = []
    lightness = 0.5
    while lightness <= 0.921:  # accumulated as in the browser, so the floats are the same
        for chroma in (0.09, 0.12, 0.15, 0.18, 0.21, 0.24):
            for hue in range(0, 360, 5):
                h = hue * np.pi / 180
                samples.append((lightness, chroma * np.cos(h), chroma * np.sin(h)))
        lightness += 0.03
    L, a, b = np.array(samples).T
    lms = np.stack(
        [
            (L + 0.3963377774 * a + 0.2158037573 * b) ** 3,
            (L - 0.1055613458 * a - 0.0638541728 * b) ** 3,
            (L - 0.0894841775 * a - 1.291485548 * b) ** 3,
        ]
    )
    linear = (
        np.array(
            [
                [4.0767416621, -3.3077115913, 0.2309699292],
                [-1.2684380046, 2.6097574011, -0.3413193965],
                [-0.0041960863, -0.7034186147, 1.707614701],
            ]
        )
        @ lms
    ).T
    inside = np.all((linear >= -1e-6) & (linear <= 1 + 1e-6), axis=1)
    rgb = np.clip(_from_linear(linear[inside]), 0.0, 1.0)
    return rgb, _rgb_to_oklab(rgb)


class Palette:
    """Colours of class ids 1, 2, ... (ids past MAX_DISTINCT_COLORS repeat), as in the browser."""

    _pool: tuple[Floats, Floats] | None = None

    def __init__(self, seeds: tuple[RGB, ...]) -> None:
        self._seeds = seeds
        self._colors: list[RGB] = []
        self._nearest: Floats | None = None

    def color(self, class_id: int) -> RGB:
        index = (int(class_id) - 1) % MAX_DISTINCT_COLORS
        while len(self._colors) <= index:
            self._extend()
        return self._colors[index]

    def _extend(self) -> None:
        if Palette._pool is None:
            Palette._pool = _candidates()
        rgb, lab = Palette._pool
        if len(self._colors) < len(self._seeds):
            color = self._seeds[len(self._colors)]
        else:
            assert self._nearest is not None
            # the first of the farthest, as the browser's strict ">" scan picks
            r, g, b = rgb[int(np.argmax(self._nearest))]
            color = (float(r), float(g), float(b))
        self._colors.append(color)
        here = _rgb_to_oklab(np.array([color]))[0]
        distance = ((lab - here) ** 2).sum(axis=1)
        nearest = self._nearest if self._nearest is not None else np.full(len(lab), np.inf)
        self._nearest = np.minimum(nearest, distance)


LABEL_PALETTE = Palette(LABEL_SEEDS)
PREDICTION_PALETTE = Palette(PREDICTION_SEEDS)


def hex_of(color: RGB) -> str:
    # rounds halves up, as the browser's Math.round
    return "#" + "".join(f"{int(min(1.0, max(0.0, c)) * 255 + 0.5):02x}" for c in color)
