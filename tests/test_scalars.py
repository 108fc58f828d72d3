"""Training curves: the forms view(scalars=...) and viewer.scalars accept, and their errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import traitlets

import nbviewer3d
from nbviewer3d.scalars import normalise_scalars


def test_pairs_triples_and_dicts_normalise_to_sorted_steps_and_values() -> None:
    got = normalise_scalars(
        {
            "loss": (np.array([20, 0, 10]), np.array([0.3, 0.9, 0.5], np.float32)),
            "dice": {"steps": [5.0, 1.0], "values": [0.75, 0.25]},
            "lr": ([1, 2], [1e-3, 5e-4], [100.0, 101.5]),
        }
    )
    assert got["loss"]["steps"] == [0, 10, 20]
    np.testing.assert_allclose(got["loss"]["values"], [0.9, 0.5, 0.3], rtol=1e-6)
    assert got["dice"] == {"steps": [1, 5], "values": [0.25, 0.75]}
    assert got["lr"] == {"steps": [1, 2], "values": [1e-3, 5e-4], "wall_times": [100.0, 101.5]}
    assert all(isinstance(s, int) for s in got["loss"]["steps"])


def test_non_finite_values_become_gaps_and_the_result_is_json() -> None:
    got = normalise_scalars({"loss": ([0, 1, 2], [1.0, float("nan"), float("inf")])})
    assert got == {"loss": {"steps": [0, 1, 2], "values": [1.0, None, None]}}
    assert normalise_scalars(got) == got  # what the trait holds validates again unchanged
    json.dumps(got, allow_nan=False)


def test_torch_tensors_are_accepted() -> None:
    torch = pytest.importorskip("torch")
    got = normalise_scalars({"loss": (torch.arange(3), torch.tensor([3.0, 2.0, 1.0]))})
    assert got == {"loss": {"steps": [0, 1, 2], "values": [3.0, 2.0, 1.0]}}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"loss": [0.9, 0.5, 0.3, 0.2]}, r"scalars\['loss'\] is not \(steps, values\)"),
        ({"loss": ([0, 1], [0.5])}, r"scalars\['loss'\] has 2 steps but 1 values"),
        ({"loss": ([0.5, 1], [1, 2])}, r"scalars\['loss'\] has the step 0.5"),
        ({"loss": ([1, 1], [1, 2])}, r"has a step more than once"),
        ({"loss": ([1], ["high"])}, r"has values that are not numbers"),
        ({"loss": {"x": [1]}}, r"has the keys \['x'\]"),
        ({3: ([1], [2])}, r"scalars has the name 3, not a str"),
    ],
)
def test_errors_name_the_curve_and_the_accepted_forms(value: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as error:
        normalise_scalars(value)
    assert 'scalars={"loss": ([0, 10, 20], [0.9, 0.5, 0.3])}' in str(error.value)


def test_view_takes_scalars_and_the_trait_validates_them() -> None:
    viewer = nbviewer3d.view(np.zeros((4, 4, 4), np.float32), scalars={"loss": ([2, 0], [1, 2])})
    assert viewer.scalars == {"loss": {"steps": [0, 2], "values": [2.0, 1.0]}}
    viewer.scalars = {"<img src=x onerror=alert(1)>": ([0], [1.0])}
    assert list(viewer.scalars) == ["<img src=x onerror=alert(1)>"]  # names stay as given
    with pytest.raises(traitlets.TraitError, match="has 1 steps but 2 values"):
        viewer.scalars = {"loss": ([0], [1, 2])}
    with pytest.raises(traitlets.TraitError, match="is not"):
        nbviewer3d.view(np.zeros((4, 4, 4), np.float32), scalars={"loss": [1.0, 2.0, 3.0]})
