"""Fixtures shared by every test module: the real liver CT and the ../shared folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser.jupyter import skip_or_fail

if TYPE_CHECKING:
    from nbviewer3d.volume import Volume

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def liver_ct() -> tuple[Volume, Volume]:
    """(image, label) of LiTS case 117 from the installed liver-ct-segmentation-package."""
    from nbviewer3d.demo import load_liver_ct

    try:
        return load_liver_ct()
    except ModuleNotFoundError as err:
        skip_or_fail(str(err))
        raise


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The team's ../shared folder (fixtures written by third parties); absent in a clone."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (it exists only on the development machines)")
    return SHARED


# Small enough for CI (about 20 s on two cores), big enough to hold three validation steps.
DEMO_RUN_CONFIG = {"iterations": 24, "validate_every": 8, "crop": 32}


@pytest.fixture(scope="session")
def demo_run_dir(tmp_path_factory: pytest.TempPathFactory, liver_ct: object) -> Path:
    """A small demo run (``nbviewer3d.demo.make_run``) made once per session."""
    pytest.importorskip("torch")
    pytest.importorskip("monai")
    from nbviewer3d.demo import RunConfig, make_run

    folder = tmp_path_factory.mktemp("demo") / "run"
    return make_run(folder, RunConfig(**DEMO_RUN_CONFIG), progress=lambda line: None)
