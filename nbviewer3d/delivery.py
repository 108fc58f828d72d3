"""How a step's volumes reach the browser: as levels of a pyramid, each whole or in chunks.

Every volume of a step lies on one grid, so one plan of levels (:func:`nbviewer3d.pyramid.
plan_levels`, from the image's shape) serves them all: level 0 is the volume as it is, each
next one halves its longest axes, the last holds at most :data:`PREVIEW_VOXELS` voxels.

    browser -> kernel   {"type": "fetch", "step": s, "level": l, "transport": t}
                        (no level: the last one, the preview, drawn first)
    kernel -> browser   {"type": "volumes", "step": s, "version": v, "level": l,
                         "levels": [{"shape": [...], "factors": [...], "bytes": n}, ...],
                         "volumes": [meta, ...], "transport": t, "sizes": [...],
                         "chunks": n, "pushed": p}

With ``chunks == 0`` (binary, at most :data:`BINARY_CHUNK_BYTES` in all) ``buffers[i]``
holds volume ``i``'s voxels, as before levels existed. Otherwise the voxels follow as ``n``
chunk messages of at most a chunk's bytes each (so no message is large, whatever the
volume): the kernel sends the first ``p`` at once and the browser asks for the others with
``{"type": "chunks", "step": s, "version": v, "level": l, "first": i, "count": k, "preview":
p}``, a few
at a time, so a transfer it no longer needs (another step, a closed view) simply stops.
A chunk is ``{"type": "chunk", "step", "version", "level", "index", "volume", "offset"}``
with its bytes as ``buffers[0]``, or as base64 ``"data"`` (see :mod:`text_transport`).

``levels[l].bytes`` is what level ``l`` of the step takes in the browser once decoded, so the
browser can pick the finest level its texture limit and ``cache_mb`` allow. Each meta also
carries ``level``, ``factors`` (per array axis, in the user's axis order: voxel ``c`` of
level 0 is voxel ``c // f`` of the level) and ``base`` (level 0's wire shape, spacing and
origin: the grid the camera and cursor belong to); its ``range`` and ``labels`` are level
0's, so window, presets and legend do not move when a finer level replaces a coarser one.
The first reply (no level asked for) is ``"preview": true`` when the step has finer levels:
its voxels are sampled, not averaged (:func:`nbviewer3d.pyramid.sampled_volume`), the
cheapest picture to make; a level asked for by number is averaged (labels by their mode).
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import planes, text_transport
from .pyramid import Factors, level_shape, level_volume, plan_levels, sampled_volume
from .transport import encode, finite_range, label_ids
from .volume import Volume

# The level drawn first holds at most this many voxels: a 128^3 CT goes whole.
PREVIEW_VOXELS = 128**3
# No binary message carries more voxels than this.
BINARY_CHUNK_BYTES = 8 * 2**20
# Chunks sent with the header; the browser keeps as many in flight after that.
PUSHED_CHUNKS = 2
# Encoded levels kept for the chunk requests that follow a header.
_KEPT = 3

Buffer = bytes | memoryview
# a message, its buffers and the voxel bytes it carries (as buffers or as base64)
Message = tuple[dict[str, Any], list[Buffer], int]


def decoded_itemsize(volume: Volume) -> int:
    """Bytes per voxel once the browser holds it (floats and wide integers as float32)."""
    itemsize = volume.data.dtype.itemsize
    if volume.kind == "label" or (volume.data.dtype.kind in "iub" and itemsize <= 2):
        return itemsize
    return 4


def reference(volumes: Mapping[str, Volume]) -> Volume:
    """The volume whose shape plans the levels: the image, else the first one."""
    return volumes.get("image") or next(iter(volumes.values()))


def step_levels(volumes: Mapping[str, Volume]) -> list[Factors]:
    return plan_levels(reference(volumes).shape, 1, PREVIEW_VOXELS)


def describe_levels(volumes: Mapping[str, Volume], levels: list[Factors]) -> list[dict[str, Any]]:
    ref = reference(volumes)
    out = []
    for factors in levels:
        shape = level_shape(ref.shape, factors)
        voxels = int(np.prod(shape))
        nbytes = sum(voxels * decoded_itemsize(v) for v in volumes.values())
        out.append({"shape": list(shape), "factors": list(factors), "bytes": nbytes})
    return out


@dataclass
class Encoded:
    """One level of one step as it crosses the comm."""

    metas: list[dict[str, Any]]
    buffers: list[Buffer]

    def pieces(self, chunk_bytes: int) -> list[tuple[int, int]]:
        """(volume, offset) of every chunk, in order."""
        return [
            (index, offset)
            for index, buffer in enumerate(self.buffers)
            for offset in range(0, memoryview(buffer).nbytes, chunk_bytes)
        ]

    @property
    def nbytes(self) -> int:
        return sum(memoryview(b).nbytes for b in self.buffers)


def _base(volume: Volume) -> dict[str, Any]:
    """Level 0's wire grid (the shape and spacing of the bytes sent, as transport.encode)."""
    data = volume.data
    transposed = not data.flags.c_contiguous and data.flags.f_contiguous
    shape, spacing = list(data.shape), list(volume.spacing)
    if transposed:
        shape, spacing = shape[::-1], spacing[::-1]
    return {"shape": shape, "spacing": spacing, "origin": list(volume.ras_origin)}


