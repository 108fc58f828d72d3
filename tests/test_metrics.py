"""Per-class metrics against values worked out by hand, and the Viewer's metrics API."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nbviewer3d
from nbviewer3d.metrics import COLUMNS, hd95, nearest_distances, segmentation_metrics, surface


def by_class(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {row["class"]: row for row in rows}


def test_counts_dice_and_volumes_by_hand() -> None:
    label = np.zeros((4, 4, 4), np.uint8)
    prediction = np.zeros_like(label)
    label[0, 0, 0:4] = 1  # 4 voxels of class 1
    prediction[0, 0, 1:4] = 1  # 3 of them predicted ...
    prediction[1, 0, 0] = 1  # ... plus 1 false positive
    label[3, 3, 0:2] = 2  # class 2: 2 voxels, one predicted as 1
    prediction[3, 3, 0] = 2
    prediction[3, 3, 1] = 1
    rows = by_class(segmentation_metrics(label, prediction, spacing=(2.0, 1.0, 0.5)))
    assert set(rows) == {1, 2}
    one, two = rows[1], rows[2]
    assert (one["tp_voxels"], one["fp_voxels"], one["fn_voxels"]) == (3, 2, 1)
    assert (one["label_voxels"], one["prediction_voxels"]) == (4, 5)
    assert one["dice"] == pytest.approx(2 * 3 / (2 * 3 + 2 + 1))
    assert (two["tp_voxels"], two["fp_voxels"], two["fn_voxels"]) == (1, 0, 1)
    assert two["dice"] == pytest.approx(2 / 3)
    # one voxel is 2 * 1 * 0.5 = 1 mm^3 = 0.001 ml
    assert one["label_ml"] == pytest.approx(0.004)
    assert one["prediction_ml"] == pytest.approx(0.005)
    assert list(one) == list(COLUMNS)


def test_empty_classes() -> None:
    label = np.zeros((3, 3, 3), np.int16)
    prediction = np.zeros_like(label)
    assert segmentation_metrics(label, prediction) == []
    prediction[1, 1, 1] = 2  # predicted, absent from the label
    label[0, 0, 0] = 3  # in the label, never predicted
    rows = by_class(segmentation_metrics(label, prediction))
    assert rows[2]["dice"] == 0.0
    assert rows[3]["dice"] == 0.0
    assert math.isnan(rows[2]["hd95_mm"])
    assert math.isnan(rows[3]["hd95_mm"])
    assert (rows[2]["fp_voxels"], rows[3]["fn_voxels"]) == (1, 1)
    assert math.isnan(hd95(label == 5, prediction == 5, (1, 1, 1)))


def test_hd95_single_voxels_with_anisotropic_spacing() -> None:
    a = np.zeros((5, 5, 5), bool)
    b = np.zeros_like(a)
    a[0, 0, 0] = True
    b[0, 0, 3] = True
    assert hd95(a, b, (1.0, 1.0, 2.5)) == pytest.approx(7.5)
    b[:] = False
    b[3, 4, 0] = True
    assert hd95(a, b, (1.0, 1.0, 1.0)) == pytest.approx(5.0)
    assert hd95(a, b, (2.0, 0.5, 9.0)) == pytest.approx(math.hypot(6.0, 2.0))


def test_hd95_takes_the_95th_percentile_of_each_direction() -> None:
    # A: a line of 20 voxels; B: the first 19 of them plus one voxel 10 voxels away along z.
    a = np.zeros((20, 1, 11), bool)
    a[:, 0, 0] = True
    b = np.zeros_like(a)
    b[:19, 0, 0] = True
    b[0, 0, 10] = True
    # A -> B: 19 zeros and 1 (voxel 19 to 18); B -> A: 19 zeros and 10 (z) voxels.
    # 95th percentile of 20 sorted values (linear): d[18] + 0.05 (d[19] - d[18]).
    assert hd95(a, b, (1.0, 1.0, 1.0)) == pytest.approx(max(0.05 * 1, 0.05 * 10))
    assert hd95(a, b, (3.0, 1.0, 2.0)) == pytest.approx(max(0.05 * 3, 0.05 * 20))


def test_surface_is_the_shell() -> None:
    mask = np.zeros((5, 5, 5), bool)
    mask[1:4, 1:4, 1:4] = True
    shell = surface(mask)
    assert shell.sum() == 26
    assert not shell[2, 2, 2]
    # voxels on the array's border are surface: outside counts as background
    assert surface(np.ones((3, 3, 3), bool)).sum() == 26
    assert surface(np.ones((1, 4, 4), bool)).sum() == 16


def test_nearest_distances_match_brute_force() -> None:
    rng = np.random.default_rng(7)
    features = rng.random((9, 13, 7)) < 0.03
    features[4, 6, 3] = True
    points = np.argwhere(rng.random(features.shape) < 0.2)
    spacing = (0.7, 1.3, 2.9)
    got = nearest_distances(features, points, spacing)
    scale = np.asarray(spacing)
    where = np.argwhere(features) * scale
    expected = np.sqrt(((points[:, None, :] * scale - where[None]) ** 2).sum(-1)).min(axis=1)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_hd95_matches_monai() -> None:
    monai_metrics = pytest.importorskip("monai.metrics")
    torch = pytest.importorskip("torch")
    grid = np.indices((24, 20, 16)).astype(float)
    label = ((grid[0] - 11) ** 2 / 64 + (grid[1] - 9) ** 2 / 36 + (grid[2] - 8) ** 2 / 25) < 1
    prediction = ((grid[0] - 13) ** 2 / 49 + (grid[1] - 10) ** 2 / 49 + (grid[2] - 7) ** 2 / 16) < 1
    spacing = (0.8, 1.1, 2.5)
    expected = monai_metrics.compute_hausdorff_distance(
        torch.from_numpy(prediction[None, None].astype(np.float32)),
        torch.from_numpy(label[None, None].astype(np.float32)),
        percentile=95,
        spacing=list(spacing),
    ).item()
    assert hd95(label, prediction, spacing) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("label", "prediction", "spacing", "message"),
    [
        (np.zeros((3, 3)), np.zeros((3, 3)), (1, 1, 1), "3D array"),
        (np.zeros((3, 3, 3)), np.zeros((3, 3, 4)), (1, 1, 1), "one shape"),
        (np.full((2, 2, 2), -1), np.zeros((2, 2, 2)), (1, 1, 1), "negative"),
        (np.full((2, 2, 2), 0.5), np.zeros((2, 2, 2)), (1, 1, 1), "integer class ids"),
        (np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), (1, 0, 1), "positive"),
    ],
)
def test_bad_inputs_say_what_is_accepted(
    label: np.ndarray, prediction: np.ndarray, spacing: tuple[float, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        segmentation_metrics(label, prediction, spacing)


def _pair(shift: int) -> tuple[np.ndarray, np.ndarray]:
    label = np.zeros((6, 6, 6), np.uint8)
    label[1:4, 1:4, 1:4] = 1
    return label, np.roll(label, shift, axis=0)


def test_viewer_metrics_for_the_current_step_and_by_step() -> None:
    image = np.zeros((6, 6, 6), np.float32)
    label, same = _pair(0)
    _, shifted = _pair(1)
    viewer = nbviewer3d.view(image, label=label, prediction=same, spacing=(2, 2, 2))
    viewer.add(5, image=image, label=label, prediction=shifted, spacing=(2, 2, 2))
    viewer.label_names = {1: "liver"}
    assert viewer.step == 5
    [row] = viewer.metrics
    assert row["name"] == "liver"
    assert row["dice"] == pytest.approx(2 * 18 / 54)
    assert row["label_ml"] == pytest.approx(27 * 8 / 1000)
    by_step = viewer.metrics_by_step()
    assert [(r["step"], r["class"]) for r in by_step] == [(0, 1), (5, 1)]
    assert by_step[0]["dice"] == 1.0
    assert by_step[0]["hd95_mm"] == 0.0
    assert viewer._metrics == []  # the panel's table waits for a browser's first fetch
    _fetch_in_a_thread(viewer, 5)
    assert viewer._metrics[0]["dice"] == pytest.approx(2 * 18 / 54)
    viewer.step = 0
    assert viewer._metrics[0]["dice"] == 1.0


def test_viewer_metrics_follow_a_replaced_step_and_nan_travels_as_none() -> None:
    label, _ = _pair(0)
    viewer = nbviewer3d.view(label=label, prediction=np.zeros_like(label))
    [row] = viewer.metrics
    assert row["dice"] == 0.0 and math.isnan(row["hd95_mm"])
    _fetch_in_a_thread(viewer, 0)
    assert viewer._metrics[0]["hd95_mm"] is None
    _in_a_thread(lambda: viewer.add(0, prediction=label))
    assert viewer.metrics[0]["dice"] == 1.0
    assert viewer._metrics[0]["dice"] == 1.0


def test_viewer_without_prediction_has_no_metrics() -> None:
    label, _ = _pair(0)
    viewer = nbviewer3d.view(np.zeros((6, 6, 6)), label=label)
    assert viewer.metrics == [] and viewer.metrics_by_step() == []


def test_compare_modes() -> None:
    viewer = nbviewer3d.view(compare="errors")
    assert viewer.compare == "errors"
    viewer.compare = "side-by-side"
    with pytest.raises(Exception, match="accepted: 'overlay', 'errors', 'side-by-side'"):
        viewer.compare = "diff"


def test_metrics_by_step_over_a_logged_run(tmp_path: Any) -> None:
    tensorboard = pytest.importorskip("torch.utils.tensorboard")
    label, _ = _pair(0)
    writer = tensorboard.SummaryWriter(str(tmp_path / "run"))
    for step, shift in ((10, 0), (20, 2)):
        spacing = (1.0, 1.0, 2.0)
        nbviewer3d.log_volume(writer, "img", np.zeros((6, 6, 6), np.float32), step, spacing)
        nbviewer3d.log_volume(writer, "seg", label, step, spacing, kind="label")
        moved = np.roll(label, shift, axis=2)
        nbviewer3d.log_volume(writer, "pred", moved, step, spacing, kind="label")
    writer.close()
    viewer = nbviewer3d.view_logdir(
        str(tmp_path), image="img", label="seg", prediction="pred", compare="errors"
    )
    rows = viewer.metrics_by_step()
    assert [r["step"] for r in rows] == [10, 20]
    assert rows[0]["dice"] == 1.0
    # shifted by 2 voxels along z (2 mm each): 1 of 3 slices overlaps
    assert rows[1]["dice"] == pytest.approx(1 / 3)
    assert rows[1]["hd95_mm"] == pytest.approx(4.0)
    assert rows[1]["label_ml"] == pytest.approx(27 * 2 / 1000)


def _in_a_thread(call: Callable[[], object]) -> None:
    """Runs ``call`` where no event loop runs, so the panel's metrics are published at once
    (Playwright's sync API, used by the browser tests in this process, may leave a loop
    registered on the main thread, and the viewer would schedule on it)."""
    thread = threading.Thread(target=call)
    thread.start()
    thread.join()


def _fetch_in_a_thread(viewer: nbviewer3d.Viewer, step: int) -> None:
    _in_a_thread(lambda: viewer._on_message(viewer, {"type": "fetch", "step": step}, []))
