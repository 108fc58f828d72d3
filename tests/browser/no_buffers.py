"""A page whose kernel connection loses every binary buffer, as Colab's widget manager does.

Added as an init script (before JupyterLab's own code), it wraps ``window.WebSocket`` for
kernel channels: the socket is opened without the ``v1.kernel.websocket.jupyter.org``
subprotocol, so jupyter_server speaks its legacy protocol, where a message with buffers is
a binary frame (a count, offsets, the JSON message, the buffers) and every other message a
text frame. Each binary frame is replaced by the text frame of its JSON message with
``buffers: []``, in one direction or both: the comm messages still arrive, their buffers
never do.
The counts of messages stripped are kept in ``window.__nbviewer3dStripped``.
"""

from __future__ import annotations

from typing import Any

_DROP_BUFFERS = """(() => {
  const DROP = { toBrowser: TO_BROWSER, toKernel: TO_KERNEL };
  const Native = window.WebSocket;
  const stripped = { toBrowser: 0, toKernel: 0 };
  window.__nbviewer3dStripped = stripped;
  // legacy binary frame: uint32 count n, n uint32 offsets, then the JSON message and buffers
  const withoutBuffers = (data) => {
    const bytes = data instanceof ArrayBuffer ? data : data.buffer;
    const view = new DataView(bytes);
    const count = view.getUint32(0);
    const start = view.getUint32(4);
    const end = count > 1 ? view.getUint32(8) : bytes.byteLength;
    const message = JSON.parse(new TextDecoder().decode(new Uint8Array(bytes, start, end - start)));
    message.buffers = [];
    return JSON.stringify(message);
  };
  class BufferlessSocket extends Native {
    constructor(url, protocols) {
      const kernel = String(url).includes("/api/kernels/");
      super(url, kernel ? [] : protocols);
      this.kernel = kernel;
    }
    set onmessage(handler) {
      const wrapped = (event) => {
        if (!this.kernel || !DROP.toBrowser || typeof event.data === "string") {
          return handler.call(this, event);
        }
        stripped.toBrowser += 1;
        const data = withoutBuffers(event.data);
        return handler.call(this, new MessageEvent("message", { data }));
      };
      super.onmessage = handler ? wrapped : handler;
    }
    get onmessage() {
      return super.onmessage;
    }
    send(data) {
      if (this.kernel && DROP.toKernel && typeof data !== "string") {
        stripped.toKernel += 1;
        data = withoutBuffers(data);
      }
      super.send(data);
    }
  }
  window.WebSocket = BufferlessSocket;
})();"""


def drop_buffers(to_browser: bool = True, to_kernel: bool = True) -> str:
    """The init script, dropping the buffers of the messages going one way or both."""
    return _DROP_BUFFERS.replace("TO_BROWSER", str(to_browser).lower()).replace(
        "TO_KERNEL", str(to_kernel).lower()
    )


def stripped(page: Any) -> dict[str, int]:
    """How many messages lost their buffers, per direction, in this page so far."""
    counts: dict[str, int] = page.evaluate("() => window.__nbviewer3dStripped")
    return counts
