"""The package as users get it: one version everywhere, and an sdist and a wheel built from
a clean copy of the tracked tree, the wheel holding the front end's bundle and the data it
reads, and none of the repository's tests, notebooks, golden images or node_modules."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import tomllib
from clean_tree import tracked_copy

import nbviewer3d

REPO = Path(__file__).resolve().parents[1]


def test_one_version_everywhere() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert nbviewer3d.__version__ == declared
    assert json.loads((REPO / "js" / "package.json").read_text())["version"] == declared


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("npm") is None:
        pytest.skip("building the wheel bundles the front end with npm")
    clean = tracked_copy(tmp_path_factory.mktemp("clean") / "nbviewer3d")
    out = tmp_path_factory.mktemp("dist")
    for kind in ("--sdist", "--wheel"):
        done = subprocess.run(
            [sys.executable, "-m", "build", kind, "--outdir", str(out), str(clean)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"python -m build {kind} failed:\n{done.stderr[-3000:]}"
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def test_the_wheel_holds_the_bundle_and_its_data_and_no_repository_files(
    built: tuple[Path, Path],
) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        bundle = archive.read("nbviewer3d/static/widget.js")
    for needed in (
        "static/widget.js",
        "static/offline.js",
        "presets.json",
        "colormaps.json",
        "py.typed",
    ):
        if needed == "py.typed" and not (REPO / "nbviewer3d" / "py.typed").exists():
            continue
        assert f"nbviewer3d/{needed}" in names, needed
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names[-8:]
    assert len(bundle) > 100_000  # the real vtk.js bundle, not a placeholder
    unwanted = ("tests/", "notebooks/", "golden", "node_modules", "js/src", ".ipynb")
    assert not [n for n in names if any(u in n for u in unwanted)]


def test_the_sdist_builds_the_front_end_from_source(built: tuple[Path, Path]) -> None:
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    root = names[0].split("/")[0]
    for needed in ("js/package.json", "js/package-lock.json", "js/build.mjs", "LICENSE"):
        assert f"{root}/{needed}" in names, needed
    assert any(n.startswith(f"{root}/js/src/") and n.endswith(".ts") for n in names)
    assert not [n for n in names if "node_modules" in n or "/.venv" in n]
