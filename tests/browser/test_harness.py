"""The harness itself, proved on a tiny anywidget that speaks the same signals as nbviewer3d.

If these fail, the browser tests of nbviewer3d cannot be trusted either way.
"""

from __future__ import annotations

import pytest

from .jupyter import distinct_colours, mean_abs_diff

pytestmark = pytest.mark.browser

# A 2D canvas filled with the `color` trait, a range input bound to `value`, and the
# signals nbviewer3d's front end gives: .nbviewer3d[data-frames|data-status|data-step].
PROBE = '''
import anywidget, traitlets

class Probe(anywidget.AnyWidget):
    _esm = """
    function render({ model, el }) {
      const root = document.createElement("div");
      root.className = "nbviewer3d";
      // Without this, JupyterLab's command-mode shortcuts (selector "... :focus") take
      // arrow keys from the focused range input and preventDefault them.
      root.addEventListener("keydown", (event) => event.stopPropagation());
      root.dataset.frames = "0";
      root.dataset.status = "loading";
      const box = document.createElement("div");
      box.className = "nbviewer3d-canvas";
      const canvas = document.createElement("canvas");
      canvas.width = 200; canvas.height = 120;
      canvas.style.display = "block";
      box.style.width = "200px";
      box.appendChild(canvas);
      const input = document.createElement("input");
      input.type = "range"; input.min = "0"; input.max = "10"; input.step = "1";
      input.value = String(model.get("value"));
      input.addEventListener("input", () => {
        model.set("value", Number(input.value)); model.save_changes();
      });
      root.append(box, input);
      el.appendChild(root);
      const draw = () => requestAnimationFrame(() => {
        const ctx = canvas.getContext("2d");
        ctx.fillStyle = model.get("color");
        ctx.fillRect(0, 0, 200, 120);
        ctx.fillStyle = "white";
        ctx.fillRect(20 + 15 * model.get("value"), 40, 20, 40);
        root.dataset.step = String(model.get("value"));
        root.dataset.status = "ready";
        root.dataset.frames = String(Number(root.dataset.frames) + 1);
      });
      model.on("change:color", draw);
      model.on("change:value", () => { input.value = String(model.get("value")); draw(); });
      draw();
    }
    export default { render };
    """
    color = traitlets.Unicode("rgb(200, 30, 30)").tag(sync=True)
    value = traitlets.Int(0).tag(sync=True)

probe = Probe()
probe
'''


def test_probe_renders_and_round_trips(open_notebook):
    nb = open_notebook([PROBE, "print(probe.value)"])
    nb.run_cell(0)
    first = nb.wait_rendered(0)
    red = nb.shot(0)
    assert abs(red.shape[0] - 120) <= 1 and abs(red.shape[1] - 200) <= 1  # sub-pixel layout
    assert distinct_colours(red) >= 2
    assert mean_abs_diff(red, nb.shot(0)) == 0.0

    # Python -> browser: a trait change redraws and the picture follows.
    nb.change("probe.color = 'rgb(30, 30, 200)'")
    blue = nb.shot(0)
    assert mean_abs_diff(red, blue) > 50
    assert blue[60, 5].tolist() == [30, 30, 200]
    nb.change("probe.color = 'rgb(200, 30, 30)'")
    assert mean_abs_diff(red, nb.shot(0)) == 0.0
    assert nb.widget_state(0).frames > first.frames

    # Browser -> Python: a real key press on the range input reaches the kernel.
    slider = nb.widget(0).locator("input[type=range]")
    slider.focus()
    slider.press("ArrowRight")
    slider.press("ArrowRight")
    nb.wait_rendered(0, step=2)
    assert nb.eval_json("probe.value") == 2
    nb.run_cell(1)
    assert nb.cell_text(1).strip() == "2"
    # ... and so does a real mouse click near the slider's right end.
    nb.click_at(slider, 0.95)
    nb.wait_rendered(0, step=10)
    assert nb.eval_json("probe.value") == 10


def test_kernel_errors_surface(open_notebook):
    nb = open_notebook(["1 / 0"])
    with pytest.raises(Exception, match="ZeroDivisionError"):
        nb.run_cell(0)
    with pytest.raises(Exception, match="NameError"):
        nb.execute("undefined_name_for_the_harness")
    assert nb.eval_json("{'a': [1, 2.5]}") == {"a": [1, 2.5]}
