"""Logdir: an index of every record of every event file under a directory tree.

A run is a folder holding event files (files whose name contains ``tfevents``), named by its
path relative to the logdir (``.`` for the logdir itself), as in TensorBoard. Indexing keeps
offsets, steps and scalar values; volumes are decoded only when asked. Paths go through
fsspec, so any filesystem with an fsspec backend works (``s3://``, ``gs://``, ``memory://``).
"""

from __future__ import annotations

import posixpath
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import fsspec
import numpy as np
import numpy.typing as npt
from google.protobuf.message import DecodeError  # type: ignore[import-untyped,unused-ignore]
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.compat.proto.types_pb2 import DT_STRING
from tensorboard.util import tensor_util

from ..volume import Kind, Volume
from . import decode
from .errors import BadSummaryWarning, CorruptRecordWarning, LogdirError, LossySourceWarning
from .pairing import guess_role
from .records import RecordReader, read_record_at

KINDS = ("volume", "image2d", "scalar", "lossless_volume", "tensor")


class Scalars(NamedTuple):
    steps: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]
    wall_times: npt.NDArray[np.float64]


@dataclass(frozen=True)
class _Entry:
    path: str
    offset: int
    kind: str
    wall_time: float


@dataclass
class _Run:
    readers: dict[str, RecordReader] = field(default_factory=dict)
    entries: dict[str, dict[int, _Entry]] = field(default_factory=dict)
    scalars: dict[str, dict[int, tuple[float, float]]] = field(default_factory=dict)
    plugins: dict[str, str] = field(default_factory=dict)


def _value_kind(value: Summary.Value, plugin: str) -> str | None:
    which = value.WhichOneof("value")
    if which == "simple_value":
        return "scalar"
    if which == "image":
        return decode.image_kind(value.image)
    if which != "tensor":
        return None
    if plugin == decode.PLUGIN_NAME:
        return "lossless_volume"
    if plugin == "scalars":
        return "scalar"
    if plugin == "images":
        return "image2d"
    tensor = value.tensor
    if tensor.dtype != DT_STRING and len(tensor.tensor_shape.dim) in (2, 3):
        return "tensor"
    return None


def _scalar(value: Summary.Value) -> float:
    if value.WhichOneof("value") == "simple_value":
        return float(value.simple_value)
    array = tensor_util.make_ndarray(value.tensor)
    if array.size != 1 or array.dtype.kind not in "biuf":
        raise ValueError(
            f"a scalar summary holds a tensor of shape {list(array.shape)} and dtype "
            f"{array.dtype} (expected one number)"
        )
    return float(array.reshape(()))


def _image_bytes(value: Summary.Value) -> bytes:
    """An image summary's encoded bytes: old-style ``image``, or the ``images`` plugin's
    tensor ``[width, height, image, ...]`` (its first image)."""
    if value.HasField("image"):
        return bytes(value.image.encoded_image_string)
    if len(value.tensor.string_val) < 3:
        raise LogdirError(f"tag {value.tag!r}: an images tensor without an image")
    return bytes(value.tensor.string_val[2])


