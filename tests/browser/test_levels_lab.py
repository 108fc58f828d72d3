"""Progressive levels in JupyterLab + Chromium: a volume larger than the preview shows its
coarse level first, then full resolution replaces it in place, in chunks no larger than the
delivery's limit; a small cache_mb keeps a coarser level and says why; leaving a step stops
its transfer. (The pyramid itself: tests/test_pyramid.py; the messages: tests/test_delivery.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .jupyter import NotebookPage, mean_abs_diff
from .pixels import NOISE

pytestmark = pytest.mark.browser

HEIGHT = 320
# 320x320x192 int16 (37 MiB) with a label: three levels, full resolution in 6 chunks
SETUP = f"""
import numpy as np
import nbviewer3d
from nbviewer3d import phantoms
from nbviewer3d.delivery import BINARY_CHUNK_BYTES

base = phantoms.abdomen()
zoom = [int(np.ceil(n / m)) for n, m in zip((320, 320, 192), base.image.shape)]
def up(a):
    big = a.repeat(zoom[0], 0).repeat(zoom[1], 1).repeat(zoom[2], 2)
    return np.ascontiguousarray(big[:320, :320, :192])
ct = up(np.round(base.image)).astype(np.int16)
mask = up(base.label).astype(np.uint8)
viewer = nbviewer3d.view(ct, label=mask, spacing=(1.0, 1.0, 1.6), height={HEIGHT})
viewer.add(1, image=np.roll(ct, 20, axis=0), label=np.roll(mask, 20, axis=0))
viewer.add(2, image=np.roll(ct, 40, axis=0), label=np.roll(mask, 40, axis=0))
viewer.step = 0
# the voxel bytes of every message the kernel sends the browser
sent_sizes = []
_send = viewer.send
def send(content, buffers=None):
    sent_sizes.append(sum(memoryview(b).nbytes for b in buffers or []))
    _send(content, buffers)
viewer.send = send
# what the browser asks for: (type, step, level)
asked = []
_on_fetch = viewer._on_fetch
def on_fetch(content):
    asked.append((content["type"], content.get("step"), content.get("level")))
    _on_fetch(content)
