"""The camera trait's form, and the kernel's side of screenshots (the browser played by hand).

The real round trip (bytes returned to Python match the canvas) is in
tests/browser/test_runs_lab.py; here the browser's frame message is built as the front end
builds it, from the traits the kernel asked for.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import traitlets
from PIL import Image

import nbviewer3d
from nbviewer3d import ScreenshotPending, Viewer
from nbviewer3d.camera import normalise

CAMERA = {"position": [0, -400, 10], "focal_point": [0, 0, 10], "view_up": [0, 0, 1]}


def test_camera_is_normalised_with_defaults() -> None:
    camera = normalise(CAMERA)
    assert camera == {
        "position": [0.0, -400.0, 10.0],
        "focal_point": [0.0, 0.0, 10.0],
        "view_up": [0.0, 0.0, 1.0],
        "view_angle": 30.0,
        "parallel_scale": pytest.approx(400 * np.tan(np.radians(15))),
    }
    tilted = normalise({**CAMERA, "view_up": [0, 2, 2]})
    assert tilted is not None
    assert tilted["view_up"] == pytest.approx([0, 0, 1])  # made square to the view, unit
    assert normalise(None) is None


@pytest.mark.parametrize(
    ("camera", "says"),
    [
        ({"position": [0, 0, 1]}, "'focal_point' is missing"),
        ({**CAMERA, "position": [0, 0, 10]}, "same point"),
        ({**CAMERA, "view_up": [0, 1, 0]}, "must not point along the direction of view"),
        ({**CAMERA, "view_angle": 180}, "view_angle=180"),
        ({**CAMERA, "zoom": 2}, r"unknown key\(s\) \['zoom'\]"),
        ({**CAMERA, "position": [0, "a", 1]}, "position="),
        ([1, 2, 3], "got list"),
    ],
)
def test_a_bad_camera_is_refused_with_the_accepted_form(camera: object, says: str) -> None:
    viewer = nbviewer3d.view(np.zeros((3, 3, 3), np.float32))
    with pytest.raises(traitlets.TraitError, match=says) as error:
        viewer.camera = camera
    assert "'position', 'focal_point' and 'view_up'" in str(error.value)


def _png(width: int = 8, height: int = 6) -> bytes:
    pixels = np.zeros((height, width, 4), np.uint8)
    pixels[..., 0] = np.arange(width, dtype=np.uint8) * 30
    pixels[..., 3] = 255
    out = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(out, format="PNG")
    return out.getvalue()


class Browser:
    """Records the kernel's requests; answers them as the front end does."""

    def __init__(self, viewer: Viewer, monkeypatch: pytest.MonkeyPatch) -> None:
        self.viewer = viewer
        self.requests: list[dict[str, Any]] = []
        # the viewer's screenshots hold its send, bound when it was made
        monkeypatch.setattr(viewer._screenshots, "_send", self.requests.append)

    def draw(self, png: bytes | None = None, **drawn: Any) -> None:
        """Answer every request with a frame of the viewer's current traits (plus ``drawn``)."""
        traits = self.requests[-1]["traits"]
        state = {name: self.json(getattr(self.viewer, name)) for name in traits}
        state["version"] = self.viewer._versions[str(self.viewer.step)]
        state.update(drawn)
        content = {
            "type": "frame",
            "ids": [r["id"] for r in self.requests],
            "state": state,
            "width": 8,
            "height": 6,
        }
        self.requests.clear()
        self.viewer._on_message(self.viewer, content, [png if png is not None else _png()])

    @staticmethod
    def json(value: object) -> Any:
        import json

        return json.loads(json.dumps(value))


@pytest.fixture
def viewer_and_browser(monkeypatch: pytest.MonkeyPatch) -> tuple[Viewer, Browser]:
    viewer = nbviewer3d.view(np.arange(27, dtype=np.float32).reshape(3, 3, 3))
    return viewer, Browser(viewer, monkeypatch)


def test_screenshot_asks_the_browser_and_says_when_to_call_again(
    viewer_and_browser: tuple[Viewer, Browser],
) -> None:
    viewer, browser = viewer_and_browser
    with pytest.raises(ScreenshotPending, match=r"call viewer.screenshot\(\) again in the next"):
        viewer.screenshot()
    (request,) = browser.requests
    assert request["type"] == "screenshot"
    assert {"step", "camera", "cmap", "vmin", "view_mode", "label_blend"} <= set(request["traits"])
    assert not {"steps", "cache_mb", "_versions", "layout", "scalars"} & set(request["traits"])
    with pytest.raises(ScreenshotPending):
        viewer.screenshot()
    assert len(browser.requests) == 1  # one question for one state


def test_the_frame_of_the_current_state_comes_back_as_png_and_array(
    viewer_and_browser: tuple[Viewer, Browser],
) -> None:
    viewer, browser = viewer_and_browser
    with pytest.raises(ScreenshotPending):
        viewer.screenshot()
    png = _png()
    browser.draw(png)
    assert viewer.screenshot() == png
    array = viewer.screenshot(as_array=True)
    assert isinstance(array, np.ndarray)
    assert array.shape == (6, 8, 3)
    assert array[0, :, 0].tolist() == [30 * i for i in range(8)]
    viewer.cmap = "viridis"  # a new state: that picture no longer shows it
    with pytest.raises(ScreenshotPending):
        viewer.screenshot()


def test_save_from_the_same_cell_writes_when_the_state_is_drawn(
    viewer_and_browser: tuple[Viewer, Browser], tmp_path: Path
) -> None:
    viewer, browser = viewer_and_browser
    viewer.camera = CAMERA
    save = viewer.save_screenshot(tmp_path / "shot.png")
    assert not save.done
    assert "will be saved when the browser has drawn" in save.message
    assert not (tmp_path / "shot.png").exists()
    browser.draw()  # what the browser does after the cell
    assert save.done
    assert save.error is None
    assert (tmp_path / "shot.png").read_bytes() == viewer.screenshot()
    assert save.message.startswith(f"nbviewer3d: saved {tmp_path / 'shot.png'}")
    again = viewer.save_screenshot(tmp_path / "again.png")  # the picture is here: at once
    assert again.done
    assert (tmp_path / "again.png").read_bytes() == (tmp_path / "shot.png").read_bytes()


def test_a_save_is_refused_when_the_viewer_moved_on_before_the_browser_drew_it(
    viewer_and_browser: tuple[Viewer, Browser], tmp_path: Path
) -> None:
    viewer, browser = viewer_and_browser
    save = viewer.save_screenshot(tmp_path / "before.png")
    viewer.view_mode = "axial"
    browser.draw()
    assert not save.done
    assert save.error is not None
    assert "view_mode" in save.error
    assert not (tmp_path / "before.png").exists()


def test_a_frame_without_a_png_settles_the_save_with_an_error(
    viewer_and_browser: tuple[Viewer, Browser], tmp_path: Path
) -> None:
    viewer, browser = viewer_and_browser
    save = viewer.save_screenshot(tmp_path / "x.png")
    browser.draw(png=b"not a png")
    assert save.error == "the browser sent no PNG picture with its state"
    assert viewer.last_frame is None


def test_a_save_to_a_missing_folder_is_refused_at_once(
    viewer_and_browser: tuple[Viewer, Browser], tmp_path: Path
) -> None:
    viewer, _ = viewer_and_browser
    with pytest.raises(FileNotFoundError, match="no folder"):
        viewer.save_screenshot(tmp_path / "nope" / "x.png")
