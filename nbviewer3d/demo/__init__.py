"""Demo data and a demo training run, both made from a real CT on this machine.

- :func:`load_liver_ct`: LiTS case 117 and its liver/tumour label, read from an installed
  PyPI package (never bundled here: the data licence forbids it).
- :func:`make_run` / ``python -m nbviewer3d.demo make-run DIR``: a small MONAI UNet trained
  on that CT, logged the ways MONAI users log (see :mod:`nbviewer3d.demo.run`).
- :func:`demo_run`: the cached run's folder, made when missing.
"""

from nbviewer3d.demo.liver_ct import (
    INSTALL,
    LIVER_CT_DIRECTION,
    SOURCE,
    liver_data_dir,
    load_liver_ct,
    read_mrc,
)
from nbviewer3d.demo.run import RunConfig, default_run_dir, demo_run, make_run

__all__ = [
    "INSTALL",
    "LIVER_CT_DIRECTION",
    "SOURCE",
    "RunConfig",
    "default_run_dir",
    "demo_run",
    "liver_data_dir",
    "load_liver_ct",
    "make_run",
    "read_mrc",
]
