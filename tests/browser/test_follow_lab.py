"""Soak: a writer process logs 200 steps of image, label and prediction at random intervals
while a followed viewer is displayed in JupyterLab. Every step the browser fetched holds all
three volumes, sampled steps show all three in the browser's readout, the kernel's memory
stays bounded, and a step still lacking volumes is marked incomplete until they arrive."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .jupyter import NotebookPage

pytestmark = pytest.mark.browser

STEPS = 200
WRITER = f"""
import sys, time
import numpy as np
from torch.utils.tensorboard import SummaryWriter
import nbviewer3d

rng = np.random.default_rng(0)
writer = SummaryWriter(sys.argv[1])
shape = (32, 32, 32)
for step in range({STEPS}):
    image = np.full(shape, step, np.int16)
    image[8:24, 8:24, 8:24] += 100
    label = np.zeros(shape, np.uint8)
    label[10:22, 10:22, 10:22] = 1
    prediction = np.roll(label, step % 3, axis=2)
    # MONAI's order and pace: image, then label, then output, flushed as written
    for tag, data, kind in (("image", image, "image"), ("label", label, "label"),
                            ("output", prediction, "label")):
        nbviewer3d.log_volume(writer, tag, data, step, kind=kind)
        writer.flush()
        time.sleep(rng.uniform(0, 0.04))
    writer.add_scalar("val_mean_dice", step / {STEPS}, step)
    writer.flush()
    time.sleep(rng.uniform(0, 0.08))
writer.close()
"""
SETUP = f"""
import json, subprocess, sys, time
from pathlib import Path
import nbviewer3d

def rss_mb():
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20

Path("follow_writer.py").write_text({WRITER!r})
writer = subprocess.Popen([sys.executable, "follow_writer.py", "follow_runs/live"])
while not list(Path("follow_runs/live").glob("*tfevents*")):
    time.sleep(0.2)
while True:  # view_logdir needs a record to open on
    try:
        viewer = nbviewer3d.view_logdir("follow_runs", height=260, label_blend=0.8)
        break
    except nbviewer3d.events.LogdirError:
        time.sleep(0.2)
# steps in the logdir when it was opened appear at once, complete or not (a prefetch may get
# one before its label is logged, and the browser fetches it anew only when it is wanted)
opened = set(viewer.steps)
fetched = {{}}  # step -> the roles of the last reply the browser got for it
_send = viewer.send
def _spy(content, buffers=None):
    if content.get("type") == "volumes":
        fetched[content["step"]] = sorted(v["role"] for v in content["volumes"])
    return _send(content, buffers)
viewer.send = _spy
rss_start = rss_mb()
viewer.follow(interval_s=0.5)
viewer
"""
WAIT_S = 300.0


@pytest.fixture(scope="module")
def soak(module_notebooks: Any) -> NotebookPage:
    pytest.importorskip("torch")
    nb: NotebookPage = module_notebooks.open([SETUP])
    nb.run_cell(0)
    nb.wait_rendered(0)
    assert nb.wait_for_kernel("writer.poll() is not None", WAIT_S), "the writer did not finish"
    assert nb.eval_json("writer.returncode") == 0
    assert nb.wait_for_kernel(f"len(viewer.steps) == {STEPS}", timeout_s=30)
    return nb


def test_every_step_the_browser_fetched_was_complete(soak: NotebookPage) -> None:
    nb = soak
    assert nb.eval_json("viewer.steps") == list(range(STEPS))
    assert nb.eval_json("viewer._incomplete") == {}
    fetched = nb.eval_json("{str(k): v for k, v in fetched.items()}")
    assert len(fetched) >= 5, fetched  # the view followed the run as it grew
    opened = set(nb.eval_json("sorted(opened)"))
    incomplete = {
        s: roles for s, roles in fetched.items() if len(roles) != 3 and int(s) not in opened
    }
    assert not incomplete, incomplete
    assert nb.eval_json("viewer.scalars['val_mean_dice']['steps'][-1]") == STEPS - 1


@pytest.mark.parametrize("step", [0, 57, 123, STEPS - 1])
def test_sampled_steps_show_image_label_and_prediction(soak: NotebookPage, step: int) -> None:
    nb = soak
    nb.change(f"viewer.cursor = [16, 16, 16]\nviewer.step = {step}", step=step)
    readout = nb.widget(0).locator(".nbviewer3d-readout").inner_text()
    assert f"image {step + 100}" in readout, readout
    assert re.search(r"label 1\b", readout), readout
    assert re.search(r"prediction 1\b", readout), readout


def test_kernel_memory_stays_bounded(soak: NotebookPage) -> None:
    grown = soak.eval_json("rss_mb() - rss_start")
    # 200 steps of 3 x 32 KiB were decoded and sent; nothing of them stays in the kernel
    assert grown < 100, f"the kernel grew by {grown:.0f} MB while following"


def test_a_step_missing_volumes_is_marked_incomplete_until_they_arrive(
    soak: NotebookPage,
) -> None:
    nb = soak
    notes = nb.widget(0).locator(".nbviewer3d-follow-notes")
    nb.execute(
        "from torch.utils.tensorboard import SummaryWriter\n"
        "late = SummaryWriter('follow_runs/live', filename_suffix='.late')\n"
        "viewer.follow(interval_s=0.3, grace_s=1)\n"
        "import numpy as np\n"
        f"nbviewer3d.log_volume(late, 'image', np.full((32, 32, 32), 7, np.int16), {STEPS})\n"
        "late.flush()"
    )
    assert nb.wait_for_kernel(f"viewer.step == {STEPS}", timeout_s=30)
    nb.wait_rendered(0, step=STEPS)
    notes.wait_for(state="visible")
    assert notes.inner_text().strip() == (
        f"Step {STEPS} is incomplete: no label, prediction logged yet."
    )
    version = nb.eval_json(f"viewer._versions['{STEPS}']")
    nb.execute(
        "label = np.zeros((32, 32, 32), np.uint8); label[10:22, 10:22, 10:22] = 1\n"
        f"nbviewer3d.log_volume(late, 'label', label, {STEPS}, kind='label')\n"
        f"nbviewer3d.log_volume(late, 'output', label, {STEPS}, kind='label')\n"
        "late.flush()"
    )
    assert nb.wait_for_kernel(f"viewer._versions['{STEPS}'] != {version}", timeout_s=30)
    notes.wait_for(state="hidden")
    nb.change("viewer.cursor = [16, 16, 15]", step=STEPS)
    readout = nb.widget(0).locator(".nbviewer3d-readout").inner_text()
    assert re.search(r"label 1\b", readout) and re.search(r"prediction 1\b", readout), readout
    nb.execute("viewer.unfollow(); late.close()")
    nb.check_errors()
