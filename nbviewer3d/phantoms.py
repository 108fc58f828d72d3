"""Synthetic CT and MR phantoms with known anatomy, for tests, golden images and notebooks.

Every phantom is a pair of numpy arrays indexed ``(x, y, z)`` (NIfTI / nibabel / MONAI
``(H, W, D)`` order) on a grid whose voxel ``(i, j, k)`` sits at ``(i * sx, j * sy, k * sz)``
mm in the RAS patient frame: ``x`` grows toward the patient's Right, ``y`` toward Anterior,
``z`` toward Superior. ``Phantom.affine`` is that placement as a 4x4 matrix, so
``nibabel.Nifti1Image(p.image, p.affine)`` (or a MetaTensor with that affine) is placed the
same under any reading of plain arrays.

Edges are partial-volume blended over about one voxel, so renderings are smooth; no noise is
added and nothing is random, so the arrays are identical on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

_F32 = npt.NDArray[np.float32]
_XYZ = tuple[float, float, float]


@dataclass(frozen=True)
class Phantom:
    """An image, its label and their geometry; arrays indexed ``(x, y, z)`` in RAS."""

    image: npt.NDArray[np.int16]
    label: npt.NDArray[np.uint8]
    spacing: _XYZ
    label_names: dict[int, str]
    description: str

    @property
    def affine(self) -> npt.NDArray[np.float64]:
        """4x4 voxel -> RAS mm: ``diag(sx, sy, sz, 1)``."""
        return np.diag([*self.spacing, 1.0])

    def world(self, ijk: Sequence[float]) -> _XYZ:
        """RAS mm of voxel index ``(i, j, k)``."""
        x, y, z = (float(i) * s for i, s in zip(ijk, self.spacing, strict=True))
        return (x, y, z)


class _Canvas:
    """A voxel grid with world coordinates centred on the grid; paints soft-edged shapes."""

    def __init__(self, shape: tuple[int, int, int], spacing: _XYZ, background: float) -> None:
        self.shape = shape
        self.spacing = spacing
        axes = [
            ((np.arange(n, dtype=np.float32) - (n - 1) / 2) * s)
            for n, s in zip(shape, spacing, strict=True)
        ]
        self.x = axes[0][:, None, None]
        self.y = axes[1][None, :, None]
        self.z = axes[2][None, None, :]
        self.step = float(np.mean(spacing))
        self.image: _F32 = np.full(shape, background, np.float32)
        self.label = np.zeros(shape, np.uint8)

    def ellipsoid(self, centre: _XYZ, radii: _XYZ) -> _F32:
        """Approximate signed distance (mm, negative inside) to an ellipsoid's surface."""
        cx, cy, cz = centre
        rx, ry, rz = radii
        rho = np.sqrt(
            ((self.x - cx) / rx) ** 2 + ((self.y - cy) / ry) ** 2 + ((self.z - cz) / rz) ** 2
        )
        return np.asarray((rho - 1.0) * min(radii), np.float32)

    def cylinder(self, centre_xy: tuple[float, float], radii_xy: tuple[float, float]) -> _F32:
        """Signed distance to an elliptic cylinder along z (infinite)."""
        cx, cy = centre_xy
        rx, ry = radii_xy
        rho = np.sqrt(((self.x - cx) / rx) ** 2 + ((self.y - cy) / ry) ** 2)
        return np.broadcast_to((rho - 1.0) * min(radii_xy), self.shape).astype(np.float32)

    def slab_z(self, low: float, high: float) -> _F32:
        """Signed distance to the slab ``low <= z <= high``."""
        return np.broadcast_to(np.maximum(low - self.z, self.z - high), self.shape).astype(
            np.float32
        )

    def paint(self, distance: _F32 | Any, value: float, label: int | None = None) -> None:
        """Blend ``value`` in where ``distance`` < 0, over about one voxel at the edge."""
        cover = np.clip(0.5 - distance / self.step, 0.0, 1.0)
        self.image += (np.float32(value) - self.image) * cover
        if label is not None:
            self.label[cover > 0.5] = label

    def clear_label(self, distance: _F32 | Any) -> None:
        self.label[distance < 0] = 0

    def result(self, spacing: _XYZ, names: dict[int, str], description: str) -> Phantom:
        image = np.rint(self.image).astype(np.int16)
        return Phantom(image, self.label, spacing, names, description)


