"""The still picture in a viewer's output (for GitHub and nbconvert), on the real liver CT."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from browser.jupyter import nbconvert, write_notebook
from PIL import Image

import nbviewer3d
from nbviewer3d.export import WIDGET_VIEW, set_embed
from nbviewer3d.label_palette import LABEL_PALETTE
from nbviewer3d.screenshot import PNG_SIGNATURE
from nbviewer3d.static_picture import MAX_WIDTH, LabelLook, panes

if TYPE_CHECKING:
    from nbviewer3d.volume import Volume

RED = np.array([int(c * 255 + 0.5) for c in LABEL_PALETTE.color(1)])


@pytest.fixture
def viewer(liver_ct: tuple[Volume, Volume]) -> nbviewer3d.Viewer:
    ct, label = liver_ct
    return nbviewer3d.view(ct, label=label)


def bundle(viewer: nbviewer3d.Viewer) -> dict[str, Any]:
    result = viewer._repr_mimebundle_()
    assert result is not None
    data, _metadata = result
    return data


def png_of(viewer: nbviewer3d.Viewer) -> bytes:
    return base64.b64decode(bundle(viewer)["image/png"])


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def chroma(rgb: np.ndarray) -> np.ndarray:
    return rgb.max(axis=-1) - rgb.min(axis=-1)


def test_the_bundle_keeps_the_widget_and_adds_a_png_and_words(viewer: nbviewer3d.Viewer) -> None:
    data = bundle(viewer)
    assert data[WIDGET_VIEW]["model_id"] == viewer.model_id
    png = base64.b64decode(data["image/png"])
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) < 400_000
    width, height = Image.open(io.BytesIO(png)).size
    assert width <= MAX_WIDTH and height > 100
    assert "step 0" in data["text/plain"]
    assert "axial, coronal and sagittal slices" in data["text/plain"]
    assert "with the label" in data["text/plain"]


def test_label_colours_where_the_label_is_and_grey_elsewhere(viewer: nbviewer3d.Viewer) -> None:
    shown = pixels(png_of(viewer))
    red = (shown[..., 0] - shown[..., 1] > 40) & (shown[..., 0] - shown[..., 2] > 40)
    green = (shown[..., 1] - shown[..., 0] > 40) & (shown[..., 1] - shown[..., 2] > 40)
    assert red.mean() > 0.05, "the liver (class 1, red) is not drawn"
    assert green.mean() > 0.002, "the tumours (class 2, green) are not drawn"

    viewer.label_visible = False
    plain = pixels(png_of(viewer))
    assert chroma(plain).max() == 0, "without the label every pixel is grey"
    labelled = chroma(shown) > 0
    assert np.abs(shown - plain)[~labelled].max() == 0, "the label changed unlabelled pixels"

    viewer.label_visible = True
    viewer.label_colors = {1: "#0000ff"}
    blue = pixels(png_of(viewer))
    assert ((blue[..., 2] - blue[..., 0] > 40) & red).mean() > 0.9 * red.mean()


def test_a_float_mask_read_from_a_logdir_is_drawn_as_class_1(
    liver_ct: tuple[Volume, Volume], tmp_path: Path
) -> None:
    """A 0/1 float label as MONAI code logs it comes back from the file as floats."""
    torch = pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter

    ct, label = liver_ct
    crop = (slice(32, 96),) * 3
    mask = (np.asarray(label.data)[crop] > 0).astype(np.float32)
    with SummaryWriter(str(tmp_path / "run")) as writer:
        for tag, data in (("image", np.array(ct.data[crop])), ("label", mask)):
            nbviewer3d.plot_2d_or_3d_image(torch.from_numpy(data)[None, None], 0, writer, tag=tag)
    logged = nbviewer3d.view_logdir(str(tmp_path))
    assert logged.label is not None and logged.label.data.dtype == np.float32
    ids = nbviewer3d.view(logged.image, label=mask.astype(np.uint8))
    assert np.array_equal(pixels(png_of(logged)), pixels(png_of(ids)))
    assert chroma(pixels(png_of(logged))).max() > 40


def test_pane_pixels_are_the_browser_blend(liver_ct: tuple[Volume, Volume]) -> None:
    """Where the label is 1: grey * (1 - blend) + red * blend; elsewhere the windowed grey."""
    ct, label = liver_ct
    look = LabelLook(blend=0.5)
    axial = panes(ct, label, (-200.0, 300.0), None, look)[0]
    bare = panes(ct, None, (-200.0, 300.0), None, look)[0]
    assert axial.mode == "axial"
    grey = bare.pixels.astype(np.float64)
    ids = (np.abs(axial.pixels.astype(np.int16) - bare.pixels) > 0).any(axis=-1)
    liver = ids & (chroma(axial.pixels.astype(np.int16)) > 0)
    assert liver.sum() > 1000
    expected = np.rint(grey * 0.5 + RED * 0.5)
    is_liver = np.all(np.abs(axial.pixels - expected) <= 1, axis=-1)
    assert is_liver[liver].mean() > 0.7  # the rest: tumours, in green
    assert np.array_equal(axial.pixels[~ids], bare.pixels[~ids])


def test_picture_follows_step_and_window_and_is_kept_while_nothing_changes(
    viewer: nbviewer3d.Viewer, liver_ct: tuple[Volume, Volume]
) -> None:
    ct, label = liver_ct
    viewer.add(1, image=np.flip(ct.data, 2), label=np.flip(label.data, 2))
    viewer.step = 0
    first = png_of(viewer)
    assert viewer._still() is viewer._still(), "made again with nothing changed"
    viewer.step = 1
    second = png_of(viewer)
    assert second != first
    assert "step 1" in bundle(viewer)["text/plain"]
    viewer.vmin = viewer.vmin - 300
    windowed = png_of(viewer)
    assert windowed != second
    assert pixels(windowed)[chroma(pixels(windowed)) == 0].mean() > 0
    viewer.step = 0
    viewer.vmin = viewer.vmin + 300
    assert png_of(viewer) == first


def test_a_frame_of_the_current_state_from_the_browser_is_preferred(
    viewer: nbviewer3d.Viewer,
) -> None:
    drawn = Image.new("RGB", (400, 300), (10, 200, 30))
    out = io.BytesIO()
    drawn.save(out, format="PNG")
    frame = out.getvalue()
    # the message the browser sends with a picture (screenshot.py)
    message = {"type": "frame", "ids": [], "state": viewer._drawn_state(), "width": 400}
    viewer._on_message(viewer, {**message, "height": 300}, [frame])
    assert png_of(viewer) == frame
    assert "the browser's rendering" in bundle(viewer)["text/plain"]
    viewer.vmax = viewer.vmax + 100  # the frame no longer shows the viewer
    assert png_of(viewer) != frame


def test_a_wide_frame_is_shrunk(viewer: nbviewer3d.Viewer) -> None:
    out = io.BytesIO()
    Image.new("RGB", (1800, 900), (120, 120, 120)).save(out, format="PNG")
    message = {"type": "frame", "ids": [], "state": viewer._drawn_state()}
    viewer._on_message(viewer, {**message, "width": 1800, "height": 900}, [out.getvalue()])
    assert Image.open(io.BytesIO(png_of(viewer))).size == (MAX_WIDTH, 384)


def test_an_empty_viewer_has_words_and_no_picture() -> None:
    data = bundle(nbviewer3d.Viewer())
    assert "image/png" not in data
    assert "no volumes" in data["text/plain"]


def test_embed_mode_puts_the_page_in_place_of_the_widget(viewer: nbviewer3d.Viewer) -> None:
    set_embed(True)
    try:
        data = bundle(viewer)
    finally:
        set_embed(False)
    assert WIDGET_VIEW not in data
    assert data["text/html"].startswith("<iframe srcdoc=")
    assert "image/png" in data
    assert WIDGET_VIEW in bundle(viewer)


def test_nbconvert_html_of_a_saved_notebook_shows_the_picture(
    tmp_path: Path, liver_ct: object
) -> None:
    """Executed and saved as JupyterLab saves it (no widget state), then exported to HTML."""
    write_notebook(
        tmp_path / "still.ipynb",
        [
            "import nbviewer3d\nfrom nbviewer3d.demo import load_liver_ct\n"
            "ct, label = load_liver_ct()\nnbviewer3d.view(ct, label=label)"
        ],
    )
    execute = ["--to", "notebook", "--execute", "--ExecutePreprocessor.store_widget_state=False"]
    nbconvert(tmp_path, *execute, "--output", "saved.ipynb", "still.ipynb")
    saved = json.loads((tmp_path / "saved.ipynb").read_text())
    output = saved["cells"][0]["outputs"][0]["data"]
    assert {"image/png", "text/plain", WIDGET_VIEW} <= set(output)
    nbconvert(tmp_path, "--to", "html", "saved.ipynb")
    page = (tmp_path / "saved.html").read_text()
    images = re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"', page)
    assert images == [output["image/png"].strip()]


def test_the_state_a_picture_shows_leaves_out_anywidgets_code(viewer: nbviewer3d.Viewer) -> None:
    """The browser echoes these traits with every frame: the 760 KiB bundle is not one."""
    assert not {"_esm", "_anywidget_id"} & set(viewer._drawn_traits())
    assert {"step", "vmin", "label_colors", "cursor"} <= set(viewer._drawn_traits())


def test_a_picture_that_cannot_be_drawn_never_hides_the_widget(
    viewer: nbviewer3d.Viewer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise IndexError("a label no one foresaw")

    monkeypatch.setattr(viewer, "_still", broken)
    with pytest.warns(RuntimeWarning, match="a label no one foresaw"):
        data = bundle(viewer)
    assert data[WIDGET_VIEW]["model_id"] == viewer.model_id
    assert "image/png" not in data
