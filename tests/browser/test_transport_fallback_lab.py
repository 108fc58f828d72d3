"""nbviewer3d where binary buffers do not get through (as in Colab), in real JupyterLab.

The pages here lose the buffers of kernel messages on the wire (see no_buffers.py). With
both directions lossy, the first reply arrives without its voxels, the browser asks again
for base64 and draws exactly the golden picture of the liver CT; later steps and screenshots
go as base64 from the start. With only the browser's buffers lost, the volumes still come
as binary and the kernel, finding a frame without its PNG, switches the browser to base64.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from . import golden
from .conftest import VIEWPORT, Notebooks
from .jupyter import JupyterServer, NotebookPage
from .no_buffers import drop_buffers, stripped
from .test_golden import open_scene, show

pytestmark = pytest.mark.browser


def _lossy(browser: Any, server: JupyterServer, name: str, script: str) -> Notebooks:
    notebooks = Notebooks(browser, server, name, VIEWPORT)
    notebooks.context.add_init_script(script)
    return notebooks


@pytest.fixture(scope="module")
def both_ways(
    browser: Any, jupyter_server: JupyterServer, liver_ct: object
) -> Iterator[NotebookPage]:
    notebooks = _lossy(browser, jupyter_server, "no-buffers", drop_buffers())
    try:
        yield open_scene(notebooks, "liver_ct")
    finally:
        notebooks.close()


def test_the_volume_arrives_as_base64_and_draws_the_golden_picture(
    both_ways: NotebookPage, artifacts: Path
) -> None:
    nb = both_ways
    shot = show(nb, "volume")
    print(f"\nliver_ct_volume over base64: {golden.compare('liver_ct_volume', shot, artifacts)}")
    assert stripped(nb.page)["toBrowser"] >= 1, "no reply lost its buffers: nothing was tested"
    assert nb.eval_json("viewer.transport") == "base64"


def test_later_steps_and_screenshots_go_as_base64_from_the_start(
    both_ways: NotebookPage, tmp_path: Path
) -> None:
    nb = both_ways
    before = stripped(nb.page)
    nb.change("viewer.add(1, image=image, label=label)\nviewer.step = 1", step=1)
    path = tmp_path / "fallback.png"
    nb.execute(f"save = viewer.save_screenshot({str(path)!r})")
    assert nb.wait_for_kernel("save.done", timeout_s=60), nb.eval_json("save.message")
    assert stripped(nb.page) == before, "a message with buffers was sent after the switch"
    with Image.open(path) as picture:
        assert picture.size[0] > 100 and picture.size[1] > 100


def test_a_lost_frame_buffer_switches_the_browser_to_base64(
    browser: Any, jupyter_server: JupyterServer, liver_ct: object, tmp_path: Path
) -> None:
    notebooks = _lossy(browser, jupyter_server, "no-buffers-to-kernel", drop_buffers(False, True))
    try:
        nb = open_scene(notebooks, "liver_ct")
        assert nb.eval_json("viewer.transport") == "binary"  # the voxels came as buffers
        path = tmp_path / "switched.png"
        nb.execute(f"save = viewer.save_screenshot({str(path)!r})")
        assert nb.wait_for_kernel("save.done", timeout_s=60), nb.eval_json("save.message")
        assert stripped(nb.page)["toKernel"] == 1  # the first frame, whose PNG was lost
        assert nb.eval_json("viewer.transport") == "base64"
        assert path.read_bytes().startswith(b"\x89PNG")
    finally:
        notebooks.close()
