"""Side by side: nbviewer3d's and ipyniivue's default pictures of the same volumes.

    python tests/benchmarks/bench_viewer.py --pictures

For (a) the real CT with its liver/tumour label and (b) an MR head with a 116-region atlas,
both tools get the same NIfTI files and the plainest call their documentation shows:

* nbviewer3d: ``nbviewer3d.view(nib.load(image), label=nib.load(label))``;
* ipyniivue: ``NiiVue()`` with ``load_volumes([image, label])`` and a label colour table on
  the second volume (``set_colormap_label``), the label volume at opacity 0.5.

Each is shown in JupyterLab in a fresh browser context and kernel, on a canvas of the same
size, and its canvas is saved once the picture has stopped changing; the two are composed
with a caption row into ``notebooks/images/side_by_side_{ct,mr}.png``.

Data: the CT is LiTS case 117 from liver-ct-segmentation-package (its files are indexed
patient right->left, anterior->posterior, inferior->superior, 1 mm assumed: affine
``diag(-1, -1, 1)`` in RAS). The MR is nilearn's MNI152 2009a T1 template, read out of the
nilearn wheel that ``pip download`` fetches into a cache folder at run time (never
committed); its atlas is generated: the brain (template > 0) split into 116 regions, each
voxel labelled by the nearest of 116 points drawn from the brain with a seeded generator.
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from bench_viewer import _RUN_AND_WAIT, _WS_LOG, POLL_MS, REPO, SETTLE_MS
from browser.jupyter import JupyterServer, NotebookPage, chromium, running_server
from PIL import Image, ImageDraw, ImageFont

from nbviewer3d.phantoms import parcellate

IMAGES = REPO / "notebooks" / "images"
WIDTH, HEIGHT = 400, 380
CAPTION_PX = 46
NILEARN = "nilearn==0.14.1"
MNI_T1 = "nilearn/datasets/data/mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"
ATLAS_REGIONS = 116
CACHE = Path(tempfile.gettempdir()) / "nbviewer3d-bench-cache"

_NIIVUE_CSS = f".jp-OutputArea-output {{ width: {WIDTH}px !important; flex: none !important; }}"
CSS = {
    "nbviewer3d": f".nbviewer3d-canvas {{ width: {WIDTH}px !important; "
    f"height: {HEIGHT}px !important; flex: none !important; }}",
    "ipyniivue": _NIIVUE_CSS,
    "ipyniivue-3d": _NIIVUE_CSS,
}
# ipyniivue's default is its multiplanar layout; its 3D view alone is shown beside it.
CELLS = {
    "nbviewer3d": """\
        import nibabel as nib
        import nbviewer3d
        viewer = nbviewer3d.view(nib.load(IMAGE), label=nib.load(LABEL), height=HEIGHT)
        viewer
        """,
    "ipyniivue": """\
        import json
        from ipyniivue import NiiVue
        nv = NiiVue(height=HEIGHT)
        nv.load_volumes([{"path": IMAGE}, {"path": LABEL, "opacity": 0.5}])
        nv.volumes[1].set_colormap_label(json.loads(LUT))
        nv
        """,
    "ipyniivue-3d": """\
        import json
        from ipyniivue import NiiVue, SliceType
        nv = NiiVue(height=HEIGHT, slice_type=SliceType.RENDER)
        nv.load_volumes([{"path": IMAGE}, {"path": LABEL, "opacity": 0.5}])
        nv.volumes[1].set_colormap_label(json.loads(LUT))
        nv
        """,
}
CAPTIONS = {
    "nbviewer3d": "nbviewer3d {nbviewer3d}, default:\nview(img, label=lab)",
    "ipyniivue": "ipyniivue {ipyniivue}, default: NiiVue(), load_volumes(\n"
    "[img, lab]), label colour table, opacity 0.5",
    "ipyniivue-3d": "ipyniivue, 3D view: the same with\nslice_type=SliceType.RENDER",
}
CANVAS = {
    "nbviewer3d": ".nbviewer3d-canvas",
    "ipyniivue": ".jp-OutputArea-output canvas",
    "ipyniivue-3d": ".jp-OutputArea-output canvas",
}


# --------------------------------------------------------------------------- data


def _nifti(array: npt.NDArray[Any], affine: npt.NDArray[np.float64], path: Path) -> Path:
    import nibabel as nib

    nib.Nifti1Image(array, affine).to_filename(path)
    return path


def liver_ct(folder: Path) -> tuple[Path, Path, dict[int, str]]:
    """LiTS 117 CT (float32 HU) and label as NIfTI in RAS."""
    spec = importlib.util.find_spec("liver_ct_segmentation_package")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the CT picture needs `pip install --no-deps liver-ct-segmentation-package==1.6.0`"
        )
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    # MRC: 1024-byte header, then the voxels; read in C order, the axes run patient
    # right->left, anterior->posterior, inferior->superior (see nbviewer3d.demo)
    image = np.fromfile(data / "img_117.mrc", "<f4", offset=1024).reshape(128, 128, 128)
    label = np.fromfile(data / "lab_117.mrc", "<u2", offset=1024).reshape(128, 128, 128)
    affine = np.diag([-1.0, -1.0, 1.0, 1.0])  # stored R->L, A->P, I->S
    return (
        _nifti(image.astype(np.float32), affine, folder / "ct.nii.gz"),
        _nifti(label.astype(np.uint8), affine, folder / "ct_label.nii.gz"),
        {1: "liver", 2: "tumour"},
    )


def mni_t1() -> Any:
    """nilearn's MNI152 T1 template (a nibabel image), from the wheel pip downloads."""
    import nibabel as nib

    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = sorted(CACHE.glob("nilearn-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", NILEARN, "-d", str(CACHE)],
            check=True,
        )
        wheels = sorted(CACHE.glob("nilearn-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        raw = gzip.decompress(wheel.read(MNI_T1))
    return nib.Nifti1Image.from_bytes(raw)


def mr_atlas(folder: Path) -> tuple[Path, Path, dict[int, str]]:
    t1 = mni_t1()
    image = np.asarray(t1.dataobj)
    label = parcellate(image > 0, ATLAS_REGIONS, seed=116).astype(np.uint8)
    names = {i: f"region {i}" for i in range(1, ATLAS_REGIONS + 1)}
    return (
        _nifti(image, t1.affine, folder / "mr.nii.gz"),
        _nifti(label, t1.affine, folder / "mr_atlas.nii.gz"),
        names,
    )


def label_table(names: dict[int, str]) -> dict[str, list[Any]]:
    """A niivue label colour table: red/green for two classes, spread hues for more."""
    ids = [0, *sorted(names)]
    if len(names) <= 2:
        colours = [(0, 0, 0), (230, 40, 40), (40, 200, 60)][: len(ids)]
    else:
        colours = [(0, 0, 0)]
        for i in range(1, len(ids)):  # golden-angle hues, three lightness steps
            hue = (i * 0.618034) % 1.0
            colours.append(_hsv(hue, 0.75, (1.0, 0.8, 0.62)[i % 3]))
    return {
        "R": [c[0] for c in colours],
        "G": [c[1] for c in colours],
        "B": [c[2] for c in colours],
        "A": [0] + [255] * (len(ids) - 1),
        "I": ids,
        "labels": ["background", *(names[i] for i in ids[1:])],
    }


def _hsv(h: float, s: float, v: float) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return (round(r * 255), round(g * 255), round(b * 255))


# --------------------------------------------------------------------------- pictures


def shoot(
    browser: Any, server: JupyterServer, tool: str, image: Path, label: Path, lut: str
) -> Image.Image:
    """The tool's canvas once its picture stopped changing, in a fresh context and kernel."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.add_init_script(_WS_LOG)  # preserveDrawingBuffer, so the poll can read pixels
    page = None
    try:
        name = f"picture-{tool}-{image.name.split('.')[0]}.ipynb"
        cell = textwrap.dedent(CELLS[tool])
        for key, value in {
            "IMAGE": repr(str(image)),
            "LABEL": repr(str(label)),
            "HEIGHT": str(HEIGHT),
            "LUT": repr(lut),
        }.items():
            cell = cell.replace(key, value)
        server.write_notebook(name, [cell])
        raw = context.new_page()
        raw.goto(server.notebook_url(name, "lab"))
        page = NotebookPage(raw, server, name, "lab")
        page.wait_kernel_idle()
        raw.add_style_tag(content=CSS[tool])
        result = raw.evaluate(
            _RUN_AND_WAIT,
            {
                "cell": 0,
                "tool": tool.split("-")[0],
                "timeoutMs": 120_000,
                "pollMs": POLL_MS,
                "minFraction": 0.02,
                "settleMs": SETTLE_MS,
            },
        )
        if result["error"] or result["timeout"]:
            raise RuntimeError(f"{tool} did not draw {image.name}: {result}")
        if tool == "nbviewer3d":
            page.wait_rendered(0)
        png = raw.locator(CANVAS[tool]).last.screenshot(animations="disabled")
        picture = Image.open(io.BytesIO(png)).convert("RGB")
        return picture.resize((WIDTH, HEIGHT)) if picture.size != (WIDTH, HEIGHT) else picture
    finally:
        if page is not None:
            page.close()
        context.close()


def compose(pictures: list[Image.Image], captions: list[str], title: str, path: Path) -> None:
    """Pictures in a row under a title line, each with its caption below."""
    gap, top = 8, 24
    width = len(pictures) * WIDTH + (len(pictures) - 1) * gap
    out = Image.new("RGB", (width, top + HEIGHT + CAPTION_PX), (255, 255, 255))
    draw = ImageDraw.Draw(out)
    draw.text((6, 4), title, fill=(0, 0, 0), font=ImageFont.load_default(size=15))
    font = ImageFont.load_default(size=13)
    for i, (picture, text) in enumerate(zip(pictures, captions, strict=True)):
        x = i * (WIDTH + gap)
        out.paste(picture, (x, top))
        draw.multiline_text(
            (x + 6, top + HEIGHT + 5), text, fill=(20, 20, 20), font=font, spacing=3
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(path, optimize=True)


CASES: dict[str, tuple[str, Callable[[Path], tuple[Path, Path, dict[int, str]]]]] = {
    "ct": ("LiTS CT case 117 (128^3) with its liver (1) / tumour (2) label", liver_ct),
    "mr": (
        f"MNI152 2009a T1 template with a generated {ATLAS_REGIONS}-region atlas of its brain",
        mr_atlas,
    ),
}


def take_pictures(env: dict[str, str]) -> list[Path]:
    """Retake notebooks/images/side_by_side_{ct,mr}.png; returns the paths written."""
    import json

    written = []
    with tempfile.TemporaryDirectory(prefix="bench-pictures-") as tmp:
        folder = Path(tmp)
        (folder / "nb").mkdir()
        with running_server(folder / "nb", env=env) as server, chromium() as browser:
            for key, (title, make) in CASES.items():
                image, label, names = make(folder)
                lut = json.dumps(label_table(names))
                tools = list(CELLS)
                shots = [shoot(browser, server, tool, image, label, lut) for tool in tools]
                versions = {"nbviewer3d": version("nbviewer3d"), "ipyniivue": version("ipyniivue")}
                captions = [CAPTIONS[tool].format(**versions) for tool in tools]
                path = IMAGES / f"side_by_side_{key}.png"
                compose(shots, captions, title, path)
                print(f"wrote {path}", flush=True)
                written.append(path)
    return written
