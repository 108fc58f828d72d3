"""The shipped notebooks are committed clean and run top to bottom in a fresh kernel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(notebook: Path) -> None:
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [i for i, c in enumerate(cells) if c.get("outputs") or c.get("execution_count")]
    assert not dirty, f"{notebook.name}: cells {dirty} hold outputs; clear them before committing"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_runs(notebook: Path, tmp_path: Path, demo_run_dir: Path) -> None:
    """Each runs offline (the spleen notebook on the packaged CT) and writes nothing beside
    itself: runs and downloads go to caches and temporary folders, never into the repo."""
    pytest.importorskip("nibabel")
    shutil.copy(notebook, tmp_path)
    env = {**os.environ, "NBVIEWER3D_DEMO_RUN": str(demo_run_dir), "NBVIEWER3D_OFFLINE": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=300",
            "--output",
            "executed.ipynb",
            notebook.name,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    executed = json.loads((tmp_path / "executed.ipynb").read_text())
    errors = [
        o for c in executed["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"
    ]
    assert not errors, errors
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([notebook.name, "executed.ipynb"])


def test_readme_lists_every_notebook() -> None:
    readme = (NOTEBOOKS[0].parents[1] / "README.md").read_text()
    missing = [nb.name for nb in NOTEBOOKS if f"notebooks/{nb.name}" not in readme]
    assert not missing, f"README.md does not mention {missing}"


def test_each_notebook_has_its_badge_and_a_colab_only_install_cell() -> None:
    repo = tomllib.loads((NOTEBOOKS[0].parents[1] / "pyproject.toml").read_text())
    url = repo["project"]["urls"]["Repository"].removeprefix("https://github.com/")
    readme = (NOTEBOOKS[0].parents[1] / "README.md").read_text()
    for notebook in NOTEBOOKS:
        colab = (
            f"https://colab.research.google.com/github/{url}/blob/main/notebooks/{notebook.name}"
        )
        assert colab in readme, notebook.name
        cells = json.loads(notebook.read_text())["cells"]
        install = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
        assert 'if "google.colab" in sys.modules:' in install, notebook.name
        assert f"git+https://github.com/{url}" in install, notebook.name
