"""Runs of a logdir: the run trait, switching that keeps the settings, two runs side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import traitlets
from kernel_wire import Wire

import nbviewer3d
from nbviewer3d import RunComparison, log_volume
from nbviewer3d.run_comparison import nearest_step

SummaryWriter = pytest.importorskip("torch.utils.tensorboard").SummaryWriter

CAMERA = {"position": [0.0, -400.0, 10.0], "focal_point": [0.0, 0.0, 10.0], "view_up": [0, 0, 1]}


def _write_run(root: Path, run: str, steps: list[int], offset: float) -> None:
    writer = SummaryWriter(str(root / run))
    for step in steps:
        image = np.full((6, 5, 4), offset + step, np.float32)
        image[0] = offset - 10  # a range, so the default window is defined
        log_volume(writer, "image", image, step)
        log_volume(writer, "label", (image > offset).astype(np.uint8), step, kind="label")
        writer.add_scalar("loss", offset + step, step)
    writer.close()


@pytest.fixture
def logdir(tmp_path: Path) -> Path:
    _write_run(tmp_path, "baseline", [0, 2, 4], offset=0.0)
    _write_run(tmp_path, "unet", [0, 3], offset=100.0)
    return tmp_path


def test_a_logdir_with_several_runs_opens_the_first_and_lists_them(logdir: Path) -> None:
    viewer = nbviewer3d.view_logdir(str(logdir))
    assert (viewer.run, viewer.runs) == ("baseline", ["baseline", "unet"])
    assert viewer.steps == [0, 2, 4]
    assert nbviewer3d.view(np.zeros((2, 2, 2))).runs == []


def test_switching_runs_keeps_the_settings_and_the_nearest_step(
    logdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = nbviewer3d.view_logdir(str(logdir), run="baseline", cmap="Cool to Warm")
    settings = {
        "vmin": -5.0,
        "vmax": 7.0,
        "preset": "ct-bone",
        "label_blend": 0.8,
        "view_mode": "coronal",
        "cursor": [1, 2, 3],
        "camera": CAMERA,
    }
    for name, value in settings.items():
        setattr(viewer, name, value)
    before = {name: getattr(viewer, name) for name in (*settings, "cmap")}
    viewer.step = 4
    wire = Wire(viewer, monkeypatch)
    viewer.run = "unet"
    assert viewer.steps == [0, 3]
    assert viewer.step == 3  # nearest to 4 among the run's steps
    assert {name: getattr(viewer, name) for name in before} == before
    assert viewer.scalars["loss"]["values"] == [100.0, 103.0]
    wire.fetch(3)
    assert float(wire.arrays()["image"].max()) == 103.0  # the other run's voxels


def test_step_versions_never_repeat_across_runs(logdir: Path) -> None:
    """The browser caches by (step, version): step 0 of one run must not pass for another's."""
    viewer = nbviewer3d.view_logdir(str(logdir))
    baseline = dict(viewer._versions)
    viewer.run = "unet"
    unet = dict(viewer._versions)
    assert unet["0"] != baseline["0"]
    viewer.run = "baseline"
    assert viewer._versions == baseline  # going back finds what the browser may hold


def test_an_unknown_run_is_refused_naming_the_runs(logdir: Path) -> None:
    viewer = nbviewer3d.view_logdir(str(logdir))
    with pytest.raises(traitlets.TraitError, match=r"no run 'nope'; runs: \['baseline', 'unet'\]"):
        viewer.run = "nope"
    with pytest.raises(traitlets.TraitError, match=r"one run \(view\(\)\)"):
        nbviewer3d.view(np.zeros((2, 2, 2))).run = "unet"


def test_runs_side_by_side_share_step_camera_and_settings(logdir: Path) -> None:
    pair = nbviewer3d.view_logdir(str(logdir), runs=["baseline", "unet"], label_blend=0.3)
    assert isinstance(pair, RunComparison)
    left, right = pair.viewers
    assert pair.runs == ["baseline", "unet"]
    assert left._store.logdir is right._store.logdir  # one index of the logdir, read once
    assert right.vmin == left.vmin and right.vmax == left.vmax  # one window for both
    left.cmap = "viridis"
    right.camera = CAMERA
    right.vmin, right.vmax = -1.0, 9.0
    for name in ("cmap", "camera", "vmin", "vmax", "label_blend", "preset"):
        assert getattr(left, name) == getattr(right, name), name
    left.step = 4
    assert right.step == 3  # unet logged no step 4: its nearest
    right.step = 0
    assert left.step == 0
    pair.step = 2
    assert (left.step, right.step) == (2, 3)
    assert left.run != right.run


def test_runs_needs_two_names(logdir: Path) -> None:
    with pytest.raises(TypeError, match="at least two run names"):
        nbviewer3d.view_logdir(str(logdir), runs=["baseline"])
    with pytest.raises(TypeError, match=r"run= .* or runs="):
        nbviewer3d.view_logdir(str(logdir), run="unet", runs=["baseline", "unet"])


def test_nearest_step_prefers_the_earlier_on_a_tie() -> None:
    assert nearest_step([0, 2, 4], 3) == 2
    assert nearest_step([0, 3], 4) == 3
    assert nearest_step([], 4) is None
