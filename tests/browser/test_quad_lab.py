"""view_mode="quad" and the linked cursor in JupyterLab, on the real liver CT + label.

One GL window, four panes (3D, axial, coronal, sagittal): a click or drag in a slice pane moves
`viewer.cursor` and the other panes' slices, the wheel steps slices, right-drag zooms one pane,
the keyboard walks steps, slices and view modes; compare="side-by-side" draws label and
prediction in two panes that share one camera. The tests share one notebook (one kernel).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .jupyter import NotebookPage, grey_std, mean_abs_diff
from .pixels import CHANGED, MIN_STD, NOISE

pytestmark = pytest.mark.browser

HEIGHT = 560
# Two panes showing the same volume from one camera still differ a little: the ray caster's
# jitter is keyed to screen pixels (measured 0.28 on the liver CT); real changes give > 1.
SAME_VOLUME = 0.6
SETUP = f"""
import numpy as np
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

ct, label = load_liver_ct()
# a stand-in for a model's output: the label with its tumours missed
prediction = np.where(label.data == 2, 1, label.data).astype(np.uint8)
viewer = nbviewer3d.view(ct, label=label, prediction=prediction, height={HEIGHT},
                         label_names={{1: "liver", 2: "tumour"}})
viewer.add(1, image=ct, label=label, prediction=label.data)
viewer.step = 0
centre = list(viewer.cursor)
viewer
"""
DEFAULTS: dict[str, Any] = {"view_mode": "quad", "compare": "overlay", "step": 0, "camera": None}


def apply(nb: NotebookPage, **traits: Any) -> None:
    """Set the viewer's traits (cursor back to the centre unless given) and wait for the frame."""
    nb.set_traits({**DEFAULTS, **traits}, prelude="_want.setdefault('cursor', centre)\n")


@pytest.fixture(scope="module")
def quad_page(module_notebooks: Any, liver_ct: object) -> NotebookPage:
    nb: NotebookPage = module_notebooks.open([SETUP])
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    return nb


@pytest.fixture
def nb(quad_page: NotebookPage) -> Iterator[NotebookPage]:
    apply(quad_page)
    yield quad_page
    quad_page.check_errors()


def quadrants(shot: np.ndarray) -> dict[str, np.ndarray]:
    """The four panes of a quad screenshot (3D top left, axial top right, coronal bottom left,
    sagittal bottom right), a 3-pixel seam left out."""
    h, w = shot.shape[0] // 2, shot.shape[1] // 2
    return {
        "volume": shot[3 : h - 3, 3 : w - 3],
        "axial": shot[3 : h - 3, w + 3 : 2 * w - 3],
        "coronal": shot[h + 3 : 2 * h - 3, 3 : w - 3],
        "sagittal": shot[h + 3 : 2 * h - 3, w + 3 : 2 * w - 3],
    }


def pane_box(nb: NotebookPage, view: str) -> dict[str, float]:
    box: dict[str, float] | None = (
        nb.widget(0).locator(f'.nbviewer3d-pane[data-view="{view}"]').first.bounding_box()
    )
    assert box is not None, f"no {view} pane"
    return box


def cursor(nb: NotebookPage) -> list[int]:
    value: list[int] = nb.eval_json("viewer.cursor")
    return value


def wait_cursor(nb: NotebookPage, before: list[int]) -> list[int]:
    """The kernel's cursor once it differs from ``before`` (the browser sets it)."""
    nb.page.wait_for_timeout(50)
    for _ in range(100):
        now = cursor(nb)
        if now != before:
            nb.wait_rendered(0)
            return now
        nb.page.wait_for_timeout(100)
    raise AssertionError(f"viewer.cursor stayed {before}")


def test_quad_shows_four_views_in_one_canvas(nb: NotebookPage, artifacts: Path) -> None:
    shot = nb.shot(0, artifacts / "quad_liver_ct.png")
    panes = quadrants(shot)
    for view, pixels in panes.items():
        assert grey_std(pixels) > MIN_STD, f"the {view} pane is blank"
    # one GL window, not four contexts
    assert nb.canvas(0).locator("canvas:not(.nbviewer3d-orientation)").count() == 1
    for a in ("axial", "coronal", "sagittal"):
        assert mean_abs_diff(panes["volume"], panes[a]) > CHANGED
    readout = nb.widget(0).locator(".nbviewer3d-readout").inner_text()
    centre = nb.eval_json("centre")
    assert f"voxel [{', '.join(map(str, centre))}]" in readout
    assert "image " in readout and "label " in readout and "prediction " in readout


