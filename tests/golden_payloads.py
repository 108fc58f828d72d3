"""The golden payloads: volumes of every wire dtype, encoded by the real transport, with the
values and grid the browser must decode from them. ``js/tests/golden-payloads.test.ts``
decodes each with the TypeScript decoder; ``tests/test_contract.py`` checks the committed
file is what the transport makes today. Regenerate with
``python tests/golden_payloads.py`` (after a deliberate change of the wire format).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np

from nbviewer3d.transport import encode, wire_layout
from nbviewer3d.volume import Volume

PATH = Path(__file__).resolve().parents[1] / "js" / "tests" / "golden-payloads.json"


EDGES = {  # each wire dtype's extremes and neighbours (6 values, repeated to fill 3x4x5)
    "uint8": [0, 1, 127, 128, 254, 255],
    "int8": [-128, -1, 0, 1, 127, 5],
    "uint16": [0, 1, 256, 65534, 65535, 9],
    "int16": [-32768, -1, 0, 1, 32767, 3],
    "float32": [-3.4e38, -1e-38, 0.0, 1e-45, 3.4e38, 0.1],
}


def _cases() -> dict[str, tuple[Volume, str]]:
    rng = np.random.default_rng(11)
    shape = (3, 4, 5)
    quarter_hu = (rng.integers(-4096, 12000, shape) / 4).astype(np.float32)
    nonfinite = rng.normal(0, 1, shape).astype(np.float32)
    nonfinite.flat[[1, 7, 30]] = [np.nan, np.inf, -np.inf]
    itk_layout = np.asfortranarray(rng.integers(-1000, 2000, (4, 3, 2), dtype=np.int16))
    strided = rng.integers(0, 255, (6, 8, 10), dtype=np.uint8)[::2, 1::2, ::3]
    ids = np.zeros(shape, np.uint16)
    ids.flat[::7] = [0, 1, 300, 65535, 2, 7, 1, 300, 9][: ids.flat[::7].size]
    return {
        **{
            f"{dtype} edges": (Volume(np.array(values * 10, dtype).reshape(shape)), "image")
            for dtype, values in EDGES.items()
        },
        "int64 that fits uint16": (
            Volume(np.arange(60, dtype=np.int64).reshape(shape) * 1000),
            "image",
        ),
        "float32 HU in quarter steps": (Volume(quarter_hu, spacing=(0.7, 0.8, 2.5)), "image"),
        "float32 with NaN and Inf": (Volume(nonfinite), "image"),
        "ITK (F-ordered) int16, LPS": (
            Volume(itk_layout, spacing=(0.5, 0.6, 3.0), origin=(10, -20, 30), frame="LPS"),
            "image",
        ),
        "strided uint8": (Volume(strided), "image"),
        "odd shape float64": (Volume(rng.normal(size=(1, 7, 13))), "image"),
        "uint16 label ids": (Volume(ids, kind="label"), "label"),
        "bool prediction": (Volume((quarter_hu > 0).astype(np.uint8), kind="label"), "prediction"),
        "heat map 0..1": (Volume(rng.random(shape).astype(np.float32), kind="heatmap"), "heatmap"),
        "second channel": (Volume(quarter_hu), "image.1"),
    }


def _expected(volume: Volume, meta: dict[str, Any]) -> dict[str, Any]:
    data, spacing, _ = wire_layout(volume)
    values = np.asarray(data, dtype=np.float64).ravel()
    if meta.get("nonfinite"):
        lo, hi = meta["range"]
        values = np.where(np.isfinite(values), values, lo - max(hi - lo, 1))
    return {
        "values": [
            float(np.float32(v)) if meta["dtype"] == "float32" else float(v) for v in values
        ],
        "dims": list(reversed(data.shape)),
        "spacing": list(reversed(spacing)),
        "origin": list(volume.ras_origin),
    }


def build() -> list[dict[str, Any]]:
    payloads = []
    for name, (volume, key) in _cases().items():
        meta, buffer = encode(volume, key)
        payloads.append(
            {
                "name": name,
                "meta": meta,
                "buffer": base64.b64encode(bytes(buffer)).decode(),
                "expected": _expected(volume, meta),
            }
        )
    return json.loads(json.dumps(payloads))  # as the file holds it


if __name__ == "__main__":
    PATH.write_text(json.dumps(build(), indent=1) + "\n")
    print(f"wrote {PATH}")
