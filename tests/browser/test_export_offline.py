"""Pages written without a kernel render the interactive viewer in real Chromium, offline.

Every request other than the page's own file:// URL is aborted and recorded: the page must
make none. The data is the real liver CT with its label (two steps: the second the same CT
turned upside down, as another validation case would differ).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import nbviewer3d

from .jupyter import (
    WidgetPage,
    distinct_colours,
    grey_std,
    mean_abs_diff,
    nbconvert,
    write_notebook,
)
from .pixels import CHANGED, MIN_COLOURS, MIN_STD

if TYPE_CHECKING:
    from nbviewer3d.volume import Volume


class OfflinePage(WidgetPage):
    """A file:// page opened with the network cut: what it tried to load is kept."""

    def __init__(self, page: Any, path: Path) -> None:
        super().__init__(page)
        self.url = path.resolve().as_uri()
        self.requested: list[str] = []
        page.route("**/*", self._route)
        page.goto(self.url)

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            self.requested.append(route.request.url)
            route.abort()

    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"]


@pytest.fixture
def offline(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 900, "height": 900})
    yield lambda path: OfflinePage(context.new_page(), path)
    context.close()


@pytest.fixture(scope="module")
def two_steps(liver_ct: tuple[Volume, Volume]) -> nbviewer3d.Viewer:
    ct, label = liver_ct
    viewer = nbviewer3d.view(ct, label=label, height=360)
    viewer.add(1, image=np.flip(ct.data, 2), label=np.flip(label.data, 2))
    viewer.step = 0
    return viewer


def assert_shows_volume(shot: np.ndarray) -> None:
    assert grey_std(shot) > MIN_STD, f"canvas looks blank (std {grey_std(shot):.1f})"
    assert distinct_colours(shot) > MIN_COLOURS, f"only {distinct_colours(shot)} colours"


def test_exported_page_renders_and_responds_offline(
    two_steps: nbviewer3d.Viewer, offline: Any, tmp_path: Path, artifacts: Path
) -> None:
    path = nbviewer3d.export_html(two_steps, tmp_path / "viewer.html", steps="all")
    page: OfflinePage = offline(path)
    page.wait_rendered(0, step=0)
    first = page.shot(0, artifacts / "export_offline_volume.png")
    assert_shows_volume(first)

    slider = page.widget(0).locator('[data-control="step"]')
    assert slider.get_attribute("max") == "1"
    slider.focus()
    before = page.widget_state(0).frames
    slider.press("ArrowRight")
    page.wait_rendered(0, after=before, step=1)
    flipped = page.shot(0)
    assert_shows_volume(flipped)
    assert mean_abs_diff(first, flipped) > CHANGED, "the second step looks like the first"

    before = page.widget_state(0).frames
    page.widget(0).locator('[data-control="view_mode"]').select_option("axial")
    page.wait_rendered(0, after=before, step=1)
    axial = page.shot(0, artifacts / "export_offline_axial.png")
    assert_shows_volume(axial)
    assert mean_abs_diff(flipped, axial) > CHANGED, "the axial view looks like the 3D view"

    page.check_errors()
    assert page.requested == [], "the page reached for the network"
    assert page.console_errors() == []


def test_current_step_page_offers_that_step_only(
    two_steps: nbviewer3d.Viewer, offline: Any, tmp_path: Path
) -> None:
    path = nbviewer3d.export_html(two_steps, tmp_path / "current.html")
    page: OfflinePage = offline(path)
    page.wait_rendered(0, step=0)
    assert_shows_volume(page.shot(0))
    slider = page.widget(0).locator('[data-control="step"]')
    assert slider.get_attribute("max") == "0"
    assert slider.is_disabled()
    assert page.requested == []
    assert page.console_errors() == []


def test_nbconvert_embed_gives_an_interactive_offline_page(
    offline: Any, tmp_path: Path, liver_ct: object
) -> None:
    """``NBVIEWER3D_EMBED=1 jupyter nbconvert --execute --to html``: the output is the page in
    an iframe, which renders with the network cut (nbconvert's own CDN scripts fail, and are
    not ours to check)."""
    write_notebook(
        tmp_path / "embed.ipynb",
        [
            "import nbviewer3d\nfrom nbviewer3d.demo import load_liver_ct\n"
            "ct, label = load_liver_ct()\nnbviewer3d.view(ct, label=label, view_mode='axial')"
        ],
    )
    nbconvert(tmp_path, "--execute", "--to", "html", "embed.ipynb", env={"NBVIEWER3D_EMBED": "1"})
    page: OfflinePage = offline(tmp_path / "embed.html")
    frame = page.page.frame_locator("iframe[srcdoc]")
    canvas = frame.locator(".nbviewer3d[data-status='ready'] .nbviewer3d-canvas")
    canvas.wait_for(timeout=60_000)
    frame.locator(".nbviewer3d[data-frames]:not([data-frames='0'])").wait_for(timeout=60_000)
    from io import BytesIO

    from PIL import Image

    shot = np.asarray(Image.open(BytesIO(canvas.screenshot())).convert("RGB"))
    assert_shows_volume(shot)
    ours = [e for e in page.page_errors if "srcdoc" in e or "nbviewer3d" in e.lower()]
    assert ours == []
    # the frame grew or shrank to its page: no inner scroll bar, no gap under the panel
    content = page.page.frame_locator("iframe[srcdoc]").locator("html")
    inner = content.evaluate("(el) => el.offsetHeight")
    page.page.wait_for_function(
        "(h) => document.querySelector('iframe[srcdoc]').getBoundingClientRect().height === h",
        arg=inner,
    )


def test_the_output_picture_is_the_browsers_rendering_once_it_came(
    open_notebook: Any, liver_ct: object
) -> None:
    """In JupyterLab: a frame of the current state from the browser becomes the output's PNG
    (shrunk to the output's width), and a change after it brings the slice montage back."""
    nb = open_notebook(
        [
            "import nbviewer3d\nfrom nbviewer3d.demo import load_liver_ct\n"
            "ct, label = load_liver_ct()\nviewer = nbviewer3d.view(ct, label=label, height=300)\n"
            "viewer"
        ]
    )
    nb.run_all()
    nb.wait_rendered(0)
    nb.execute("saving = viewer.save_screenshot('frame.png')")
    assert nb.wait_for_kernel("saving.done"), nb.eval_json("saving.message")
    nb.execute(
        "import base64, io\nfrom PIL import Image\n"
        "def _output():\n"
        "    data = viewer._repr_mimebundle_()[0]\n"
        "    size = Image.open(io.BytesIO(base64.b64decode(data['image/png']))).size\n"
        "    return data['text/plain'], list(size)\n"
    )
    text, size = nb.eval_json("_output()")
    frame_size = nb.eval_json("[viewer.last_frame.width, viewer.last_frame.height]")
    assert "the browser's rendering of step 0 (volume view)" in text
    assert size[0] == min(frame_size[0], 768)
    assert abs(size[0] / size[1] - frame_size[0] / frame_size[1]) < 0.01
    nb.change("viewer.label_blend = 0.8")  # drawn, but no picture of it was asked for
    text, _size = nb.eval_json("_output()")
    assert "axial, coronal and sagittal slices of step 0" in text
