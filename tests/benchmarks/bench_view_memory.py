"""Where the kernel's time goes when it makes a large step's first picture: the copy of the
voxels into new memory, and nbviewer3d's own work.

``view()`` copies every voxel it is given (a training loop reusing a tensor in place must not
change a step already shown): for the 512^3 int16 CT + uint8 label of bench_viewer.py that is
402 MB written into memory the kernel has not used before. What the first write to a new page
costs is the machine's (zeroing it, and in a virtual machine the host backing it); the copy
into pages the process already holds is a plain memcpy.

In a fresh Jupyter kernel (jupyter_client, as a notebook runs it), holding the image and label
already loaded with ``np.load``, one cell times ``nbviewer3d.view(image, label=label)`` and the
display (``_repr_mimebundle_``: the first level's encoding, the fallback still picture) under
cProfile, and reports the copies (``ndarray.copy``) apart from the rest. Then the same voxels
are copied again into pages the kernel has touched already, for the memcpy's own cost.

Usage: python tests/benchmarks/bench_view_memory.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent

LOAD = "import numpy as np, nbviewer3d\nimage = np.load({image!r}); label = np.load({label!r})"
TIMED = """
import cProfile, json, pstats, time
profile = cProfile.Profile()
profile.enable()
start = time.perf_counter()
viewer = nbviewer3d.view(image, label=label, axes="zyx", spacing=(0.75, 0.55, 0.75))
viewer._repr_mimebundle_()
total = time.perf_counter() - start
profile.disable()
copy = "<method 'copy' of 'numpy.ndarray' objects>"
copies = sum(row[3] for key, row in pstats.Stats(profile).stats.items() if key[2] == copy)
pages = np.empty_like(image), np.empty_like(label)
for _ in range(2):  # the first pass touches the pages, the second is timed
    again = time.perf_counter()
    np.copyto(pages[0], image)
    np.copyto(pages[1], label)
    reused = time.perf_counter() - again
print(json.dumps({"total": total, "copies": copies, "reused": reused}))
"""


def _run(cell: str, client: Any) -> str:
    msg_id = client.execute(cell)
    out: list[str] = []
    while True:
        message = client.get_iopub_msg(timeout=300)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            raise RuntimeError("\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from bench_viewer import phantom_512  # the benchmark's own volume
    from jupyter_client.manager import start_new_kernel

    runs = []
    with tempfile.TemporaryDirectory() as folder:
        paths = {"image": str(Path(folder) / "image.npy"), "label": str(Path(folder) / "label.npy")}
        image, label = phantom_512()
        np.save(paths["image"], image)
        np.save(paths["label"], label)
        del image, label
        for _ in range(args.runs):
            manager, client = start_new_kernel(kernel_name="python3")
            try:
                _run(LOAD.format(**paths), client)
                runs.append(json.loads(_run(TIMED, client).strip().splitlines()[-1]))
            finally:
                client.stop_channels()
                manager.shutdown_kernel(now=True)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    each = ", ".join(f"{r['total']:.2f} ({r['copies']:.2f})" for r in runs)
    print(f"512^3 int16 CT + uint8 label (402 MB), a fresh kernel each, median of {args.runs}")
    print("(each run: view() + display, in brackets its copies)\n")
    print(
        "| view() + display | of it: copying the voxels | the rest | the copies in reused pages |"
    )
    print("|---|---|---|---|")
    print(
        f"| {median('total'):.2f} s [{each}] | {median('copies'):.2f} s "
        f"| {median('total') - median('copies'):.2f} s | {median('reused'):.2f} s |"
    )


if __name__ == "__main__":
    main()
