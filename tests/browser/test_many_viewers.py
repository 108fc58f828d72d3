"""More viewers in one notebook than a page may hold WebGL contexts (about 16 in Chromium)."""

from __future__ import annotations

from typing import Any

import pytest

from .jupyter import grey_std
from .pixels import MIN_STD

pytestmark = pytest.mark.browser

COUNT = 20
SETUP = """
import numpy as np
import nbviewer3d

z, y, x = np.mgrid[:32, :32, :32]
def ball(i):
    r = np.sqrt((z - 16) ** 2 + (y - 16) ** 2 + (x - 16) ** 2)
    return (np.cos(r / (1.5 + i / 8)) * 100 + i).astype(np.float32)
"""
CELL = "nbviewer3d.view(ball({i}), height=160, view_mode='axial')"


def test_twenty_viewers_each_render_when_scrolled_to(open_notebook: Any) -> None:
    nb = open_notebook([SETUP] + [CELL.format(i=i) for i in range(COUNT)])
    nb.run_all()
    assert nb.widgets().count() == COUNT
    frames = []
    for i in range(COUNT):
        state = nb.wait_rendered(i)  # scrolls it into view first
        assert grey_std(nb.shot(i)) > MIN_STD, f"viewer {i} is blank"
        frames.append(state.frames)
    # back to the first: it had given its context up to later ones, and draws again
    state = nb.wait_rendered(0)
    assert grey_std(nb.shot(0)) > MIN_STD, "viewer 0 is blank after scrolling back"
    assert nb.widget_state(0).status == "ready"
