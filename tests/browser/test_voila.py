"""nbviewer3d in Voila 0.5, real Chromium: a notebook showing the liver CT in an axial view is
served as a dashboard (no notebook UI, the kernel behind it) and draws the golden axial
picture. The slice view is compared because it has no random ray jitter to seed (Voila
runs its own code before the scene is built). The environment is built once (envs.py)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from . import golden
from .conftest import REPO, VIEWPORT
from .envs import VOILA
from .jupyter import NotebookPage, free_port, write_notebook
from .test_golden import CANVAS_CSS, SIZE, canvas_shot

pytestmark = pytest.mark.browser

NOTEBOOK = f"""
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

image, label = load_liver_ct()
nbviewer3d.view(image, label=label, height={SIZE}, view_mode="axial")
"""
START_S = 90.0
RENDER_MS = 120_000  # the page waits for the kernel to run the notebook
# the fixed canvas of the goldens, in place before the widget draws
STYLE = f"""document.addEventListener("DOMContentLoaded", () => {{
  const style = document.createElement("style");
  style.textContent = {CANVAS_CSS!r};
  document.head.append(style);
}});"""


@contextlib.contextmanager
def running_voila(python: Path, notebook: Path) -> Iterator[str]:
    port = free_port()
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    log = notebook.with_suffix(".log")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(str(python), "-m", "voila", notebook.name, "--no-browser"),
                *(f"--port={port}", "--Voila.ip=127.0.0.1", "--token="),
            ],
            cwd=notebook.parent,
            env={**os.environ, "PYTHONPATH": path},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_S
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"voila did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()  # its own PID; it shuts its kernel down
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def voila_url(
    frontend_python: Any, tmp_path_factory: pytest.TempPathFactory, liver_ct: object
) -> Iterator[str]:
    python = frontend_python(VOILA)
    notebook = tmp_path_factory.mktemp("voila") / "liver_ct.ipynb"
    write_notebook(notebook, [NOTEBOOK])
    with running_voila(python, notebook) as url:
        yield url


def test_the_liver_ct_renders_in_voila(browser: Any, voila_url: str, artifacts: Path) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(STYLE)
    try:
        page = context.new_page()
        nb = NotebookPage(page, cast(Any, None), "voila", "lab")  # no notebook UI: pixels only
        page.goto(voila_url)
        nb.wait_rendered(0, step=0, timeout_ms=RENDER_MS)
        assert page.locator(".jp-Cell-inputWrapper:visible").count() == 0  # a dashboard
        found = golden.compare("liver_ct_axial", canvas_shot(nb), artifacts, max_shift=1)
        print(f"\nliver_ct_axial in Voila: {found}")
        nb.check_errors()
    finally:
        context.close()
