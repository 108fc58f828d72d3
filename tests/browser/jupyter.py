"""Drive a real Jupyter server and Chromium: notebooks, cells, kernel round trips, pixels.

Importable by the browser tests and by benchmark scripts. Nothing here is mocked: a
``jupyter lab`` process serves both JupyterLab (``/lab``) and Notebook 7 (``/notebooks``),
and Debian's Chromium, driven by Playwright, renders the widget with SwiftShader WebGL.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
HOW_TO_ENABLE = (
    "Real-browser tests need Debian's Chromium and Playwright's Python package: "
    "`apt-get install -y chromium fonts-liberation` and `pip install playwright jupyterlab "
    "notebook` (never `playwright install`)."
)
SERVER_START_S = 90.0
KERNEL_START_MS = 90_000
RENDER_MS = 60_000

Frontend = Literal["lab", "notebook"]
RGB = npt.NDArray[np.uint8]


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def missing_browser_tools() -> str | None:
    """A sentence naming what is missing to run real-browser tests, or None."""
    missing = []
    if not Path(CHROMIUM).is_file():
        missing.append(f"Chromium ({CHROMIUM})")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package")
    if shutil.which("jupyter") is None:
        missing.append("jupyter")
    if not missing:
        return None
    return f"missing {', '.join(missing)}. {HOW_TO_ENABLE}"


def skip_or_fail(reason: str) -> None:
    """Skip the calling test, or fail it when CI=true (CI must run every test)."""
    import pytest

    if in_ci():
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --------------------------------------------------------------------------- server


@dataclass
class JupyterServer:
    """One ``jupyter lab`` process on 127.0.0.1, no token, rooted at ``root_dir``."""

    root_dir: Path
    port: int = field(default_factory=free_port)
    python: str = sys.executable  # the environment whose JupyterLab serves
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict[str, str] | None = None) -> JupyterServer:
        settings = self.root_dir.parent / f"{self.root_dir.name}-lab-settings"
        _write_lab_settings(settings)
        run_env = {**os.environ, **(env or {})}
        run_env["JUPYTERLAB_SETTINGS_DIR"] = str(settings / "user-settings")
        run_env["JUPYTERLAB_WORKSPACES_DIR"] = str(settings / "workspaces")
        self.log_path = self.root_dir.parent / f"{self.root_dir.name}-server.log"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                *(self.python, "-m", "jupyterlab", "--no-browser", "--allow-root"),
                *("--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0"),
                *("--IdentityProvider.token=", "--ServerApp.password="),
                f"--ServerApp.root_dir={self.root_dir}",
                "--LabApp.expose_app_in_browser=True",
                "--JupyterNotebookApp.expose_app_in_browser=True",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=run_env,
            cwd=self.root_dir,
        )
        log.close()
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jupyter lab not ready in {SERVER_START_S} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # its own PID only; it shuts its kernels down
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, chars: int = 4000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-chars:]

    def write_notebook(self, name: str, cells: Sequence[str]) -> Path:
        """Write ``cells`` (code sources) as a notebook under the server's root."""
        path = self.root_dir / name
        write_notebook(path, cells)
        return path

    def notebook_url(self, name: str, frontend: Frontend = "lab") -> str:
        if frontend == "lab":
            return f"{self.url}/lab/tree/{name}?reset"
        return f"{self.url}/notebooks/{name}"


def _write_lab_settings(settings: Path) -> None:
    """No news toasts or update checks (no internet; a toast could cover a canvas)."""
    target = settings / "user-settings" / "@jupyterlab" / "apputils-extension"
    target.mkdir(parents=True, exist_ok=True)
    (target / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    (settings / "workspaces").mkdir(parents=True, exist_ok=True)


def write_notebook(path: Path, cells: Sequence[str]) -> None:
    nbformat: Any = importlib.import_module("nbformat")  # untyped

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, path)


