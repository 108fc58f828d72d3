"""Benchmark: nbviewer3d against ipyniivue and K3D, from cell execution to first frame.

    python tests/benchmarks/bench_viewer.py [--quick] [--runs N] [--tools a,b]
        [--only TEXT[,TEXT...]]   (alias --cases; e.g. "LiTS CT 128^3", "512^3", "dask")
    python tests/benchmarks/bench_viewer.py --pictures

``--pictures`` measures nothing: it retakes the README's side-by-side pictures of
nbviewer3d's and ipyniivue's default views (see pictures.py).

For each volume (two real CTs with their labels, synthetic phantoms with and without a
label) and each tool, in a fresh browser context and a fresh kernel per run, one notebook
cell builds the widget from arrays already in the kernel's memory and displays it. Measured:

* bytes to browser: bytes of every websocket message the page receives (an init script
  wraps ``WebSocket`` and logs each message's size and ``performance.now()``), from
  triggering the cell until first frame was detected; the same method for every tool, and it
  includes the widget's JavaScript where the tool ships it through the comm (all three are
  anywidgets).
* kernel conversion: what the kernel spends turning arrays into what it sends.
  nbviewer3d: ``nbviewer3d.view(...)`` (timed in the cell) plus
  ``nbviewer3d.transport.encode`` of each of its volumes (timed after first frame, in the
  same kernel; in real use it runs when the browser asks). ipyniivue: nibabel NIfTI
  serialization (``Nifti1Image(...).to_bytes()``; ipyniivue takes files or bytes, not arrays)
  plus ``NiiVue(...)`` and ``load_volumes``. K3D: ``k3d.plot``, ``k3d.volume`` (label as its
  ``mask``) and ``plot += volume``. For ipyniivue and K3D the widgets' comms open (and
  serialize their state) inside those calls. ``display()`` is timed apart and not included.
* exec -> first frame: page-side ``performance.now()`` from the moment the cell's run is
  triggered (``notebook:run-cell``) until the first rendered frame. nbviewer3d: its root
  ``.nbviewer3d`` element's ``data-frames`` >= 1 (set after each completed render) with
  ``data-status`` "ready" (set when the frame showed the volumes). All
  tools, and nbviewer3d as a cross-check: every 50 ms the page draws the largest canvas of
  the cell's output into a 96x96 2D canvas (``drawImage`` + ``getImageData``) and counts
  pixels farther than 24 (sum of |dRGB|) from the most common colour; the volume is
  shown when they exceed 2 % of the canvas. So that any WebGL canvas can be read back,
  an init script makes every WebGL context of the page ``preserveDrawingBuffer: true``
  (all three tools alike; it costs a copy per frame).
* peak RSS of the kernel (VmHWM from ``/proc/self/status``), after first frame; it includes the
  arrays loaded before the timed cell (listed as "arrays" in the detailed table).

* first frame (nbviewer3d) is its first picture at any pyramid level: the coarse preview of a
  volume above 128^3 voxels counts (``data-frames`` >= 1 with a ``data-step``). exec -> full
  resolution: until ``data-status`` is "ready", i.e. the level the view settles on (level 0
  unless the texture limit or ``cache_mb`` keeps a coarser one, said in the table) is drawn
  and nothing is in flight.
* breakdown (nbviewer3d): the front end stamps ``performance.now()`` milestones on its root as
  ``data-timings`` (js/src/timings.ts: module, initialize, render, gl, fetch, received,
  decoded, uploaded, frame); the page's websocket log adds each kernel message's arrival,
  ``msg_type`` and custom message type (read from the first bytes of the v1 websocket frame).
  Phases: exec -> comm open (the largest comm_open frame: it carries the bundle), comm open ->
  bundle evaluated (``module``: Lab's deserialization, anywidget importing ``_esm``,
  evaluation), bundle -> render() (initialize, the display message), render -> GL ready,
  render -> fetch sent, fetch round trip (fetch -> ``received``; in brackets the arrival of
  the volumes frame, its bytes, and bytes / (arrival - fetch - kernel encode) as the wire
  rate), decode, scene build (max(decoded, gl) -> ``uploaded``: mappers and transfer
  functions set; vtk.js uploads textures inside the render call), first render (``uploaded``
  -> ``frame``: texture upload, shader compile, draw), total (exec -> ``frame``). Median over
  runs per phase.
* step switch (case "step switch: ..."): the kernel holds 3 steps of the 128^3 CT + label
  (steps 1, 2 rolled 16 and 32 voxels along x). After first frame, the page moves the panel's
  step slider (value + input/change events, as a drag does) through STEP_SWITCHES, each
  500 ms after the previous one settled, and times with a MutationObserver: submitted (the
  first frame with ``data-step`` the step issued), shown (``data-drawn``, the frame the GPU
  finished, reaches it: a fence polled between tasks, js/src/view/frame-clock.ts) and full
  (the GPU finished the frame that made ``data-status`` "ready"). A switch during which a
  "volumes" message arrived is a first visit (fetched from the kernel), else cached. Medians
  of each kind over all runs.
* new cases: phantom 512^3 int16 + label (nbviewer3d.phantoms.abdomen zoomed, see
  phantom_512), 1024^3 uint8 (that windowed to uint8, each voxel repeated 2x per axis), and
  dask 2048x2048x512 int16 (x, y, z; numpy [z, y, x] (512, 2048, 2048)), built in the kernel
  as ``dask.array.map_blocks`` of 32x512x512 chunks and handed to nbviewer3d as it is. A dask
  callback stops any compute that grows the kernel by 2 GiB (a MemoryError: the row records
  it). Memory guards (cannot()) record "cannot: <reason>" instead of running: ipyniivue and
  K3D take no dask array (np.asarray would make 4.3 GB and one message of that size), K3D
  over 256 MiB of float32, ipyniivue over 384 MiB in one message. Each run's page-side limit
  grows with the volume (run_timeout_s), and a browser that a run took down is started again.

Bytes are counted page-side (the websocket log), no longer through Playwright's frame events.
Results go to stdout and to tests/benchmarks/results/viewer.md (and .json with every run's
data-timings and step switches).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from browser.jupyter import (  # noqa: E402
    CHROMIUM,
    JupyterServer,
    NotebookPage,
    chromium,
    running_server,
)

RESULTS = REPO / "tests" / "benchmarks" / "results" / "viewer.md"
TOOLS = ("nbviewer3d", "ipyniivue", "k3d")
VIEWPORT = {"width": 1000, "height": 800}
HEIGHT_PX = 400
RUN_TIMEOUT_S = 90.0  # per run; big volumes get more (run_timeout_s), at most MAX_TIMEOUT_S
MAX_TIMEOUT_S = 600.0
POLL_MS = 50
MIN_FRACTION = 0.02
SETTLE_MS = 3000
LIVER_PACKAGE = "liver_ct_segmentation_package"
# Memory guards (see cannot()): K3D's frames for a 268 MB float32 volume ran Playwright's
# driver out of memory (README, 2026-11-21); the DevTools protocol hands Playwright every
# websocket frame base64-encoded in one string, so one message past ~400 MB exceeds V8's
# string limit in the driver.
K3D_GUARD_BYTES = 256 * 2**20  # K3D's float32 copy of the volume
MESSAGE_GUARD_BYTES = 384 * 2**20  # one volume in one message (ipyniivue's NIfTI bytes)
LAZY_SHAPE = (512, 2048, 2048)  # [z, y, x] of the dask case: x, y, z = 2048, 2048, 512
LAZY_CHUNKS = (32, 512, 512)
LAZY_GUARD_BYTES = 2 * 2**30  # kernel RSS growth during a dask compute that stops the run
STEP_SWITCHES = (1, 2, 0, 1, 2, 0, 1, 2)  # slider positions, after the view shows step 0
STEP_SHIFT = 16  # voxels each step rolls the CT and its label along x

# --------------------------------------------------------------------------- volumes

STEPS_CASE = "step switch: 3 steps of LiTS CT 128^3 float32 + label"
LAZY_CASE = "dask 2048x2048x512 int16"


@dataclass
class Case:
    """One volume (numpy order z, y, x) with or without a label, saved as .npy for kernels."""

    name: str
    image: Path | None  # None: lazy
    label: Path | None
    spacing: tuple[float, float, float]  # x, y, z mm
    shape: tuple[int, ...] = ()
    dtype: str = ""
    nbytes: int = 0  # the image's
    lazy: bool = False  # the kernel builds the image as a dask array (LAZY_IMAGE); no file
    steps: int = 1  # > 1: the step-switch case (nbviewer3d only), see STEP_SWITCHES
    label_bytes: int = 0


def _liver_arrays() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.uint8]]:
    """LiTS case 117 (128^3 float32 HU, label 0/1/2) as [z, y, x] arrays in RAS order."""
    try:
        from nbviewer3d.demo import load_liver_ct

        image, label = load_liver_ct()
        # stored (left, posterior, superior)-ward (see load_liver_ct): RAS flips axes 0 and 1
        return (
            np.ascontiguousarray(image.data[::-1, ::-1].transpose(2, 1, 0), np.float32),
            np.ascontiguousarray(label.data[::-1, ::-1].transpose(2, 1, 0), np.uint8),
        )
    except ImportError:  # the demo module not there yet: read the package's MRC files
        import importlib.util

        spec = importlib.util.find_spec(LIVER_PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise ModuleNotFoundError(
                "the real CT rows need `pip install --no-deps liver-ct-segmentation-package==1.6.0`"
            ) from None
        data = Path(next(iter(spec.submodule_search_locations))) / "data"
        img = np.fromfile(data / "img_117.mrc", "<f4", offset=1024).reshape(128, 128, 128)
        lab = np.fromfile(data / "lab_117.mrc", "<u2", offset=1024).reshape(128, 128, 128)
        # stored (left, posterior, superior)-ward, x fastest in the file -> RAS [z, y, x]
        return (
            np.ascontiguousarray(img[::-1, ::-1].transpose(2, 1, 0)),
            np.ascontiguousarray(lab[::-1, ::-1].transpose(2, 1, 0)).astype(np.uint8),
        )


def liver_108() -> tuple[npt.NDArray[np.int16], npt.NDArray[np.uint8]]:
    """The LiTS CT resampled to 108x256x256 [z, y, x]: int16 HU, label by nearest neighbour.

    scipy.ndimage.zoom with factors (108/128, 2, 2): linear (order=1) for the image, rounded
    to int16 HU; nearest (order=0) for the label. No crop or pad is needed: zoom hits the
    shape exactly. Voxel spacing becomes (0.5, 0.5, 128/108) mm from the assumed 1 mm.
    """
    from scipy.ndimage import zoom

    image, label = _liver_arrays()
    factors = (108 / 128, 2.0, 2.0)
    img = zoom(image, factors, order=1, grid_mode=True, mode="nearest")
    lab = zoom(label, factors, order=0, grid_mode=True, mode="nearest")
    if img.shape != (108, 256, 256) or lab.shape != (108, 256, 256):
        raise RuntimeError(f"zoom gave {img.shape} and {lab.shape}, not (108, 256, 256)")
    hu = np.clip(np.rint(img), -32768, 32767).astype(np.int16)
    return hu, lab.astype(np.uint8)


def phantom(
    shape: tuple[int, int, int], dtype: str
) -> tuple[npt.NDArray[Any], npt.NDArray[np.uint8]]:
    """A smooth CT-like phantom in HU [z, y, x], deterministic, and a two-blob label.

    Air (-1000) around an elliptic body cylinder (fat -100, soft tissue 40), a liver-like
    ellipsoid (60), two kidneys (30), a spine (700), Gaussian noise sd 15 (seeded); the
    label marks a blob in the liver (1) and one kidney (2).
    """
    nz, ny, nx = shape
    z, y, x = np.ogrid[-1 : 1 : nz * 1j, -1 : 1 : ny * 1j, -1 : 1 : nx * 1j]
    z = z.astype(np.float32)
    y = y.astype(np.float32)
    x = x.astype(np.float32)

    def ellipsoid(cz: float, cy: float, cx: float, rz: float, ry: float, rx: float) -> Any:
        return ((z - cz) / rz) ** 2 + ((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 <= 1.0

    body_xy = (y / 0.62) ** 2 + (x / 0.85) ** 2
    hu = np.full(shape, -1000.0, np.float32)
    hu[np.broadcast_to(body_xy <= 1.0, shape)] = -100.0
    hu[np.broadcast_to(body_xy <= 0.8, shape)] = 40.0
    hu[ellipsoid(0.1, -0.1, -0.35, 0.6, 0.3, 0.3)] = 60.0
    hu[ellipsoid(-0.1, 0.25, 0.35, 0.35, 0.12, 0.1)] = 30.0
    hu[ellipsoid(-0.1, 0.25, -0.1, 0.35, 0.12, 0.1)] = 30.0
    spine = np.broadcast_to(((y - 0.42) / 0.1) ** 2 + (x / 0.1) ** 2 <= 1.0, shape)
    hu[spine] = 700.0
    rng = np.random.default_rng(117)
    for k in range(nz):  # slice by slice keeps the temporary small for 512x512x256
        hu[k] += rng.standard_normal((ny, nx), dtype=np.float32) * 15.0
    label = np.zeros(shape, np.uint8)
    label[ellipsoid(0.15, -0.1, -0.4, 0.25, 0.15, 0.12)] = 1
    label[ellipsoid(-0.1, 0.25, 0.35, 0.2, 0.08, 0.07)] = 2
    if dtype == "int16":
        return np.rint(hu).astype(np.int16), label
    return hu, label


@functools.lru_cache(maxsize=1)
def phantom_512() -> tuple[npt.NDArray[np.int16], npt.NDArray[np.uint8]]:
    """nbviewer3d.phantoms.abdomen() (120x88x96 voxels x, y, z of 3.2x3.2x4 mm) resampled to
    512^3 [z, y, x] with scipy.ndimage.zoom: linear for the image (rounded to int16 HU),
    nearest for the label (uint8). Spacing becomes (0.75, 0.55, 0.75) mm (x, y, z)."""
    from scipy.ndimage import zoom

    from nbviewer3d.phantoms import abdomen

    p = abdomen()
    img = np.ascontiguousarray(p.image.transpose(2, 1, 0), np.float32)  # (x, y, z) -> [z, y, x]
    lab = np.ascontiguousarray(p.label.transpose(2, 1, 0))
    factors = tuple(512 / n for n in img.shape)
    image = zoom(img, factors, order=1, grid_mode=True, mode="nearest")
    label = zoom(lab, factors, order=0, grid_mode=True, mode="nearest")
    if image.shape != (512, 512, 512) or label.shape != (512, 512, 512):
        raise RuntimeError(f"zoom gave {image.shape} and {label.shape}, not 512^3")
    hu = np.clip(np.rint(image), -32768, 32767).astype(np.int16)
    return hu, label.astype(np.uint8)


def phantom_1024_uint8() -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """phantom_512's image windowed to uint8 ([-1000, 1000] HU -> [0, 255]) and each voxel
    repeated twice along each axis: 1024^3 uint8 (1 GiB), spacing halved. No label is shown
    (the returned one is a placeholder the case does not use)."""
    hu, _ = phantom_512()
    small = np.clip((hu.astype(np.float32) + 1000.0) * (255.0 / 2000.0), 0, 255)
    out = small.astype(np.uint8)
    for axis in range(3):
        out = np.repeat(out, 2, axis=axis)
    return out, np.zeros((1, 1, 1), np.uint8)


# Builds the dask case's image in the kernel, chunk by chunk and only when computed: the
# body cylinder, a liver-like ellipsoid and the spine of phantom(), without noise.
LAZY_IMAGE = """\
import dask.array as da
from dask.callbacks import Callback

