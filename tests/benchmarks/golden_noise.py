"""Run-to-run noise of the golden scenes: the numbers the tolerances in golden.py rest on.

    python tests/benchmarks/golden_noise.py [--repeats 3] [--unseeded] [--scenes a,b]

Renders every scene of tests/browser/test_golden.py in every view mode ``--repeats`` times,
each time in a fresh browser context, page and kernel, and prints for each picture the
largest difference between any two renderings (mean |diff| per channel and the fraction of
pixels off by more than golden.FAR_LEVELS), next to the tolerance. ``--unseeded`` leaves
Math.random alone (vtk.js's ray jitter then changes with every page).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from browser import golden  # noqa: E402
from browser.conftest import VIEWPORT, Notebooks  # noqa: E402
from browser.jupyter import chromium, running_server  # noqa: E402
from browser.test_golden import MODES, SCENES, open_scene, show  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--unseeded", action="store_true")
    parser.add_argument("--scenes", default=",".join(SCENES))
    args = parser.parse_args()
    seeded = not args.unseeded
    scenes = [s for s in args.scenes.split(",") if s]
    env = {"PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    with tempfile.TemporaryDirectory(prefix="golden-noise-") as tmp:
        root = Path(tmp) / "nb"
        root.mkdir()
        with running_server(root, env=env) as server, chromium() as browser:
            print(
                f"{'picture':<20} {'mean':>7} {'far':>9}   (tolerance: mean <= "
                f"{golden.MAX_MEAN}, far <= {golden.MAX_FAR:.4%}); seeded={seeded}"
            )
            for scene in scenes:
                shots: dict[str, list[golden.RGB]] = {mode: [] for mode in MODES}
                for i in range(args.repeats):
                    notebooks = Notebooks(browser, server, f"noise-{scene}-{i}", VIEWPORT)
                    try:
                        nb = open_scene(notebooks, scene, seeded=seeded)
                        for mode in MODES:
                            shots[mode].append(show(nb, mode, seeded=seeded))
                    finally:
                        notebooks.close()
                for mode in MODES:
                    pairs = [
                        golden.difference(a, b) for a, b in itertools.combinations(shots[mode], 2)
                    ]
                    mean = max(d.mean for d in pairs)
                    far = max(d.far for d in pairs)
                    print(f"{scene + '_' + mode:<20} {mean:7.3f} {far:9.4%}", flush=True)


if __name__ == "__main__":
    main()
