"""binder/ built the way Binder builds it, as far as this machine allows, then the review
notebook executed in it.

repo2docker starts from a conda base environment (Python from ``runtime.txt``, JupyterLab 4,
ipywidgets 8, Node.js 20), pip-installs ``binder/requirements.txt`` and runs
``binder/postBuild`` in the repository's root. Here: a fresh venv with the same base
packages (Node.js is this machine's), the same two files on a copy of the tracked tree, and a
small demo run (``NBVIEWER3D_DEMO_ARGS``; Binder makes the full one). Takes a few minutes:
it installs torch, MONAI and JupyterLab and bundles the front end from source.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clean_tree import REPO, tracked_copy

BINDER = REPO / "binder"
# What repo2docker's base environment holds (repo2docker/buildpacks/conda/environment.yml).
BASE = ["jupyterlab==4.*", "ipywidgets==8.*", "notebook==7.*", "nbconvert"]


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> None:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{output}"


def test_binder_files_are_what_repo2docker_reads() -> None:
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert os.access(BINDER / "postBuild", os.X_OK)
    requirements = (BINDER / "requirements.txt").read_text()
    assert "download.pytorch.org/whl/cpu" in requirements  # no GBs of CUDA on Binder
    readme = (REPO / "README.md").read_text()
    assert "mybinder.org/v2/gh/" in readme
    assert "urlpath=lab/tree/notebooks/review_cached_run.ipynb" in readme


def test_the_binder_environment_builds_and_runs_the_review(
    tmp_path: Path, liver_ct: object
) -> None:
    if shutil.which("npm") is None:
        pytest.skip("postBuild bundles the front end with npm")
    repo = tracked_copy(tmp_path / "repo")
    home = tmp_path / "home"
    home.mkdir()
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path, dict(os.environ), 120)
    bin_dir = venv / "bin"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
        "HOME": str(home),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "NBVIEWER3D_DEMO_ARGS": "--iterations 8 --validate-every 4 --crop 32",
    }
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q"]
    _run([*pip, *BASE], repo, env, 900)
    _run([*pip, "-r", "binder/requirements.txt"], repo, env, 900)
    _run(["bash", "binder/postBuild"], repo, env, 900)

    run_dir = home / ".cache" / "nbviewer3d" / "demo-run"
    assert (run_dir / "run.json").is_file(), sorted(p.name for p in home.rglob("*"))[:20]
    bundle = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import nbviewer3d, pathlib; print(pathlib.Path(nbviewer3d.__file__).parent)",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert str(venv) in bundle  # installed, not this checkout
    assert (Path(bundle) / "static" / "widget.js").stat().st_size > 100_000

    _run(
        [
            str(bin_dir / "jupyter"),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=300",
            "--output",
            str(tmp_path / "executed.ipynb"),
            "notebooks/review_cached_run.ipynb",
        ],
        repo,
        env,
        600,
    )
    executed = json.loads((tmp_path / "executed.ipynb").read_text())
    outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    view = "application/vnd.jupyter.widget-view+json"
    widgets = [o for o in outputs if view in o.get("data", {})]
    assert len(widgets) == 2  # the review viewer and the GIF-vs-lossless pair
