"""A copy of the repository's tracked files: what a fresh clone (or Binder) starts from."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def tracked_copy(destination: Path) -> Path:
    """Copy every tracked file into ``destination`` (skips the test outside a git checkout).

    ``js/node_modules`` is linked when installed here, so npm has no downloading to do.
    """
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("needs a git checkout: the build starts from the tracked files")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        source = REPO / name.decode()
        if source.is_file():
            target = destination / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    if (REPO / "js" / "node_modules").is_dir():
        (destination / "js" / "node_modules").symlink_to(REPO / "js" / "node_modules")
    return destination
