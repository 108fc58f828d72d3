"""Transfer-function presets: the names, the default picked from the data, the traits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import traitlets

import nbviewer3d
from nbviewer3d.transfer import default_preset

PRESETS_JSON = Path(nbviewer3d.__file__).parent / "presets.json"


def test_presets_lists_the_json_names_with_the_issues_presets() -> None:
    names = nbviewer3d.presets()
    assert names == list(json.loads(PRESETS_JSON.read_text()))
    for name in ("ct-soft-tissue", "ct-bone", "ct-lung", "mr-default", "generic"):
        assert name in names


def test_every_preset_is_well_formed_and_ct_air_is_transparent() -> None:
    table = json.loads(PRESETS_JSON.read_text())
    for name, preset in table.items():
        assert preset["units"] in ("HU", "window"), name
        values = [v for v, _ in preset["opacity"]]
        assert values == sorted(values), name
        assert all(0 <= a <= 1 for _, a in preset["opacity"]), name
        assert preset["color"] == "cmap" or all(len(p) == 4 for p in preset["color"]), name
        if preset["units"] == "HU":
            assert preset["opacity"][0] == [-1000, 0.0], f"{name}: air must be transparent"


def test_real_ct_gets_the_ct_preset(liver_ct: tuple[nbviewer3d.Volume, nbviewer3d.Volume]) -> None:
    ct, label = liver_ct
    assert default_preset(ct.data) == "ct-soft-tissue"
    viewer = nbviewer3d.view(ct, label=label)
    assert viewer.preset == "ct-soft-tissue"
    assert viewer._default_level == pytest.approx((viewer.vmin + viewer.vmax) / 2)


def _head_phantom(rng: np.random.Generator) -> np.ndarray:
    z, y, x = np.mgrid[-1:1:48j, -1:1:48j, -1:1:48j]
    r = np.sqrt(x**2 + y**2 + z**2)
    head = np.where(r < 0.8, 300.0, 0.0) + np.where(r < 0.6, 150.0, 0.0)
    return np.clip(head + rng.gamma(1.5, 6.0, head.shape), 0, None).astype(np.int16)


def test_mr_like_probability_and_other_data_get_their_presets() -> None:
    rng = np.random.default_rng(0)
    assert default_preset(_head_phantom(rng)) == "mr-default"
    # a softmax output: near 0 outside the structure, near 1 inside, in between at its edge
    distance = np.linalg.norm(np.indices((20, 20, 20)) - 9.5, axis=0)
    probability = 1 / (1 + np.exp(3 * (distance - 6.0)))
    assert default_preset(probability.astype(np.float32)) == "probability"
    # a scan rescaled to 0..1 (MONAI's ScaleIntensityRange) is not a probability map
    assert default_preset(rng.random((20, 20, 20)).astype(np.float32)) == "generic"
    scan = np.clip(rng.normal(0.5, 0.15, (20, 20, 20)), 0, 1)
    scan[:, :, :5] = 0  # air around the body
    assert default_preset(scan) != "probability"
    assert default_preset(rng.random((20, 20, 20)) > 0.5) == "probability"
    assert default_preset(rng.normal(size=(20, 20, 20))) == "generic"  # standardised intensities
    assert default_preset(rng.uniform(100, 200, (20, 20, 20))) == "generic"  # no background
    # HU values that never reach air: a crop inside the body is not taken for a whole CT
    assert default_preset(rng.uniform(-100, 400, (20, 20, 20)).round()) == "generic"
    assert default_preset(np.full((4, 4, 4), np.nan)) == "generic"


def test_a_preset_given_by_the_user_is_kept() -> None:
    viewer = nbviewer3d.view(_head_phantom(np.random.default_rng(1)), preset="ct-bone")
    assert viewer.preset == "ct-bone"


def test_view_logdir_picks_the_preset_from_the_first_image(tmp_path: Path) -> None:
    writer = pytest.importorskip("torch.utils.tensorboard").SummaryWriter(str(tmp_path))
    nbviewer3d.log_volume(writer, "image", _head_phantom(np.random.default_rng(2)), step=0)
    writer.close()
    viewer = nbviewer3d.view_logdir(str(tmp_path))
    assert viewer.preset == "mr-default"


def test_preset_and_opacity_are_validated_with_the_accepted_forms() -> None:
    viewer = nbviewer3d.Viewer()
    with pytest.raises(traitlets.TraitError, match=r"nbviewer3d\.presets\(\) lists"):
        viewer.preset = "bone"
    for bad in ([[0, 0]], [[0, 0], [1, 1.5]], [[0, 0], [float("inf"), 1]], "ramp", [[0, 0, 1]]):
        with pytest.raises(traitlets.TraitError, match=r"\[value, opacity\] points"):
            viewer.opacity = bad
    viewer.opacity = np.array([[300, 0.8], [-200, 0]])
    assert viewer.opacity == [[-200.0, 0.0], [300.0, 0.8]]
    viewer.opacity = None
    assert viewer.opacity is None


def test_a_new_preset_drops_a_custom_opacity_curve() -> None:
    viewer = nbviewer3d.view(_head_phantom(np.random.default_rng(3)), opacity=[[0, 0], [400, 1]])
    assert viewer.preset == "mr-default"  # picked from the data: the user's curve stays
    assert viewer.opacity == [[0.0, 0.0], [400.0, 1.0]]
    viewer.preset = "generic"
    assert viewer.opacity is None


def test_view_accepts_preset_and_opacity_as_display_options() -> None:
    viewer = nbviewer3d.view(
        np.zeros((4, 4, 4), np.float32), preset="ct-lung", opacity=[[0, 0], [1, 0.5]]
    )
    assert viewer.preset == "ct-lung"
    assert viewer.opacity == [[0.0, 0.0], [1.0, 0.5]]
    with pytest.raises(traitlets.TraitError, match="unknown preset"):
        nbviewer3d.view(np.zeros((4, 4, 4), np.float32), preset="lungs")
