"""The linters and type checkers are part of the test command, so CI enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd: str, cwd: Path = ROOT) -> None:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}"


def test_ruff_lint() -> None:
    _run(sys.executable, "-m", "ruff", "check", "nbviewer3d", "tests")


def test_ruff_format() -> None:
    _run(sys.executable, "-m", "ruff", "format", "--check", "nbviewer3d", "tests")


def test_mypy_strict() -> None:
    _run(sys.executable, "-m", "mypy")


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_js_typecheck_lint_and_unit_tests() -> None:
    if not (ROOT / "js" / "node_modules").is_dir():
        _run("npm", "ci", cwd=ROOT / "js")
    _run("npm", "run", "check", cwd=ROOT / "js")