def _lazy_block(block_info=None):
    (z0, z1), (y0, y1), (x0, x1) = block_info[None]["array-location"]
    nz, ny, nx = SHAPE
    z, y, x = (a.astype(np.float32) for a in np.ogrid[z0:z1, y0:y1, x0:x1])
    z, y, x = (2 * z + 1) / nz - 1, (2 * y + 1) / ny - 1, (2 * x + 1) / nx - 1
    body = (y / 0.62) ** 2 + (x / 0.85) ** 2
    out = np.where(body <= 0.8, 40, np.where(body <= 1.0, -100, -1000)).astype(np.int16)
    out = np.repeat(out, z1 - z0, axis=0)
    out[((z - 0.1) / 0.6) ** 2 + ((y + 0.1) / 0.3) ** 2 + ((x + 0.35) / 0.3) ** 2 <= 1] = 60
    out[np.broadcast_to(((y - 0.42) / 0.1) ** 2 + (x / 0.1) ** 2 <= 1, out.shape)] = 700
    return out

image = da.map_blocks(_lazy_block, chunks=tuple(
    tuple(min(c, n - i) for i in range(0, n, c)) for n, c in zip(SHAPE, CHUNKS)),
    dtype=np.int16, meta=np.empty((0, 0, 0), np.int16))

