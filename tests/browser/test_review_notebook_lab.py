"""notebooks/review_cached_run.ipynb as a user runs it in JupyterLab, on a demo run.

The cells are the notebook's own; a first cell points ``NBVIEWER3D_DEMO_RUN`` at the run
this session made (``demo_run_dir``), as ``python -m nbviewer3d.demo lab`` does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .jupyter import NotebookPage, mean_abs_diff
from .pixels import CHANGED, MIN_STD

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "review_cached_run.ipynb"


def notebook_cells() -> list[str]:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def cell_index(cells: list[str], needle: str) -> int:
    return next(i for i, c in enumerate(cells) if needle in c)


def coloured(shot: np.ndarray) -> dict[str, int]:
    """Pixels tinted green (true positives), warm (false positives) and cold (false negatives)."""
    r, g, b = (shot[..., i].astype(int) for i in range(3))
    return {
        "green": int(np.sum((g > r + 30) & (g > b + 30))),
        "warm": int(np.sum((r > g + 30) & (r > b + 30))),
        "cold": int(np.sum((b > r + 30) & (b > g + 10))),
    }


@pytest.fixture(scope="module")
def review(module_notebooks: Any, demo_run_dir: Path) -> tuple[NotebookPage, list[str]]:
    setup = f"import os\nos.environ['NBVIEWER3D_DEMO_RUN'] = {str(demo_run_dir)!r}"
    cells = [setup, *notebook_cells()]
    nb: NotebookPage = module_notebooks.open(cells)
    shown = cell_index(cells, "nbviewer3d.view_logdir(\n")
    nb.run_cells(0, shown)
    nb.wait_rendered(0)
    return nb, cells


def test_the_review_opens_on_prediction_against_label(
    review: tuple[NotebookPage, list[str]], artifacts: Path
) -> None:
    nb, _ = review
    steps = nb.eval_json("viewer.steps")
    assert len(steps) == 3
    assert nb.eval_json("[viewer.run, viewer.compare, viewer.view_mode]") == [
        "lossless",
        "errors",
        "quad",
    ]
    shot = nb.shot(0, artifacts / "review_notebook_quad_errors.png")
    assert shot.mean(axis=2).std() > MIN_STD
    colours = coloured(shot)
    assert colours["green"] > 500, colours  # liver voxels the model got right
    assert colours["warm"] + colours["cold"] > 500, colours  # and where it went wrong


def test_the_step_slider_walks_the_validation_steps(review: tuple[NotebookPage, list[str]]) -> None:
    nb, _ = review
    steps = nb.eval_json("viewer.steps")
    if nb.eval_json("viewer.step") != steps[-1]:
        nb.change(f"viewer.step = {steps[-1]}", step=steps[-1])
    last = nb.shot(0)
    slider = nb.widget(0).locator('[data-control="step"]')
    slider.focus()
    before = nb.widget_state(0).frames
    slider.press("Home")
    nb.wait_rendered(0, after=before, step=steps[0])
    assert nb.wait_for_kernel(f"viewer.step == {steps[0]}")
    assert mean_abs_diff(last, nb.shot(0)) > CHANGED


def test_the_rest_of_the_notebook_runs(
    review: tuple[NotebookPage, list[str]], artifacts: Path
) -> None:
    nb, cells = review
    nb.run_cells(cell_index(cells, "nbviewer3d.view_logdir(\n") + 1)
    assert nb.eval_json("viewer.heatmap_visible") is True
    nb.wait_rendered(1)
    nb.wait_rendered(2)
    gif, exact = nb.shot(1), nb.shot(2, artifacts / "review_notebook_lossless_axial.png")
    nb.shot(1, artifacts / "review_notebook_gif_axial.png")
    for shot in (gif, exact):
        assert shot.mean(axis=2).std() > MIN_STD
    assert nb.eval_json("[v.step for v in pair.viewers]") == [nb.eval_json("pair.step")] * 2