class Logdir:
    """Every record of every event file under ``path``; see :func:`open_logdir`."""

    def __init__(self, path: str, storage_options: dict[str, Any] | None = None) -> None:
        self.path = path
        self._fs, self._root = fsspec.core.url_to_fs(path, **(storage_options or {}))
        self._root = self._root.rstrip("/") or "/"
        self._runs: dict[str, _Run] = {}
        self._lock = threading.RLock()
        self._warned_lossy = False
        if not self._fs.exists(self._root):
            raise LogdirError(f"logdir {path!r} does not exist")
        self.refresh()
        if not self._runs:
            raise LogdirError(
                f"no event files under {path!r} (looked for files named '*tfevents*' in it "
                "and its subfolders)"
            )

    # -- index --------------------------------------------------------------------------

    def refresh(self) -> list[tuple[str, str, int]]:
        """Index what was written since the last call: new records and new event files.

        Returns ``(run, tag, step)`` for each record indexed by this call: new steps and steps
        logged again. Records already indexed are not read again; a record still being
        written is picked up by a later refresh. Damaged bytes and malformed summaries are
        skipped with a warning naming the place; they never fail the logdir.
        """
        with self._lock:
            self._fs.invalidate_cache()
            try:
                found = self._fs.find(self._root, detail=True)
            except FileNotFoundError as exc:
                raise LogdirError(f"logdir {self.path!r} does not exist") from exc
            new: list[tuple[str, str, int]] = []
            for path in sorted(found):
                if "tfevents" not in posixpath.basename(path):
                    continue
                run_name = posixpath.relpath(posixpath.dirname(path), self._root)
                run = self._runs.setdefault(run_name, _Run())
                reader = run.readers.setdefault(path, RecordReader(self._url(path)))
                if found[path].get("size") == reader.offset:
                    continue
                new.extend((run_name, tag, step) for tag, step in self._index(run, path, reader))
            return new

    def _url(self, path: str) -> str:
        return str(self._fs.unstrip_protocol(path))

    def _index(self, run: _Run, path: str, reader: RecordReader) -> list[tuple[str, int]]:
        new = []
        with self._fs.open(path, "rb") as f:
            for offset, payload in reader.read(f):
                try:
                    event = Event.FromString(payload)
                except DecodeError:
                    warnings.warn(
                        f"{reader.name}: record at byte {offset} is not an Event; skipped",
                        CorruptRecordWarning,
                        stacklevel=3,
                    )
                    continue
                if not event.HasField("summary"):
                    continue
                for value in event.summary.value:
                    try:
                        indexed = self._index_value(run, path, offset, event, value)
                    except (ValueError, TypeError, DecodeError) as exc:
                        warnings.warn(
                            f"{reader.name}: record at byte {offset}, tag {value.tag!r}, step "
                            f"{event.step}: malformed summary skipped ({exc})",
                            BadSummaryWarning,
                            stacklevel=3,
                        )
                        continue
                    if indexed:
                        new.append((value.tag, event.step))
        return new

    def _index_value(
        self, run: _Run, path: str, offset: int, event: Event, value: Summary.Value
    ) -> bool:
        """Index one summary value; True when it is a volume, image or scalar. Everything is
        checked before anything is stored, so a malformed value leaves no trace."""
        plugin = value.metadata.plugin_data.plugin_name or run.plugins.get(value.tag, "")
        kind = _value_kind(value, plugin)
        if kind is None:
            return False
        number = _scalar(value) if kind == "scalar" else None
        if value.metadata.plugin_data.plugin_name:
            run.plugins[value.tag] = plugin
        run.entries.setdefault(value.tag, {})[event.step] = _Entry(
            path, offset, kind, event.wall_time
        )
        if number is not None:
            run.scalars.setdefault(value.tag, {})[event.step] = (number, event.wall_time)
        return True

    # -- queries ------------------------------------------------------------------------

    @property
    def runs(self) -> list[str]:
        with self._lock:
            return sorted(self._runs)

    def _run(self, run: str) -> _Run:
        try:
            return self._runs[run]
        except KeyError:
            raise LogdirError(f"no run {run!r} in {self.path!r}; runs: {self.runs}") from None

    def tags(self, run: str) -> dict[str, str]:
        """Tag -> kind: ``volume`` (GIF), ``lossless_volume`` (nbviewer3d.log_volume),
        ``image2d`` (PNG), ``scalar`` or ``tensor`` (other 2D/3D numeric tensor summaries)."""
        with self._lock:
            entries = self._run(run).entries
            return {tag: steps[max(steps)].kind for tag, steps in sorted(entries.items())}

    def steps(self, run: str, tag: str) -> list[int]:
        with self._lock:
            return sorted(self._steps(run, tag))

    def _steps(self, run: str, tag: str) -> dict[int, _Entry]:
        entries = self._run(run).entries
        if tag not in entries:
            raise LogdirError(f"no tag {tag!r} in run {run!r}; tags: {sorted(entries)}")
        return entries[tag]

    def scalars(self, run: str, tag: str) -> Scalars:
        """Steps, values and wall times of a scalar tag, by step."""
        with self._lock:
            series = self._run(run).scalars.get(tag)
            if series is None:
                raise LogdirError(
                    f"no scalar tag {tag!r} in run {run!r}; scalar tags: "
                    f"{sorted(self._run(run).scalars)}"
                )
            steps = sorted(series)
            return Scalars(
                np.array(steps, dtype=np.int64),
                np.array([series[s][0] for s in steps], dtype=np.float64),
                np.array([series[s][1] for s in steps], dtype=np.float64),
            )

    def volume(
        self, run: str, tag: str, step: int, *, frame_dim: int = -3, kind: Kind | None = None
    ) -> Volume:
        """Decode the volume logged under ``tag`` at ``step``.

        ``kind`` (``image`` or ``label``) defaults to what the logger stored, or for GIF and
        PNG sources to what the tag's name suggests. GIF label maps get their ids back by
        ranking grey levels; GIF sources are lossy and say so in ``Volume.lossy``.
        ``frame_dim`` is the one MONAI was given when the GIF was written. The voxels come
        back in the layout that was logged: a GIF's ``(H, W, D)``, a lossless volume's array
        as it was given (see the axis convention in :mod:`nbviewer3d.inputs`).
        """
        with self._lock:
            steps = self._steps(run, tag)
            if step not in steps:
                raise LogdirError(
                    f"tag {tag!r} of run {run!r} has no step {step}; steps: {sorted(steps)}"
                )
            entry = steps[step]
            with self._fs.open(entry.path, "rb") as f:
                payload = read_record_at(f, entry.offset, self._url(entry.path))
        value = next(v for v in Event.FromString(payload).summary.value if v.tag == tag)
        source = f"{self._url(entry.path)}: tag {tag!r}, step {step}"
        if entry.kind == "scalar":
            raise LogdirError(f"tag {tag!r} of run {run!r} holds scalars; use scalars()")
        try:
            return self._decode(run, tag, value, entry.kind, source, frame_dim, kind)
        except LogdirError as exc:
            raise LogdirError(f"{source} (record at byte {entry.offset}): {exc}") from None

    def _decode(
        self,
        run: str,
        tag: str,
        value: Summary.Value,
        entry_kind: str,
        source: str,
        frame_dim: int,
        kind: Kind | None,
    ) -> Volume:
        if entry_kind == "lossless_volume":
            return self._lossless(run, tag, value, source, kind)
        role = guess_role(tag)
        if kind is None:
            kind = "label" if role in ("label", "prediction") else _continuous_kind(role)
        if entry_kind == "tensor":
            return Volume(decode.tensor_to_array(value.tensor), kind=kind, source=source)
        if entry_kind == "volume":
            grey = decode.gif_to_hwd(_image_bytes(value), frame_dim)
            lossy = decode.GIF_LABEL_LOSSY if kind == "label" else decode.GIF_LOSSY
            self._warn_lossy()
        else:
            grey = decode.png_to_array(_image_bytes(value))
            lossy = "this image was stored as an 8-bit PNG, not the values logged"
        if kind == "label":
            grey = decode.rank_labels(grey)
        return Volume(
            np.ascontiguousarray(grey),
            kind=kind,
            source=source + " (no spacing stored, 1 mm assumed)",
            lossy=lossy,
        )

    def _lossless(
        self, run: str, tag: str, value: Summary.Value, source: str, kind: Kind | None
    ) -> Volume:
        content = value.metadata.plugin_data.content
        if not content:
            raise LogdirError(f"tag {tag!r} of run {run!r}: nbviewer3d summary without metadata")
        header = decode.lossless_header(content)
        data = decode.lossless_to_array(header, value.tensor.string_val[0])
        return Volume(
            data,
            spacing=tuple(header["spacing"]),
            origin=tuple(header["origin"]),
            direction=tuple(header["direction"]),
            frame=header.get("frame", "RAS"),
            kind=kind or header["kind"],
            source=source,
        )

    def _warn_lossy(self) -> None:
        if self._warned_lossy:
            return
        self._warned_lossy = True
        warnings.warn(
            f"volumes in {self.path!r} are 8-bit GIFs from MONAI's plot_2d_or_3d_image: each "
            "was rescaled to 0..255 per step and truncated, so values are not the logged ones "
            "(labels are recovered by ranking grey levels). To log exact voxels and geometry, "
            "import plot_2d_or_3d_image from nbviewer3d instead of monai.visualize, or call "
            "nbviewer3d.log_volume(writer, tag, volume, step).",
            LossySourceWarning,
            stacklevel=3,
        )


def open_logdir(path: str, storage_options: dict[str, Any] | None = None) -> Logdir:
    """Index every event file under ``path`` (local path or fsspec URL). Raises
    :class:`LogdirError` when it holds none."""
    return Logdir(path, storage_options=storage_options)


def _continuous_kind(role: str | None) -> Kind:
    return "heatmap" if role == "heatmap" else "image"