def _rss_kb():
    with open("/proc/self/statm") as _f:
        return int(_f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)

class _RssGuard(Callback):  # the benchmark's memory guard: stops a compute of the whole array
    def __init__(self, limit_kb):
        super().__init__()
        self.limit_kb = limit_kb
    def _posttask(self, key, result, dsk, state, worker_id):
        if _rss_kb() > self.limit_kb:
            raise MemoryError("benchmark guard: the kernel grew by more than GUARD_GIB GiB "
                              "while computing the dask array (computed whole?)")

_RssGuard(_rss_kb() + GUARD_KB).register()
"""


def build_cases(workdir: Path, quick: bool, only: str | None) -> list[Case]:
    """Make (and save once) every volume the run needs."""
    specs: list[tuple[str, Callable[[], tuple[Any, Any]], bool, tuple[float, float, float]]] = [
        ("LiTS CT 128^3 float32 + label", _liver_arrays, True, (1.0, 1.0, 1.0)),
        ("LiTS CT 108x256x256 int16 + label", liver_108, True, (0.5, 0.5, 128 / 108)),
        ("phantom 128^3 float32", lambda: phantom((128, 128, 128), "float32"), False, (1, 1, 1)),
        (
            "phantom 128^3 float32 + label",
            lambda: phantom((128, 128, 128), "float32"),
            True,
            (1, 1, 1),
        ),
        ("phantom 128x256x256 int16", lambda: phantom((128, 256, 256), "int16"), False, (1, 1, 1)),
        (
            "phantom 128x256x256 int16 + label",
            lambda: phantom((128, 256, 256), "int16"),
            True,
            (1, 1, 1),
        ),
        ("phantom 256x512x512 int16", lambda: phantom((256, 512, 512), "int16"), False, (1, 1, 1)),
        (
            "phantom 256x512x512 int16 + label",
            lambda: phantom((256, 512, 512), "int16"),
            True,
            (1, 1, 1),
        ),
        ("phantom 512^3 int16 + label", phantom_512, True, (0.75, 0.55, 0.75)),
        ("phantom 1024^3 uint8", phantom_1024_uint8, False, (0.375, 0.275, 0.375)),
        (STEPS_CASE, _liver_arrays, True, (1.0, 1.0, 1.0)),
        (LAZY_CASE, _lazy_placeholder, False, (1.0, 1.0, 1.0)),
    ]
    if quick:
        specs = [s for s in specs if "128^3" in s[0]]
    if only:
        wanted = [w.strip().lower() for w in only.split(",") if w.strip()]
        specs = [s for s in specs if any(w in s[0].lower() for w in wanted)]
    cases: list[Case] = []
    made: dict[Any, tuple[Path, Path, tuple[int, ...], str, int, int]] = {}
    for name, make, with_label, spacing in specs:
        if name == LAZY_CASE:
            nbytes = int(np.prod(LAZY_SHAPE)) * 2
            cases.append(Case(name, None, None, spacing, LAZY_SHAPE, "int16", nbytes, lazy=True))
            continue
        key = make if not name.startswith("phantom") else name.replace(" + label", "")
        if key not in made:
            image, label = make()
            stem = workdir / f"vol{len(made)}"
            np.save(f"{stem}-image.npy", image)
            np.save(f"{stem}-label.npy", label)
            made[key] = (
                Path(f"{stem}-image.npy"),
                Path(f"{stem}-label.npy"),
                tuple(image.shape),
                str(image.dtype),
                int(image.nbytes),
                int(label.nbytes),
            )
            del image, label
        img_path, lab_path, shape, dtype, nbytes, label_bytes = made[key]
        cases.append(
            Case(
                name,
                img_path,
                lab_path if with_label else None,
                spacing,
                shape,
                dtype,
                nbytes,
                steps=3 if name == STEPS_CASE else 1,
                label_bytes=label_bytes if with_label else 0,
            )
        )
    return cases


def _lazy_placeholder() -> tuple[Any, Any]:
    raise AssertionError("the dask case is built in the kernel (LAZY_IMAGE)")


def cannot(case: Case, tool: str) -> str | None:
    """Why ``tool`` cannot run ``case`` here (a memory guard), else None."""
    gb = case.nbytes / 1e9
    if tool != "nbviewer3d" and case.lazy:
        return (
            f"cannot: takes no dask array; np.asarray would make {gb:.1f} GB in the kernel and "
            f"one {gb:.1f} GB message, over the {MESSAGE_GUARD_BYTES / 2**20:.0f} MiB "
            "per-message memory guard"
        )
    if tool == "k3d" and int(np.prod(case.shape)) * 4 > K3D_GUARD_BYTES:
        return (
            f"cannot: K3D sends a float32 copy ({np.prod(case.shape) * 4 / 1e6:.0f} MB); over "
            f"{K3D_GUARD_BYTES / 2**20:.0f} MiB Playwright's driver ran out of memory"
        )
    if tool == "ipyniivue" and case.nbytes > MESSAGE_GUARD_BYTES:
        return (
            f"cannot: one {case.nbytes / 1e6:.0f} MB NIfTI message, over the "
            f"{MESSAGE_GUARD_BYTES / 2**20:.0f} MiB per-message memory guard"
        )
    return None


def run_timeout_s(case: Case, tool: str) -> float:
    """The page-side limit of one run: 90 s, more for big volumes (ipyniivue's 206 MB took 62 s)."""
    rate = 2e6 if tool == "ipyniivue" else 4e6  # bytes per second of budget
    return min(MAX_TIMEOUT_S, max(RUN_TIMEOUT_S, (case.nbytes + case.label_bytes) / rate))


# --------------------------------------------------------------------------- notebook cells


def setup_cell(case: Case, tool: str) -> str:
    """Loads the arrays and imports the tool: not timed."""
    imports = {
        "nbviewer3d": "import nbviewer3d\nfrom nbviewer3d.transport import encode",
        "ipyniivue": "import nibabel as nib\nfrom ipyniivue import NiiVue, SliceType",
        "k3d": "import k3d",
    }[tool]
    label = f"np.load({str(case.label)!r})" if case.label else "None"
    if case.lazy:
        load = (
            LAZY_IMAGE.replace("SHAPE", repr(LAZY_SHAPE))
            .replace("CHUNKS", repr(LAZY_CHUNKS))
            .replace("GUARD_GIB", f"{LAZY_GUARD_BYTES / 2**30:g}")
            .replace("GUARD_KB", str(LAZY_GUARD_BYTES // 1024))
        )
        sample = "np.asarray(image[::8, ::8, ::8])"  # a 1/512 sample: never the whole array
    else:
        load = f"image = np.load({str(case.image)!r})\n"
        sample = "image[::2, ::2, ::2]"
    return (
        textwrap.dedent(
            f"""\
        import json, os, resource, time
        import numpy as np
        from IPython.display import display
        {{imports}}
        {{load}}
        label = {label}
        spacing = {case.spacing!r}
        def _hwm_kb():  # peak RSS since exec (ru_maxrss would carry the server's from fork)
            for _line in open("/proc/self/status"):
                if _line.startswith("VmHWM:"):
                    return int(_line.split()[1])
            return 0
        lo, hi = (float(v) for v in np.percentile({sample}, [0.5, 99.5]))
        _bench = {{"arrays_bytes": image.nbytes + (0 if label is None else label.nbytes),
                  "rss_before_kb": _hwm_kb()}}
        """
        )
        .replace("{imports}", imports)
        .replace("{load}\n", load)
    )


def timed_cell(tool: str, case: Case) -> str:
    """Builds the widget from the in-memory arrays and displays it. The step-switch case adds
    steps 1 and 2 (the CT and label rolled STEP_SHIFT and twice that along x) and shows step 0.
    For a dask image the other tools get what a user would have to do: np.asarray (timed)."""
    build = {
        "nbviewer3d": """\
            # the cases are slice-first [z, y, x] arrays, spacing (x, y, z)
            w = nbviewer3d.view(image=image, label=label, axes="zyx", spacing=spacing[::-1],
                                height=HEIGHT)
            for _s in range(1, STEPS):
                w.add(_s, image=np.roll(image, _s * SHIFT, axis=2),
                      label=np.roll(label, _s * SHIFT, axis=2), axes="zyx", spacing=spacing[::-1])
            w.step = 0
            """,
        "ipyniivue": """\
            def _nii(a):  # NIfTI is x-fastest: the [z, y, x] C-order buffer as (x, y, z)
                return nib.Nifti1Image(a.T, np.diag([*spacing, 1.0])).to_bytes()
            w = NiiVue(height=HEIGHT, slice_type=SliceType.RENDER)
            _vols = [{"data": _nii(image), "name": "image.nii", "cal_min": lo, "cal_max": hi}]
            if label is not None:
                _vols.append({"data": _nii(label), "name": "label.nii", "colormap": "red",
                              "opacity": 0.5, "cal_min": 0.5, "cal_max": float(label.max())})
            w.load_volumes(_vols)
            """,
        "k3d": """\
            _z, _y, _x = image.shape
            _bounds = [0, _x * spacing[0], 0, _y * spacing[1], 0, _z * spacing[2]]
            w = k3d.plot(height=HEIGHT, grid_visible=False, axes_helper=0, menu_visibility=False)
            w += k3d.volume(image, color_range=[lo, hi], bounds=_bounds)
            if label is not None:  # K3D's label display: coloured voxels
                w += k3d.voxels(label, color_map=[0xFF0000, 0x00FF00, 0x0000FF, 0xFFFF00],
                                bounds=_bounds, outlines=False, opacity=0.5)
            """,
    }[tool]
    body = (
        textwrap.dedent(build)
        .replace("HEIGHT", str(HEIGHT_PX))
        .replace("STEPS", str(case.steps))
        .replace("SHIFT", str(STEP_SHIFT))
    )
    if case.lazy and tool != "nbviewer3d":
        body = "image = np.asarray(image)  # these tools take no dask array\n" + body
    return (
        "_t0 = time.perf_counter()\n"
        + body
        + "_t1 = time.perf_counter()\n"
        + "display(w)\n"
        + "_bench.update(construct_s=_t1 - _t0, display_s=time.perf_counter() - _t1)\n"
    )


AFTER_FRAME = {
    # peak RSS first: the extra encode below must not raise it
    "nbviewer3d": """\
        _bench["maxrss_kb"] = _hwm_kb()
        _bench["widget_bytes_sent"] = w.bytes_sent
        _t0 = time.perf_counter()
        _n = 0
        try:
            for _role in ("image", "label"):
                _v = getattr(w, _role)
                if _v is not None:
                    _meta, _buf = encode(_v, _role)
                    _n += memoryview(_buf).nbytes
            _bench.update(encode_s=time.perf_counter() - _t0, encoded_bytes=_n)
        except Exception as _e:  # a lazy image may not encode whole: that is no failure here
            _bench["encode_error"] = f"{type(_e).__name__}: {_e}"[:200]
        """,
    "ipyniivue": """\
        _bench["maxrss_kb"] = _hwm_kb()
        _bench["encoded_bytes"] = sum(len(v.data) for v in w.volumes)
        """,
    "k3d": """\
        _bench["maxrss_kb"] = _hwm_kb()
        _bench["encoded_bytes"] = sum(
            getattr(o, a).nbytes for o in w.objects for a in ("volume", "voxels") if hasattr(o, a))
        """,
}

# --------------------------------------------------------------------------- page side

# Logs each websocket message in the page's clock: size, msg_type, custom message type.
_WS_LOG = r"""(() => {
  const Native = window.WebSocket;
  window.__wsLog = [];
  // [msg_type, custom message type] of a kernel message, reading only its first bytes:
  // v1.kernel.websocket.jupyter.org frames (binary: offsets, channel, header, parent, metadata,
  // content, buffers) or the JSON text of the older protocol.
  const head = /"msg_type":\s*"(\w+)"/;
  const custom = /"method":\s*"custom",\s*"content":\s*\{[^{}]*?"type":\s*"(\w+)"/;
  const decoder = new TextDecoder();
  const classify = (d) => {
    try {
      if (typeof d === 'string') {
        const start = d.slice(0, 8192);
        const m = head.exec(start), c = custom.exec(start);
        return [m ? m[1] : null, c ? c[1] : null];
      }
      if (!(d instanceof ArrayBuffer) || d.byteLength < 16) return [null, null];
      const view = new DataView(d);
      const count = Number(view.getBigUint64(0, true));
      if (count < 6 || 8 * (count + 1) > d.byteLength) return [null, null];
      const at = (i) => Number(view.getBigUint64(8 * (i + 1), true));
      const header = decoder.decode(new Uint8Array(d, at(1), Math.min(4096, at(2) - at(1))));
      const content = decoder.decode(new Uint8Array(d, at(4), Math.min(4096, at(5) - at(4))));
      const m = head.exec(header), c = custom.exec(content);
      return [m ? m[1] : null, c ? c[1] : null];
    } catch (error) {
      return [null, null];
    }
  };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      const url = this.url;
      this.addEventListener('message', (e) => {
        const t = performance.now();
        const d = e.data;
        const n = typeof d === 'string' ? new TextEncoder().encode(d).length
          : (d.byteLength !== undefined ? d.byteLength : d.size);
        const [type, kind] = classify(d);
        window.__wsLog.push([url, t, n, type, kind]);
      });
    }
  };
  // Every tool gets preserveDrawingBuffer, so the pixel poll can read any WebGL canvas
  // (without it, drawImage of a composited WebGL canvas may come back blank).
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, options) {
    if (type === 'webgl' || type === 'webgl2' || type === 'experimental-webgl') {
      options = Object.assign({}, options || {}, {preserveDrawingBuffer: true});
    }
    return getContext.call(this, type, options);
  };
})();"""

# Runs the timed cell and polls until first frame, all inside the page (no round trips).
_RUN_AND_WAIT = """async ({cell, tool, timeoutMs, pollMs, minFraction, settleMs}) => {
  const app = window.jupyterapp;
  const nb = app.shell.currentWidget.content;
  const node = nb.widgets[cell].node;
  const probe = document.createElement('canvas');
  probe.width = 96; probe.height = 96;
  const ctx = probe.getContext('2d', {willReadFrequently: true});
  const shown = () => {
    let best = null, area = 0;
    for (const c of node.querySelectorAll('.jp-OutputArea canvas')) {
      const a = c.width * c.height;
      if (a > area && c.getClientRects().length > 0) { best = c; area = a; }
    }
    if (best === null) return -1;
    ctx.clearRect(0, 0, 96, 96);
    ctx.drawImage(best, 0, 0, 96, 96);
    const d = ctx.getImageData(0, 0, 96, 96).data;
    const counts = new Map();
    for (let i = 0; i < d.length; i += 4) {
      const k = ((d[i] >> 3) << 10) | ((d[i + 1] >> 3) << 5) | (d[i + 2] >> 3);
      counts.set(k, (counts.get(k) || 0) + 1);
    }
    let mode = 0, most = -1;
    for (const [k, n] of counts) if (n > most) { most = n; mode = k; }
    const br = ((mode >> 10) & 31) * 8 + 4;
    const bg = ((mode >> 5) & 31) * 8 + 4;
    const bb = (mode & 31) * 8 + 4;
    let far = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - br) + Math.abs(d[i + 1] - bg) + Math.abs(d[i + 2] - bb) > 24) far++;
    }
    return far / (d.length / 4);
  };
  const fingerprint = () => {
    const d = ctx.getImageData(0, 0, 96, 96).data;
    let h = 0;
    for (let i = 0; i < d.length; i++) h = (h * 31 + (d[i] >> 2)) | 0;
    return h;
  };
  const errorText = () => {
    for (const o of nb.widgets[cell].model.outputs.toJSON()) {
      if (o.output_type === 'error') return o.ename + ': ' + o.evalue;
    }
    const root = node.querySelector('.nbviewer3d');
    if (root && root.getAttribute('data-status') === 'error') return root.textContent.slice(0, 300);
    return null;
  };
  nb.activeCellIndex = cell;
  nb.deselectAll();
  const t0 = performance.now();
  app.commands.execute('notebook:run-cell');
  let frames = -1;
  const r = {frameMs: null, pixelsMs: null, canvasMs: null, idleMs: null, fraction: 0,
             error: null, timeout: false, settledMs: null, fullMs: null, timings: null};
  let signature = null, doneMs = null;
  const kernel = app.shell.currentWidget.sessionContext.session.kernel;
  let sawBusy = false;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const now = performance.now() - t0;
    if (kernel.status === 'busy') sawBusy = true;
    if (sawBusy && r.idleMs === null && kernel.status === 'idle') r.idleMs = now;
    r.error = errorText();
    if (r.error) break;
    if (tool === 'nbviewer3d' && r.fullMs === null) {
      const root = node.querySelector('.nbviewer3d');
      // the first picture: a frame with volumes, at any level (the preview counts)
      const drawn = root && Number(root.getAttribute('data-frames') || '0') >= 1
          && root.getAttribute('data-status') !== 'error' && root.hasAttribute('data-step');
      if (drawn && r.frameMs === null) r.frameMs = now;
      // the final picture: the level the view settles on drawn ("ready": nothing in flight)
      if (drawn && root.getAttribute('data-status') === 'ready') r.fullMs = now;
    }
    const f = shown();
    if (f >= 0 && r.canvasMs === null) r.canvasMs = now;
    const root = node.querySelector('.nbviewer3d');
    const n = root ? Number(root.getAttribute('data-frames') || '0') : -1;
    if (f > 0) {  // readable pixels: the picture changed
      const sig = fingerprint();
      if (sig !== signature) { signature = sig; r.settledMs = now; }
    } else if (n !== frames) {  // vtk.js' canvas cannot be read back: count its frames
      frames = n;
      if (n > 0) r.settledMs = now;
    }
    if (f > r.fraction) r.fraction = f;
    if (r.pixelsMs === null && f >= minFraction) r.pixelsMs = now;
    const done = tool === 'nbviewer3d'
      ? r.fullMs !== null && (r.pixelsMs !== null || now - r.frameMs > 5000)
      : r.pixelsMs !== null;
    if (done && doneMs === null) doneMs = now;
    // keep watching until the picture has not changed for settleMs: the complete view
    if (doneMs !== null && now - r.settledMs >= settleMs) break;
    if (now > timeoutMs) { r.timeout = true; break; }
  }
  r.t0 = t0;
  const root = node.querySelector('.nbviewer3d');
  const timings = root ? root.getAttribute('data-timings') : null;
  r.timings = timings ? JSON.parse(timings) : null;
  return r;
}"""

# Moves the step slider (as a user drags it: its input and change events) to each position in
# turn and times, with a MutationObserver on the view's root, until a completed frame shows
# that step: data-step is the step, data-frames grew and data-status is "ready".
_STEP_SWITCH = """async ({cell, positions, timeoutMs, pauseMs}) => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const root = nb.widgets[cell].node.querySelector('.nbviewer3d');
  const slider = root.querySelector('input[data-control="step"]');
  if (!slider) return {error: 'no step slider in the panel'};
  const out = [];
  for (const position of positions) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const frames = Number(root.dataset.frames || '0');
    const wsBefore = window.__wsLog.length;
    // submitted: the first frame showing the step handed to the GPU; shown: the GPU finished
    // it (data-drawn); full: the full-resolution frame ("ready") finished
    const t = {submitted: null, shown: null, full: null, scale: null, gpuMs: null};
    let first = null, last = null;
    const done = new Promise((resolve) => {
      const check = (now) => {
        const n = Number(root.dataset.frames || '0');
        const drawn = Number(root.dataset.drawn || '0');
        if (root.dataset.step !== String(position) || n <= frames) return false;
        if (first === null) { first = n; t.submitted = now; }
        if (t.shown === null && drawn >= first) {
          t.shown = now;
          t.scale = Number(root.dataset.drawnScale || '1');
          // the GPU time of that frame, when it was drawn alone (see js/src/view/frame-clock.ts)
          t.gpuMs = Number(root.dataset[t.scale > 1 ? 'quickFrameMs' : 'fullFrameMs'] || 'NaN');
        }
        if (last === null && root.dataset.status === 'ready') last = n;
        if (last !== null && drawn >= last) { t.full = now; return true; }
        return false;
      };
      const observer = new MutationObserver(() => {
        if (check(performance.now())) { observer.disconnect(); resolve(); }
      });
      observer.observe(root, {attributes: true});
      setTimeout(() => { observer.disconnect(); resolve(); }, timeoutMs);
    });
    const t0 = performance.now();
    slider.value = String(position);
    slider.dispatchEvent(new Event('input', {bubbles: true}));
    slider.dispatchEvent(new Event('change', {bubbles: true}));
    await done;
    const fetched = window.__wsLog.slice(wsBefore).filter(
      (e) => e[4] === 'volumes' || e[4] === 'chunk');
    const kinds = window.__wsLog.slice(wsBefore).map((e) => e[4] || e[3]);
    const since = (v) => v === null ? null : v - t0;
    out.push({step: position, ms: since(t.full), shownMs: since(t.shown),
              submittedMs: since(t.submitted), shownScale: t.scale, shownGpuMs: t.gpuMs,
              fullGpuMs: Number(root.dataset.fullFrameMs || 'NaN'), fetched: fetched.length > 0,
              bytes: fetched.reduce((a, e) => a + e[2], 0), messages: kinds.join(' ')});
  }
  return {switches: out};
}"""


@dataclass
class Run:
    ok: bool
    first_frame_s: float | None = None
    pixels_s: float | None = None
    transfer_s: float | None = None
    settled_s: float | None = None
    bytes_total: int = 0
    cell_idle_s: float | None = None
    bytes_to_browser: int = 0
    kernel_s: float | None = None
    bench: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    fraction: float = 0.0
    shot_fraction: float | None = None
    full_s: float | None = None  # nbviewer3d: exec -> frame at full resolution (data-level)
    bytes_full: int | None = None  # websocket bytes until then
    timings: dict[str, float] = field(default_factory=dict)  # the view's data-timings
    phases: dict[str, float | None] = field(default_factory=dict)  # see phases()
    switches: list[dict[str, Any]] = field(default_factory=list)  # step-switch case


def _foreground(png: Path) -> float:
    """Share of a screenshot's pixels away from its most common colour (the background)."""
    from PIL import Image

    rgb = np.asarray(Image.open(png).convert("RGB")).reshape(-1, 3).astype(np.int32)
    colours, counts = np.unique(rgb >> 3, axis=0, return_counts=True)
    background = colours[counts.argmax()] * 8 + 4
    return float((np.abs(rgb - background).sum(axis=1) > 24).mean())


def phases(
    timings: dict[str, float] | None, log: list[list[Any]], t0: float, bench: dict[str, Any]
) -> dict[str, float | None]:
    """nbviewer3d's load split into phases (seconds; None where a mark is missing), from the
    view's data-timings and the page's websocket log (both performance.now() of the page).

    open = arrival of the largest comm_open frame after t0 (the one that carries the bundle);
    wire = the custom "volumes" (or base64 "chunk") frames that arrived between the first fetch
    and the "received" mark: their bytes, and when the last of them was in."""
    if not timings:
        return {}
    mark = {k: float(v) for k, v in timings.items()}

    def gap(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else (b - a) / 1000

    opens = [(n, t) for _url, t, n, kind, _c in log if kind == "comm_open" and t >= t0]
    opened = max(opens)[1] if opens else None
    fetch, received = mark.get("fetch"), mark.get("received")
    wire = [
        (t, n)
        for _url, t, n, _k, custom in log
        if custom in ("volumes", "chunk")
        and fetch is not None
        and received is not None
        and fetch <= t <= received
    ]
    wire_in = max(t for t, _ in wire) if wire else None
    wire_bytes = sum(n for _, n in wire) if wire else None
    ready = [mark[k] for k in ("decoded", "gl") if k in mark]
    out: dict[str, float | None] = {
        "kernel": bench.get("construct_s", 0.0) + bench.get("encode_s", 0.0),
        "exec_to_open": gap(t0, opened),
        "open_to_module": gap(opened, mark.get("module")),
        "module_to_render": gap(mark.get("module"), mark.get("render")),
        "render_to_gl": gap(mark.get("render"), mark.get("gl")),
        "render_to_fetch": gap(mark.get("render"), fetch),
        "fetch_to_received": gap(fetch, received),
        "fetch_to_wire_in": gap(fetch, wire_in),
        "wire_bytes": None if wire_bytes is None else float(wire_bytes),
        "decode": gap(received, mark.get("decoded")),
        "scene": gap(max(ready) if ready else None, mark.get("uploaded")),
        "first_render": gap(mark.get("uploaded"), mark.get("frame")),
        "total": gap(t0, mark.get("frame")),
    }
    encode = bench.get("encode_s")
    if wire_bytes and wire_in is not None and fetch is not None and encode is not None:
        seconds = (wire_in - fetch) / 1000 - encode
        out["wire_mb_s"] = wire_bytes / 1e6 / seconds if seconds > 0 else None
    return out


def run_once(
    browser: Any, server: JupyterServer, case: Case, tool: str, tag: str, shots: Path
) -> Run:
    context = browser.new_context(viewport=VIEWPORT)  # fresh HTTP cache and JS state
    context.add_init_script(_WS_LOG)
    page = None
    try:
        name = f"bench-{tag}.ipynb"
        server.write_notebook(name, [setup_cell(case, tool), timed_cell(tool, case)])
        raw = context.new_page()
        raw.goto(server.notebook_url(name, "lab"))
        page = NotebookPage(raw, server, name, "lab")
        page.wait_kernel_idle()
        page.run_cell(0)  # arrays into memory, tool imported: not timed
        result = raw.evaluate(
            _RUN_AND_WAIT,
            {
                "cell": 1,
                "tool": tool,
                "timeoutMs": run_timeout_s(case, tool) * 1000,
                "pollMs": POLL_MS,
                "minFraction": MIN_FRACTION,
                "settleMs": SETTLE_MS,
            },
        )
        log = raw.evaluate("() => window.__wsLog")
        t0 = float(result["t0"])
        timed = [((t_page - t0) / 1000, int(n)) for _url, t_page, n, *_ in log if t_page >= t0]
        run = Run(ok=False, fraction=float(result["fraction"]))
        run.bytes_total = sum(n for _, n in timed)
        run.bytes_to_browser = run.bytes_total
        run.cell_idle_s = None if result["idleMs"] is None else result["idleMs"] / 1000
        if result["error"]:
            run.error = str(result["error"])
            return run
        if result["timeout"]:
            problems = page.page_errors + [t for k, t in page.console if k == "error"]
            run.error = "timeout" + (f" (page: {'; '.join(problems)[:200]})" if problems else "")
            if tool == "nbviewer3d" and result["frameMs"] is not None:
                run.first_frame_s = result["frameMs"] / 1000  # a coarse frame came, full did not
                run.error += " before full resolution"
            with contextlib.suppress(Exception):
                raw.screenshot(path=str(shots / f"{tag}-timeout.png"), timeout=10_000)
            return run
        frame_ms = result["frameMs"] if tool == "nbviewer3d" else result["pixelsMs"]
        run.first_frame_s = frame_ms / 1000
        full_ms = result["fullMs"] if tool == "nbviewer3d" else None
        run.full_s = None if full_ms is None else full_ms / 1000
        run.pixels_s = None if result["pixelsMs"] is None else result["pixelsMs"] / 1000
        run.settled_s = None if result["settledMs"] is None else result["settledMs"] / 1000
        before = [(t, n) for t, n in timed if t <= run.first_frame_s]
        run.bytes_to_browser = sum(n for _, n in before)
        if run.full_s is not None:
            run.bytes_full = sum(n for t, n in timed if t <= run.full_s)
        big = [t for t, n in before if n > 64 * 1024]
        run.transfer_s = big[-1] if big else None
        page.execute(textwrap.dedent(AFTER_FRAME[tool]))
        run.bench = page.eval_json("_bench")
        run.kernel_s = run.bench["construct_s"] + run.bench.get("encode_s", 0.0)
        if tool == "nbviewer3d":
            run.timings = result["timings"] or {}
            run.phases = phases(result["timings"], log, t0, run.bench)
        if case.steps > 1:
            switched = raw.evaluate(
                _STEP_SWITCH,
                {"cell": 1, "positions": list(STEP_SWITCHES), "timeoutMs": 60_000, "pauseMs": 500},
            )
            if switched.get("error"):
                run.error = f"step switch: {switched['error']}"
                return run
            run.switches = switched["switches"]
        run.ok = True
        try:
            canvas = raw.locator(".jp-OutputArea canvas").last
            canvas.screenshot(path=str(shots / f"{tag}.png"), timeout=10_000)
            run.shot_fraction = _foreground(shots / f"{tag}.png")
        except Exception:  # a screenshot is only for looking at afterwards
            pass
        return run
    except Exception as error:  # one broken run must not end the benchmark
        return Run(ok=False, error=f"{type(error).__name__}: {str(error)[:300]}")
    finally:
        if page is not None:
            with contextlib.suppress(Exception):
                page.close()  # shuts the kernel down: the next run starts a fresh one
        with contextlib.suppress(Exception):
            context.close()


# --------------------------------------------------------------------------- report


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _mb(n: float | None) -> str:
    return "-" if n is None else f"{n / 1e6:.1f} MB"


def _s(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f} s"


PHASES = (  # (key, column title) of the breakdown table, in the order of the load
    ("kernel", "kernel conversion"),
    ("exec_to_open", "exec -> comm open"),
    ("open_to_module", "comm open -> bundle evaluated"),
    ("module_to_render", "bundle -> render()"),
    ("render_to_gl", "render -> GL ready"),
    ("render_to_fetch", "render -> fetch sent"),
    ("fetch_to_received", "fetch round trip"),
    ("decode", "decode"),
    ("scene", "scene build"),
    ("first_render", "first render"),
    ("total", "total"),
)


def _switch_medians(runs: list[Run], fetched: bool, key: str = "ms") -> tuple[float | None, int]:
    times = [
        w[key] / 1000
        for r in runs
        for w in r.switches
        if w["fetched"] == fetched and w[key] is not None
    ]
    return _median(times), len(times)


def summarize(case: Case, tool: str, runs: list[Run], reason: str | None = None) -> dict[str, Any]:
    good = [r for r in runs if r.ok]
    failures = [r.error or "failed" for r in runs if not r.ok] + ([reason] if reason else [])
    first_visit, n_first = _switch_medians(good, True)
    cached, n_cached = _switch_medians(good, False)
    cached_shown, _ = _switch_medians(good, False, "shownMs")
    cached_submitted, _ = _switch_medians(good, False, "submittedMs")
    first_shown, _ = _switch_medians(good, True, "shownMs")
    lost = sum(1 for r in good for w in r.switches if w["ms"] is None)
    phase_medians = {
        key: _median([v for r in good if (v := r.phases.get(key)) is not None])
        for key in [k for k, _ in PHASES] + ["fetch_to_wire_in", "wire_bytes", "wire_mb_s"]
    }
    return {
        "cannot": reason,
        "full_s": _median([r.full_s for r in good if r.full_s is not None]),
        "bytes_full": _median([r.bytes_full for r in good if r.bytes_full is not None]),
        "phases": phase_medians,
        "switch_first_s": first_visit,
        "switch_first_n": n_first,
        "switch_cached_s": cached,
        "switch_cached_n": n_cached,
        "switch_cached_shown_s": cached_shown,
        "switch_cached_submitted_s": cached_submitted,
        "switch_first_shown_s": first_shown,
        "switch_lost": lost,
        "switches": [r.switches for r in good if r.switches],
        "timings": [r.timings for r in good if r.timings],
        "volume": case.name,
        "tool": tool,
        "runs": f"{len(good)}/{len(runs)}",
        "bytes": _median([r.bytes_to_browser for r in good]),
        "kernel_s": _median([r.kernel_s for r in good if r.kernel_s is not None]),
        "first_frame_s": _median([r.first_frame_s for r in good if r.first_frame_s is not None]),
        "pixels_s": _median([r.pixels_s for r in good if r.pixels_s is not None]),
        "transfer_s": _median([r.transfer_s for r in good if r.transfer_s is not None]),
        "settled_s": _median([r.settled_s for r in good if r.settled_s is not None]),
        "bytes_total": _median([r.bytes_total for r in good]),
        "idle_s": _median([r.cell_idle_s for r in good if r.cell_idle_s is not None]),
        "encoded": _median([r.bench.get("encoded_bytes", 0) for r in good]),
        "shot": _median([r.shot_fraction for r in good if r.shot_fraction is not None]),
        "rss_kb": _median([r.bench.get("maxrss_kb", 0) for r in good]),
        "arrays": case.nbytes,
        "all_s": [None if r.first_frame_s is None else round(r.first_frame_s, 2) for r in runs],
        "failures": failures,
    }


def machine() -> dict[str, str]:
    try:
        chromium_version = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except Exception:
        chromium_version = "unknown"
    versions = {}
    for module in ("jupyterlab", "ipyniivue", "k3d", "anywidget", "numpy"):
        try:
            from importlib.metadata import version

            versions[module] = version(module)
        except Exception:
            versions[module] = "not installed"
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{os.cpu_count()} cores ({cpu}), no GPU",
        "memory": f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        "browser": f"{chromium_version}, headless, SwiftShader WebGL2 (software)",
        "python": platform.python_version(),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


def breakdown_lines(rows: list[dict[str, Any]]) -> list[str]:
    """nbviewer3d's first frame split into phases (docstring: "breakdown")."""
    ours = [r for r in rows if r["tool"] == "nbviewer3d" and r["phases"].get("total") is not None]
    if not ours:
        return []
    lines = [
        "",
        "Where nbviewer3d's first frame goes (median; seconds from the page's clock, see the "
        "script's docstring): `fetch round trip` = fetch sent -> volumes message handed to the "
        "widget; in brackets when its websocket frame was in, its bytes, and bytes / (frame in "
        "- kernel encode).",
        "",
        "| volume | " + " | ".join(title for _, title in PHASES) + " |",
        "|---|" + "---|" * len(PHASES),
    ]
    for r in ours:
        p = r["phases"]
        cells = []
        for key, _ in PHASES:
            cell = _s(p.get(key))
            if key == "fetch_to_received" and p.get("wire_bytes"):
                rate = "" if p.get("wire_mb_s") is None else f", {p['wire_mb_s']:.0f} MB/s"
                cell += f" (in {_s(p.get('fetch_to_wire_in'))}; {_mb(p['wire_bytes'])}{rate})"
            cells.append(cell)
        lines.append(f"| {r['volume']} | " + " | ".join(cells) + " |")
    return lines


def switch_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The step-switch case's medians."""
    ours = [r for r in rows if r["switches"]]
    if not ours:
        return []
    lines = [
        "",
        "Step switch (nbviewer3d): the panel's step slider moved in the page -> the step on "
        "screen: shown = the GPU finished the first frame showing it (a quick, coarser frame "
        "when full frames are slow, see js/src/view/quick-frames.ts), full = the GPU finished "
        "its full-resolution frame, submitted = the first frame's GL calls issued (JS only). "
        "First visit = its volumes came from the kernel during the switch, cached = the browser "
        "held them (median, count). Each switch starts from a settled view.",
        "",
        "| volume | first visit: shown / full | cached: submitted / shown / full "
        "| switches that timed out |",
        "|---|---|---|---|",
    ]
    for r in ours:
        lines.append(
            f"| {r['volume']} | {_s(r['switch_first_shown_s'])} / {_s(r['switch_first_s'])} "
            f"({r['switch_first_n']}) | {_s(r['switch_cached_submitted_s'])} / "
            f"{_s(r['switch_cached_shown_s'])} / {_s(r['switch_cached_s'])} "
            f"({r['switch_cached_n']}) | {r['switch_lost']} |"
        )
    return lines


def report(rows: list[dict[str, Any]], info: dict[str, str], runs: int, quick: bool) -> str:
    lines = [
        "# nbviewer3d vs ipyniivue vs K3D: bytes and time to first frame",
        "",
        f"Date: {info['date']}. Machine: {info['cpu']}, {info['memory']} RAM; "
        f"{info['browser']}; JupyterLab; Python {info['python']}; {info['versions']}.",
        f"Median of up to {runs} run(s) per row{' (--quick)' if quick else ''}, each in a fresh "
        "kernel and a fresh browser context. The 2 cores are shared with other work on this "
        "machine, so figures carry noise.",
        "",
        "| volume | tool | bytes to browser | kernel conversion | exec -> first frame "
        "| exec -> full resolution | kernel peak RSS |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["cannot"]:
            lines.append(f"| {r['volume']} | {r['tool']} | {r['cannot']} | | | | |")
            continue
        frame = (
            _s(r["first_frame_s"])
            if r["first_frame_s"] is not None
            else (", ".join(sorted(set(r["failures"])))[:120] or "-")
        )
        full = _s(r["full_s"]) if r["tool"] == "nbviewer3d" else "-"
        rss = "-" if not r["rss_kb"] else f"{r['rss_kb'] / 1024:.0f} MiB"
        lines.append(
            f"| {r['volume']} | {r['tool']} | {_mb(r['bytes'])} | {_s(r['kernel_s'])} | {frame} "
            f"| {full} | {rss} |"
        )
    lines += breakdown_lines(rows) + switch_lines(rows)
    lines += [
        "",
        "Details: `payload` = the voxel bytes the tool serialized (nbviewer3d: the encoded "
        "buffers; ipyniivue: NIfTI bytes; K3D: volume + mask arrays); `data in` = when the last "
        "websocket frame over 64 KiB arrived; `cell idle` = kernel idle after the cell; "
        "`pixels` = the canvas-pixel poll (for nbviewer3d a cross-check of `data-frames`); "
        "`settled` = the last change of the canvas pixels before they stayed unchanged for "
        f"{SETTLE_MS / 1000:.0f} s (the complete picture, label included); `bytes in window` = "
        "all websocket bytes until the run stopped watching (settled + that quiet time); "
        "`peak RSS` = kernel, including the arrays loaded before the timed cell.",
        "",
        "| volume | tool | runs ok | arrays | payload | bytes in window | data in | cell idle "
        "| pixels | settled | shot fg | peak RSS | each run |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["cannot"]:
            continue
        rss = "-" if not r["rss_kb"] else f"{r['rss_kb'] / 1024:.0f} MiB"
        shot = "-" if r["shot"] is None else f"{r['shot']:.0%}"
        lines.append(
            f"| {r['volume']} | {r['tool']} | {r['runs']} | {_mb(r['arrays'])} | "
            f"{_mb(r['encoded'] or None)} | {_mb(r['bytes_total'])} | {_s(r['transfer_s'])} | "
            f"{_s(r['idle_s'])} | {_s(r['pixels_s'])} | {_s(r['settled_s'])} | {shot} | {rss} | "
            f"{r['all_s']} |"
        )
    failures = [(r["volume"], r["tool"], f) for r in rows for f in r["failures"]]
    if failures:
        lines += ["", "Failed runs:", ""]
        lines += [f"- {v} / {t}: {f}" for v, t, f in failures]
    lines += [
        "",
        "Method: `python tests/benchmarks/bench_viewer.py` (docstring there). Bytes = every "
        "websocket frame received by the page from triggering the cell to first frame, "
        "including each tool's JavaScript sent through the comm. First frame: nbviewer3d's "
        "`data-frames` >= 1; ipyniivue and K3D: a 50 ms page-side poll of the canvas pixels "
        f"(> {MIN_FRACTION:.0%} of pixels away from the background colour). The LiTS 108x256x256 "
        "volume is the 128^3 CT resampled with scipy.ndimage.zoom (108/128, 2, 2), linear for "
        "the image (rounded to int16 HU), nearest for the label. Phantoms are generated "
        "deterministically in the script.",
        "",
    ]
    return "\n".join(lines)


class Browser:
    """Chromium through Playwright, started again when a run took it (or its driver) down."""

    def __init__(self) -> None:
        self.stack: contextlib.ExitStack | None = None
        self.browser: Any = None

    def get(self) -> Any:
        if self.browser is None or not self.browser.is_connected():
            self.close()
            self.stack = contextlib.ExitStack()
            self.browser = self.stack.enter_context(chromium())
        return self.browser

    def close(self) -> None:
        if self.stack is not None:
            with contextlib.suppress(Exception):
                self.stack.close()
        self.stack = None
        self.browser = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="128^3 volumes only, 1 run")
    parser.add_argument("--runs", type=int, default=3, help="runs per row (median); default 3")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset")
    parser.add_argument(
        "--only",
        "--cases",
        dest="only",
        default=None,
        help="only volumes whose name contains this (comma-separated: any of them), e.g. "
        "'LiTS CT 128^3', '512^3', '1024^3', 'dask', 'step switch'",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--pictures", action="store_true", help="retake notebooks/images/side_by_side_*.png"
    )
    args = parser.parse_args()
    env = {"PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    if args.pictures:
        from pictures import take_pictures

        take_pictures(env)
        return
    runs = 1 if args.quick else args.runs
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools {sorted(unknown)}; accepted: {', '.join(TOOLS)}")

    info = machine()
    rows: list[dict[str, Any]] = []
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-viewer-") as tmp:
        workdir = Path(tmp)
        (workdir / "nb").mkdir()
        shots = args.out.parent / "shots"
        shots.mkdir(parents=True, exist_ok=True)
        print("making volumes...", flush=True)
        cases = build_cases(workdir, args.quick, args.only)
        browser = Browser()
        try:
            with running_server(workdir / "nb", env=env) as server:
                for case in cases:
                    n = 1 if (case.nbytes > 100e6 and not args.quick) else runs
                    for tool in tools:
                        if case.steps > 1 and tool != "nbviewer3d":
                            continue  # step switching is measured for nbviewer3d only
                        reason = cannot(case, tool)
                        if reason:
                            print(f"  {case.name} | {tool}: {reason}", flush=True)
                            rows.append(summarize(case, tool, [], reason))
                            args.out.write_text(report(rows, info, runs, args.quick))
                            continue
                        results = []
                        for i in range(n):
                            tag = (
                                f"{tool}-{case.name}-{i}".replace(" ", "_")
                                .replace("^", "")
                                .replace("+", "")
                                .replace(":", "")
                            )
                            run = run_once(browser.get(), server, case, tool, tag, shots)
                            results.append(run)
                            print(
                                f"  {case.name} | {tool} | run {i}: "
                                f"first frame {_s(run.first_frame_s)}, full {_s(run.full_s)}, "
                                f"pixels {_s(run.pixels_s)}, settled {_s(run.settled_s)}, "
                                f"data in {_s(run.transfer_s)}, "
                                f"{_mb(run.bytes_to_browser)}, kernel {_s(run.kernel_s)}, "
                                f"max fraction {run.fraction:.3f}"
                                + (f", ERROR {run.error}" if run.error else ""),
                                flush=True,
                            )
                            if run.phases:
                                print(f"    phases {_phase_text(run.phases)}", flush=True)
                            if run.switches:
                                print(f"    switches {run.switches}", flush=True)
                        rows.append(summarize(case, tool, results))
                        args.out.write_text(report(rows, info, runs, args.quick))  # so far
        finally:
            browser.close()
    text = report(rows, info, runs, args.quick)
    args.out.write_text(text)
    (args.out.with_suffix(".json")).write_text(
        json.dumps({"machine": info, "rows": rows}, indent=1)
    )
    print(text)


def _phase_text(p: dict[str, float | None]) -> str:
    return ", ".join(
        f"{k} {v:.3f}" if k != "wire_bytes" else f"{k} {v / 1e6:.1f} MB"
        for k, v in p.items()
        if v is not None
    )


if __name__ == "__main__":
    main()
