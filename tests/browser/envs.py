"""Python environments for the front ends the test environment itself cannot serve
(JupyterLab 3.6, Voila), built from PyPI once and cached.

Each holds its front end at pinned versions and nbviewer3d's dependencies (read from
pyproject.toml); nbviewer3d itself comes from this checkout through PYTHONPATH, as in the
rest of the browser suite, so a cached environment never runs stale nbviewer3d code. The
cache key covers the pins, the dependencies and the Python version.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# the real CT of the tests (nbviewer3d.demo), without its pinned dependencies
LIVER_CT = "liver-ct-segmentation-package==1.6.0"
PIP_TIMEOUT_S = 600


class EnvUnavailable(RuntimeError):
    """The environment could not be built (no PyPI, a pin that does not resolve)."""


@dataclass(frozen=True)
class FrontendEnv:
    name: str
    pins: tuple[str, ...]
    why: str  # what the pins are for

    def requirements(self) -> list[str]:
        import tomllib  # Python 3.11+: imported here so that the suite still loads on 3.10

        project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
        return [*self.pins, *project["dependencies"]]

    def key(self) -> str:
        text = "\n".join([sys.version, *self.requirements(), LIVER_CT])
        return hashlib.sha256(text.encode()).hexdigest()[:12]


# SageMaker Studio Classic's JupyterLab 3 images, with the widget packages pip picks for
# nbviewer3d today (ipywidgets 8.1.9's jupyterlab_widgets 3.0.17 declares JupyterLab 4 only:
# `jupyter labextension list` marks it incompatible, the browser warns about lumino 1 vs 2
# singletons, and it works).
JUPYTERLAB_3 = FrontendEnv("jupyterlab3", ("jupyterlab==3.6.*",), "JupyterLab 3.6")
# Voila brings no kernel of its own: ipykernel is what a user's environment would have
VOILA = FrontendEnv("voila", ("voila==0.5.*", "ipykernel"), "Voila 0.5")


def python_of(env: FrontendEnv, cache: Path) -> Path:
    """The Python of ``env`` under ``cache``, built first if needed; raises EnvUnavailable."""
    home = cache / f"{env.name}-{env.key()}"
    python = home / "bin" / "python"
    if (home / "ready").is_file():
        return python
    shutil.rmtree(home, ignore_errors=True)  # a build cut short
    venv.create(home, with_pip=True)
    _pip(python, *env.requirements())
    _pip(python, "--no-deps", LIVER_CT)
    (home / "ready").write_text(_pip(python, "freeze", install=False))
    return python


def _pip(python: Path, *args: str, install: bool = True) -> str:
    command = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
    command += ["install", *args] if install else list(args)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise EnvUnavailable(f"`{' '.join(command)}` took over {PIP_TIMEOUT_S} s") from error
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if not line.startswith("WARNING")]
        raise EnvUnavailable(f"`pip install {' '.join(args)}` failed: {' '.join(lines[-6:])}")
    return done.stdout
