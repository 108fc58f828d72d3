"""compare="errors" in JupyterLab: TP/FP/FN colours per class where the prediction differs
from the label, in slices and 3D; the legend's colours; the metrics table in the panel.

A known case (two classes, every kind of error, a confused block) and the liver CT with a
perturbed prediction. Screenshots land in tests/artifacts/compare_*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .jupyter import NotebookPage, mean_abs_diff
from .pixels import CHANGED

pytestmark = pytest.mark.browser

SHAPE = (48, 40, 8)  # (x, y, z)
SLICE = 4
CASE = f"""
import numpy as np
import nbviewer3d

shape = {SHAPE}
image = np.ones(shape, np.float32)
label = np.zeros(shape, np.uint8)
prediction = np.zeros(shape, np.uint8)
label[8:28, 6:26] = 1
prediction[12:32, 6:22] = 1
label[30:42, 26:36] = 2
prediction[30:36, 26:36] = 2
prediction[36:42, 26:36] = 1  # class 2 predicted as class 1
prediction[2:6, 30:38] = 2
viewer = nbviewer3d.view(
    image, label=label, prediction=prediction, vmin=0, vmax=2, height=360,
    compare="errors", label_blend=1.0, view_mode="axial", cursor=[0, 0, {SLICE}],
)
viewer
"""
DEFAULTS: dict[str, Any] = {
    "compare": "errors",
    "label_blend": 1.0,
    "label_visible": True,
    "hidden_labels": [],
    "view_mode": "axial",
    "cursor": [0, 0, SLICE],
}
KINDS = ("TP", "FP", "FN")
# true positives are drawn at this fraction of the label opacity (js/src/compare.ts)
TRUE_POSITIVE_OPACITY = 0.4


def expected_kinds() -> np.ndarray:
    """(x, y) -> "TP1", "FN2", ... or "" on the axial slice, from the case's arrays."""
    label = np.zeros(SHAPE[:2], np.uint8)
    prediction = np.zeros(SHAPE[:2], np.uint8)
    label[8:28, 6:26] = 1
    prediction[12:32, 6:22] = 1
    label[30:42, 26:36] = 2
    prediction[30:36, 26:36] = 2
    prediction[36:42, 26:36] = 1
    prediction[2:6, 30:38] = 2
    kinds = np.full(SHAPE[:2], "", dtype=object)
    tp = (label == prediction) & (label > 0)
    fp = (label == 0) & (prediction > 0)
    fn = (label > 0) & (prediction != label)  # a confused voxel shows as the missed class
    kinds[tp] = [f"TP{c}" for c in label[tp]]
    kinds[fp] = [f"FP{c}" for c in prediction[fp]]
    kinds[fn] = [f"FN{c}" for c in label[fn]]
    return kinds


@pytest.fixture(scope="module")
def case_page(module_notebooks: Any) -> NotebookPage:
    nb: NotebookPage = module_notebooks.open([CASE])
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    return nb


@pytest.fixture
def nb(case_page: NotebookPage) -> Iterator[NotebookPage]:
    case_page.set_traits(DEFAULTS)
    yield case_page
    case_page.check_errors()


def legend_colours(nb: NotebookPage) -> dict[str, np.ndarray]:
    """ "TP1" -> RGB 0..255, read from the legend's swatches (the legend is the key)."""
    rows = (
        nb.widget(0)
        .locator(".nbviewer3d-legend-row")
        .evaluate_all(
            """rows => rows.map(r => [
             r.querySelector('input').dataset.labelId,
             [...r.querySelectorAll('.nbviewer3d-swatch')].map(s => s.title),
           ])"""
        )
    )
    colours: dict[str, np.ndarray] = {}
    for class_id, titles in rows:
        assert len(titles) == 3, f"class {class_id} has swatches {titles}, want TP, FP, FN"
        for kind, title in zip(KINDS, titles, strict=True):
            name = {"TP": "true positive", "FP": "false positive", "FN": "false negative"}[kind]
            assert title.startswith(name), title
            hex_colour = title.rsplit("#", 1)[1]
            colours[f"{kind}{class_id}"] = np.array(
                [int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)], dtype=float
            )
    return colours