def _inside(*distances: _F32) -> _F32:
    """Intersection of shapes given by signed distances."""
    out = distances[0]
    for d in distances[1:]:
        out = np.maximum(out, d)
    return out


ABDOMEN_LABELS = {1: "liver", 2: "liver lesion", 3: "right kidney", 4: "left kidney", 5: "spleen"}


def abdomen() -> Phantom:
    """An abdominal CT phantom in Hounsfield units, 120x88x96 voxels of 3.2x3.2x4 mm.

    Air (-1000) around an elliptic body cylinder (subcutaneous fat -100, soft tissue 40) that
    stops 60 mm below the top of the volume; a segmented spine (vertebral bodies 700, discs
    80) and spinous process posterior; ribs (600) around the upper abdomen; a contrast-filled
    aorta (180) left of the spine; the liver (60) on the patient's right (+x) with a
    hypodense lesion (10); kidneys (150) and the spleen (50) on the patient's left (-x).
    Two markers (1000 HU) lie in the air: a 10 mm sphere right of the body (the +x end) and
    a 16 mm sphere above it (the +z end). Labels: see ``label_names``.
    """
    shape = (120, 88, 96)
    spacing = (3.2, 3.2, 4.0)
    c = _Canvas(shape, spacing, -1000.0)
    top = (shape[2] - 1) / 2 * spacing[2]  # z of the highest voxel centre
    torso_z = c.slab_z(-top - 10.0, top - 60.0)
    body = _inside(c.cylinder((0.0, 0.0), (150.0, 105.0)), torso_z)
    inner = _inside(c.cylinder((0.0, 2.0), (136.0, 92.0)), torso_z)
    c.paint(body, -100.0)
    c.paint(inner, 40.0)

    # ribs: rings just inside the fat, open at the front (costal cartilage, sternum)
    rho = np.sqrt((c.x / 128.0) ** 2 + ((c.y - 2.0) / 86.0) ** 2)
    front = np.arctan2(np.abs(c.x), c.y - 2.0) < 0.5
    for z_rib in (10.0, 42.0, 74.0, 106.0):
        ring = np.sqrt(((rho - 1.0) * 86.0) ** 2 + (c.z - z_rib) ** 2) - 5.0
        c.paint(np.where(front, 1e3, ring).astype(np.float32), 600.0)

    spine_z = torso_z
    c.paint(_inside(c.cylinder((0.0, -55.0), (22.0, 18.0)), spine_z), 700.0)
    c.paint(_inside(c.cylinder((0.0, -82.0), (6.0, 12.0)), spine_z), 600.0)
    for z_disc in np.arange(-top, top - 60.0, 32.0):
        disc = _inside(c.cylinder((0.0, -55.0), (21.0, 17.0)), c.slab_z(z_disc - 3, z_disc + 3))
        c.paint(disc, 80.0)
    c.paint(_inside(c.cylinder((-22.0, -26.0), (11.0, 11.0)), spine_z), 180.0)

    liver = _inside(c.ellipsoid((62.0, 8.0, 50.0), (72.0, 66.0, 78.0)), inner + 8.0)
    c.paint(liver, 60.0, label=1)
    c.paint(c.ellipsoid((82.0, 22.0, 60.0), (18.0, 18.0, 18.0)), 10.0, label=2)
    for side, ident in ((1.0, 3), (-1.0, 4)):
        c.paint(c.ellipsoid((side * 60.0, -45.0, -40.0), (26.0, 20.0, 50.0)), 150.0, label=ident)
    spleen = _inside(c.ellipsoid((-88.0, -22.0, 54.0), (34.0, 38.0, 52.0)), inner + 8.0)
    c.paint(spleen, 50.0, label=5)

    half_x = (shape[0] - 1) / 2 * spacing[0]
    c.paint(c.ellipsoid((half_x - 16.0, 0.0, 0.0), (10.0, 10.0, 10.0)), 1000.0)
    c.paint(c.ellipsoid((0.0, 0.0, top - 28.0), (16.0, 16.0, 16.0)), 1000.0)
    return c.result(
        spacing,
        ABDOMEN_LABELS,
        "abdominal CT phantom (HU): body, spine, ribs, aorta, liver with lesion on the right "
        "(+x), kidneys, spleen; markers in the air at +x (10 mm) and +z (16 mm)",
    )


