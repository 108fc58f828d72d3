"""nbviewer3d in JupyterLab 3.6 (SageMaker Studio Classic's JupyterLab 3 images), real
Chromium: the liver CT draws its golden picture, its voxels come as binary buffers, and a
screenshot reaches the kernel. The environment is built from PyPI once (envs.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import golden
from .conftest import REPO, VIEWPORT, Notebooks
from .envs import JUPYTERLAB_3
from .jupyter import JupyterServer, running_server
from .test_golden import open_scene, show

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab3(frontend_python: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    python = frontend_python(JUPYTERLAB_3)
    root = tmp_path_factory.mktemp("lab3")
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    with running_server(root, env={"PYTHONPATH": path}, python=str(python)) as server:
        yield server


def test_the_liver_ct_renders_in_jupyterlab_3(
    browser: Any, lab3: JupyterServer, liver_ct: object, artifacts: Path, tmp_path: Path
) -> None:
    notebooks = Notebooks(browser, lab3, "lab3", VIEWPORT)
    try:
        nb = open_scene(notebooks, "liver_ct")
        assert nb.page.evaluate("() => window.jupyterapp.version").startswith("3.6.")
        versions = nb.eval_json(
            "{m: __import__(m).__version__ for m in ('ipywidgets', 'anywidget', 'nbviewer3d')}"
        )
        print(f"\nJupyterLab 3.6 with {versions}")
        # the same drawing; JupyterLab 3 places the canvas box a pixel off
        found = golden.compare("liver_ct_volume", show(nb, "volume"), artifacts, max_shift=1)
        print(f"liver_ct_volume in JupyterLab 3.6: {found}")
        assert nb.eval_json("viewer.transport") == "binary"
        path = tmp_path / "lab3.png"
        nb.execute(f"save = viewer.save_screenshot({str(path)!r})")
        assert nb.wait_for_kernel("save.done", timeout_s=60), nb.eval_json("save.message")
        assert path.read_bytes().startswith(b"\x89PNG")
    finally:
        notebooks.close()
