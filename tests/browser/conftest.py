"""One Jupyter server and one Chromium per test session; a page per notebook."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from .envs import EnvUnavailable, FrontendEnv, python_of
from .jupyter import (
    Frontend,
    JupyterServer,
    NotebookPage,
    chromium,
    missing_browser_tools,
    running_server,
    skip_or_fail,
)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
# Narrow enough that the canvas (the notebook width) stays cheap for software WebGL.
VIEWPORT = {"width": 900, "height": 900}


@pytest.fixture(scope="session")
def browser_tools() -> None:
    reason = missing_browser_tools()
    if reason:
        skip_or_fail(reason)


@pytest.fixture(scope="session")
def jupyter_server(
    browser_tools: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterServer]:
    root = tmp_path_factory.mktemp("notebooks")
    # The kernel imports nbviewer3d from this checkout even when it is not installed.
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    with running_server(root, env={"PYTHONPATH": path}) as server:
        yield server


@pytest.fixture(scope="session")
def browser(browser_tools: None) -> Iterator[Any]:
    with chromium() as b:
        yield b


class Notebooks:
    """Opens notebooks in one browser context; closing checks the pages for errors."""

    def __init__(self, browser: Any, server: JupyterServer, stem: str, viewport: dict[str, int]):
        self.context = browser.new_context(viewport=viewport)
        self.server = server
        self.stem = stem
        self.pages: list[NotebookPage] = []

    def open(self, cells: Sequence[str], frontend: Frontend = "lab") -> NotebookPage:
        name = f"{self.stem}-{len(self.pages)}.ipynb"
        nb = NotebookPage.open(self.context, self.server, name, cells, frontend)
        self.pages.append(nb)
        return nb

    def close(self) -> None:
        try:
            for nb in self.pages:
                nb.check_errors()
        finally:
            for nb in self.pages:
                nb.close()
            self.context.close()


def _stem(node: Any) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in node.name)


@pytest.fixture
def open_notebook(
    browser: Any, jupyter_server: JupyterServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., NotebookPage]]:
    """Factory: write a notebook from code cells and open it; pages close after the test.

    The test fails when a page raised an uncaught error or the widget logged an error.
    """
    notebooks = Notebooks(browser, jupyter_server, _stem(request.node), VIEWPORT)
    yield notebooks.open
    notebooks.close()


@pytest.fixture(scope="module")
def module_notebooks(
    browser: Any, jupyter_server: JupyterServer, request: pytest.FixtureRequest
) -> Iterator[Notebooks]:
    """Like open_notebook, for a notebook shared by the tests of one module."""
    notebooks = Notebooks(browser, jupyter_server, _stem(request.node), VIEWPORT)
    yield notebooks
    notebooks.close()


@pytest.fixture(scope="session")
def frontend_python(
    browser_tools: None, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[FrontendEnv], Path]:
    """Factory: the Python of a front end's environment (envs.py), built once and kept in
    pytest's cache folder; skips (fails under CI=true) when it cannot be built."""
    cache = getattr(request.config, "cache", None)
    root = Path(cache.mkdir("frontend-envs")) if cache else tmp_path_factory.mktemp("envs")

    def python(env: FrontendEnv) -> Path:
        try:
            return python_of(env, root)
        except EnvUnavailable as error:
            skip_or_fail(f"the {env.why} environment could not be built from PyPI: {error}")
            raise

    return python


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