_LOBES = ("frontal", "parietal", "temporal", "occipital")


def _head_labels() -> dict[int, str]:
    names: dict[int, str] = {}
    ident = 1
    for side in ("left", "right"):
        for lobe in _LOBES:
            names[ident] = f"{side} {lobe} cortex"
            names[ident + 1] = f"{side} {lobe} white matter"
            ident += 2
    for structure in ("lateral ventricle", "caudate", "thalamus", "cerebellum", "eye"):
        names[ident] = f"left {structure}"
        names[ident + 1] = f"right {structure}"
        ident += 2
    names[ident] = "brainstem"
    return names


HEAD_LABELS = _head_labels()


def head() -> Phantom:
    """A T1-weighted MR head phantom (arbitrary units 0..~700), 96x116x110 voxels of 2 mm.

    Air (0); neck; scalp (bright fat, 650); skull (dark cortical bone 60 with brighter
    marrow 420); CSF (120); cerebrum with folded cortex (grey matter 420) over white matter
    (620), split by the interhemispheric fissure; lateral ventricles, caudate, thalamus,
    cerebellum, brainstem; at the front (+y) the eyes (dark vitreous in bright orbital fat)
    and the nose, ears at the sides. The label has 27 regions: grey and white matter of four
    lobes per hemisphere, deep structures, cerebellum, brainstem and eyes (``label_names``).
    """
    shape = (96, 116, 110)
    spacing = (2.0, 2.0, 2.0)
    c = _Canvas(shape, spacing, 0.0)
    centre = (0.0, 0.0, 20.0)
    head_radii = (74.0, 94.0, 96.0)

    def shell(inset: float) -> _F32:
        return c.ellipsoid(
            centre, (head_radii[0] - inset, head_radii[1] - inset, head_radii[2] - inset)
        )

    c.paint(_inside(c.cylinder((0.0, -12.0), (52.0, 56.0)), c.slab_z(-1e3, -40.0)), 400.0)
    c.paint(shell(0.0), 650.0)
    c.paint(shell(5.0), 60.0)
    c.paint(shell(7.5), 420.0)
    c.paint(shell(10.5), 60.0)
    c.paint(shell(13.0), 120.0)
    for side in (-1.0, 1.0):
        c.paint(c.ellipsoid((side * 76.0, -6.0, 6.0), (7.0, 15.0, 22.0)), 420.0)
    c.paint(c.ellipsoid((0.0, 90.0, -16.0), (10.0, 16.0, 22.0)), 430.0)

    cx, cy, cz = 0.0, 0.0, 30.0
    cerebrum = c.ellipsoid((cx, cy, cz), (58.0, 78.0, 64.0))
    # folds: the grey/white boundary and the surface wave with direction
    theta = np.arctan2(c.y - cy, c.x - cx)
    phi = np.arctan2(c.z - cz, np.sqrt((c.x - cx) ** 2 + (c.y - cy) ** 2))
    folds = (np.sin(9.0 * theta) * np.sin(7.0 * phi)).astype(np.float32)
    c.paint(cerebrum + 1.5 * folds, 420.0)
    white = cerebrum + 5.0 + 2.5 * folds
    c.paint(white, 620.0)
    fissure = _inside(
        np.broadcast_to(np.abs(c.x) - 0.5, shape).astype(np.float32), c.slab_z(cz - 8, 1e3)
    )
    c.paint(_inside(fissure, cerebrum - 1.0), 120.0)

    # lobes of the cerebrum, by position relative to its centre
    y_rel = np.broadcast_to(c.y - cy, shape)
    z_rel = np.broadcast_to(c.z - cz, shape)
    lobe = np.full(shape, 1, np.uint8)  # parietal
    lobe[y_rel > 12.0] = 0  # frontal
    lobe[(z_rel < -8.0) & (y_rel <= 12.0) & (y_rel > -46.0)] = 2  # temporal
    lobe[y_rel <= -46.0] = 3  # occipital
    in_brain = (cerebrum < 0) & ~(fissure < 0)
    is_white = white < 0
    left = np.broadcast_to(c.x < 0, shape)
    base = np.where(left, 1, 9).astype(np.uint8) + 2 * lobe
    c.label[in_brain] = (base + is_white.astype(np.uint8))[in_brain]

    deep = (
        ("lateral ventricle", 120.0, (13.0, 4.0, 34.0), (7.0, 28.0, 9.0)),
        ("caudate", 460.0, (17.0, 20.0, 32.0), (6.0, 11.0, 8.0)),
        ("thalamus", 500.0, (11.0, -12.0, 18.0), (10.0, 14.0, 9.0)),
    )
    for name, value, (x, y, z), radii in deep:
        for side, prefix in ((-1.0, "left"), (1.0, "right")):
            ident = _label_id(f"{prefix} {name}")
            c.paint(c.ellipsoid((side * x, y, z), radii), value, label=ident)

    cerebellum_centre = (0.0, -44.0, -24.0)
    cerebellum = c.ellipsoid(cerebellum_centre, (46.0, 22.0, 18.0))
    c.paint(cerebellum, 430.0)
    c.paint(c.ellipsoid(cerebellum_centre, (24.0, 11.0, 8.0)), 600.0)
    inside_cerebellum = cerebellum < 0
    c.label[inside_cerebellum & left] = _label_id("left cerebellum")
    c.label[inside_cerebellum & ~left] = _label_id("right cerebellum")
    c.paint(c.ellipsoid((0.0, -20.0, -46.0), (13.0, 13.0, 46.0)), 580.0, _label_id("brainstem"))

    for side, prefix in ((-1.0, "left"), (1.0, "right")):
        eye = (side * 32.0, 78.0, 2.0)
        c.paint(c.ellipsoid(eye, (17.0, 15.0, 15.0)), 680.0)
        c.paint(c.ellipsoid(eye, (12.0, 12.0, 12.0)), 90.0, label=_label_id(f"{prefix} eye"))
        c.paint(c.ellipsoid((eye[0], eye[1] + 10.0, eye[2]), (4.0, 2.0, 4.0)), 480.0)
    return c.result(
        spacing,
        HEAD_LABELS,
        "T1 MR head phantom: scalp, skull, CSF, folded cortex over white matter, ventricles, "
        "deep grey matter, cerebellum, brainstem; face (eyes, nose) toward +y (anterior)",
    )


