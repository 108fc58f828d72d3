"""The phantoms hold the anatomy their docstrings promise, where the RAS frame puts it."""

from __future__ import annotations

import numpy as np
import pytest

from nbviewer3d import phantoms


@pytest.fixture(scope="module")
def abdomen() -> phantoms.Phantom:
    return phantoms.abdomen()


@pytest.fixture(scope="module")
def head() -> phantoms.Phantom:
    return phantoms.head()


def centre_mm(p: phantoms.Phantom, mask: np.ndarray) -> np.ndarray:
    """Centroid of ``mask`` in mm, relative to the grid's centre (x: R, y: A, z: S)."""
    idx = np.argwhere(mask).mean(axis=0)
    return (idx - (np.array(mask.shape) - 1) / 2) * np.array(p.spacing)


def test_arrays_are_deterministic_and_typed(abdomen: phantoms.Phantom) -> None:
    again = phantoms.abdomen()
    assert np.array_equal(abdomen.image, again.image)
    assert np.array_equal(abdomen.label, again.label)
    assert abdomen.image.dtype == np.int16 and abdomen.label.dtype == np.uint8
    assert abdomen.image.shape == abdomen.label.shape == (120, 88, 96)
    assert np.allclose(abdomen.affine, np.diag([3.2, 3.2, 4.0, 1.0]))
    assert abdomen.world((1, 2, 3)) == pytest.approx((3.2, 6.4, 12.0))


def test_abdomen_anatomy(abdomen: phantoms.Phantom) -> None:
    hu, label = abdomen.image, abdomen.label
    assert hu.min() == -1000 and hu.max() == 1000
    assert set(np.unique(label)) == {0, *phantoms.ABDOMEN_LABELS}
    liver = centre_mm(abdomen, label == 1)
    spleen = centre_mm(abdomen, label == 5)
    assert liver[0] > 40 and spleen[0] < -40, "liver on the patient's right (+x), spleen left"
    assert centre_mm(abdomen, label == 3)[0] > 0 > centre_mm(abdomen, label == 4)[0]
    # bone (>= 500 HU, markers aside) lies posterior: the spine
    bone = (hu >= 500) & (hu < 1000)
    spine = bone & (np.abs(np.arange(hu.shape[0]) - 59.5)[:, None, None] * 3.2 < 25)
    assert centre_mm(abdomen, spine)[1] < -40
    # air all around the body at mid height, soft tissue in the middle
    mid = hu[:, :, 40]
    assert mid[0, 0] == -1000 and mid[60, 44] > 0


def test_abdomen_markers_at_plus_x_and_plus_z(abdomen: phantoms.Phantom) -> None:
    hu = abdomen.image
    markers = hu >= 900
    x_end = markers & (np.arange(hu.shape[0]) > 100)[:, None, None]
    z_end = markers & (np.arange(hu.shape[2]) > 82)[None, None, :]
    assert x_end.any() and z_end.any()
    assert np.all(markers == (x_end | z_end)), "no bright voxels besides the two markers"
    cx, cz = centre_mm(abdomen, x_end), centre_mm(abdomen, z_end)
    assert cx[0] > 150 and abs(cx[1]) < 5 and abs(cx[2]) < 5
    assert cz[2] > 140 and abs(cz[0]) < 5 and abs(cz[1]) < 5
    assert z_end.sum() > 2 * x_end.sum(), "the +z marker is the larger one"
    # each marker floats in air: a shell around it holds nothing else
    grid = np.indices(hu.shape).transpose(1, 2, 3, 0)
    centre = (np.array(hu.shape) - 1) / 2
    mm = (grid - centre) * np.array(abdomen.spacing)
    for marker, radius in ((cx, 10.0), (cz, 16.0)):
        distance = np.linalg.norm(mm - marker, axis=-1)
        shell = (distance > radius + 4) & (distance < radius + 10)
        assert np.all(hu[shell] == -1000)


def test_head_anatomy(head: phantoms.Phantom) -> None:
    image, label = head.image, head.label
    assert image.min() == 0
    assert set(np.unique(label)) == {0, *phantoms.HEAD_LABELS}
    assert len(phantoms.HEAD_LABELS) >= 20
    names = {name: ident for ident, name in phantoms.HEAD_LABELS.items()}
    eyes = centre_mm(head, (label == names["left eye"]) | (label == names["right eye"]))
    brain = centre_mm(head, (label > 0) & (label <= 16))
    assert eyes[1] > brain[1] + 50, "the eyes are anterior (+y)"
    assert (
        centre_mm(head, label == names["left eye"])[0]
        < 0
        < centre_mm(head, label == names["right eye"])[0]
    ), "left is -x in RAS"
    assert (
        centre_mm(head, label == names["left frontal cortex"])[1]
        > centre_mm(head, label == names["left occipital cortex"])[1]
    )
    assert centre_mm(head, label == names["brainstem"])[2] < brain[2]
    # T1 contrast: white matter brighter than grey matter, CSF dark
    white = image[label == names["right parietal white matter"]].mean()
    grey = image[label == names["right parietal cortex"]].mean()
    ventricle = image[label == names["right lateral ventricle"]].mean()
    assert white > grey > ventricle
    # the nose is the most anterior tissue
    tissue = np.argwhere(image > 200)
    front = tissue[tissue[:, 1].argmax()]
    assert abs((front[0] - 47.5) * 2.0) < 10


def test_parcellate_splits_a_mask_into_touching_regions() -> None:
    mask = phantoms.head().label > 0
    atlas = phantoms.parcellate(mask, 116)
    assert atlas.shape == mask.shape
    assert set(np.unique(atlas[mask]).tolist()) == set(range(1, 117))
    assert not atlas[~mask].any()
    assert np.array_equal(atlas, phantoms.parcellate(mask, 116))  # seeded: the same every run
    with pytest.raises(ValueError, match="cannot split"):
        phantoms.parcellate(np.zeros((2, 2, 2), bool), 3)
