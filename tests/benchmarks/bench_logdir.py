"""Reading MONAI-logged volumes: nbviewer3d's Logdir against tensorboard's own readers.

Writes a logdir of 50 validation steps x 3 tags (image, label, output) with MONAI's
plot_2d_or_3d_image GIF summaries through torch.utils.tensorboard, at 96^3 and at
256x256x128, then measures each reader in its own subprocess (so peak RSS is its own):
time to open (index), time to the first volume, time to decode every volume, peak RSS.
Prints a markdown table. Usage: python tests/benchmarks/bench_logdir.py [--steps 50]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
TAGS = ("image_HWD/image", "label_HWD/image", "output_HWD/image")
SIZES = {"96^3": (96, 96, 96), "256x256x128": (256, 256, 128)}


def _ct(shape: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray, str]:
    """The liver CT (repeated/cropped to ``shape``) when installed, else a synthetic one."""
    try:
        sys.path.insert(0, str(REPO))
        from nbviewer3d.demo import load_liver_ct

        image, label = load_liver_ct()
        ct, lab, what = image.data, label.data, "LiTS case 117 CT"
    except Exception:
        rng = np.random.default_rng(0)
        grid = np.indices((128, 128, 128)).astype(np.float32)
        r = np.sqrt(((grid - 64) ** 2).sum(0))
        ct = np.where(r < 50, 60.0, -1000.0) + rng.normal(0, 20, r.shape)
        lab = (r < 30).astype(np.uint8) + (r < 10)
        what = "synthetic CT"
    reps = [max(1, -(-s // n)) for s, n in zip(shape, ct.shape, strict=True)]
    ct = np.tile(ct, reps)[: shape[0], : shape[1], : shape[2]].astype(np.float32)
    lab = np.tile(lab, reps)[: shape[0], : shape[1], : shape[2]].astype(np.float32)
    return ct, lab, what


def write_logdir(root: Path, shape: tuple[int, int, int], steps: int) -> str:
    """MONAI's GIF summaries, made once per tag and written at every step (same bytes as
    MONAI writes each step; saves minutes of GIF encoding)."""
    import torch
    from monai.transforms.utils import rescale_array
    from monai.visualize.img2tensorboard import make_animated_gif_summary
    from torch.utils.tensorboard import SummaryWriter

    ct, lab, what = _ct(shape)
    writer = SummaryWriter(str(root / "run"))
    summaries = []
    for tag, data in zip(("image", "label", "output"), (ct, lab, lab > 0), strict=True):
        scaled = rescale_array(torch.from_numpy(data[None].astype(np.float32)), 0, 255)
        summaries += make_animated_gif_summary(f"{tag}_HWD", scaled, writer, max_out=1)
    for step in range(steps):
        for summary in summaries:
            writer._get_file_writer().add_summary(summary, step)
        writer.add_scalar("val_mean_dice", step / steps, step)
    writer.close()
    return what


def _decode_gif(data: bytes) -> np.ndarray:
    from PIL import Image, ImageSequence

    with Image.open(io.BytesIO(data)) as im:
        return np.stack([np.asarray(f.convert("L")) for f in ImageSequence.Iterator(im)])


def _peak_rss_mb() -> float:
    """VmHWM: this process's own peak (ru_maxrss would carry the parent's over fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker(tool: str, logdir: str) -> dict[str, float]:
    import warnings

    sys.path.insert(0, str(REPO))
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    from nbviewer3d.events import open_logdir

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    if tool == "nbviewer3d":
        index = open_logdir(logdir)
        t_open = time.perf_counter()
        steps = index.steps("run", TAGS[0])
        index.volume("run", TAGS[0], steps[0])
        t_first = time.perf_counter()
        for tag in TAGS:
            for step in steps:
                index.volume("run", tag, step)
    elif tool == "EventAccumulator":
        guidance = dict.fromkeys(("images", "scalars", "tensors", "histograms", "audio"), 0)
        acc = EventAccumulator(str(Path(logdir) / "run"), size_guidance=guidance)
        acc.Reload()
        t_open = time.perf_counter()
        _decode_gif(acc.Images(TAGS[0])[0].encoded_image_string)
        t_first = time.perf_counter()
        for tag in TAGS:
            for event in acc.Images(tag):
                _decode_gif(event.encoded_image_string)
    elif tool == "EventFileLoader":
        # no index: one pass over the file is the only way in; images arrive as tensors
        # [width, height, encoded] after tensorboard's data_compat migration
        path = next((Path(logdir) / "run").glob("*tfevents*"))
        t_open = float("nan")
        t_first = 0.0
        for event in EventFileLoader(str(path)).Load():
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "images" or value.HasField("image"):
                    data = (
                        value.image.encoded_image_string
                        if value.HasField("image")
                        else value.tensor.string_val[2]
                    )
                    _decode_gif(data)
                    t_first = t_first or time.perf_counter()
    else:
        raise ValueError(tool)
    t_all = time.perf_counter()
    rss_mb = _peak_rss_mb()
    return {
        "open": t_open - t0 if t_open == t_open else float("nan"),
        "first": t_first - t0,
        "all": t_all - t0,
        "rss": rss_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--worker", nargs=2, metavar=("TOOL", "LOGDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, shape in SIZES.items():
            root = Path(tmp) / name
            what = write_logdir(root, shape, args.steps)
            size_mb = sum(p.stat().st_size for p in root.rglob("*")) / 1e6
            for tool in ("nbviewer3d", "EventAccumulator", "EventFileLoader"):
                out = subprocess.run(
                    [sys.executable, __file__, "--worker", tool, str(root)],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                r = json.loads(out.stdout.strip().splitlines()[-1])
                rows.append((name, f"{size_mb:.0f} MB", tool, r))
    print(f"{args.steps} steps x 3 tags ({', '.join(TAGS)}), {what}; MONAI GIF summaries")
    print("times from after imports; peak RSS includes the imports (torch is not imported)")
    print(
        f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )
    print()
    header = ["volume", "logdir", "reader", "open (index) s", "first volume s"]
    header += ["every volume s", "peak RSS MB"]
    print("| " + " | ".join(header) + " |")
    print("|---|---|---|---|---|---|---|")
    for name, size, tool, r in rows:
        cells = [f"{r[k]:.2f}" if r[k] == r[k] else "n/a" for k in ("open", "first", "all")]
        print(f"| {name} | {size} | {tool} | {' | '.join(cells)} | {r['rss']:.0f} |")


if __name__ == "__main__":
    main()