def _label_id(name: str) -> int:
    for ident, known in HEAD_LABELS.items():
        if known == name:
            return ident
    raise KeyError(name)


def parcellate(
    mask: npt.NDArray[np.bool_], regions: int = 116, seed: int = 0
) -> npt.NDArray[np.uint16]:
    """Splits ``mask`` into ``regions`` touching parts with ids 1..regions (0 outside).

    Each voxel goes to the nearest of ``regions`` seed points drawn inside the mask with a
    seeded generator: the shape of a many-region atlas (the 116 of AAL, say), not its anatomy.
    """
    inside = np.argwhere(mask)
    if not 0 < regions <= len(inside):
        raise ValueError(f"cannot split {len(inside)} voxels into {regions} regions")
    rng = np.random.default_rng(seed)
    seeds = inside[rng.choice(len(inside), size=regions, replace=False)].astype(np.float32)
    nearest = np.empty(len(inside), dtype=np.uint16)
    for start in range(0, len(inside), 65536):
        chunk = inside[start : start + 65536].astype(np.float32)
        distances = ((chunk[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2)
        nearest[start : start + len(chunk)] = distances.argmin(axis=1)
    atlas = np.zeros(mask.shape, dtype=np.uint16)
    atlas[tuple(inside.T)] = nearest + 1
    return atlas
