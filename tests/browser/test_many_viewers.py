"""More viewers in one notebook than a page may hold WebGL contexts (about 16 in Chromium)."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
from PIL import Image

from .jupyter import RGB, NotebookPage, grey_std, mean_abs_diff
from .pixels import MIN_STD

pytestmark = pytest.mark.browser

COUNT = 20
SETUP = """
import numpy as np
import nbviewer3d

z, y, x = np.mgrid[:32, :32, :32]
def ball(i):
    r = np.sqrt((z - 16) ** 2 + (y - 16) ** 2 + (x - 16) ** 2)
    v = (np.cos(r / (1.5 + i / 8)) * 100 + i).astype(np.float32)
    v[:, 3:9, 3:14] = 300  # off centre: a picture upside down is not the same picture
    return v
"""
CELL = "nbviewer3d.view(ball({i}), height=160, view_mode='axial')"
MAX_LIVE = 8  # js/src/context-pool.ts


def snapshot_left(nb: NotebookPage, index: int) -> RGB | None:
    """The picture a viewer left behind when it gave its context up, or None."""
    url = nb.widget(index).evaluate(
        "(root) => { const c = root.querySelector('canvas.nbviewer3d-snapshot');"
        " return c ? c.toDataURL('image/png') : null; }"
    )
    if url is None:
        return None
    png = base64.b64decode(url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_twenty_viewers_each_render_when_scrolled_to(open_notebook: Any) -> None:
    nb = open_notebook([SETUP] + [CELL.format(i=i) for i in range(COUNT)])
    nb.run_all()
    assert nb.widgets().count() == COUNT
    shots = []
    for i in range(COUNT):
        nb.wait_rendered(i)  # scrolls it into view first
        shots.append(nb.shot(i))
        assert grey_std(shots[-1]) > MIN_STD, f"viewer {i} is blank"
    # the ones that gave their context up left their last picture behind (read back from the
    # GPU without stalling the page), each its own
    nb.page.wait_for_function(
        "(n) => document.querySelectorAll('canvas.nbviewer3d-snapshot').length >= n",
        arg=COUNT - MAX_LIVE - 2,
    )
    for i in range(COUNT - MAX_LIVE - 2):
        left = snapshot_left(nb, i)
        assert left is not None, f"viewer {i} left no picture when it gave its context up"
        h, w = left.shape[:2]  # the element's box may round a pixel larger than its canvas
        live, other = shots[i][:h, :w], shots[(i + COUNT // 2) % COUNT][:h, :w]
        assert live.shape == left.shape, (left.shape, shots[i].shape)
        near, far = mean_abs_diff(left, live), mean_abs_diff(left, other)
        assert near < far / 2, f"viewer {i}: {near:.1f} from its picture, {far:.1f} from another's"
        flipped = mean_abs_diff(left[::-1], live)
        assert near < flipped / 2, f"viewer {i}: {near:.1f} from its picture, {flipped:.1f} flipped"
    # back to the first: it had given its context up to later ones, and draws again
    nb.wait_rendered(0)
    assert snapshot_left(nb, 0) is None, "the picture left behind stays after the view redrew"
    assert grey_std(nb.shot(0)) > MIN_STD, "viewer 0 is blank after scrolling back"
    assert nb.widget_state(0).status == "ready"
