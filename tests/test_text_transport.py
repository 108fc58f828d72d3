"""The base64 fallback for front ends that drop binary buffers, the browser played by hand:
the chunks the kernel sends refill exactly the buffers the binary transport sends, and a
frame whose PNG buffer was lost makes the kernel switch the browser to base64 and ask again.
The real round trip (Chromium, JupyterLab, buffers dropped on the wire) is in
tests/browser/test_transport_fallback_lab.py."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest
from kernel_wire import Wire
from test_screenshot import Browser, _png

import nbviewer3d
from nbviewer3d import text_transport


def _reassemble(messages: list[dict[str, Any]]) -> list[bytes]:
    header, *chunks = messages
    assert header["type"] == "volumes" and header["transport"] == "base64"
    assert len(chunks) == header["chunks"]
    buffers = [bytearray(size) for size in header["sizes"]]
    for chunk in chunks:
        assert chunk["type"] == "chunk"
        assert (chunk["step"], chunk["version"]) == (header["step"], header["version"])
        data = base64.b64decode(chunk["data"])
        buffers[chunk["volume"]][chunk["offset"] : chunk["offset"] + len(data)] = data
    return [bytes(b) for b in buffers]


def test_base64_chunks_carry_the_same_bytes_as_the_binary_buffers(
    monkeypatch: pytest.MonkeyPatch, liver_ct: tuple[Any, Any]
) -> None:
    ct, label = liver_ct
    viewer = nbviewer3d.view(ct, label=label)
    wire = Wire(viewer, monkeypatch)
    binary = wire.fetch(0)
    binary_buffers = [bytes(b) for b in wire.sent[-1][1]]
    assert viewer.transport == "binary"
    monkeypatch.setattr(text_transport, "CHUNK_BYTES", 1 << 20)
    sent_before = viewer.bytes_sent
    wire.sent.clear()
    viewer._on_message(viewer, {"type": "fetch", "step": 0, "transport": "base64"}, [])
    header = wire.sent[0][0]
    assert 0 < header["pushed"] < header["chunks"]  # the rest is asked for, a chunk at a time
    wire.pull(header)
    messages = [content for content, buffers in wire.sent if not buffers]
    assert len(messages) == len(wire.sent)  # no buffer at all
    assert messages[0]["volumes"] == binary["volumes"]
    assert len(messages) - 1 > len(binary_buffers)  # the 4 MB image came in several chunks
    assert max(len(m.get("data", "")) for m in messages) <= 4 * (1 << 20) / 3 + 4
    assert _reassemble(messages) == binary_buffers
    assert viewer.transport == "base64"
    assert viewer.bytes_sent - sent_before == sum(len(b) for b in binary_buffers)
    viewer.close()


def test_a_frame_whose_buffer_was_lost_switches_the_browser_to_base64(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    viewer = nbviewer3d.view(np.arange(27, dtype=np.float32).reshape(3, 3, 3))
    browser = Browser(viewer, monkeypatch)
    to_browser: list[dict[str, Any]] = []
    monkeypatch.setattr(viewer, "send", lambda content, buffers=None: to_browser.append(content))
    save = viewer._screenshots
    with pytest.raises(nbviewer3d.ScreenshotPending):
        viewer.screenshot()
    (request,) = browser.requests
    state = {name: Browser.json(getattr(viewer, name)) for name in request["traits"]}
    state["version"] = 0
    frame = {"type": "frame", "ids": [request["id"]], "state": state, "width": 8, "height": 6}
    png = _png()
    # the buffer did not arrive: the kernel says so and asks for the same picture again
    viewer._on_message(viewer, {**frame, "png_bytes": len(png)}, [])
    assert to_browser == [{"type": "transport", "transport": "base64"}]
    assert browser.requests[-1] == request
    assert save.pending == 1 and viewer.last_frame is None
    assert viewer.transport == "base64"
    text = base64.b64encode(png).decode()
    viewer._on_message(viewer, {**frame, "png_bytes": len(png), "png": text}, [])
    assert viewer.screenshot() == png
    assert save.pending == 0


def test_a_frame_without_a_picture_is_not_taken_for_a_lost_buffer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    viewer = nbviewer3d.view(np.zeros((2, 2, 2), np.float32))
    Browser(viewer, monkeypatch)
    to_browser: list[dict[str, Any]] = []
    monkeypatch.setattr(viewer, "send", lambda content, buffers=None: to_browser.append(content))
    viewer._on_message(viewer, {"type": "frame", "ids": [], "state": {}, "png_bytes": 0}, [])
    viewer._on_message(viewer, {"type": "frame", "ids": [], "state": {}, "png": "%%"}, [])
    assert to_browser == []
    assert viewer.transport == "binary"