viewer._on_fetch = on_fetch
viewer
"""


@pytest.fixture(scope="module")
def levels_page(module_notebooks: Any) -> NotebookPage:
    nb: NotebookPage = module_notebooks.open([SETUP])
    nb.page.evaluate(
        """() => {
          window.__levelsSeen = [];
          new MutationObserver(() => {
            const el = document.querySelector('.nbviewer3d');
            const level = el && el.getAttribute('data-level');
            const seen = window.__levelsSeen;
            if (level !== null && level !== undefined && seen[seen.length - 1] !== level)
              seen.push(level);
          }).observe(document.body, { attributes: true, subtree: true });
        }"""
    )
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    return nb


@pytest.fixture
def nb(levels_page: NotebookPage) -> Iterator[NotebookPage]:
    yield levels_page
    levels_page.check_errors()


def test_the_coarse_level_shows_first_then_full_resolution_in_small_messages(
    nb: NotebookPage, artifacts: Path
) -> None:
    levels = nb.eval_json(
        "[list(nbviewer3d.pyramid.level_shape((320, 320, 192), f)) "
        "for f in nbviewer3d.delivery.step_levels(viewer._store.volumes(0))]"
    )
    assert levels[0] == [320, 320, 192] and len(levels) >= 2
    seen = nb.page.evaluate("() => window.__levelsSeen")
    assert seen[0] == str(len(levels) - 1), seen  # the preview came first
    assert seen[-1] == "0", seen  # then full resolution replaced it
    root = nb.widget(0)
    assert root.get_attribute("data-status") == "ready"
    limit = nb.eval_json("BINARY_CHUNK_BYTES")
    sizes = nb.eval_json("sent_sizes")
    assert max(sizes) <= limit  # no message above one chunk
    assert len([n for n in sizes if n > 0]) >= 6  # 37 MiB of image in pieces
    sent = nb.eval_json("viewer.bytes_sent")
    assert sent >= 320 * 320 * 192 * 2  # the full image crossed, in pieces
    assert nb.page.locator(".nbviewer3d-level-note").inner_text() == ""
    nb.shot(0, artifacts / "levels" / "full.png")


def test_a_small_cache_keeps_a_coarser_level_and_says_why(
    nb: NotebookPage, artifacts: Path
) -> None:
    # step 2 is not next to step 0, so it was not prefetched; at level 0 (49 MiB) it does not
    # fit a 16 MiB cache: a coarser level is kept, and the note under the view says why
    nb.execute("viewer.cache_mb = 16")
    state = nb.change("viewer.step = 2", step=2)
    assert state.status == "ready"
    assert int(nb.widget(0).get_attribute("data-level") or "0") > 0
    note = nb.page.locator(".nbviewer3d-level-note").inner_text()
    assert "Shown at" in note and "320×320×192" in note and "cache_mb" in note, note
    coarse = nb.shot(0, artifacts / "levels" / "coarse-step2.png")
    camera = nb.eval_json("viewer.camera")
    # room again: full resolution replaces the coarse level in place
    before = nb.widget_state(0).frames
    nb.execute("viewer.cache_mb = 512")
    nb.page.wait_for_function(
        "(el) => el.dataset.level === '0' && el.dataset.status === 'ready'",
        arg=nb.widget(0).element_handle(),
        timeout=60_000,
    )
    nb.wait_rendered(0, after=before, step=2)
    full = nb.shot(0, artifacts / "levels" / "full-step2.png")
    assert nb.page.locator(".nbviewer3d-level-note").inner_text() == ""
    assert nb.eval_json("viewer.camera") == camera
    # the same view, only sharper: far closer to the full picture than an empty canvas is
    blank = np.zeros_like(full)
    assert mean_abs_diff(coarse, full) < 0.5 * mean_abs_diff(blank, full)


def _wait_planes(nb: NotebookPage, want: str) -> None:
    nb.page.wait_for_function(
        "([el, want]) => el.dataset.planes === want && el.dataset.status === 'ready'",
        arg=[nb.widget(0).element_handle(), want],
        timeout=60_000,
    )
    nb.settle(0)


def test_slice_views_of_a_coarse_level_show_the_plane_at_full_resolution(
    nb: NotebookPage, artifacts: Path
) -> None:
    nb.set_traits({"step": 0}, step=0)
    nb.execute("viewer.cache_mb = 16")
    # step 9: no neighbour of a step shown, so never prefetched; a one-voxel checkerboard in
    # it is what a coarse level averages away. The kernel leaves plane requests unanswered first
    nb.execute(
        "fine = np.roll(ct, 80, axis=0)\n"
        "fine[100:220, 100:220] += (200 * (np.indices((120, 120)).sum(0) % 2))[..., None]"
        ".astype(np.int16)\n"
        "viewer.add(9, image=fine, label=np.roll(mask, 80, axis=0))\n"
        "drop_planes = True\n"
        "_fetch_planes = viewer._on_fetch\n"
        "def fetch_or_drop(content):\n"
        "    if not (drop_planes and content['type'] == 'plane'):\n"
        "        _fetch_planes(content)\n"
        "viewer._on_fetch = fetch_or_drop"
    )
    nb.set_traits({"view_mode": "axial", "cursor": [150, 170, 60]})
    nb.change("viewer.step = 9", step=9)
    assert int(nb.widget(0).get_attribute("data-level") or "0") > 0
    # a reviewer zooms in (Ctrl + wheel, 4x) to see voxels: 3 screen pixels each
    before = nb.widget_state(0).frames
    nb.canvas(0).hover()
    nb.page.keyboard.down("Control")
    nb.page.mouse.wheel(0, -600)
    nb.page.keyboard.up("Control")
    nb.wait_rendered(0, after=before, step=9)
    nb.page.wait_for_timeout(1500)
    assert nb.widget(0).get_attribute("data-planes") == "coarse"
    coarse_60 = nb.shot(0, artifacts / "levels" / "axial-coarse-60.png")
    # planes answered: the slice at the cursor comes at full resolution, in place
    nb.execute("drop_planes = False\nasked.clear()")
    nb.execute("viewer.cursor = [150, 170, 100]")
    _wait_planes(nb, "full")
    assert int(nb.widget(0).get_attribute("data-level") or "0") > 0  # still the coarse level
    assert ("plane", 9, None) in [tuple(a) for a in nb.eval_json("asked")]
    planes_100 = nb.shot(0, artifacts / "levels" / "axial-planes-100.png")
    # the readout is the cursor's own voxel, not its block's mean at the coarse level
    exact, mean = nb.eval_json(
        "[int(fine[150, 170, 100]), float(fine[150:152, 170:172, 100:102].mean())]"
    )
    assert exact != mean
    readout = nb.widget(0).locator(".nbviewer3d-readout").inner_text()
    assert "voxel [150, 170, 100]" in readout and f"image {exact} " in f"{readout} ", readout
    # Page Down walks the full-resolution slices, one voxel of level 0 a key, not a block
    nb.canvas(0).focus()
    nb.page.keyboard.press("PageDown")
    nb.wait_for_kernel("viewer.cursor == [150, 170, 101]")
    _wait_planes(nb, "full")
    nb.page.keyboard.press("PageUp")
    nb.wait_for_kernel("viewer.cursor == [150, 170, 100]")
    _wait_planes(nb, "full")
    assert mean_abs_diff(nb.shot(0), planes_100) <= NOISE  # back at the plane kept
    # the quad view: each of its three slice panes shows its own plane through the cursor
    # ("full": every slice pane draws one)
    nb.set_traits({"view_mode": "quad"})
    _wait_planes(nb, "full")
    nb.shot(0, artifacts / "levels" / "quad-planes.png")
    nb.set_traits({"view_mode": "axial"})
    # room for level 0: it replaces the coarse level, and nothing finer is asked for
    nb.execute("viewer.cache_mb = 512")
    nb.page.wait_for_function(
        "(el) => el.dataset.level === '0' && el.dataset.status === 'ready'",
        arg=nb.widget(0).element_handle(),
        timeout=60_000,
    )
    _wait_planes(nb, "")
    full_100 = nb.shot(0, artifacts / "levels" / "axial-full-100.png")
    nb.change("viewer.cursor = [150, 170, 60]")
    full_60 = nb.shot(0, artifacts / "levels" / "axial-full-60.png")
    # the plane is full resolution's picture; the coarse slice was visibly not
    assert mean_abs_diff(coarse_60, full_60) > 1.0
    assert mean_abs_diff(planes_100, full_100) < 0.1 * mean_abs_diff(coarse_60, full_60)
    nb.execute("viewer._on_fetch = _fetch_planes")
    nb.set_traits({"view_mode": "volume"})


def test_a_plane_too_large_to_send_leaves_the_coarse_slice_and_says_why(nb: NotebookPage) -> None:
    nb.set_traits({"step": 0}, step=0)
    nb.execute("viewer.cache_mb = 16")
    # the kernel's limit on one plane message lowered below a 320x320 int16 + uint8 plane
    nb.execute(
        "import nbviewer3d.planes\n"
        "_plane_bytes = nbviewer3d.planes.PLANE_BYTES\n"
        "nbviewer3d.planes.PLANE_BYTES = 64 * 1024\n"
        "viewer.add(12, image=np.roll(ct, 60, axis=0), label=np.roll(mask, 60, axis=0))"
    )
    nb.set_traits({"view_mode": "axial", "cursor": [150, 170, 90]})
    nb.change("viewer.step = 12", step=12)
    note = nb.widget(0).locator(".nbviewer3d-level-note")
    nb.page.wait_for_function(
        "(el) => el.textContent.includes('Slices stay at this level')",
        arg=note.element_handle(),
        timeout=60_000,
    )
    text = note.inner_text()
    assert "cache_mb" in text, text  # why the level, then why its slices
    assert "a plane along axis 2 holds 0.3 MiB" in text, text
    assert nb.widget(0).get_attribute("data-planes") == "coarse"
    assert int(nb.widget(0).get_attribute("data-level") or "0") > 0
    # planes that fit come again: the next one is drawn and the sentence goes
    nb.execute("nbviewer3d.planes.PLANE_BYTES = _plane_bytes")
    nb.execute("viewer.cursor = [150, 170, 91]")
    _wait_planes(nb, "full")
    assert "Slices stay" not in note.inner_text()
    nb.set_traits({"view_mode": "volume"})
    nb.execute("viewer.cache_mb = 512")


def test_leaving_a_step_stops_its_transfer(nb: NotebookPage) -> None:
    nb.set_traits({"step": 0}, step=0)
    nb.execute("viewer.add(3, image=np.roll(ct, 60, axis=0), label=np.roll(mask, 60, axis=0))")
    nb.execute("asked.clear()")
    # the user leaves step 3 while its full resolution is on its way (the preview is on screen):
    # a key in the view, pressed the moment the first chunk progress of step 3 shows (the
    # window is short: polling for it from here missed it on a loaded machine)
    nb.widget(0).evaluate(
        """(root) => {
          window.__leftAt = null;
          const observer = new MutationObserver(() => {
            if (root.dataset.step !== '3' || root.dataset.status !== 'loading') return;
            observer.disconnect();
            window.__leftAt = Number(root.dataset.progress);
            root.querySelector('.nbviewer3d-canvas').dispatchEvent(
              new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
          });
          observer.observe(root, { attributes: true, attributeFilter: ['data-progress'] });
        }"""
    )
    nb.execute("viewer.step = 3")
    nb.page.wait_for_function("() => window.__leftAt !== null", timeout=60_000)
    assert nb.page.evaluate("() => window.__leftAt") < 25  # left with most of it still to come
    nb.wait_for_kernel("viewer.step == 2")
    nb.wait_rendered(0, step=2)
    nb.page.wait_for_timeout(3000)
    asked = [tuple(a) for a in nb.eval_json("asked")]
    start = asked.index(("fetch", 3, 0))  # the transfer of step 3's full resolution
    # its chunk requests, until any later fetch of step 3 (a prefetch starts anew)
    later = [i for i, a in enumerate(asked) if i > start and a[0] == "fetch" and a[1] == 3]
    end = later[0] if later else len(asked)
    pulled = [a for a in asked[start:end] if a[0] == "chunks" and a[1] == 3]
    chunks = nb.eval_json(
        "viewer._delivery.reply(3, viewer._version(3), 0, 'binary', "
        "lambda: viewer._store.volumes(3))[0][0]['chunks']"
    )
    pushed = nb.eval_json("nbviewer3d.delivery.PUSHED_CHUNKS")
    # the browser stopped asking: the transfer never got all the chunks it needed
    assert len(pulled) < chunks - pushed, (pulled, chunks)
