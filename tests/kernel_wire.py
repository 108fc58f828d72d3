"""Plays the browser's side of the fetch protocol against a Viewer, without a browser."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pytest

from nbviewer3d import Viewer


class Wire:
    """Records what the kernel sends to the browser and sends the browser's fetch."""

    def __init__(self, viewer: Viewer, monkeypatch: pytest.MonkeyPatch) -> None:
        self.viewer = viewer
        self.sent: list[tuple[dict[str, Any], list[Any]]] = []

        def record(content: dict[str, Any], buffers: list[Any] | None = None) -> None:
            self.sent.append((content, list(buffers or [])))

        monkeypatch.setattr(viewer, "send", record)

    def fetch(self, step: object) -> dict[str, Any]:
        self.viewer._on_message(self.viewer, {"type": "fetch", "step": step}, [])
        return self.sent[-1][0]

    def pull(self, header: dict[str, Any]) -> None:
        """Asks for the chunks of a reply that the kernel did not push, one at a time."""
        for index in range(header["pushed"], header["chunks"]):
            request = {"type": "chunks", "step": header["step"], "version": header["version"]}
            request.update(level=header["level"], first=index, count=1)
            if header["transport"] == "base64":
                request["transport"] = "base64"
            self.viewer._on_message(self.viewer, request, [])

    def arrays(self) -> dict[str, np.ndarray]:
        """Role -> voxels of the last reply, decoded as the browser decodes them."""
        content, buffers = self.sent[-1]
        out = {}
        for meta, buf in zip(content["volumes"], buffers, strict=True):
            raw = zlib.decompress(buf) if meta["encoding"] == "deflate" else bytes(buf)
            wire = np.frombuffer(raw, meta["dtype"]).reshape(meta["shape"])
            out[meta["role"]] = wire if meta["scale"] == 1 else wire * np.float32(meta["scale"])
        return out

    def metas(self) -> dict[str, dict[str, Any]]:
        """Role -> metadata of the last reply."""
        content, _ = self.sent[-1]
        return {meta["role"]: meta for meta in content["volumes"]}