def test_error_colours_sit_exactly_where_the_prediction_differs(
    nb: NotebookPage, artifacts: Path
) -> None:
    nb.set_traits({**DEFAULTS, "label_visible": False})
    plain = nb.shot(0).astype(float)
    nb.set_traits(DEFAULTS)
    errors = nb.shot(0, artifacts / "compare_case_axial_errors.png").astype(float)
    colours = legend_colours(nb)
    assert sorted(colours) == sorted(f"{k}{c}" for k in KINDS for c in (1, 2))
    assert len({tuple(c) for c in colours.values()}) == 6, "two kinds or classes share a colour"

    # the slice's footprint on the canvas (the image is uniform grey on a black background)
    # (rows and columns mostly grey: the edge letters R, L, A, P are not part of it,
    # and not the white focus line a selected cell may draw along the top)
    inside = (plain.mean(axis=2) > 30) & (plain.mean(axis=2) < 200)
    rows = np.flatnonzero(inside.mean(axis=1) > 0.5)
    cols = np.flatnonzero(inside.mean(axis=0) > 0.5)
    r0, r1, c0, c1 = rows.min(), rows.max(), cols.min(), cols.max()
    inside[:] = False
    inside[r0 : r1 + 1, c0 : c1 + 1] = True
    grey = np.median(plain[inside], axis=0)
    # axial, radiological: the patient's right (+x) on the screen's left, anterior (+y) up
    nx, ny = SHAPE[:2]
    r, c = np.mgrid[r0 : r1 + 1, c0 : c1 + 1]
    xf = (c1 + 1 - (c + 0.5)) / (c1 + 1 - c0) * nx
    yf = (r1 + 1 - (r + 0.5)) / (r1 + 1 - r0) * ny
    truth = expected_kinds()

    def kind_at(dx: float, dy: float) -> np.ndarray:
        x = np.clip(np.floor(xf + dx).astype(int), 0, nx - 1)
        y = np.clip(np.floor(yf + dy).astype(int), 0, ny - 1)
        return np.asarray(truth[x, y])

    # pixels a whole voxel's margin away from any change of kind (the footprint's edges may
    # sit on voxel centres or voxel sides: half a voxel either way)
    centre = kind_at(0, 0)
    settled = np.ones(centre.shape, dtype=bool)
    for dx in (-0.75, 0.75):
        for dy in (-0.75, 0.75):
            settled &= kind_at(dx, dy) == centre
    names = ["", *colours]
    # at blend 1 the errors are opaque, true positives a lighter tint over the image
    drawn = {
        name: TRUE_POSITIVE_OPACITY * rgb + (1 - TRUE_POSITIVE_OPACITY) * grey
        if name.startswith("TP")
        else rgb
        for name, rgb in colours.items()
    }
    palette = np.stack([grey, *drawn.values()])
    pixels = errors[r0 : r1 + 1, c0 : c1 + 1][settled]
    nearest = np.argmin(((pixels[:, None, :] - palette[None]) ** 2).sum(axis=2), axis=1)
    seen = np.array(names, dtype=object)[nearest]
    want = centre[settled]
    agree = float((seen == want).mean())
    counts = {name: int((want == name).sum()) for name in names}
    print(f"\nsettled pixels per kind: {counts}; agreement {agree:.4f}")
    assert all(n >= 20 for n in counts.values()), f"a kind is too small to judge: {counts}"
    assert agree >= 0.995, f"only {agree:.2%} of pixels show the colour of their voxel's kind"
    # and the colours are the legend's
    for name in colours:
        mean = pixels[want == name].mean(axis=0)
        assert np.abs(mean - drawn[name]).max() < 12, f"{name}: {mean} vs {drawn[name]}"


def test_overlay_and_errors_switch_from_the_panel(nb: NotebookPage) -> None:
    errors = nb.shot(0)
    select = nb.widget(0).locator('[data-control="compare"]')
    assert select.is_enabled()
    frames = nb.widget_state(0).frames
    select.select_option("overlay")
    nb.wait_rendered(0, after=frames)
    assert nb.eval_json("viewer.compare") == "overlay"
    assert mean_abs_diff(errors, nb.shot(0)) > CHANGED / 4
    heading = nb.widget(0).locator(".nbviewer3d-legend-heading")
    assert heading.is_hidden()
    nb.set_traits(DEFAULTS)
    assert heading.is_visible()


