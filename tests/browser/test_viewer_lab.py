"""nbviewer3d in JupyterLab on the real liver CT + label: pixels, traits, panel, steps, bytes.

The tests of this module share one notebook (one kernel, one view) to keep the suite fast;
each test first puts the viewer back in the state it needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from .jupyter import NotebookPage, distinct_colours, grey_std, mean_abs_diff
from .pixels import CHANGED, MIN_COLOURS, MIN_STD, NOISE

pytestmark = pytest.mark.browser

HEIGHT = 360
SETUP = f"""
import numpy as np
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

ct, label = load_liver_ct()
# a stand-in for a model's output: enhanced liver parenchyma by threshold
prediction = ((ct.data > 80) & (ct.data < 200)).astype(np.uint8)
viewer = nbviewer3d.view(ct, label=label, height={HEIGHT})
default_range = (viewer.vmin, viewer.vmax)
default_cursor = list(viewer.cursor)
viewer
"""
SECOND_DISPLAY = "viewer"
DEFAULTS: dict[str, Any] = {
    "cmap": "Grayscale",
    "preset": "ct-soft-tissue",
    "opacity": None,
    "sample_distance": 0.25,
    "gradient_opacity": 0.7,
    "label_blend": 0.5,
    "label_visible": True,
    "view_mode": "volume",
    "height": HEIGHT,
}


def apply(nb: NotebookPage, step: int | None = None, **traits: Any) -> None:
    """Set the viewer's traits from Python (only those that differ) and wait for the frame.

    ``vmin``/``vmax`` not given go back to the image's default range, ``cursor`` to the
    image's centre.
    """
    want = {**DEFAULTS, **traits}
    if step is not None:
        want["step"] = step
    nb.set_traits(
        want,
        step=step,
        prelude="_want.setdefault('vmin', default_range[0]); "
        "_want.setdefault('vmax', default_range[1]); "
        "_want.setdefault('cursor', default_cursor)\n",
    )


@pytest.fixture(scope="module")
def ct_page(module_notebooks: Any, liver_ct: object) -> NotebookPage:
    nb: NotebookPage = module_notebooks.open([SETUP, SECOND_DISPLAY])
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    return nb


@pytest.fixture
def nb(ct_page: NotebookPage) -> Iterator[NotebookPage]:
    apply(ct_page, step=ct_page.eval_json("viewer.steps[0]"))
    yield ct_page
    ct_page.check_errors()


def ensure_two_steps(nb: NotebookPage) -> list[int]:
    steps: list[int] = nb.eval_json("viewer.steps")
    if len(steps) < 2:
        new = steps[-1] + 1
        nb.change(
            f"viewer.add({new}, image=ct, label=label, prediction=prediction)\nviewer.step = {new}",
            step=new,
        )
        steps = nb.eval_json("viewer.steps")
    return steps


def step_slider(nb: NotebookPage) -> Any:
    return nb.widget(0).locator('[data-control="step"]')


def assert_shows_volume(shot: np.ndarray) -> None:
    assert grey_std(shot) > MIN_STD, f"canvas looks blank (std {grey_std(shot):.1f})"
    assert distinct_colours(shot) > MIN_COLOURS, f"only {distinct_colours(shot)} colours"


# --------------------------------------------------------------------------- rendering


def test_volume_renders(nb: NotebookPage, artifacts: Path) -> None:
    path = artifacts / "liver_ct_label_volume.png"
    shot = nb.shot(0, path)
    print(f"\nscreenshot: {path}")
    assert_shows_volume(shot)
    assert abs(shot.shape[0] - HEIGHT) <= 2
    assert mean_abs_diff(shot, nb.shot(0)) <= NOISE


# In 3D a CT preset gives the colours (see js/src/presets.ts): cmap is tried where it applies,
# with the generic preset and in a slice view. Each entry: (traits set first, change).
CHANGES: dict[str, tuple[dict[str, Any], str]] = {
    "cmap_generic_preset": ({"preset": "generic"}, "viewer.cmap = 'Cool to Warm'"),
    "cmap_axial": ({"view_mode": "axial"}, "viewer.cmap = 'Cool to Warm'"),
    "preset": ({}, "viewer.preset = 'ct-bone'"),
    "opacity": ({}, "viewer.opacity = [[-200, 0.0], [0, 0.4], [400, 0.9]]"),
    "vmin_vmax": ({}, "viewer.vmin = -100.0; viewer.vmax = 250.0"),
    "sample_distance": ({}, "viewer.sample_distance = 0.6"),
    "gradient_opacity": ({}, "viewer.gradient_opacity = 0.0"),
    "label_blend": ({}, "viewer.label_blend = 0.9"),
    "label_visible": ({}, "viewer.label_visible = False"),
}


@pytest.mark.parametrize(("first", "code"), CHANGES.values(), ids=CHANGES.keys())
def test_trait_from_python_changes_picture(
    nb: NotebookPage, first: dict[str, Any], code: str
) -> None:
    apply(nb, **first)
    before = nb.shot(0)
    nb.change(code)
    after = nb.shot(0)
    assert mean_abs_diff(before, after) > CHANGED, f"{code} did not change the picture"
    apply(nb, **first)  # undo: the same picture comes back
    assert mean_abs_diff(before, nb.shot(0)) <= NOISE


@pytest.mark.parametrize("mode", ["axial", "coronal", "sagittal"])
def test_view_mode_renders(nb: NotebookPage, mode: str, artifacts: Path) -> None:
    volume = nb.shot(0)
    apply(nb, view_mode=mode)
    middle = nb.shot(0, artifacts / f"liver_ct_label_{mode}.png")
    assert_shows_volume(middle)
    assert mean_abs_diff(volume, middle) > CHANGED
    # the LiTS CT's array axes are (x, y, z): each view steps along its own one
    axis = {"sagittal": 0, "coronal": 1, "axial": 2}[mode]
    cursor = nb.eval_json("default_cursor")
    cursor[axis] = 20
    apply(nb, view_mode=mode, cursor=cursor)
    assert mean_abs_diff(middle, nb.shot(0)) > CHANGED, "the cursor did not move the slice"


def test_view_modes_differ(nb: NotebookPage) -> None:
    shots = {}
    for mode in ("axial", "coronal", "sagittal"):
        apply(nb, view_mode=mode)
        shots[mode] = nb.shot(0)
    assert mean_abs_diff(shots["axial"], shots["coronal"]) > CHANGED
    assert mean_abs_diff(shots["axial"], shots["sagittal"]) > CHANGED
    assert mean_abs_diff(shots["coronal"], shots["sagittal"]) > CHANGED


# The label's middle axial slice as the radiological axial view draws it, whatever the array
# layout: the slice across the array axis running along world z (RAS), its rows from anterior
# (+y) down, its columns from the patient's right (+x) to the left.
AXIAL_LABEL_ON_SCREEN = """
def _axial_on_screen(volume):
    d = volume.ras_direction  # column a: the RAS direction of array axis a
    k = int(np.argmax(np.abs(d[2])))
    rest = [a for a in range(3) if a != k]
    row = max(rest, key=lambda a: abs(d[1, a]))
    col = rest[0] + rest[1] - row
    flat = np.take(np.asarray(volume) > 0, (volume.shape[k] - 1) // 2, axis=k)
    on_screen = flat if row == rest[0] else flat.T
    return on_screen[:: -1 if d[1, row] > 0 else 1, :: -1 if d[0, col] > 0 else 1]
"""


def test_label_overlay_colours_the_label_region(nb: NotebookPage) -> None:
    """In the axial view, the pixels the label tints are the label's voxels on screen."""
    apply(nb, view_mode="axial", label_visible=False)
    plain = nb.shot(0)
    apply(nb, view_mode="axial")
    tinted = nb.shot(0)
    nb.execute(AXIAL_LABEL_ON_SCREEN)
    labelled = np.array(nb.eval_json("_axial_on_screen(viewer.label).tolist()"))

    # The slice covers the non-black box of the plain picture (the body fills its edges);
    # the box's rounded corners and sub-pixel bottom row are not part of the picture, nor
    # are the edge letters (a few pixels in a row or column, where the slice fills many).
    body = plain.max(axis=2) > 8
    body[:3], body[-3:], body[:, :3], body[:, -3:] = False, False, False, False
    rows = np.nonzero(body.sum(axis=1) > 0.3 * body.sum(axis=1).max())[0]
    cols = np.nonzero(body.sum(axis=0) > 0.3 * body.sum(axis=0).max())[0]
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    box_tinted = tinted[top:bottom, left:right].astype(np.int16)
    box_plain = plain[top:bottom, left:right].astype(np.int16)
    changed = np.abs(box_tinted - box_plain).max(axis=2) > 20
    expected = (
        np.asarray(
            Image.fromarray(labelled.astype(np.uint8) * 255).resize(
                (right - left, bottom - top), Image.Resampling.NEAREST
            )
        )
        > 127
    )
    iou = (changed & expected).sum() / max(1, (changed | expected).sum())
    assert iou > 0.8, f"tinted pixels match the label's voxels poorly (IoU {iou:.2f})"
    spread = box_tinted.max(axis=2) - box_tinted.min(axis=2)
    assert spread[changed].mean() > 30, "label region is not coloured"
    assert np.abs(spread[~expected].mean()) < 5, "outside the label the grey image is tinted"


# --------------------------------------------------------------------------- steps and bytes


def test_add_after_display_adds_a_step_that_renders(nb: NotebookPage) -> None:
    steps: list[int] = nb.eval_json("viewer.steps")
    slider_max = int(step_slider(nb).get_attribute("max"))
    first = nb.shot(0)
    new = steps[-1] + 1
    nb.change(f"viewer.add({new}, image=ct, label=label, prediction=prediction)", step=new)
    assert nb.eval_json("viewer.steps") == [*steps, new]
    assert nb.eval_json("viewer.step") == new
    assert int(step_slider(nb).get_attribute("max")) == slider_max + 1
    shown = nb.shot(0)
    assert_shows_volume(shown)
    assert mean_abs_diff(first, shown) > CHANGED, "the prediction overlay is not drawn"


def test_step_slider_keyboard_sets_step_in_kernel(nb: NotebookPage) -> None:
    steps = ensure_two_steps(nb)
    apply(nb, step=steps[0])
    slider = step_slider(nb)
    slider.focus()
    before = nb.widget_state(0).frames
    slider.press("ArrowRight")
    nb.wait_rendered(0, after=before, step=steps[1])
    assert nb.eval_json("viewer.step") == steps[1]


def test_step_slider_mouse_sets_step_in_kernel(nb: NotebookPage) -> None:
    steps = ensure_two_steps(nb)
    apply(nb, step=steps[0])
    before = nb.widget_state(0).frames
    nb.click_at(step_slider(nb), 0.98)
    nb.wait_rendered(0, after=before, step=steps[-1])
    assert nb.eval_json("viewer.step") == steps[-1]


QUICK_FRAME = """(el) => {
  const canvas = el.querySelector('.nbviewer3d-canvas canvas');
  return { width: canvas.width, full: Math.floor(canvas.clientWidth * devicePixelRatio),
           status: el.dataset.status, step: el.dataset.step, scale: el.dataset.drawnScale,
           fullFrameMs: Number(el.dataset.fullFrameMs) };
}"""


def test_a_slow_full_frame_makes_a_step_switch_show_a_quick_frame_then_the_full_one(
    nb: NotebookPage, artifacts: Path
) -> None:
    # under software WebGL a full ray-cast frame takes seconds: a step the browser holds shows
    # at once at a fraction of the resolution, then the full picture replaces it in place
    steps = ensure_two_steps(nb)
    apply(nb, step=steps[1])
    full_before = nb.shot(0)
    apply(nb, step=steps[0])
    state = nb.widget(0).evaluate(QUICK_FRAME)
    slow = state["fullFrameMs"] >= nb.eval_json("200")  # SLOW_FRAME_MS in quick-frames.ts
    slider = step_slider(nb)
    slider.focus()
    before = nb.widget_state(0).frames
    slider.press("ArrowRight")
    if slow:
        nb.page.wait_for_function(
            f"(el) => el.dataset.step === '{steps[1]}' && el.dataset.status === 'refining'"
            " && el.dataset.drawnScale !== '1'",
            arg=nb.widget(0).element_handle(),
            timeout=60_000,
        )
        quick_state = nb.widget(0).evaluate(QUICK_FRAME)
        quick = nb.shot(0, artifacts / "quick_frame" / "quick.png")
        # a screenshot can wait for the GPU: was the quick frame still the one on screen?
        after = nb.widget(0).evaluate(QUICK_FRAME)
        shot_quick = after["status"] == "refining" and after["width"] < after["full"]
        assert quick_state["width"] <= quick_state["full"] // 2, quick_state
        assert_shows_volume(quick)
    state = nb.wait_rendered(0, after=before, step=steps[1])
    assert state.status == "ready"
    done = nb.widget(0).evaluate(QUICK_FRAME)
    assert done["width"] == done["full"] and done["scale"] == "1", done
    full = nb.shot(0, artifacts / "quick_frame" / "full.png")
    assert mean_abs_diff(full, full_before) <= NOISE  # exactly the picture of that step
    assert nb.eval_json("viewer.step") == steps[1]
    if slow:
        # the quick frame is that picture, coarser: near it, not it
        blank = np.zeros_like(full)
        assert mean_abs_diff(quick, full) < 0.25 * mean_abs_diff(blank, full)
        if shot_quick:
            assert mean_abs_diff(quick, full) > NOISE


def test_going_back_to_a_shown_step_sends_no_voxels(nb: NotebookPage) -> None:
    steps = ensure_two_steps(nb)
    apply(nb, step=steps[0])
    apply(nb, step=steps[1])
    sent = nb.eval_json("viewer.bytes_sent")
    apply(nb, step=steps[0])
    assert nb.eval_json("viewer.bytes_sent") == sent
    # A step the browser never had does cost bytes (so the check above can fail).
    new = nb.eval_json("viewer.steps[-1]") + 1
    nb.change(f"viewer.add({new}, image=ct, label=label)\nviewer.step = {new}", step=new)
    assert nb.eval_json("viewer.bytes_sent") > sent


# --------------------------------------------------------------------------- the panel


def control(nb: NotebookPage, trait: str) -> Any:
    return nb.widget(0).locator(f'[data-control="{trait}"]')


def test_panel_follows_python(nb: NotebookPage) -> None:
    apply(nb, cmap="magma", label_visible=False)
    assert control(nb, "cmap").input_value() == "magma"
    assert not control(nb, "label_visible").is_checked()


@pytest.mark.parametrize(
    ("trait", "option", "first"),
    [
        ("cmap", "viridis", {"view_mode": "axial"}),
        ("view_mode", "coronal", {}),
        ("preset", "ct-bone", {}),
    ],
)
def test_panel_select(nb: NotebookPage, trait: str, option: str, first: dict[str, Any]) -> None:
    apply(nb, **first)
    before_shot, before = nb.shot(0), nb.widget_state(0).frames
    control(nb, trait).select_option(option)
    nb.wait_rendered(0, after=before)
    assert nb.eval_json(f"viewer.{trait}") == option
    assert mean_abs_diff(before_shot, nb.shot(0)) > CHANGED


def test_panel_label_checkbox(nb: NotebookPage) -> None:
    before_shot, before = nb.shot(0), nb.widget_state(0).frames
    control(nb, "label_visible").click()
    nb.wait_rendered(0, after=before)
    assert nb.eval_json("viewer.label_visible") is False
    assert mean_abs_diff(before_shot, nb.shot(0)) > CHANGED


def test_panel_label_blend_slider(nb: NotebookPage) -> None:
    before_shot, before = nb.shot(0), nb.widget_state(0).frames
    nb.click_at(control(nb, "label_blend"), 0.95)
    nb.wait_rendered(0, after=before)
    assert nb.eval_json("viewer.label_blend") > 0.8
    assert mean_abs_diff(before_shot, nb.shot(0)) > CHANGED


def test_panel_vmin_input(nb: NotebookPage) -> None:
    before_shot, before = nb.shot(0), nb.widget_state(0).frames
    box = control(nb, "vmin")
    box.fill("-100")
    box.press("Enter")
    nb.wait_rendered(0, after=before)
    assert nb.eval_json("viewer.vmin") == -100.0
    assert mean_abs_diff(before_shot, nb.shot(0)) > CHANGED


def test_dragging_an_opacity_point_sets_opacity_in_kernel(nb: NotebookPage) -> None:
    """Drag the preset's [400 HU, 0.75] point of the transfer-function editor upwards."""
    canvas = control(nb, "opacity")
    canvas.scroll_into_view_if_needed()
    lo, hi = nb.eval_json("[float(viewer.image.data.min()), float(viewer.image.data.max())]")
    # the editor's canvas is 240 x 70 with 4 px kept free around the plot
    x = 4 + (400 - lo) / (hi - lo) * 232
    y = 66 - 0.75 * 62
    box = canvas.bounding_box()
    sx, sy = box["width"] / 240, box["height"] / 70
    before_shot, before = nb.shot(0), nb.widget_state(0).frames
    nb.page.mouse.move(box["x"] + x * sx, box["y"] + y * sy)
    nb.page.mouse.down()
    nb.page.mouse.move(box["x"] + x * sx, box["y"] + (y - 20) * sy, steps=4)
    nb.page.mouse.up()
    nb.wait_rendered(0, after=before)
    points = nb.eval_json("viewer.opacity")
    assert points is not None, "the drag did not reach the kernel"
    moved = [a for v, a in points if abs(v - 400) < 5]
    assert moved and moved[0] > 0.9, f"the 400 HU point did not move up: {points}"
    assert mean_abs_diff(before_shot, nb.shot(0)) > CHANGED


# --------------------------------------------------------------------------- for the README


def test_readme_screenshot(nb: NotebookPage, artifacts: Path) -> None:
    """An 800x500 view of the CT with its label, for the README."""
    page = nb.page
    viewport = page.viewport_size
    canvas_width = nb.canvas(0).bounding_box()["width"]
    page.set_viewport_size({"width": viewport["width"] + int(800 - canvas_width), "height": 900})
    try:
        apply(nb, label_blend=0.6, height=500)
        path = artifacts / "liver_ct_readme.png"
        shot = nb.shot(0, path)
        nb.widget(0).screenshot(path=str(artifacts / "liver_ct_widget.png"))
        print(f"\nREADME screenshot: {path}")
        assert abs(shot.shape[1] - 800) <= 2 and abs(shot.shape[0] - 500) <= 2
        assert_shows_volume(shot)
    finally:
        page.set_viewport_size(viewport)
        apply(nb, height=HEIGHT)


# --------------------------------------------------------------------------- last: two views


def test_second_display_of_the_same_viewer_renders(nb: NotebookPage) -> None:
    """Runs last in this module: once shown twice, every change redraws both views."""
    nb.run_cell(1)
    nb.wait_rendered(1)
    assert_shows_volume(nb.shot(1))
    second = nb.widget_state(1).frames
    nb.change("viewer.cmap = 'Cool to Warm'")
    nb.wait_rendered(1, after=second)
    assert nb.widget(1).locator('[data-control="cmap"]').input_value() == "Cool to Warm"
