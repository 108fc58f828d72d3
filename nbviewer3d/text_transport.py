"""The fallback transport: voxels as base64 text, for front ends that drop binary buffers.

Jupyter widgets carry binary data as the comm message's ``buffers``. Some front ends deliver
the JSON but not the buffers (Colab's widget manager: googlecolab/colab-cdn-widget-manager#33,
googlecolab/colabtools#587). The browser notices a ``volumes`` reply that came with fewer
buffers than volumes and asks again with ``{"type": "fetch", "step": s, "transport":
"base64"}``; the kernel then answers with

    {"type": "volumes", "step": s, "version": v, "volumes": [meta, ...], "transport": "base64",
     "sizes": [bytes of each volume's buffer], "chunks": n}

followed by ``n`` messages ``{"type": "chunk", "step": s, "version": v, "volume": i,
"offset": o, "data": base64}`` that fill volume ``i``'s buffer from byte ``o``. The bytes are
the very buffers the binary transport sends, so the browser decodes them the same way.
Chunks keep each message (and the string the browser parses) to a few MB whatever the volume.

Frames go the other way: the browser sends the PNG as ``png`` (base64) in the frame message
itself once it knows buffers do not get through, and it says how many PNG bytes it meant to
send (``png_bytes``) so that the kernel can tell a dropped buffer from a failed capture.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from typing import Any

# 3 MiB of voxels -> 4 MiB of base64 per message
CHUNK_BYTES = 3 * 2**20


def volumes_header(
    step: int, version: int, metas: list[dict[str, Any]], buffers: Sequence[bytes | memoryview]
) -> dict[str, Any]:
    sizes = [memoryview(b).nbytes for b in buffers]
    return {
        "type": "volumes",
        "step": step,
        "version": version,
        "volumes": metas,
        "transport": "base64",
        "sizes": sizes,
        "chunks": sum(-(-size // CHUNK_BYTES) for size in sizes),
    }


def chunks(
    step: int, version: int, buffers: Sequence[bytes | memoryview]
) -> Iterator[dict[str, Any]]:
    """The chunk messages that follow :func:`volumes_header`, in order."""
    for index, buffer in enumerate(buffers):
        view = memoryview(buffer).cast("B")
        for offset in range(0, view.nbytes, CHUNK_BYTES):
            yield {
                "type": "chunk",
                "step": step,
                "version": version,
                "volume": index,
                "offset": offset,
                "data": base64.b64encode(view[offset : offset + CHUNK_BYTES]).decode("ascii"),
            }


def frame_png(content: dict[str, Any], buffers: Sequence[Any]) -> bytes:
    """The PNG a frame message carries, as a buffer or as base64 text (b"" when none)."""
    if buffers:
        return bytes(buffers[0])
    text = content.get("png")
    if isinstance(text, str):
        try:
            return base64.b64decode(text, validate=True)
        except ValueError:
            return b""
    return b""


def buffer_dropped(content: dict[str, Any], buffers: Sequence[Any]) -> bool:
    """A frame whose PNG was sent as a buffer that did not arrive."""
    sent = content.get("png_bytes")
    return not buffers and "png" not in content and isinstance(sent, int) and sent > 0
