"""label_names, label_colors, hidden_labels, overlay_style: accepted forms and clear errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import traitlets

import nbviewer3d
from nbviewer3d import Viewer


def test_colours_normalise_to_hex() -> None:
    viewer = Viewer(
        label_colors={
            1: "#FF8000",
            2: "#0f0",
            3: (0.0, 0.5, 1.0),
            4: (0, 128, 255),
            np.int64(5): np.array([1.0, 1.0, 1.0]),
            "6": (1, 0, 0),  # integers all <= 1 read as 0..1
        }
    )
    assert viewer.label_colors == {
        1: "#ff8000",
        2: "#00ff00",
        3: "#0080ff",
        4: "#0080ff",
        5: "#ffffff",
        6: "#ff0000",
    }


def test_a_lookup_table_indexed_by_id_is_accepted() -> None:
    viewer = Viewer(label_colors=np.array([[0, 0, 0], [255, 0, 0], [0, 255, 0]]))
    assert viewer.label_colors == {0: "#000000", 1: "#ff0000", 2: "#00ff00"}


def test_names_from_a_dict_a_list_or_itkwidgets_pairs() -> None:
    assert Viewer(label_names={1: "liver"}).label_names == {1: "liver"}
    assert Viewer(label_names=["background", "liver"]).label_names == {
        0: "background",
        1: "liver",
    }
    assert Viewer(label_names=[(1, "liver"), (2, "tumour")]).label_names == {
        1: "liver",
        2: "tumour",
    }


def test_hidden_labels_are_sorted_unique_ids() -> None:
    viewer = Viewer(hidden_labels=(3, np.int32(1), 3))
    assert viewer.hidden_labels == [1, 3]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"label_colors": {1: "red"}}, '"#rrggbb"'),
        ({"label_colors": {1: (1.5, 0.0, 0.0)}}, "0..1"),
        ({"label_colors": {1: (300, 0, 0)}}, "0..255"),
        ({"label_colors": {1: (1, 0)}}, "3 channels"),
        ({"label_names": {-1: "x"}}, "integers >= 0"),
        ({"label_names": {1: 2}}, "must be a str"),
        ({"label_names": "liver"}, "dict"),
        ({"hidden_labels": "1"}, "list of class ids"),
        ({"hidden_labels": [1.5]}, "integers >= 0"),
        ({"overlay_style": "outline"}, "fill, contour"),
    ],
)
def test_bad_values_say_what_is_accepted(options: dict[str, Any], message: str) -> None:
    with pytest.raises(traitlets.TraitError, match=message):
        Viewer(**options)


def test_view_takes_the_label_options_and_itkwidgets_label_image_names() -> None:
    label = np.zeros((4, 4, 4), np.uint8)
    viewer = nbviewer3d.view(
        np.zeros((4, 4, 4)),
        label=label,
        label_image_names={1: "liver"},
        label_colors={1: (1.0, 0.0, 0.0)},
        hidden_labels=[2],
        overlay_style="contour",
    )
    assert viewer.label_names == {1: "liver"}
    assert viewer.label_colors == {1: "#ff0000"}
    assert viewer.hidden_labels == [2]
    assert viewer.overlay_style == "contour"
    with pytest.raises(TypeError, match="label_image_names"):
        nbviewer3d.view_logdir(".", label_names={}, label_image_names={})
