"""Thresholds for screenshot comparisons, calibrated on SwiftShader (see the report in the tests).

Software WebGL renders the same scene to the same pixels: two screenshots with no change
between them, or after a change and its undo, differ by exactly 0. Every trait change the
tests make moved the mean absolute difference by 4 or more (label_blend 0.5 -> 0.9 on the
liver CT: ~6; cmap Grayscale -> Cool to Warm: ~5-6). CHANGED sits well above NOISE and
well below the smallest real change.
"""

from __future__ import annotations

NOISE = 0.05  # mean |diff| per channel (0..255) allowed for "same picture"
CHANGED = 1.0  # mean |diff| per channel required for "the picture changed"
MIN_STD = 10.0  # grey-level standard deviation of a canvas that shows a volume
MIN_COLOURS = 200  # distinct RGB colours in such a canvas
