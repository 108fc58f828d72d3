"""``python -m nbviewer3d.demo``: make the demo run, or open it in JupyterLab.

python -m nbviewer3d.demo make-run [DIR] [--iterations N] [--validate-every K]
python -m nbviewer3d.demo lab        # make the run if missing, open the review notebook
python -m nbviewer3d.demo where      # print the folder the run is cached in
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from nbviewer3d.demo.run import RunConfig, default_run_dir, make_run

REVIEW_NOTEBOOK = Path("notebooks") / "review_cached_run.ipynb"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nbviewer3d.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make-run", help="train and log the demo run (resumable)")
    lab = commands.add_parser("lab", help="make the run if missing, then open the review")
    for sub in (make, lab):
        sub.add_argument(
            "folder",
            nargs="?",
            type=Path,
            default=None,
            help=f"where the run goes (default: {default_run_dir()})",
        )
        defaults = RunConfig()
        for field in dataclasses.fields(RunConfig):
            flag = "--" + field.name.replace("_", "-")
            sub.add_argument(
                flag,
                type=type(getattr(defaults, field.name)),
                default=getattr(defaults, field.name),
            )
    commands.add_parser("where", help="print the folder the run is cached in")
    args = parser.parse_args(argv)
    if args.command == "where":
        print(default_run_dir())
        return 0
    config = RunConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(RunConfig)})
    folder = args.folder or default_run_dir()
    make_run(folder, config)
    if args.command == "make-run":
        return 0
    if not REVIEW_NOTEBOOK.is_file():
        print(
            f"run made in {folder}; open {REVIEW_NOTEBOOK.name} from the repository's "
            "notebooks/ folder to review it",
            file=sys.stderr,
        )
        return 0
    env = {**os.environ, "NBVIEWER3D_DEMO_RUN": str(folder.resolve())}
    return subprocess.call([sys.executable, "-m", "jupyter", "lab", str(REVIEW_NOTEBOOK)], env=env)


if __name__ == "__main__":
    sys.exit(main())
