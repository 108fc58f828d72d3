"""The front end frees what it creates: GL objects counted in the real browser (every
WebGL2 create* and delete* call wrapped, per context) stay level across 50 step switches in
the quad view and 20 views opened and closed, so a long review doesn't exhaust the GPU.
Before the fixes this found about 9 buffers, 9 vertex arrays and 3 textures kept per step
switch (slice layers rebuilt each step; vtk.js's image mapper making a texture for a missing
opacity function on every rebuild)."""

from __future__ import annotations

from typing import Any

import pytest

from .jupyter import NotebookPage

pytestmark = pytest.mark.browser

COUNT_GL = """() => {
  if (window.__glLive) return;
  // live objects per context; a lost context's objects are gone with it (views that close
  // lose theirs on purpose), so only contexts still alive count
  const perContext = new Map();
  const kinds = ["Texture", "Buffer", "Framebuffer", "Renderbuffer", "VertexArray"];
  const proto = WebGL2RenderingContext.prototype;
  const countsOf = (gl) => {
    if (!perContext.has(gl)) perContext.set(gl, Object.fromEntries(kinds.map((k) => [k, 0])));
    return perContext.get(gl);
  };
  for (const kind of kinds) {
    const create = proto[`create${kind}`];
    const remove = proto[`delete${kind}`];
    proto[`create${kind}`] = function (...args) {
      const made = create.apply(this, args);
      if (made) countsOf(this)[kind] += 1;
      return made;
    };
    proto[`delete${kind}`] = function (object, ...args) {
      if (object) countsOf(this)[kind] -= 1;
      return remove.call(this, object, ...args);
    };
  }
  window.__glLive = () => {
    const total = Object.fromEntries(kinds.map((k) => [k, 0]));
    for (const [gl, counts] of perContext) {
      if (gl.isContextLost()) continue;
      for (const k of kinds) total[k] += counts[k];
    }
    return total;
  };
}"""
SETUP = """
import numpy as np
import ipywidgets
import nbviewer3d
from nbviewer3d.demo import load_liver_ct

ct, label = load_liver_ct()
viewer = nbviewer3d.view(height=260, view_mode="quad")
for step in range(3):
    shifted = np.roll(label.data, 4 * step, axis=2)
    viewer.add(step, image=ct.data, label=label.data, prediction=shifted)
viewer.step = 0
viewer
"""
OUTPUT = "out = ipywidgets.Output()\nout"


def live(nb: NotebookPage) -> dict[str, int]:
    counts: dict[str, int] = nb.page.evaluate("() => window.__glLive()")
    return counts


@pytest.fixture(scope="module")
def gl_page(module_notebooks: Any, liver_ct: object) -> NotebookPage:
    nb: NotebookPage = module_notebooks.open([SETUP, OUTPUT])
    nb.page.evaluate(COUNT_GL)  # before any view exists: every GL object is counted
    nb.run_cell(0)
    nb.wait_rendered(0, step=0)
    nb.run_cell(1)
    return nb


def test_step_switches_free_what_they_create(gl_page: NotebookPage) -> None:
    nb = gl_page
    for step in (1, 2, 0):  # warm: each step fetched, cached and drawn once
        nb.change(f"viewer.step = {step}", step=step)
    start = live(nb)
    assert start["Texture"] > 0 and start["Buffer"] > 0, start
    for i in range(50):
        step = (i + 1) % 3
        nb.change(f"viewer.step = {step}", step=step)
    if nb.eval_json("viewer.step") != 0:
        nb.change("viewer.step = 0", step=0)
    assert live(nb) == start


def test_views_opened_and_closed_free_what_they_create(gl_page: NotebookPage) -> None:
    nb = gl_page
    base = live(nb)
    for _ in range(20):
        before = nb.widgets().count()
        nb.execute("with out:\n    display(viewer)")
        nb.page.wait_for_function(
            f"() => document.querySelectorAll('.nbviewer3d').length > {before}"
        )
        nb.wait_rendered(1)
        nb.execute("out.clear_output()")
        nb.page.wait_for_function(
            f"() => document.querySelectorAll('.nbviewer3d').length === {before}"
        )
    nb.settle(0)
    assert live(nb) == base
    nb.check_errors()
