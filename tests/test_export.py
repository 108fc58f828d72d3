"""export_html's page: the widget, its state and the chosen steps' voxels, all inside one file."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import nbviewer3d
from nbviewer3d.transport import encode

if TYPE_CHECKING:
    from nbviewer3d.volume import Volume

HOSTILE = "</script><img src=x onerror=alert(1)>"


@pytest.fixture
def viewer(liver_ct: tuple[Volume, Volume]) -> nbviewer3d.Viewer:
    ct, label = liver_ct
    viewer = nbviewer3d.view(ct, label=label, view_mode="coronal", label_names={1: HOSTILE})
    viewer.add(4, image=np.flip(ct.data, 2), label=np.flip(label.data, 2), prediction=label.data)
    return viewer


def embedded(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="nbviewer3d-data">(.*?)</script>', text)
    assert match is not None
    assert "<" not in match.group(1)
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_the_page_holds_the_widget_code_and_the_display_state(
    viewer: nbviewer3d.Viewer, tmp_path: Path
) -> None:
    path = nbviewer3d.export_html(viewer, tmp_path / "page.html")
    data = embedded(path)
    assert data["esm"] == viewer._esm
    state = data["state"]
    assert state["view_mode"] == "coronal"
    assert state["vmin"] == viewer.vmin and state["label_names"] == {"1": HOSTILE}
    assert HOSTILE not in path.read_text(encoding="utf-8"), "a name closed the script element"
    assert not any(
        name in state for name in ("_esm", "_anywidget_id", "_model_name", "kernel_cache_mb")
    )
    text = path.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in text and "default-src 'none'" in text


def test_current_embeds_the_shown_step_as_the_kernel_sends_it(
    viewer: nbviewer3d.Viewer, tmp_path: Path
) -> None:
    viewer.step = 4
    data = embedded(nbviewer3d.export_html(viewer, tmp_path / "page.html"))
    assert data["state"]["steps"] == [4] and data["state"]["step"] == 4
    assert list(data["state"]["_versions"]) == ["4"]
    step = data["steps"]["4"]
    assert set(data["steps"]) == {"4"}
    for key, volume in viewer._store.volumes(4).items():
        meta, buffer = encode(volume, key)
        i = step["volumes"].index(meta)
        assert base64.b64decode(step["buffers"][i]) == bytes(buffer)
    assert [row["class"] for row in step["metrics"]] == [1, 2]


def test_all_and_a_list_of_steps(viewer: nbviewer3d.Viewer, tmp_path: Path) -> None:
    every = embedded(nbviewer3d.export_html(viewer, tmp_path / "all.html", steps="all"))
    assert every["state"]["steps"] == [0, 4] and set(every["steps"]) == {"0", "4"}
    viewer.step = 4
    chosen = embedded(nbviewer3d.export_html(viewer, tmp_path / "one.html", steps=[0]))
    assert chosen["state"]["steps"] == [0] and chosen["state"]["step"] == 0
    with pytest.raises(ValueError, match=r"no volumes at step\(s\) \[7\]"):
        nbviewer3d.export_html(viewer, tmp_path / "bad.html", steps=[7])
    with pytest.raises(ValueError, match="steps must be"):
        nbviewer3d.export_html(viewer, tmp_path / "bad.html", steps="last")
