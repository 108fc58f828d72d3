"""Exported notebooks: names from files stay text in nbconvert's HTML (issue 7, item 9).

The widget state (scalar names, label names) is embedded in the exported page as JSON inside
a script element; a name that closes that element would inject markup. The export is real:
``jupyter nbconvert --to html --execute`` on a notebook that shows a viewer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat

HOSTILE = "</script><img src=x onerror=alert(1)>"
CELL = f"""
import numpy as np
import nbviewer3d
HOSTILE = {HOSTILE!r}
image = np.random.default_rng(0).normal(size=(8, 8, 8)).astype(np.float32)
label = (image > 1).astype(np.uint8)
viewer = nbviewer3d.view(image, label=label, label_names={{1: HOSTILE}},
                         scalars={{HOSTILE: ([0, 1], [0.5, 0.25])}})
viewer
"""


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.imgs: list[dict[str, str | None]] = []
        self.state: list[str] = []
        self._in_state = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.imgs.append(dict(attrs))
        self._in_state = (
            tag == "script" and ("type", "application/vnd.jupyter.widget-state+json") in attrs
        )

    def handle_data(self, data: str) -> None:
        if self._in_state:
            self.state.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_state = False


def test_an_exported_notebook_keeps_names_as_data(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nbformat.write(notebook, tmp_path / "review.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute", "review.ipynb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    page = _parse(tmp_path / "review.html")
    assert [img for img in page.imgs if img.get("src") == "x"] == []
    # the names are in the page, as data of the widget state
    (state,) = page.state
    models = json.loads(state)["state"].values()
    viewer = next(m["state"] for m in models if "scalars" in m["state"])
    assert list(viewer["scalars"]) == [HOSTILE]
    assert viewer["label_names"] == {"1": HOSTILE}


def _parse(path: Path) -> _Tags:
    parser = _Tags()
    parser.feed(path.read_text())
    parser.close()
    return parser
