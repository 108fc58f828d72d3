"""What the kernel spends making a large step's first picture, and how much of it is the
machine's fresh memory.

``view()`` copies every voxel it is given (a training loop reusing a tensor in place must not
change a step already shown): for the 512^3 int16 CT + uint8 label of bench_viewer.py that is
402 MB written into memory the process has never touched. The first write to a page costs
whatever the machine charges for handing a page out (zeroing it; in a virtual machine, the
host backing it): on some machines 0.1 s for those 402 MB, on others several times that.

Each case runs in a fresh Python process, holding the image and label already in memory,
and times ``nbviewer3d.view(image, label=label)`` and the display (``_repr_mimebundle_``:
the first level's encoding, the fallback still picture):

* fresh: as in a new kernel;
* pages reused: the process first touches and frees 1 GiB, so the copies land in pages the
  process already had (the cost left is nbviewer3d's own: copies, label ids, range, preview).

The figure to compare with the 128^3 CT's first picture in the README is the difference.

Usage: python tests/benchmarks/bench_view_memory.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

CASE = """
import json, sys, time
import numpy as np
import nbviewer3d
image = np.load(sys.argv[1]); label = np.load(sys.argv[2])
if sys.argv[3] == "reused":
    block = np.ones(1 << 30, np.uint8)
    del block
start = time.perf_counter()
viewer = nbviewer3d.view(image, label=label, axes="zyx", spacing=(0.75, 0.55, 0.75))
made = time.perf_counter()
viewer._repr_mimebundle_()
shown = time.perf_counter()
print(json.dumps({"view": made - start, "display": shown - made}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from bench_viewer import phantom_512  # the benchmark's own volume

    with tempfile.TemporaryDirectory() as folder:
        image_path, label_path = Path(folder) / "image.npy", Path(folder) / "label.npy"
        image, label = phantom_512()
        np.save(image_path, image)
        np.save(label_path, label)
        del image, label
        rows = []
        for memory in ("fresh", "reused"):
            runs = [
                json.loads(
                    subprocess.run(
                        [sys.executable, "-c", CASE, str(image_path), str(label_path), memory],
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    .stdout.strip()
                    .splitlines()[-1]
                )
                for _ in range(args.runs)
            ]
            view = statistics.median(r["view"] for r in runs)
            display = statistics.median(r["display"] for r in runs)
            each = [round(r["view"] + r["display"], 2) for r in runs]
            total = f"{view + display:.2f} s {each}"
            rows.append(f"| {memory} | {view:.2f} s | {display:.2f} s | {total} |")
    print(f"512^3 int16 CT + uint8 label, median of {args.runs} runs, a fresh process each\n")
    print("| memory | view() | display | kernel total [each run] |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
