"""nbviewer3d in Notebook 7 (served by the same server as JupyterLab, at /notebooks/)."""

from __future__ import annotations

from typing import Any

import pytest

from .jupyter import distinct_colours, grey_std, mean_abs_diff
from .pixels import CHANGED, MIN_COLOURS, MIN_STD

pytestmark = pytest.mark.browser

SETUP = """
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

ct, label = load_liver_ct()
viewer = nbviewer3d.view(ct, label=label, height=300)
viewer
"""


def test_renders_and_controls_work_in_notebook7(open_notebook: Any, liver_ct: object) -> None:
    nb = open_notebook([SETUP], frontend="notebook")
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    first = nb.shot(0)
    assert grey_std(first) > MIN_STD
    assert distinct_colours(first) > MIN_COLOURS

    nb.change("viewer.label_visible = False")
    assert mean_abs_diff(first, nb.shot(0)) > CHANGED

    nb.change("viewer.view_mode = 'axial'")  # cmap colours the slices; in 3D the CT preset does
    before, shot = nb.widget_state(0).frames, nb.shot(0)
    nb.widget(0).locator('[data-control="cmap"]').select_option("viridis")
    nb.wait_rendered(0, after=before)
    assert nb.eval_json("viewer.cmap") == "viridis"
    assert mean_abs_diff(shot, nb.shot(0)) > CHANGED
