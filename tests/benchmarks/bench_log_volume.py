"""Logging one CT from a training loop: the time the loop waits, side by side.

A 512x512x300 int16 CT-like volume (smooth anatomy plus noise) is logged through
torch.utils.tensorboard by nbviewer3d.log_volume (lossless; records checksummed in C), by
the same call with tensorboard's own pure-Python checksum (what log_volume did before), and
by MONAI's plot_2d_or_3d_image (an 8-bit GIF, lossy). Each is timed to the writer's flush
(the data on disk), in one run. Prints a markdown table.
Usage: python tests/benchmarks/bench_log_volume.py
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

SHAPE = (512, 512, 300)


def _ct() -> np.ndarray:
    x, y, z = np.ogrid[-1 : 1 : SHAPE[0] * 1j, -1 : 1 : SHAPE[1] * 1j, -1 : 1 : SHAPE[2] * 1j]
    body = (x**2 / 0.8 + y**2 / 0.6 < 1) * 1040.0 - 1000.0
    bone = ((x**2 + (y + 0.4) ** 2) < 0.01) * 700.0
    noise = np.random.default_rng(0).normal(0, 20, SHAPE)
    return (body + bone + noise + 0 * z).astype(np.int16)


def _timed(log: Callable[[Any], None]) -> float:
    from torch.utils.tensorboard import SummaryWriter

    with tempfile.TemporaryDirectory() as logdir:
        writer = SummaryWriter(logdir)
        start = time.perf_counter()
        log(writer)
        writer.flush()
        elapsed = time.perf_counter() - start
        writer.close()
    return elapsed


def main() -> None:
    import monai.visualize.img2tensorboard as monai_tb
    import torch
    from tensorboard.compat.tensorflow_stub import pywrap_tensorflow
    from tensorboard.summary.writer import record_writer

    import nbviewer3d

    ct = _ct()
    rows = [
        (
            "nbviewer3d.log_volume (lossless)",
            _timed(lambda w: nbviewer3d.log_volume(w, "ct", ct, 0)),
        )
    ]
    c_checksum = record_writer.masked_crc32c
    record_writer.masked_crc32c = pywrap_tensorflow.masked_crc32c
    import nbviewer3d.events.log as log

    original = log._use_c_checksums
    log._use_c_checksums = lambda _writer: None  # type: ignore[assignment]
    try:
        rows.append(
            (
                "log_volume with tensorboard's Python checksum (before)",
                _timed(lambda w: nbviewer3d.log_volume(w, "ct", ct, 0)),
            )
        )
    finally:
        log._use_c_checksums = original
        record_writer.masked_crc32c = c_checksum
    tensor = torch.from_numpy(ct.astype(np.float32))[None, None]
    rows.append(
        (
            "MONAI plot_2d_or_3d_image (8-bit GIF, lossy)",
            _timed(lambda w: monai_tb.plot_2d_or_3d_image(tensor, 0, w, tag="ct")),
        )
    )
    print(f"{SHAPE[0]}x{SHAPE[1]}x{SHAPE[2]} int16 ({ct.nbytes / 2**20:.0f} MiB)\n")
    print("| logger | time to disk (s) |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