def nbconvert(cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
    """``jupyter nbconvert *args`` in ``cwd``, with this checkout importable by its kernel."""
    repo = str(Path(__file__).resolve().parents[2])
    run_env = {**os.environ, **(env or {})}
    run_env["PYTHONPATH"] = os.pathsep.join(p for p in (repo, run_env.get("PYTHONPATH", "")) if p)
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", *args],
        cwd=cwd,
        env=run_env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"nbconvert {' '.join(args)} failed:\n{result.stderr[-3000:]}")


@contextlib.contextmanager
def running_server(
    root_dir: Path, env: dict[str, str] | None = None, python: str = sys.executable
) -> Iterator[JupyterServer]:
    server = JupyterServer(root_dir, python=python).start(env)
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- browser


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium with SwiftShader WebGL (a playwright Browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class KernelError(RuntimeError):
    """Python raised in the kernel; the message holds the traceback."""


class PageErrors(AssertionError):
    """The page raised uncaught errors (or logged widget errors)."""


# JS run in the page. `nb()` is the notebook panel the page shows (JupyterLab or Notebook 7).
_NB = "(() => window.jupyterapp.shell.currentWidget)"

_KERNEL_IDLE = """(name) => {
  const app = window.jupyterapp;
  const w = app && app.shell && app.shell.currentWidget;
  const kernel = w && w.sessionContext && w.sessionContext.session
    && w.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && w.context.path.endsWith(name)
    && w.content.widgets.length > 0;
}"""

_EXECUTE = f"""async (code) => {{
  const kernel = {_NB}().sessionContext.session.kernel;
  const out = {{stdout: '', stderr: '', result: null, error: null}};
  const future = kernel.requestExecute({{code, store_history: false, stop_on_error: true}});
  future.onIOPub = (msg) => {{
    const c = msg.content;
    switch (msg.header.msg_type) {{
      case 'stream': out[c.name] += c.text; break;
      case 'execute_result': out.result = c.data['text/plain']; break;
      case 'error': out.error = c.ename + ': ' + c.evalue + '\\n' + c.traceback.join('\\n'); break;
    }}
  }};
  await future.done;
  return out;
}}"""

_RUN_CELLS = f"""async ([first, last]) => {{
  const panel = {_NB}();
  const nb = panel.content;
  const app = window.jupyterapp;
  const errors = [];
  for (let i = first; i <= last; i++) {{
    nb.activeCellIndex = i;
    nb.deselectAll();
    await app.commands.execute('notebook:run-cell');
    const cell = nb.widgets[i];
    for (const o of cell.model.outputs.toJSON()) {{
      if (o.output_type === 'error') errors.push(`cell ${{i}}: ${{o.ename}}: ${{o.evalue}}\\n`
        + o.traceback.join('\\n'));
    }}
  }}
  return errors;
}}"""

_CELL_TEXT = f"""(i) => {{
  const cell = {_NB}().content.widgets[i];
  return cell.model.outputs.toJSON().map((o) => o.text
    || (o.data && o.data['text/plain']) || '').join('');
}}"""

_WIDGET_STATE = """(el) => ({
  frames: Number(el.getAttribute('data-frames') || '0'),
  status: el.getAttribute('data-status'),
  step: el.getAttribute('data-step'),
  message: el.textContent.slice(0, 400),
})"""

# Resolves after two animation frames: anything scheduled for "next frame" has drawn.
_TWO_FRAMES = """() => new Promise((resolve) =>
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))"""

_ANSI = __import__("re").compile(r"\x1b\[[0-9;]*m")


@dataclass
class WidgetState:
    frames: int
    status: str | None
    step: str | None
    message: str


class WidgetPage:
    """A browser page showing nbviewer3d widgets: their signals, pixels and errors."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.page_errors: list[str] = []
        self.console: list[tuple[str, str]] = []
        page.on(
            "pageerror",
            lambda err: self.page_errors.append(err.stack or f"{err.name}: {err.message}"),
        )
        page.on("console", lambda msg: self.console.append((msg.type, msg.text)))

    def widgets(self) -> Any:
        return self.page.locator(".nbviewer3d")

    def widget(self, index: int = 0) -> Any:
        return self.widgets().nth(index)

    def widget_state(self, index: int = 0) -> WidgetState:
        raw = self.widget(index).evaluate(_WIDGET_STATE)
        return WidgetState(**raw)

    def wait_rendered(
        self,
        index: int = 0,
        after: int = 0,
        step: int | None = None,
        timeout_ms: int = RENDER_MS,
    ) -> WidgetState:
        """Wait until widget ``index`` drew a frame numbered above ``after`` and is ready.

        With ``step``, also wait until it shows that step. Then wait until no further frame
        is pending, so a screenshot shows the settled picture. Raises on data-status error.
        """
        root = self.widget(index)
        root.wait_for(state="attached", timeout=timeout_ms)
        root.scroll_into_view_if_needed(timeout=timeout_ms)
        want_step = "" if step is None else str(step)
        root.element_handle().wait_for_element_state("visible", timeout=timeout_ms)
        self.page.wait_for_function(
            """([el, after, step]) => {
                 const s = el.getAttribute('data-status');
                 if (s === 'error') return true;
                 return s === 'ready' && Number(el.getAttribute('data-frames') || '0') > after
                   && (step === '' || el.getAttribute('data-step') === step);
               }""",
            arg=[root.element_handle(), after, want_step],
            timeout=timeout_ms,
        )
        state = self.settle(index)
        if state.status == "error":
            raise AssertionError(f"widget {index} reports an error: {state.message}")
        self.check_errors()
        return state

    def settle(self, index: int = 0) -> WidgetState:
        """Wait until the widget's frame count stops changing across animation frames."""
        state = self.widget_state(index)
        for _ in range(50):
            self.page.evaluate(_TWO_FRAMES)
            self.page.evaluate(_TWO_FRAMES)
            now = self.widget_state(index)
            if now.frames == state.frames and now.status == state.status:
                return now
            state = now
        return state

    def click_at(self, locator: Any, fraction_x: float, fraction_y: float = 0.5) -> None:
        """A real mouse click at a fraction of ``locator``'s box (after scrolling to it)."""
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        if box is None:
            raise AssertionError(f"{locator} has no box (hidden?)")
        self.page.mouse.click(
            box["x"] + box["width"] * fraction_x, box["y"] + box["height"] * fraction_y
        )

    def canvas(self, index: int = 0) -> Any:
        return self.widget(index).locator(".nbviewer3d-canvas")

    def shot(self, index: int = 0, path: Path | None = None) -> RGB:
        """The canvas container of widget ``index`` as an RGB array (and PNG at ``path``)."""
        from PIL import Image

        png = self.canvas(index).screenshot(animations="disabled")
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

    def widget_console_errors(self) -> list[str]:
        return [
            text
            for kind, text in self.console
            if kind == "error" and ("nbviewer3d" in text.lower() or "widget.js" in text)
        ]

    def widget_page_errors(self) -> list[str]:
        """Uncaught errors, less those raised wholly inside Jupyter's own bundles.

        (Notebook 7.5 throws "reading 'schema'" from notebook_core while loading settings.)
        An error counts as the widget's unless every stack frame is a Jupyter static file.
        """
        return [error for error in self.page_errors if not _from_jupyter_only(error)]

    def check_errors(self) -> None:
        problems = self.widget_page_errors() + self.widget_console_errors()
        if problems:
            raise PageErrors("errors in the page:\n" + "\n".join(problems))


class NotebookPage(WidgetPage):
    """One browser page showing one notebook, with the helpers the tests need."""

    def __init__(self, page: Any, server: JupyterServer, name: str, frontend: Frontend) -> None:
        super().__init__(page)
        self.server = server
        self.name = name
        self.frontend = frontend

    @classmethod
    def open(
        cls,
        context: Any,
        server: JupyterServer,
        name: str,
        cells: Sequence[str],
        frontend: Frontend = "lab",
    ) -> NotebookPage:
        server.write_notebook(name, cells)
        page = context.new_page()
        self = cls(page, server, name, frontend)
        page.goto(server.notebook_url(name, frontend))
        self.wait_kernel_idle()
        return self

    def wait_kernel_idle(self, timeout_ms: int = KERNEL_START_MS) -> None:
        self.page.wait_for_function(_KERNEL_IDLE, arg=self.name, timeout=timeout_ms)

    def run_cells(self, first: int = 0, last: int | None = None) -> None:
        """Run cells ``first..last`` (inclusive; default: to the end) as a user would."""
        if last is None:
            last = self.cell_count() - 1
        errors: list[str] = self.page.evaluate(_RUN_CELLS, [first, last])
        if errors:
            raise KernelError(_ANSI.sub("", "\n".join(errors)))

    def run_cell(self, index: int) -> None:
        self.run_cells(index, index)

    def run_all(self) -> None:
        self.run_cells(0, None)

    def cell_count(self) -> int:
        count: int = self.page.evaluate(f"() => {_NB}().content.widgets.length")
        return count

    def cell_text(self, index: int) -> str:
        text: str = self.page.evaluate(_CELL_TEXT, index)
        return text

    def execute(self, code: str) -> str:
        """Run ``code`` in the notebook's kernel (no cell); return its stdout."""
        out: dict[str, Any] = self.page.evaluate(_EXECUTE, code)
        if out["error"]:
            raise KernelError(_ANSI.sub("", out["error"]))
        return str(out["stdout"])

    def eval_json(self, expression: str) -> Any:
        """The value of a Python expression in the kernel, through JSON."""
        marker = "@@nbviewer3d-json@@"
        stdout = self.execute(f"import json as _j\nprint({marker!r} + _j.dumps({expression}))")
        line = next(s for s in stdout.splitlines() if s.startswith(marker))
        return json.loads(line[len(marker) :])

    def wait_for_kernel(self, expression: str, timeout_s: float = 60.0) -> Any:
        """Evaluate ``expression`` until it is truthy or ``timeout_s`` passed; returns its
        last value. Each evaluation is a new execute request, so between them the kernel
        reads the widget messages that came in and runs its loop (follow() polls)."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = self.eval_json(expression)
            if value or time.monotonic() > deadline:
                return value
            self.page.wait_for_timeout(250)

    def change(self, code: str, index: int = 0, step: int | None = None) -> WidgetState:
        """Run ``code`` in the kernel and wait for widget ``index`` to draw the result."""
        before = self.widget_state(index).frames
        self.execute(code)
        return self.wait_rendered(index, after=before, step=step)

    def set_traits(self, want: dict[str, Any], step: int | None = None, prelude: str = "") -> None:
        """Set ``viewer``'s traits in the kernel to ``want`` (only those that differ, at once)
        and wait for the frame; ``prelude`` may edit ``_want`` in the kernel first."""
        code = (
            f"_want = {want!r}\n{prelude}"
            "_diff = {k: v for k, v in _want.items() if getattr(viewer, k) != v}\n"
            "with viewer.hold_trait_notifications():\n"
            "    for _k, _v in _diff.items():\n"
            "        setattr(viewer, _k, _v)\n"
            "print(len(_diff))"
        )
        before = self.widget_state(0).frames
        if int(self.execute(code)) > 0:
            self.wait_rendered(0, after=before, step=step)

    def close(self) -> None:
        """Shut the notebook's kernel down (frees its memory) and close the page."""
        with contextlib.suppress(Exception):
            self.page.evaluate(f"async () => {{ await {_NB}().sessionContext.shutdown(); }}")
        self.page.close()


def _from_jupyter_only(error: str) -> bool:
    frames = [line for line in error.splitlines() if line.strip().startswith("at ") and ":" in line]
    return bool(frames) and all(
        "/static/lab/" in line or "/static/notebook/" in line for line in frames
    )


# --------------------------------------------------------------------------- pixel measures


def mean_abs_diff(a: RGB, b: RGB) -> float:
    """Mean absolute difference per channel, 0..255; shapes must match."""
    if a.shape != b.shape:
        raise AssertionError(f"screenshots differ in size: {a.shape} vs {b.shape}")
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


def distinct_colours(a: RGB) -> int:
    return int(np.unique(a.reshape(-1, 3), axis=0).shape[0])


def grey_std(a: RGB) -> float:
    return float(a.astype(np.float32).mean(axis=2).std())
