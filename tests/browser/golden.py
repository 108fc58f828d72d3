"""Golden-image comparison: tolerances, the refresh switch, and what a mismatch leaves behind.

A screenshot matches its golden PNG when both measures stay within tolerance:

* ``mean``: mean absolute difference per channel, 0..255, over the whole picture;
* ``far``: the fraction of pixels whose largest channel difference exceeds ``FAR_LEVELS``.

The first catches a change spread over the picture (a window, a colour map, a blend); the
second a change confined to a few pixels (a marker, a letter, a label's edge).

Tolerances, measured on SwiftShader (Debian Chromium 156 headless, 2-core x86-64) with
``python tests/benchmarks/golden_noise.py``, which renders every scene in every mode three
times, each in a fresh browser context, page and kernel:

* as the tests render (Math.random seeded, see test_golden.py): 0 difference in both
  measures, all 12 pictures;
* unseeded, vtk.js's random ray jitter alone moves the volume views by mean 0.34 (abdomen),
  0.73 (head), 0.78 (CT) and far 0.06 %, 0.13 %, 0.41 %; slice views stay at 0.

The smallest real changes the tests make, on the abdomen's axial view: window moved by
50 HU, mean 0.44; label blend +0.1, mean 0.29 (far 0 for both: colours move by under 40
levels). ``MAX_MEAN`` sits 3 to 4 times below those and above the 0 seeded noise, so that
rounding on another CPU does not fail the suite while a change a user would see does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"
UPDATE_ENV = "NBVIEWER3D_UPDATE_GOLDEN"
REFRESH = f"{UPDATE_ENV}=1 python -m pytest tests/browser/test_golden.py"

MAX_MEAN = 0.1  # mean |diff| per channel, 0..255
FAR_LEVELS = 40  # a pixel "differs" when a channel moved by more than this
MAX_FAR = 0.0005  # fraction of pixels allowed to differ (0.05 %: 51 of 320x320)

RGB = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Difference:
    mean: float
    far: float

    @property
    def within(self) -> bool:
        return self.mean <= MAX_MEAN and self.far <= MAX_FAR

    def __str__(self) -> str:
        return (
            f"mean |diff| {self.mean:.3f} (max {MAX_MEAN}), pixels off by > {FAR_LEVELS} "
            f"levels {self.far:.4%} (max {MAX_FAR:.4%})"
        )


def difference(actual: RGB, expected: RGB) -> Difference:
    if actual.shape != expected.shape:
        raise AssertionError(f"sizes differ: actual {actual.shape}, golden {expected.shape}")
    delta = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    return Difference(float(delta.mean()), float((delta.max(axis=2) > FAR_LEVELS).mean()))


def difference_up_to_shift(actual: RGB, expected: RGB, max_shift: int) -> Difference:
    """The smallest difference over whole-pixel shifts of ``actual`` by up to ``max_shift``,
    the border that a shift uncovers left out: the same drawing placed a pixel off in
    another page layout (the canvas box at another fraction of a pixel) matches."""
    if max_shift == 0 or actual.shape != expected.shape:
        return difference(actual, expected)
    m = max_shift
    h, w = expected.shape[:2]
    inner = expected[m : h - m, m : w - m]
    shifts = range(-m, m + 1)
    return min(
        (
            difference(actual[m + dy : h - m + dy, m + dx : w - m + dx], inner)
            for dy in shifts
            for dx in shifts
        ),
        key=lambda d: (d.mean, d.far),
    )


def updating() -> bool:
    """Whether this run rewrites the goldens; refused under CI=true."""
    if os.environ.get(UPDATE_ENV, "") in ("", "0"):
        return False
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"{UPDATE_ENV} is set under CI=true: goldens are refreshed by hand")
    return True


def read_png(path: Path) -> RGB:
    with Image.open(path) as image:
        rgb: RGB = np.asarray(image.convert("RGB"))
    return rgb


def write_png(path: Path, rgb: RGB) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(path, optimize=True)


def diff_picture(actual: RGB, expected: RGB) -> RGB:
    """The golden in dim grey, pixels that moved by more than FAR_LEVELS in red, others x4."""
    delta = np.abs(actual.astype(np.int16) - expected.astype(np.int16)).max(axis=2)
    out = np.repeat((expected.mean(axis=2) * 0.3)[..., None], 3, axis=2)
    out[..., 1] += np.minimum(delta * 4, 255) * 0.7
    out[delta > FAR_LEVELS] = (255, 0, 0)
    return np.clip(out, 0, 255).astype(np.uint8)


def check(name: str, actual: RGB, artifacts: Path) -> Difference:
    """Compare ``actual`` with ``tests/golden/{name}.png`` (or rewrite it when updating).

    On a mismatch, writes ``{name}-actual.png`` and ``{name}-diff.png`` under
    ``artifacts/golden`` and raises AssertionError naming them and the refresh command.
    """
    if updating():
        write_png(GOLDEN_DIR / f"{name}.png", actual)
        return Difference(0.0, 0.0)
    return compare(name, actual, artifacts)


def compare(name: str, actual: RGB, artifacts: Path, max_shift: int = 0) -> Difference:
    """Like :func:`check`, never rewriting the golden, up to a shift of ``max_shift`` whole
    pixels (see difference_up_to_shift): for the same scene drawn in other front ends."""
    golden = GOLDEN_DIR / f"{name}.png"
    out = artifacts / "golden"
    if not golden.is_file():
        write_png(out / f"{name}-actual.png", actual)
        raise AssertionError(
            f"no golden image {golden}; the picture taken is {out / f'{name}-actual.png'}. "
            f"Create the goldens with: {REFRESH}"
        )
    expected = read_png(golden)
    if actual.shape != expected.shape:
        write_png(out / f"{name}-actual.png", actual)
        raise AssertionError(
            f"{name}: the picture is {actual.shape[1]}x{actual.shape[0]}, the golden "
            f"{golden} is {expected.shape[1]}x{expected.shape[0]}; actual: "
            f"{out / f'{name}-actual.png'}. Refresh after an intended change with: {REFRESH}"
        )
    found = difference_up_to_shift(actual, expected, max_shift)
    if not found.within:
        write_png(out / f"{name}-actual.png", actual)
        write_png(out / f"{name}-diff.png", diff_picture(actual, expected))
        raise AssertionError(
            f"{name} differs from {golden}: {found}. Actual: {out / f'{name}-actual.png'}, "
            f"diff: {out / f'{name}-diff.png'}. If the change is intended, look at both and "
            f"refresh the goldens with: {REFRESH}"
        )
    return found
