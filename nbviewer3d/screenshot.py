"""Pictures of what the browser drew, for reports: frames, requests and saves that wait.

ipykernel handles widget messages only between cells, so a cell can't wait for the browser:
a frame the browser sends while the cell runs is read when the cell has finished. Hence:

- The kernel asks (``{"type": "screenshot", "id": n, "traits": [...]}``); the browser answers
  once the view is settled on its current state (data loaded, drawn) with
  ``{"type": "frame", "ids": [n, ...], "state": {trait: value, ..., "version": v}}`` and the
  PNG as the message's buffer (as base64 text where buffers do not get through, see
  text_transport.py). ``state`` holds the traits it drew, so the kernel knows
  which state the picture shows.
- ``Viewer.screenshot()`` returns the last frame when it shows the viewer's current state;
  otherwise it asks for one and raises :class:`ScreenshotPending` (call it again in a later
  cell).
- ``Viewer.save_screenshot(path)`` writes at once when such a frame is here; otherwise it asks,
  shows a line in the cell that says it is waiting, and writes the file when the frame of that
  state arrives (after the cell), turning the line into "saved ...". If the viewer has moved
  on before the browser drew that state, nothing is written and the line says which settings
  changed.
"""

from __future__ import annotations

import io
import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .text_transport import frame_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ScreenshotPending(RuntimeError):
    """The browser has not drawn the viewer's current state yet (or its frame is not here)."""


@dataclass(frozen=True)
class Frame:
    """One picture the browser drew, with the state (traits and step version) it shows."""

    png: bytes
    state: dict[str, Any]
    width: int
    height: int

    def as_array(self) -> npt.NDArray[np.uint8]:
        """The picture as ``(height, width, 3)`` uint8 RGB."""
        from PIL import Image

        with Image.open(io.BytesIO(self.png)) as image:
            return np.asarray(image.convert("RGB"))


def as_json(value: object) -> Any:
    """A value as the browser sees it after the JSON trip (tuples as lists, keys as text)."""
    return json.loads(json.dumps(value))


def same_state(a: object, b: object) -> bool:
    """Equal JSON values, floats to 1e-9 relative (the camera goes through float maths)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_state(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_state(x, y) for x, y in zip(a, b, strict=True))
    both_numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
    if both_numbers:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)  # type: ignore[arg-type]
    return a == b


def differences(wanted: dict[str, Any], drawn: dict[str, Any]) -> list[str]:
    """Names of the state entries that differ."""
    return sorted(
        k for k in wanted.keys() | drawn.keys() if not same_state(wanted.get(k), drawn.get(k))
    )


@dataclass
class ScreenshotSave:
    """A ``save_screenshot`` call: done at once, or when the browser has drawn its state."""

    path: Path
    state: dict[str, Any]
    done: bool = False
    error: str | None = None
    _handle: Any = field(default=None, repr=False)

    @property
    def message(self) -> str:
        if self.error is not None:
            return f"nbviewer3d: {self.path} was not saved: {self.error}"
        if self.done:
            step = self.state.get("step")
            return f"nbviewer3d: saved {self.path} (step {step})"
        return (
            f"nbviewer3d: {self.path} will be saved when the browser has drawn the view "
            "(after this cell has run; ipykernel reads widget messages between cells)"
        )

    def __repr__(self) -> str:
        return self.message

    def _show(self) -> None:
        from IPython.display import display

        if self._handle is None:
            self._handle = display(_Text(self.message), display_id=True)  # type: ignore[no-untyped-call]
        else:
            self._handle.update(_Text(self.message))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display_id = self._handle.display_id if self._handle is not None else None
        display(_Text(self.message), display_id=display_id)  # type: ignore[no-untyped-call]

    def _finish(self, frame: Frame | None, error: str | None = None) -> None:
        if frame is not None:
            try:
                self.path.write_bytes(frame.png)
                self.done = True
            except OSError as exc:  # after the cell nobody would see it raised: say it here
                error = f"{type(exc).__name__}: {exc}"
        self.error = error
        if self._handle is not None:
            self._handle.update(_Text(self.message))


class _Text:
    """Plain text for a cell's output (never HTML: paths and names are shown as they are)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


@dataclass
class _Request:
    state: dict[str, Any]
    save: ScreenshotSave | None


class Screenshots:
    """The viewer's side of the screenshot exchange (see the module docstring).

    ``send`` sends a custom message to the browser; ``state`` returns the viewer's current
    state as the browser reports it; ``traits`` names the traits that make up that state.
    """

    def __init__(
        self,
        send: Callable[[dict[str, Any]], None],
        state: Callable[[], dict[str, Any]],
        traits: Callable[[], list[str]],
    ) -> None:
        self._send = send
        self._state = state
        self._traits = traits
        self._ids = itertools.count(1)
        self._pending: dict[int, _Request] = {}
        self.latest: Frame | None = None

    def current(self) -> Frame | None:
        """The last frame if it shows the current state, else None."""
        if self.latest is not None and not differences(self._state(), self.latest.state):
            return self.latest
        return None

    def request(self, save: ScreenshotSave | None = None) -> None:
        state = save.state if save is not None else self._state()
        if save is None and any(
            r.save is None and not differences(state, r.state) for r in self._pending.values()
        ):
            return  # already asked for this state
        request_id = next(self._ids)
        self._pending[request_id] = _Request(state, save)
        self._send({"type": "screenshot", "id": request_id, "traits": self._traits()})

    @property
    def pending(self) -> int:
        return len(self._pending)

    def receive(self, content: dict[str, Any], buffers: list[Any]) -> None:
        """A frame from the browser: keep it and settle the requests it answers."""
        png = frame_png(content, buffers)
        state = content.get("state")
        if not png.startswith(PNG_SIGNATURE) or not isinstance(state, dict):
            error = "the browser sent no PNG picture with its state"
            self._settle(content.get("ids"), None, lambda _request: error)
            return
        size = [content.get("width"), content.get("height")]
        width, height = (int(v) if isinstance(v, int | float) else 0 for v in size)
        frame = Frame(png=png, state=state, width=width, height=height)
        self.latest = frame

        def mismatch(request: _Request) -> str | None:
            changed = differences(request.state, frame.state)
            if not changed:
                return None
            return (
                f"the viewer changed ({', '.join(changed)}) before the browser drew the state "
                "it was asked in; call save_screenshot() after the last change"
            )

        self._settle(content.get("ids"), frame, mismatch)

    def ask_again(self, ids: object) -> None:
        """Repeat the requests ``ids`` that a frame answered without its picture arriving."""
        for request_id in ids if isinstance(ids, list) else []:
            if isinstance(request_id, int) and request_id in self._pending:
                self._send({"type": "screenshot", "id": request_id, "traits": self._traits()})

    def _settle(
        self,
        ids: object,
        frame: Frame | None,
        check: Callable[[_Request], str | None],
    ) -> None:
        for request_id in ids if isinstance(ids, list) else []:
            request = self._pending.pop(request_id, None) if isinstance(request_id, int) else None
            if request is None or request.save is None:
                continue
            error = check(request)
            request.save._finish(frame if error is None else None, error)
