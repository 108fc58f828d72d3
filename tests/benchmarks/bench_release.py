"""How long the page stalls while viewers give their WebGL context up and take it back.

A page keeps at most 8 live contexts (js/src/context-pool.ts); scrolling through more viewers
makes the ones seen longest ago release theirs, each leaving a snapshot of its last frame, and
scrolling back makes them draw again. The script opens a notebook of N viewers of a 128^3
float32 volume (height 420, volume view) in JupyterLab and Chromium (software WebGL), scrolls
to each in turn (2.5 s apart, so every frame has been drawn), then back to the first three,
and reports the page's long tasks (PerformanceObserver ``longtask``: main-thread tasks over
50 ms) from the first scroll on: the longest, and how many exceeded 500 ms, for the scrolls
that only released (to viewer 8 and beyond) and for the scrolls back.

Usage: python tests/benchmarks/bench_release.py [--viewers 11]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.browser.jupyter import NotebookPage, chromium, running_server

MAX_LIVE = 8  # js/src/context-pool.ts
SETUP = """
import numpy as np, nbviewer3d
z, y, x = np.mgrid[:128, :128, :128]
def ball(i):
    r = np.sqrt((z - 64) ** 2 + (y - 64) ** 2 + (x - 64) ** 2)
    return (np.cos(r / (3 + i / 4)) * 100 + i).astype(np.float32)
"""
LONG_TASKS = """window.__long = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]);
}).observe({entryTypes: ['longtask']});"""
PAUSE_S = 2.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--viewers", type=int, default=MAX_LIVE + 3)
    args = parser.parse_args()
    cells = [SETUP] + [f"nbviewer3d.view(ball({i}), height=420)" for i in range(args.viewers)]
    with running_server(Path(tempfile.mkdtemp())) as server, chromium() as browser:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        context.add_init_script(LONG_TASKS)
        nb = NotebookPage.open(context, server, "release.ipynb", cells)
        nb.run_all()
        scrolls: list[tuple[str, float]] = []
        order = [(i, "first") for i in range(args.viewers)] + [(i, "back") for i in range(3)]
        for i, kind in order:
            start = nb.page.evaluate("performance.now()")
            nb.wait_rendered(i)
            time.sleep(PAUSE_S)
            scrolls.append((kind if i >= MAX_LIVE or kind == "back" else "", start))
        end = nb.page.evaluate("performance.now()")
        snapshots = nb.page.evaluate("document.querySelectorAll('.nbviewer3d-snapshot').length")
        tasks: list[list[float]] = nb.page.evaluate("window.__long")
    bounds = [start for _, start in scrolls] + [end]
    print(
        f"{args.viewers} viewers of 128^3 float32, at most {MAX_LIVE} live contexts; "
        f"{snapshots} snapshots on the page at the end"
    )
    print("| scrolls | long tasks | longest (ms) | over 500 ms |")
    print("|---|---|---|---|")
    for label, kind in (("to a new viewer (releases one)", "first"), ("back (redraws)", "back")):
        durations = [
            d
            for (k, a), b in zip(scrolls, bounds[1:], strict=True)
            if k == kind
            for t, d in tasks
            if a <= t < b
        ]
        longest = f"{max(durations):.0f}" if durations else "-"
        print(f"| {label} | {len(durations)} | {longest} | {sum(d > 500 for d in durations)} |")


if __name__ == "__main__":
    main()
