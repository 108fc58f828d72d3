"""The kernel's label colours are the browser's (both sides read js/tests/label-palette.json)."""

from __future__ import annotations

import json
from pathlib import Path

from nbviewer3d.label_palette import LABEL_PALETTE, PREDICTION_PALETTE, hex_of

GOLDEN = json.loads(
    (Path(__file__).resolve().parents[1] / "js" / "tests" / "label-palette.json").read_text()
)


def test_label_colours_match_the_browser() -> None:
    ids = range(1, len(GOLDEN["label"]) + 1)
    assert [hex_of(LABEL_PALETTE.color(i)) for i in ids] == GOLDEN["label"]


def test_prediction_colours_match_the_browser() -> None:
    ids = range(1, len(GOLDEN["prediction"]) + 1)
    assert [hex_of(PREDICTION_PALETTE.color(i)) for i in ids] == GOLDEN["prediction"]


def test_ids_past_the_distinct_colours_repeat() -> None:
    assert LABEL_PALETTE.color(1 + 1024) == LABEL_PALETTE.color(1)
