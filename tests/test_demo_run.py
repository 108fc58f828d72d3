"""The demo run: a real MONAI UNet trained on the real CT, logged three ways, resumable."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nbviewer3d
from nbviewer3d.demo import RunConfig, make_run
from nbviewer3d.demo.run import RUNS
from nbviewer3d.events import LossySourceWarning

TINY = RunConfig(iterations=4, validate_every=2, crop=32)


class Interrupted(Exception):
    pass


def _stop_at(iteration: int) -> object:
    def progress(line: str) -> None:
        if line.startswith("demo run |") and f" {iteration}/" in line:
            raise Interrupted(line)

    return progress


def _quiet(line: str) -> None:
    pass


def test_the_run_holds_every_validation_step_three_ways(demo_run_dir: Path, liver_ct) -> None:
    config = RunConfig(**json.loads((demo_run_dir / "config.json").read_text()))
    logs = nbviewer3d.open_logdir(str(demo_run_dir))
    assert logs.runs == sorted(RUNS)
    steps = config.validation_steps
    assert steps == [8, 16, 24]
    for run in RUNS:
        lossy = contextlib.nullcontext() if run == "lossless" else pytest.warns(LossySourceWarning)
        with lossy:
            viewer = nbviewer3d.view_logdir(str(demo_run_dir), run=run)
            assert viewer.steps == steps
            viewer.step = steps[-1]
            shown = (viewer.image, viewer.label, viewer.prediction)
        assert all(v is not None for v in shown), run
        loss = logs.scalars(run, "train_loss")
        assert loss.steps.tolist() == list(range(1, config.iterations + 1))
        dice = logs.scalars(run, "val_mean_dice")
        assert dice.steps.tolist() == steps
        assert np.all((dice.values >= 0) & (dice.values <= 1))
        viewer.close()
    # the lossless run keeps the CT's exact Hounsfield units, in RAS order
    image, label = liver_ct
    ras = (slice(None, None, -1), slice(None, None, -1))
    exact = logs.volume("lossless", "image", steps[-1])
    assert np.array_equal(exact.data, image.data[ras])
    assert np.array_equal(logs.volume("lossless", "label", steps[0]).data, label.data[ras])
    heat = logs.volume("lossless", "tumour_probability_heatmap", steps[-1])
    assert heat.kind == "heatmap" and heat.data.min() >= 0 and heat.data.max() <= 1


def test_an_interrupted_run_resumes_to_the_same_result(tmp_path: Path, liver_ct) -> None:
    pytest.importorskip("monai")
    whole = make_run(tmp_path / "whole", TINY, progress=_quiet)
    with pytest.raises(Interrupted):
        make_run(tmp_path / "cut", TINY, progress=_stop_at(3))
    assert not (tmp_path / "cut" / "run.json").exists()
    lines: list[str] = []
    make_run(tmp_path / "cut", TINY, progress=lines.append)
    assert lines[0] == "resuming at iteration 2"
    a, b = (nbviewer3d.open_logdir(str(p)) for p in (whole, tmp_path / "cut"))
    for run in RUNS:
        sa, sb = a.scalars(run, "val_mean_dice"), b.scalars(run, "val_mean_dice")
        assert sa.steps.tolist() == sb.steps.tolist() == [2, 4]
        np.testing.assert_allclose(sb.values, sa.values, rtol=1e-5)
        assert b.scalars(run, "train_loss").steps.tolist() == [1, 2, 3, 4]
    out_a = a.volume("lossless", "output", 4).data
    out_b = b.volume("lossless", "output", 4).data
    assert np.mean(out_a != out_b) < 1e-3


def test_a_finished_run_is_kept_and_another_config_is_refused(tmp_path: Path, liver_ct) -> None:
    pytest.importorskip("monai")
    folder = make_run(tmp_path / "run", TINY, progress=_quiet)
    stamp = (folder / "run.json").stat().st_mtime_ns
    lines: list[str] = []
    make_run(folder, TINY, progress=lines.append)
    assert lines == [] and (folder / "run.json").stat().st_mtime_ns == stamp
    with pytest.raises(ValueError, match="started with"):
        make_run(folder, RunConfig(iterations=6, validate_every=2, crop=32))


@pytest.mark.parametrize(
    ("config", "match"),
    [({"iterations": 0}, "at least 1"), ({"crop": 30}, "multiple of 8")],
)
def test_bad_configs_are_refused(config: dict[str, int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        RunConfig(**config)


def test_the_command_line_says_where_the_run_is_cached(tmp_path: Path) -> None:
    env = {"NBVIEWER3D_DEMO_RUN": str(tmp_path / "somewhere"), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-m", "nbviewer3d.demo", "where"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert result.stdout.strip() == str(tmp_path / "somewhere")
    home = subprocess.run(
        [sys.executable, "-m", "nbviewer3d.demo", "where"],
        capture_output=True,
        text=True,
        check=True,
        env={"HOME": str(tmp_path), "XDG_CACHE_HOME": ""},
    )
    assert home.stdout.strip() == str(tmp_path / ".cache" / "nbviewer3d" / "demo-run")


def test_lab_opens_the_review_on_a_finished_run(demo_run_dir: Path, tmp_path: Path) -> None:
    """The Quick start's last step: JupyterLab starts in the repository on the review
    notebook, with the run's folder handed to its kernels (a finished run is not retrained,
    whatever config made it)."""
    import socket
    import time
    import urllib.request

    repo = Path(__file__).resolve().parents[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HOME": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    lab = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nbviewer3d.demo",
            "lab",
            str(demo_run_dir),
            "--",
            "--no-browser",
            f"--port={port}",
            "--IdentityProvider.token=t",
            "--ServerApp.ip=127.0.0.1",
            "--allow-root",
        ],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # jupyter server roots itself at the folder of the file it is asked to open
        url = f"http://127.0.0.1:{port}/api/contents/review_cached_run.ipynb?token=t"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as reply:
                    notebook = json.loads(reply.read())
                break
            except OSError:
                assert lab.poll() is None, lab.stdout.read() if lab.stdout else ""
                assert time.monotonic() < deadline, "JupyterLab did not start"
                time.sleep(1)
        assert notebook["type"] == "notebook"
        assert not (demo_run_dir / "checkpoint.pt.partial").exists()
        assert json.loads((demo_run_dir / "run.json").read_text())["steps"] == [8, 16, 24]
    finally:
        lab.terminate()
        lab.wait(timeout=30)
