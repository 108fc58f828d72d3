"""``python -m nbviewer3d.demo``: make the demo run, or open it in JupyterLab.

python -m nbviewer3d.demo make-run [DIR] [--iterations N] [--validate-every K] ...
python -m nbviewer3d.demo lab [DIR] [-- JUPYTER-LAB-ARGS]   # make the run if missing,
                                                             # open the review notebook
python -m nbviewer3d.demo where                              # the folder of the cached run
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from nbviewer3d.demo.run import RunConfig, default_run_dir, is_complete, make_run

REVIEW_NOTEBOOK = Path("notebooks") / "review_cached_run.ipynb"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m nbviewer3d.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make-run", help="train and log the demo run (resumable)")
    lab = commands.add_parser("lab", help="make the run if missing, then open the review")
    defaults = RunConfig()
    for sub in (make, lab):
        sub.add_argument(
            "folder",
            nargs="?",
            type=Path,
            default=None,
            help=f"where the run goes (default: {default_run_dir()})",
        )
        for field in dataclasses.fields(RunConfig):
            value = getattr(defaults, field.name)
            sub.add_argument("--" + field.name.replace("_", "-"), type=type(value), default=value)
    commands.add_parser("where", help="print the folder the run is cached in")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # everything after "--" goes to jupyter lab as it is
    split = argv.index("--") if "--" in argv else len(argv)
    args = _parser().parse_args(argv[:split])
    jupyter_args = argv[split + 1 :]
    if args.command == "where":
        print(default_run_dir())
        return 0
    config = RunConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(RunConfig)})
    folder = args.folder or default_run_dir()
    if args.command == "make-run":
        make_run(folder, config)
        return 0
    if not is_complete(folder):  # a finished run is reviewed whatever config made it
        make_run(folder, config)
    if not REVIEW_NOTEBOOK.is_file():
        print(
            f"run made in {folder}; open {REVIEW_NOTEBOOK.name} from the repository's "
            "notebooks/ folder to review it",
            file=sys.stderr,
        )
        return 0
    env = {**os.environ, "NBVIEWER3D_DEMO_RUN": str(Path(folder).resolve())}
    command = [sys.executable, "-m", "jupyter", "lab", str(REVIEW_NOTEBOOK), *jupyter_args]
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