def at(box: dict[str, float], fx: float, fy: float) -> tuple[float, float]:
    """Page coordinates of a point at fractions of a box."""
    return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy


def click_pane(nb: NotebookPage, view: str, fx: float, fy: float) -> list[int]:
    before = cursor(nb)
    nb.page.mouse.click(*at(pane_box(nb, view), fx, fy))
    return wait_cursor(nb, before)


def test_click_in_a_slice_view_moves_the_cursor_and_the_other_views(
    nb: NotebookPage, artifacts: Path
) -> None:
    centre = cursor(nb)
    before = quadrants(nb.shot(0))
    left = click_pane(nb, "axial", 0.3, 0.5)
    after = quadrants(nb.shot(0, artifacts / "quad_liver_ct_clicked.png"))
    # the axial view keeps its slice (array axis 2 is z); the others follow the click
    assert left[2] == centre[2]
    assert left[0] != centre[0]
    assert abs(left[1] - centre[1]) <= 1, "a click on the horizontal midline moved y"
    assert mean_abs_diff(before["sagittal"], after["sagittal"]) > CHANGED
    # and the same distance right of the middle lands as far on the other side
    right = click_pane(nb, "axial", 0.7, 0.5)
    assert abs((left[0] - centre[0]) + (right[0] - centre[0])) <= 1, (left, centre, right)
    readout = nb.widget(0).locator(".nbviewer3d-readout").inner_text()
    assert f"voxel [{', '.join(map(str, right))}]" in readout
    # a click in the coronal view moves the axial one (z) and keeps y
    shot = quadrants(nb.shot(0))
    low = click_pane(nb, "coronal", 0.5, 0.8)
    assert low[1] == right[1] and low[2] != right[2]
    assert mean_abs_diff(shot["axial"], quadrants(nb.shot(0))["axial"]) > CHANGED


def test_drag_moves_the_cursor_with_the_pointer(nb: NotebookPage) -> None:
    clicked = click_pane(nb, "sagittal", 0.35, 0.4)
    apply(nb)
    box = pane_box(nb, "sagittal")
    centre = cursor(nb)
    nb.page.mouse.move(*at(box, 0.6, 0.6))
    nb.page.mouse.down()
    for step in range(1, 6):
        f = step / 5
        nb.page.mouse.move(*at(box, 0.6 - 0.25 * f, 0.6 - 0.2 * f))
    nb.page.mouse.up()
    assert wait_cursor(nb, centre) == clicked


def test_wheel_steps_slices(nb: NotebookPage) -> None:
    centre = cursor(nb)
    nb.page.mouse.move(*at(pane_box(nb, "axial"), 0.5, 0.5))
    nb.page.mouse.wheel(0, 100)
    down = wait_cursor(nb, centre)
    assert down[:2] == centre[:2] and abs(down[2] - centre[2]) == 1
    nb.page.mouse.wheel(0, -100)
    assert wait_cursor(nb, down) == centre


def test_right_drag_zooms_one_slice_view(nb: NotebookPage, artifacts: Path) -> None:
    before = quadrants(nb.shot(0))
    box = pane_box(nb, "coronal")
    frames = nb.widget_state(0).frames
    nb.page.mouse.move(*at(box, 0.5, 0.7))
    nb.page.mouse.down(button="right")
    nb.page.mouse.move(*at(box, 0.5, 0.5), steps=4)
    nb.page.mouse.up(button="right")
    nb.wait_rendered(0, after=frames)
    after = quadrants(nb.shot(0, artifacts / "quad_liver_ct_zoomed.png"))
    assert mean_abs_diff(before["coronal"], after["coronal"]) > CHANGED
    for view in ("volume", "axial", "sagittal"):
        assert mean_abs_diff(before[view], after[view]) <= NOISE, f"{view} moved"
    assert cursor(nb) == nb.eval_json("centre")


def cell_type(nb: NotebookPage) -> str:
    kind: str = nb.page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.widgets[0].model.type"
    )
    return kind


