"""The voxel budget every decode path checks a record's declared size against before it
allocates anything: a few bytes of a crafted or damaged record must not claim gigabytes."""

from __future__ import annotations

import os
from collections.abc import Sequence

from .errors import LogdirError

# 2**28 voxels: a 512x512x1024 volume, well beyond what a training loop logs per step
DEFAULT_VOXELS = 1 << 28
_limit: int | None = None


def _available_bytes() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def decode_limit() -> int:
    """The most voxels one decoded record may hold: what :func:`set_decode_limit` set, else
    2**28 (a 512x512x1024 volume), lowered to an eighth of the available memory in bytes
    when memory is scarcer."""
    if _limit is not None:
        return _limit
    available = _available_bytes()
    return DEFAULT_VOXELS if available is None else max(1, min(DEFAULT_VOXELS, available // 8))


def set_decode_limit(voxels: int | None) -> None:
    """Set the most voxels one logged volume may decode to (``None``: back to the default).

    Raise it to read volumes larger than 2**28 voxels from event files."""
    global _limit
    if voxels is not None and (not isinstance(voxels, int) or voxels < 1):
        raise ValueError(f"decode limit: a positive number of voxels or None, not {voxels!r}")
    _limit = voxels


def check_voxels(shape: Sequence[int], what: str) -> None:
    """Refuse ``shape`` before allocating when it exceeds the budget or is not a shape."""
    if any(n < 0 for n in shape):
        raise LogdirError(f"{what} declares a negative size {list(shape)}")
    count = 1
    for n in shape:
        count *= int(n)
    limit = decode_limit()
    if count > limit:
        raise LogdirError(
            f"{what} declares {'x'.join(str(int(n)) for n in shape)} = {count} voxels, more "
            f"than the decode limit of {limit} voxels; if it is real, raise the limit with "
            "nbviewer3d.set_decode_limit(voxels)"
        )
