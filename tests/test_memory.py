"""What the kernel holds: viewers free their voxels when closed, add()ed steps stay within
``kernel_cache_mb`` (the rest wait on disk, read back bit-exact), steps can be removed."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import nbviewer3d
from nbviewer3d.spill import Spilled
from nbviewer3d.store import MemoryStore

SHAPE = (128, 128, 128)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def _ct(step: int) -> np.ndarray:
    rng = np.random.default_rng(step)
    return rng.normal(40, 300, SHAPE).astype(np.float32)


def _label(step: int) -> np.ndarray:
    label = np.zeros(SHAPE, np.int64)  # int64 as models often give: kept as uint8
    label[20 + step % 50 : 60, 30:70, 40:90] = 1 + step % 3
    return label


def test_closed_viewers_are_freed_with_their_voxels() -> None:
    warm = nbviewer3d.view(_ct(0), label=_label(0))
    warm.close()
    del warm
    gc.collect()
    before = _rss_mb()
    refs = []
    for step in range(5):
        viewer = nbviewer3d.view(_ct(step), label=_label(step))
        refs.append(weakref.ref(viewer))
        viewer.close()
        del viewer
    gc.collect()
    assert [r() for r in refs] == [None] * 5
    # each held 8 MiB of CT and 2 MiB of label (64 MiB of int64 given): all returned
    assert _rss_mb() - before < 20


def test_sixty_steps_stay_within_the_kernel_budget_and_read_back_exact() -> None:
    viewer = nbviewer3d.view(kernel_cache_mb=64)
    gc.collect()
    before = _rss_mb()
    for step in range(60):  # 60 x 10 MiB: 600 MiB added
        viewer.add(step, image=_ct(step), label=_label(step))
    store = viewer._store
    assert isinstance(store, MemoryStore)
    assert store.resident_bytes <= 64 * 2**20
    assert _rss_mb() - before < 64 + 60  # the budget, plus the allocator's slack
    assert viewer.steps == list(range(60))
    for step in (0, 31, 59):  # spilled or not, every step is as added
        viewer.step = step
        assert viewer.image is not None and viewer.label is not None
        np.testing.assert_array_equal(viewer.image.data, _ct(step))
        assert viewer.label.data.dtype == np.uint8
        np.testing.assert_array_equal(viewer.label.data, _label(step))
    assert store.resident_bytes <= 64 * 2**20
    viewer.kernel_cache_mb = 16  # a lower budget spills at once
    assert store.resident_bytes <= 16 * 2**20
    viewer.close()


def test_remove_and_clear_drop_steps_from_kernel_and_views() -> None:
    viewer = nbviewer3d.view(kernel_cache_mb=16)  # room for two 8 MiB steps
    for step in range(4):
        viewer.add(step, image=_ct(step))
    store = viewer._store
    assert isinstance(store, MemoryStore) and store._folder is not None
    files = store._folder.path

    def spilled() -> list[int]:
        return [s for s, held in store._by_step.items() if isinstance(held["image"], Spilled)]

    assert len(spilled()) == 2
    assert len(list(files.iterdir())) == 2
    versions = dict(viewer._versions)
    viewer.remove(3)
    assert viewer.steps == [0, 1, 2]
    with pytest.raises(ValueError, match=r"no volumes at step 3; steps present: \[0, 1, 2\]"):
        viewer.remove(3)
    viewer.remove(spilled()[0])  # a spilled step: its file goes too
    assert len(list(files.iterdir())) == len(spilled())
    viewer.clear()
    assert viewer.steps == []
    assert not list(files.iterdir())
    viewer.add(0, image=_ct(9))  # the same step number again: views must fetch it anew
    assert viewer._versions["0"] != versions["0"]
    viewer.close()


def test_a_logdir_viewer_has_no_remove(tmp_path: object) -> None:
    viewer = nbviewer3d.Viewer(store=_LogdirLike())
    with pytest.raises(TypeError, match="remove\\(\\) is for viewers made with view\\(\\)"):
        viewer.remove(0)


class _LogdirLike:
    def steps(self) -> list[int]:
        return [0]

    def volumes(self, step: int) -> dict[str, nbviewer3d.Volume]:
        return {"image": nbviewer3d.Volume(np.zeros((2, 2, 2), np.float32))}

    def runs(self) -> list[str]:
        return []

    def with_run(self, run: str) -> _LogdirLike:
        return self