def test_keyboard_walks_steps_slices_and_view_modes(nb: NotebookPage) -> None:
    nb.page.mouse.click(*at(pane_box(nb, "volume"), 0.1, 0.1))
    assert nb.page.evaluate("() => document.activeElement?.className") == "nbviewer3d-canvas"
    frames = nb.widget_state(0).frames
    nb.page.keyboard.press("ArrowRight")
    nb.wait_rendered(0, after=frames, step=1)
    assert nb.eval_json("viewer.step") == 1
    nb.page.keyboard.press("ArrowLeft")
    nb.wait_rendered(0, step=0)
    assert nb.eval_json("viewer.step") == 0
    centre = cursor(nb)
    nb.page.keyboard.press("PageDown")
    moved = wait_cursor(nb, centre)
    assert sum(abs(a - b) for a, b in zip(moved, centre, strict=True)) == 1
    nb.page.keyboard.press("1")
    nb.page.wait_for_function(
        "(el) => el.querySelectorAll('.nbviewer3d-pane').length === 1",
        arg=nb.widget(0).element_handle(),
    )
    assert nb.eval_json("viewer.view_mode") == "volume"
    nb.page.keyboard.press("5")
    nb.page.wait_for_function(
        "(el) => el.querySelectorAll('.nbviewer3d-pane').length === 4",
        arg=nb.widget(0).element_handle(),
    )
    assert nb.eval_json("viewer.view_mode") == "quad"
    # the keys stayed with the widget: JupyterLab did not turn the cell into a heading
    assert cell_type(nb) == "code"


@pytest.mark.parametrize("mode", ["quad", "volume", "axial"])
def test_every_panel_control_is_labelled_and_reached_by_tab(nb: NotebookPage, mode: str) -> None:
    apply(nb, view_mode=mode)
    controls: list[str] = nb.widget(0).evaluate(
        """(root) => [...root.querySelectorAll(
              '.nbviewer3d-panel :is(input, select, button, [tabindex])')]
             .filter((e) => e.offsetParent !== null && !e.disabled)
             .map((e) => e.dataset.control || e.getAttribute('aria-label') || e.outerHTML)"""
    )
    assert len(controls) >= 8
    nb.widget(0).locator(".nbviewer3d-canvas").focus()
    reached: dict[str, str] = {}
    for _ in range(len(controls) + 20):
        nb.page.keyboard.press("Tab")
        focused = nb.widget(0).evaluate(
            """(root) => { const e = document.activeElement;
                 if (!root.contains(e)) return null;
                 const name = e.labels?.[0]?.textContent?.trim() || e.getAttribute('aria-label')
                   || '';
                 return [e.dataset.control || e.getAttribute('aria-label') || e.outerHTML,
                         name]; }"""
        )
        if focused is None:
            break
        reached[focused[0]] = focused[1]
    missing = [c for c in controls if c not in reached]
    assert not missing, f"not reached by Tab: {missing}"
    unlabelled = [c for c, name in reached.items() if not name]
    assert not unlabelled, f"no label: {unlabelled}"


def halves(shot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left and right halves of a side-by-side shot, the headings' strip left out."""
    w = shot.shape[1] // 2
    return shot[24:, 2 : w - 2], shot[24:, w + 2 : 2 * w - 2]


def test_side_by_side_shares_one_camera(nb: NotebookPage, artifacts: Path) -> None:
    apply(nb, view_mode="volume", compare="side-by-side", step=1)
    left, right = halves(nb.shot(0, artifacts / "side_by_side_same.png"))
    assert grey_std(left) > MIN_STD
    # step 1's prediction is its label: the two panes draw the same picture
    assert mean_abs_diff(left, right) <= SAME_VOLUME
    box = pane_box(nb, "volume")
    frames = nb.widget_state(0).frames
    nb.page.mouse.move(*at(box, 0.4, 0.5))
    nb.page.mouse.down()
    nb.page.mouse.move(*at(box, 0.6, 0.45), steps=4)
    nb.page.mouse.up()
    nb.wait_rendered(0, after=frames)
    turned_left, turned_right = halves(nb.shot(0))
    assert mean_abs_diff(left, turned_left) > CHANGED, "the drag did not turn the view"
    assert mean_abs_diff(turned_left, turned_right) <= SAME_VOLUME, "the right pane kept its camera"
    # step 0's prediction misses the tumours: the right pane lacks them
    apply(nb, view_mode="volume", compare="side-by-side", step=0)
    label, prediction = halves(nb.shot(0, artifacts / "side_by_side_liver_ct.png"))
    assert mean_abs_diff(label, prediction) > CHANGED
    apply(nb, compare="side-by-side")
    shot = nb.shot(0, artifacts / "side_by_side_quad.png")
    assert nb.widget(0).locator(".nbviewer3d-pane").count() == 8
    assert grey_std(shot) > MIN_STD
