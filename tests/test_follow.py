"""Following a run being written: a step appears with all its volumes (or, after a grace
period, marked incomplete), a volume logged late reaches every view, scalars keep up, and
what goes wrong in the background is shown and raised, never swallowed."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.types_pb2 import DT_FLOAT

import nbviewer3d
from nbviewer3d.events import UnreadableStepWarning, log_volume

SummaryWriter = pytest.importorskip("torch.utils.tensorboard").SummaryWriter
SHAPE = (12, 10, 8)


def _image(step: int) -> np.ndarray:
    return np.full(SHAPE, step, np.int16)


def _label(step: int, offset: int = 0) -> np.ndarray:
    label = np.zeros(SHAPE, np.uint8)
    label[2 : 6 + offset, 2:6, 2:6] = 1
    return label


def _log(writer: object, role: str, step: int) -> None:
    data = _image(step) if role == "image" else _label(step, 1 if role == "prediction" else 0)
    kind = "image" if role == "image" else "label"
    log_volume(writer, role, data, step, kind=kind)
    writer.flush()  # type: ignore[attr-defined]


def _open(tmp_path: Path) -> tuple[object, nbviewer3d.Viewer]:
    writer = SummaryWriter(str(tmp_path))
    for role in ("image", "label", "prediction"):
        _log(writer, role, 0)
    viewer = nbviewer3d.view_logdir(str(tmp_path))
    assert isinstance(viewer, nbviewer3d.Viewer)
    return writer, viewer


def _fetched(viewer: nbviewer3d.Viewer, step: int) -> tuple[int, list[str]]:
    """What a view fetching ``step`` gets: its version and the volumes' keys."""
    sent: list[dict[str, object]] = []
    viewer.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    viewer._on_message(viewer, {"type": "fetch", "step": step}, [])
    (reply,) = sent
    assert reply["type"] == "volumes", reply
    return int(reply["version"]), [v["role"] for v in reply["volumes"]]  # type: ignore[attr-defined,index]


def test_a_step_waits_for_its_label_and_prediction(tmp_path: Path) -> None:
    writer, viewer = _open(tmp_path)
    _log(writer, "image", 1)
    assert viewer.poll() == []  # the image alone: not shown yet
    assert viewer.steps == [0]
    _log(writer, "label", 1)
    assert viewer.poll() == []
    _log(writer, "prediction", 1)
    assert viewer.poll() == [1]
    assert (viewer.steps, viewer.step) == ([0, 1], 1)
    assert sorted(_fetched(viewer, 1)[1]) == ["image", "label", "prediction"]
    assert viewer._incomplete == {}


def test_after_the_grace_period_a_step_shows_marked_incomplete_and_completes_later(
    tmp_path: Path,
) -> None:
    writer, viewer = _open(tmp_path)
    viewer._store.grace_s = 0.2  # type: ignore[attr-defined]
    _log(writer, "image", 1)
    assert viewer.poll() == []
    time.sleep(0.3)
    assert viewer.poll() == [1]
    assert viewer._incomplete == {"1": ["label", "prediction"]}
    version, keys = _fetched(viewer, 1)
    assert keys == ["image"]
    _log(writer, "label", 1)
    _log(writer, "prediction", 1)
    assert viewer.poll() == []
    assert viewer._incomplete == {}
    new_version, keys = _fetched(viewer, 1)
    assert new_version != version  # every view fetches it again
    assert sorted(keys) == ["image", "label", "prediction"]


def test_a_step_logged_again_is_fetched_again(tmp_path: Path) -> None:
    writer, viewer = _open(tmp_path)
    version, _ = _fetched(viewer, 0)
    _log(writer, "prediction", 0)  # e.g. a second validation pass at the same step
    viewer.poll()
    assert _fetched(viewer, 0)[0] != version


def test_scalars_refresh_on_every_poll_including_the_last_point(tmp_path: Path) -> None:
    writer, viewer = _open(tmp_path)
    for step in range(3):
        writer.add_scalar("loss", 1.0 / (step + 1), step)  # type: ignore[attr-defined]
        writer.flush()  # type: ignore[attr-defined]
        viewer.poll()
        assert viewer.scalars["loss"]["steps"] == list(range(step + 1))


def test_a_role_whose_first_record_arrives_while_following_pairs(tmp_path: Path) -> None:
    writer = SummaryWriter(str(tmp_path))
    _log(writer, "image", 0)
    viewer = nbviewer3d.view_logdir(str(tmp_path))
    assert isinstance(viewer, nbviewer3d.Viewer)
    _log(writer, "label", 0)
    viewer.poll()
    assert sorted(_fetched(viewer, 0)[1]) == ["image", "label"]


def test_errors_while_following_are_shown_and_raised_on_the_next_call(tmp_path: Path) -> None:
    _, viewer = _open(tmp_path)

    def broken() -> None:
        raise OSError("the disk went away")

    viewer._store.refresh = broken  # type: ignore[attr-defined]
    with pytest.raises(OSError, match="the disk went away"):
        viewer.follow()  # the first poll runs in the call: it raises there
    viewer._background_poll()  # what follow() runs between cells: it must not raise
    assert viewer.follow_notices == ["following stopped a poll: OSError: the disk went away"]
    with pytest.raises(RuntimeError, match="following this viewer's logdir failed: OSError"):
        viewer.poll()
    with pytest.raises(OSError, match="the disk went away"):
        viewer.poll()  # raised once; the store still fails


def test_a_bad_record_while_following_is_skipped_and_shown(tmp_path: Path) -> None:
    writer, viewer = _open(tmp_path)
    path = next(tmp_path.glob("*tfevents*"))
    with path.open("ab") as f:
        f.write(b"\x00" * 40)  # junk a broken writer left
    writer.close()  # type: ignore[attr-defined]
    writer = SummaryWriter(str(tmp_path), filename_suffix=".second")
    for role in ("image", "label", "prediction"):
        _log(writer, role, 1)
    viewer._background_poll()
    assert viewer.steps == [0, 1]
    assert any("CorruptRecordWarning" in n for n in viewer.follow_notices)


def test_a_logdir_whose_first_step_is_unreadable_still_opens(tmp_path: Path) -> None:
    writer = SummaryWriter(str(tmp_path))
    tensor = TensorProto(
        dtype=DT_FLOAT,
        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=n) for n in SHAPE]),
        float_val=[1.0],  # declares 960 values, holds one
    )
    bad = Summary(value=[Summary.Value(tag="image", tensor=tensor)])
    writer._get_file_writer().add_summary(bad, 0)
    _log(writer, "label", 0)
    for step in (1, 2):
        for role in ("image", "label"):
            _log(writer, role, step)
    writer.close()
    with pytest.warns(UnreadableStepWarning, match="step 0 of run '.' could not be read") as got:
        viewer = nbviewer3d.view_logdir(str(tmp_path))
    assert len(got) == 1
    assert "tag 'image', step 0" in str(got[0].message)
    assert isinstance(viewer, nbviewer3d.Viewer)
    assert (viewer.steps, viewer.step) == ([0, 1, 2], 2)
    assert viewer.vmax is not None  # the range came from the first readable step
    sent: list[dict[str, object]] = []
    viewer.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    viewer._on_message(viewer, {"type": "fetch", "step": 0}, [])
    assert sent[0]["type"] == "error"
    assert "declares shape [12, 10, 8] (960 values) but holds 1" in str(sent[0]["message"])
