"""The kernel-browser contract has one source: the TypeScript the front end imports is
generated from nbviewer3d/contract.py, and the golden payloads the TypeScript decoder is
tested on are what the kernel's transport makes today."""

from __future__ import annotations

import json
from pathlib import Path

import golden_payloads

import nbviewer3d
from nbviewer3d import contract

REPO = Path(__file__).resolve().parents[1]


def test_the_typescript_contract_is_generated_from_python() -> None:
    committed = (REPO / "js" / "src" / "contract.ts").read_text()
    assert committed == contract.typescript(), (
        "js/src/contract.ts is out of date: python -m nbviewer3d.contract > js/src/contract.ts"
    )


def test_every_synced_trait_is_in_the_contract_and_the_modes_are_the_kernels() -> None:
    viewer = nbviewer3d.view()
    synced = {name for name in viewer.trait_names(sync=True) if viewer.trait_metadata(name, "sync")}
    assert set(contract.synced_traits()) <= synced
    assert {"step", "steps", "_versions", "cmap", "follow_notices"} <= set(contract.synced_traits())
    for mode in contract.VIEW_MODES:
        viewer.view_mode = mode
    for mode in contract.COMPARE_MODES:
        viewer.compare = mode
    for style in contract.OVERLAY_STYLES:
        viewer.overlay_style = style
    viewer.close()


def test_the_golden_payloads_are_what_the_transport_makes() -> None:
    committed = json.loads(golden_payloads.PATH.read_text())
    assert committed == golden_payloads.build(), (
        "js/tests/golden-payloads.json is out of date: python tests/golden_payloads.py"
    )