def test_3d_errors_show_each_kind_and_hide_by_class(nb: NotebookPage, artifacts: Path) -> None:
    nb.set_traits({**DEFAULTS, "view_mode": "volume"})
    shot = nb.shot(0, artifacts / "compare_case_volume_errors.png").astype(float)
    colours = legend_colours(nb)

    def share(picture: np.ndarray, name: str) -> float:
        """Pixels whose chromaticity is nearest that kind's colour, among the six."""
        lit = picture.sum(axis=2) > 60
        h, w = lit.shape
        lit[int(0.7 * h) :, int(0.75 * w) :] = False  # the orientation marker's corner
        chroma = picture[lit] / picture[lit].sum(axis=1, keepdims=True)
        table = np.stack([c / c.sum() for c in colours.values()])
        nearest = np.argmin(((chroma[:, None] - table[None]) ** 2).sum(axis=2), axis=1)
        return float((nearest == list(colours).index(name)).sum() / lit.size)

    shares = {name: share(shot, name) for name in colours}
    print(f"\n3D share of the canvas per kind: { {k: round(v, 4) for k, v in shares.items()} }")
    for name in ("TP1", "FP1", "FN1", "TP2", "FN2"):
        assert shares[name] > 0.002, f"{name} does not show in 3D: {shares}"
    nb.set_traits({**DEFAULTS, "view_mode": "volume", "hidden_labels": [1]})
    hidden = nb.shot(0, artifacts / "compare_case_volume_class1_hidden.png").astype(float)
    after = {name: share(hidden, name) for name in colours}
    print(f"with class 1 hidden: { {k: round(v, 4) for k, v in after.items()} }")
    one = ("TP1", "FP1", "FN1")
    two = ("TP2", "FP2", "FN2")
    # chromaticities of blended colours of class 2 may land nearest a class 1 colour: sums
    assert sum(after[k] for k in one) < 0.25 * sum(shares[k] for k in one)
    assert sum(after[k] for k in two) > 0.6 * sum(shares[k] for k in two)


def test_metrics_table_matches_the_kernel(nb: NotebookPage) -> None:
    metrics = nb.eval_json(
        "[{k: r[k] for k in ('class', 'dice', 'tp_voxels')} for r in viewer.metrics]"
    )
    table = nb.widget(0).locator(".nbviewer3d-metrics")
    table.locator("tr[data-class-id]").first.wait_for()
    cells = table.locator("tr[data-class-id]").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.textContent))"
    )
    assert [row[0] for row in cells] == [str(m["class"]) for m in metrics]
    assert [row[1] for row in cells] == [f"{m['dice']:.3f}" for m in metrics]
    # class 1: 16 x 16 x 8 voxels predicted right
    assert metrics[0]["tp_voxels"] == 16 * 16 * 8


def test_liver_errors_pictures(open_notebook: Any, artifacts: Path, liver_ct: object) -> None:
    """The real CT with a plausible wrong prediction: shifted liver, a tumour half missed,
    a false blob. Pictures for the eye; asserts only that errors show and the table fills."""
    nb = open_notebook(
        [
            """
import numpy as np
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

ct, label = load_liver_ct()
truth = np.asarray(label)
prediction = np.roll(truth, 3, axis=0)
prediction[prediction == 2] = 1
tumour = np.argwhere(truth == 2)
half = tumour[tumour[:, 2] >= np.median(tumour[:, 2])]
prediction[tuple(half.T)] = 2
prediction[20:30, 60:70, 60:66] = 1
viewer = nbviewer3d.view(ct, label=truth, prediction=prediction, compare="errors",
                         label_names={1: "liver", 2: "tumour"}, height=360)
viewer
"""
        ]
    )
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    nb.widget(0).locator(".nbviewer3d-metrics tr[data-class-id]").nth(1).wait_for()
    volume = nb.shot(0, artifacts / "compare_liver_volume_errors.png")
    nb.set_traits({"label_blend": 0.8})
    nb.shot(0, artifacts / "compare_liver_volume_errors_blend08.png")
    nb.set_traits({"label_blend": 0.5})
    nb.widget(0).screenshot(path=str(artifacts / "compare_liver_widget.png"))
    slice_z = nb.eval_json("int(np.argwhere(truth == 2)[:, 2].mean())")
    nb.set_traits({"view_mode": "axial", "cursor": [0, 0, slice_z]})
    axial = nb.shot(0, artifacts / "compare_liver_axial_errors.png")
    nb.set_traits({"compare": "overlay"})
    overlay = nb.shot(0, artifacts / "compare_liver_axial_overlay.png")
    assert mean_abs_diff(axial, overlay) > CHANGED / 4
    assert volume.std() > 10