def _full_facts(volume: Volume) -> dict[str, Any]:
    """What the browser learns of level 0 whatever level it gets."""
    facts: dict[str, Any] = {"range": list(finite_range(volume.data)), "base": _base(volume)}
    if volume.kind == "label":
        facts["labels"] = label_ids(volume.data)
    return facts


def encode_level(
    volumes: Mapping[str, Volume], levels: list[Factors], level: int, preview: bool = False
) -> Encoded:
    """Level ``level`` of the step; ``preview``: sampled, not averaged (see sampled_volume)."""
    factors = levels[level]
    make = sampled_volume if preview else level_volume
    metas: list[dict[str, Any]] = []
    buffers: list[Buffer] = []
    for key, volume in volumes.items():
        meta, buffer = encode(make(volume, factors), key)
        meta.update(_full_facts(volume) if level > 0 else {"base": _base(volume)})
        meta["level"] = level
        meta["factors"] = list(factors)
        meta["preview"] = preview
        meta["finer"] = volume.full is not None
        metas.append(meta)
        buffers.append(buffer)
    return Encoded(metas, buffers)


class Delivery:
    """Answers a viewer's fetch and chunk requests, keeping the last few encoded levels."""

    def __init__(self) -> None:
        self._kept: OrderedDict[
            tuple[int, int, int, bool], tuple[list[dict[str, Any]], Encoded]
        ] = OrderedDict()
        self._preview: dict[tuple[int, int], int] = {}  # (step, version) -> its last level
        # (step, version) -> each volume's level-0 range, which the planes of the step carry
        self._ranges: OrderedDict[tuple[int, int], dict[str, list[float]]] = OrderedDict()

    def clear(self) -> None:
        self._kept.clear()
        self._preview.clear()
        self._ranges.clear()

    def _encoded(
        self,
        step: int,
        version: int,
        level: int | None,
        load: Callable[[], Mapping[str, Volume]],
        preview: bool = False,
    ) -> tuple[int, bool, list[dict[str, Any]], Encoded]:
        """(level, preview, levels, encoded). No level: the coarsest, sampled when the step
        has finer ones (the first picture); a level asked for by number is averaged."""
        volumes = None
        preview = preview or level is None
        if level is None:
            level = self._preview.get((step, version))
        if level is None:
            volumes = load()
            level = self._preview[(step, version)] = len(step_levels(volumes)) - 1
        preview = preview and level > 0
        key = (step, version, level, preview)
        if key in self._kept:
            self._kept.move_to_end(key)
            levels, encoded = self._kept[key]
            return level, preview, levels, encoded
        volumes = volumes if volumes is not None else load()
        plan = step_levels(volumes)
        if not 0 <= level < len(plan):
            raise ValueError(f"level {level} does not exist: step {step} has {len(plan)}")
        encoded = encode_level(volumes, plan, level, preview)
        described = describe_levels(volumes, plan)
        self._kept[key] = (described, encoded)
        while len(self._kept) > _KEPT:
            self._kept.popitem(last=False)
        return level, preview, described, encoded

    def prepare(self, step: int, version: int, load: Callable[[], Mapping[str, Volume]]) -> None:
        """Encodes the level a fetch without a level gets, ahead of the fetch."""
        self._encoded(step, version, None, load)

    def reply(
        self,
        step: int,
        version: int,
        level: int | None,
        transport: str,
        load: Callable[[], Mapping[str, Volume]],
    ) -> list[Message]:
        """The messages answering a fetch: the header, then the chunks pushed with it."""
        level, preview, levels, encoded = self._encoded(step, version, level, load)
        header: dict[str, Any] = {
            "type": "volumes",
            "step": step,
            "version": version,
            "level": level,
            "preview": preview,
            "levels": levels,
            "volumes": encoded.metas,
            "transport": transport,
        }
        chunk_bytes = text_transport.CHUNK_BYTES if transport == "base64" else BINARY_CHUNK_BYTES
        if transport == "binary" and encoded.nbytes <= BINARY_CHUNK_BYTES:
            header.update(sizes=[memoryview(b).nbytes for b in encoded.buffers], chunks=0, pushed=0)
            return [(header, list(encoded.buffers), encoded.nbytes)]
        pieces = encoded.pieces(chunk_bytes)
        pushed = min(PUSHED_CHUNKS, len(pieces))
        header.update(
            sizes=[memoryview(b).nbytes for b in encoded.buffers], chunks=len(pieces), pushed=pushed
        )
        messages: list[Message] = [(header, [], 0)]
        messages += [
            self._chunk(step, version, level, i, encoded, pieces, chunk_bytes, transport)
            for i in range(pushed)
        ]
        return messages

    def chunks(
        self,
        step: int,
        version: int,
        level: int,
        first: int,
        count: int,
        transport: str,
        load: Callable[[], Mapping[str, Volume]],
        preview: bool = False,
    ) -> list[Message]:
        """Chunks ``first..first + count - 1`` of a reply (of its preview, when it was one)."""
        level, _, _, encoded = self._encoded(step, version, level, load, preview)
        chunk_bytes = text_transport.CHUNK_BYTES if transport == "base64" else BINARY_CHUNK_BYTES
        pieces = encoded.pieces(chunk_bytes)
        if not (first >= 0 and count >= 1 and first + count <= len(pieces)):
            raise ValueError(
                f"chunks {first}..{first + count - 1} do not exist: level {level} of step {step} "
                f"has {len(pieces)}"
            )
        return [
            self._chunk(step, version, level, i, encoded, pieces, chunk_bytes, transport)
            for i in range(first, first + count)
        ]

    def plane(
        self,
        step: int,
        version: int,
        axis: int,
        index: int,
        transport: str,
        load: Callable[[], Mapping[str, Volume]],
    ) -> Message:
        """Plane ``index`` along array ``axis`` of every volume of the step at full resolution
        (see planes.py). Each meta's ``range`` is the volume's own, so NaN voxels decode alike."""
        volumes = load()
        content: dict[str, Any] = {
            "type": "plane",
            "step": step,
            "version": version,
            "axis": axis,
            "index": index,
            "volumes": [],
            "sizes": [],
            "transport": transport,
        }
        if axis in (0, 1, 2):
            total = sum(planes.plane_bytes(v, axis) for v in volumes.values())
            if total > planes.PLANE_BYTES:
                content["skipped"] = (
                    f"a plane along axis {axis} holds {total / 2**20:.1f} MiB, above the "
                    f"{planes.PLANE_BYTES // 2**20} MiB one message may carry"
                )
                return content, [], 0
        key = (step, version)
        if key not in self._ranges:
            self._ranges[key] = {k: list(finite_range(v.data)) for k, v in volumes.items()}
            while len(self._ranges) > _KEPT:
                self._ranges.popitem(last=False)
        self._ranges.move_to_end(key)
        metas: list[dict[str, Any]] = []
        buffers: list[Buffer] = []
        for name, volume in volumes.items():
            meta, buffer = encode(planes.plane_volume(volume, axis, index), name)
            meta["range"] = self._ranges[key][name]
            metas.append(meta)
            buffers.append(buffer)
        nbytes = sum(memoryview(b).nbytes for b in buffers)
        content.update(volumes=metas, sizes=[memoryview(b).nbytes for b in buffers])
        if transport == "base64":
            for meta, buffer in zip(metas, buffers, strict=True):
                meta["data"] = base64.b64encode(memoryview(buffer).cast("B")).decode("ascii")
            return content, [], nbytes
        return content, buffers, nbytes

    @staticmethod
    def _chunk(
        step: int,
        version: int,
        level: int,
        index: int,
        encoded: Encoded,
        pieces: list[tuple[int, int]],
        chunk_bytes: int,
        transport: str,
    ) -> Message:
        volume, offset = pieces[index]
        view = memoryview(encoded.buffers[volume]).cast("B")[offset : offset + chunk_bytes]
        content: dict[str, Any] = {
            "type": "chunk",
            "step": step,
            "version": version,
            "level": level,
            "index": index,
            "volume": volume,
            "offset": offset,
        }
        if transport == "base64":
            content["data"] = base64.b64encode(view).decode("ascii")
            return content, [], view.nbytes
        return content, [view], view.nbytes
