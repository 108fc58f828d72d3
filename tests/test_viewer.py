from __future__ import annotations

import warnings

import numpy as np
import pytest
import traitlets
from kernel_wire import Wire

import nbviewer3d
from nbviewer3d import NonFiniteVoxelsWarning, Viewer


def _ct(shape: tuple[int, int, int] = (12, 16, 20)) -> np.ndarray:
    rng = np.random.default_rng(1)
    return rng.normal(40, 300, shape).astype(np.float32)


def _mask(shape: tuple[int, int, int] = (12, 16, 20)) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    mask[3:8, 4:10, 5:12] = 1
    mask[5:6, 6:7, 7:8] = 2
    return mask


def test_view_holds_image_and_label_at_step_zero() -> None:
    ct, mask = _ct(), _mask()
    viewer = nbviewer3d.view(ct, label=mask)
    assert viewer.steps == [0]
    assert viewer.step == 0
    assert viewer.image is not None and viewer.label is not None
    np.testing.assert_array_equal(viewer.image.data, ct)
    np.testing.assert_array_equal(viewer.label.data, mask)
    assert viewer.prediction is None
    lo, hi = np.percentile(ct, [0.5, 99.5])
    assert viewer.vmin == pytest.approx(lo, rel=1e-3)
    assert viewer.vmax == pytest.approx(hi, rel=1e-3)


def test_display_options_and_itkwidgets_aliases() -> None:
    viewer = nbviewer3d.view(
        _ct(),
        label_image=_mask(),
        cmap="Cool to Warm",
        vmin=-100,
        vmax=300,
        label_image_blend=0.8,
        view_mode="z",
        sample_distance=0.5,
        gradient_opacity=0.0,
    )
    assert viewer.label is not None
    assert (viewer.cmap, viewer.vmin, viewer.vmax) == ("Cool to Warm", -100, 300)
    assert viewer.label_blend == 0.8
    assert viewer.view_mode == "axial"
    assert (viewer.sample_distance, viewer.gradient_opacity) == (0.5, 0.0)


def test_only_vmin_given_keeps_it_and_fills_vmax() -> None:
    viewer = nbviewer3d.view(_ct(), vmin=-50.0)
    assert viewer.vmin == -50.0
    assert viewer.vmax is not None and viewer.vmax > -50.0


def test_fetch_sends_each_role_once_as_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    ct, mask = _ct(), _mask()
    viewer = nbviewer3d.view(ct, label=mask, prediction=mask[::-1].copy())
    wire = Wire(viewer, monkeypatch)
    reply = wire.fetch(0)
    assert reply["type"] == "volumes"
    assert reply["step"] == 0
    assert reply["version"] == 0
    assert [m["role"] for m in reply["volumes"]] == ["image", "label", "prediction"]
    arrays = wire.arrays()
    np.testing.assert_array_equal(arrays["image"], ct)
    np.testing.assert_array_equal(arrays["label"], mask)
    np.testing.assert_array_equal(arrays["prediction"], mask[::-1])
    assert viewer.bytes_sent == sum(len(b) for b in wire.sent[-1][1])
    assert viewer.bytes_sent < ct.nbytes + mask.nbytes  # labels travel deflated


def test_display_changes_send_no_voxels(monkeypatch: pytest.MonkeyPatch) -> None:
    viewer = nbviewer3d.view(_ct(), label=_mask())
    wire = Wire(viewer, monkeypatch)
    viewer.cmap = "X Ray"
    viewer.vmin, viewer.vmax = -10.0, 10.0
    viewer.label_blend = 1.0
    viewer.view_mode = "coronal"
    assert wire.sent == []
    assert viewer.bytes_sent == 0


def test_add_grows_steps_and_replacing_bumps_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    viewer = nbviewer3d.view(_ct(), label=_mask())
    wire = Wire(viewer, monkeypatch)
    viewer.add(5, image=_ct() + 1, label=_mask())
    assert viewer.steps == [0, 5]
    assert viewer.step == 5  # the viewer was on the latest step, so it follows
    assert viewer._versions == {"0": 0, "5": 0}
    viewer.step = 0
    viewer.add(10, prediction=_mask())
    assert viewer.step == 0  # the user looked back: stay there
    viewer.add(0, label=np.zeros((12, 16, 20), np.uint8))
    assert viewer._versions["0"] == 1
    assert wire.fetch(0)["version"] == 1
    assert wire.arrays()["label"].max() == 0
    np.testing.assert_array_equal(wire.arrays()["image"], _ct())  # the image was kept


def test_numpy_integer_steps_are_accepted() -> None:
    viewer = nbviewer3d.view(_ct(), step=np.int64(3))
    assert viewer.steps == [3]


@pytest.mark.parametrize("step", [1.5, "3", None, True])
def test_a_step_that_is_not_an_int_is_refused(step: object) -> None:
    viewer = nbviewer3d.view(_ct())
    with pytest.raises(TypeError, match="step must be an int"):
        viewer.add(step, image=_ct())  # type: ignore[arg-type]


def test_moving_to_a_missing_step_names_the_steps_present() -> None:
    viewer = nbviewer3d.view(_ct(), step=2)
    with pytest.raises(traitlets.TraitError, match=r"steps present: \[2\]"):
        viewer.step = 7


def test_a_fetch_of_a_missing_step_answers_with_a_readable_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    viewer = nbviewer3d.view(_ct())
    wire = Wire(viewer, monkeypatch)
    reply = wire.fetch(9)
    assert reply["type"] == "error"
    assert "could not load step 9" in reply["message"]


def test_label_on_another_grid_is_refused() -> None:
    with pytest.raises(ValueError, match=r"label's grid differs from the image's.*shape"):
        nbviewer3d.view(_ct(), label=np.zeros((12, 16, 21), np.uint8))
    with pytest.raises(ValueError, match=r"prediction's grid differs.*spacing"):
        nbviewer3d.view(
            nbviewer3d.Volume(_ct(), spacing=(1, 1, 2.5)),
            prediction=nbviewer3d.Volume(_mask(), spacing=(1, 1, 3.0), kind="label"),
        )


def test_bare_label_takes_the_image_geometry() -> None:
    image = nbviewer3d.Volume(_ct(), spacing=(0.8, 0.8, 2.5), origin=(-10, 5, 30))
    viewer = nbviewer3d.view(image, label=_mask())
    assert viewer.label is not None
    assert viewer.label.spacing == (0.8, 0.8, 2.5)
    assert viewer.label.origin == (-10.0, 5.0, 30.0)


def test_nan_voxels_warn_and_stay_out_of_the_default_range() -> None:
    ct = _ct()
    ct[0, 0, :5] = np.nan
    with pytest.warns(NonFiniteVoxelsWarning, match=r"5 NaN/Inf voxels"):
        viewer = nbviewer3d.view(ct)
    assert viewer.vmin is not None and np.isfinite(viewer.vmin)
    assert viewer.vmax is not None and np.isfinite(viewer.vmax)
    assert np.isnan(viewer.image.data[0, 0, 0])  # type: ignore[union-attr]  # kept as given


def test_bad_display_values_are_refused_with_the_accepted_forms() -> None:
    viewer = nbviewer3d.view(_ct())
    with pytest.raises(traitlets.TraitError, match=r"nbviewer3d\.colormaps"):
        viewer.cmap = "jet!"
    with pytest.raises(traitlets.TraitError, match="volume, axial, coronal, sagittal"):
        viewer.view_mode = "3d"
    for name in ("vmin", "vmax", "sample_distance", "label_blend", "heatmap_opacity"):
        for bad in (float("nan"), float("inf"), -float("inf")):
            with pytest.raises(traitlets.TraitError, match=f"{name} must be a finite number"):
                setattr(viewer, name, bad)
    with pytest.raises(ValueError, match="set_range needs finite vmin < vmax"):
        viewer.set_range(5, 5)
    with pytest.raises(traitlets.TraitError):
        viewer.label_blend = 1.5
    with pytest.raises(TypeError, match=r"unknown option.*colour.*accepted: cmap"):
        nbviewer3d.view(_ct(), colour="red")
    with pytest.raises(ValueError, match="at least one of"):
        viewer.add(1)


def test_a_window_end_set_past_the_other_moves_the_other_along() -> None:
    viewer = nbviewer3d.view(_ct(), vmin=-100, vmax=300)
    viewer.vmin = 500  # above vmax: vmax follows, keeping the width of 400
    assert (viewer.vmin, viewer.vmax) == (500, 900)
    viewer.vmax = 0  # below vmin: vmin follows
    assert (viewer.vmin, viewer.vmax) == (-400, 0)
    viewer.set_range(40, 60)  # both at once, whatever the window was
    assert (viewer.vmin, viewer.vmax) == (40, 60)
    viewer.set_range(-1000, -900)
    assert (viewer.vmin, viewer.vmax) == (-1000, -900)


def test_labels_are_checked_at_add_and_stored_at_their_smallest_type() -> None:
    viewer = nbviewer3d.view(_ct())
    image = viewer.image
    assert image is not None
    shape = image.shape
    with pytest.raises(ValueError, match="label id 70000 is above 65535"):
        viewer.add(1, image=image.data, label=np.full(shape, 70000, np.int64))
    with pytest.raises(ValueError, match="negative label id -3"):
        viewer.add(1, image=image.data, label=np.full(shape, -3, np.int16))
    with pytest.raises(ValueError, match=r"probabilities.*threshold="):
        viewer.add(1, image=image.data, label=np.full(shape, 0.4, np.float32))
    viewer.add(1, image=image.data, label=np.full(shape, 0.6, np.float32), threshold=0.5)
    assert viewer.steps == [0, 1]
    viewer.add(2, label=np.ones(shape, np.int64), prediction=np.ones(shape, np.int64) * 300)
    viewer.step = 2
    assert viewer.label is not None and viewer.label.data.dtype == np.uint8
    assert viewer.prediction is not None and viewer.prediction.data.dtype == np.uint16
    with pytest.raises(ValueError, match="prediction's grid differs"):
        viewer.add(3, label=np.ones(shape, np.uint8), prediction=np.ones(shape[::-1], np.uint8))
    smaller = np.zeros([n - 1 for n in shape], np.float32)
    with pytest.raises(ValueError, match="step 2's label \\(kept\\)'s grid differs"):
        viewer.add(2, image=smaller)  # a new image on another grid than the kept label


def test_wide_integer_images_say_they_are_drawn_rounded() -> None:
    big = np.arange(4 * 5 * 6, dtype=np.int64).reshape(4, 5, 6) + (1 << 30)
    with pytest.warns(nbviewer3d.WirePrecisionWarning, match="beyond float32's exact integers"):
        nbviewer3d.view(big)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nbviewer3d.view(big - (1 << 30))  # small enough: sent exactly


def test_colormaps_lists_presets_and_the_default_is_among_them() -> None:
    names = nbviewer3d.colormaps()
    assert "Grayscale" in names
    assert len(names) == len(set(names)) >= 5
    assert Viewer().cmap in names


def test_a_buffer_reused_in_place_does_not_change_an_earlier_step() -> None:
    output = _mask().astype(np.float32)
    viewer = nbviewer3d.view(_ct(), prediction=output)
    output[:] = 0  # the training loop writes the next batch into the same buffer
    viewer.add(1, image=_ct(), prediction=output)
    viewer.step = 0
    assert viewer.prediction is not None
    np.testing.assert_array_equal(viewer.prediction.data, _mask())


def test_channel_picks_the_image_channel_and_threshold_binarises_the_prediction() -> None:
    multi = np.stack([_ct(), _ct() * 2])  # (C, x, y, z)
    probability = (_mask() > 0).astype(np.float32)[None] * 0.9  # (1, x, y, z)
    viewer = nbviewer3d.view(multi, prediction=probability, channel=1, threshold=0.5)
    assert viewer.image is not None and viewer.prediction is not None
    np.testing.assert_array_equal(viewer.image.data, _ct() * 2)
    np.testing.assert_array_equal(viewer.prediction.data, _mask() > 0)


def test_volumes_handed_back_hold_the_arrays_as_passed() -> None:
    ct, mask = _ct(), np.asfortranarray(_mask())
    viewer = nbviewer3d.view(ct, label=mask)
    assert viewer.image is not None and viewer.label is not None
    image = np.asarray(viewer.image)
    assert image.shape == ct.shape == (12, 16, 20)
    np.testing.assert_array_equal(image, ct)
    np.testing.assert_array_equal(np.asarray(viewer.label), mask)
    assert np.asarray(viewer.label).flags.f_contiguous  # the layout is kept, not reordered


def test_axes_option_of_view_and_add_reads_slice_first_stacks() -> None:
    ct, mask = _ct(), _mask()
    zyx, mask_zyx = ct.transpose(2, 1, 0).copy(), mask.transpose(2, 1, 0).copy()
    viewer = nbviewer3d.view(zyx, label=mask_zyx, axes="zyx", spacing=(2.5, 0.8, 0.5))
    assert viewer.image is not None and viewer.label is not None
    np.testing.assert_array_equal(np.asarray(viewer.image), zyx)
    assert viewer.label.direction == viewer.image.direction
    np.testing.assert_allclose(viewer.image.world((19, 15, 11)), (11 * 0.5, 15 * 0.8, 19 * 2.5))
    viewer.add(1, image=zyx, axes="zyx")
    with pytest.raises(ValueError, match=r"axes must name the world axis"):
        viewer.add(2, image=zyx, axes="zzy")


def test_threshold_on_an_integer_label_is_refused() -> None:
    with pytest.raises(ValueError, match=r"prediction: threshold=.*merge its classes"):
        nbviewer3d.view(_ct(), prediction=_mask(), threshold=0.5)


def test_simpleitk_image_with_a_label_image_overlays_in_its_index_order() -> None:
    sitk = pytest.importorskip("SimpleITK")
    zyx = _ct().transpose(2, 1, 0).copy()
    image = sitk.GetImageFromArray(zyx)
    image.SetSpacing((0.8, 0.8, 2.5))
    image.SetOrigin((10.0, 20.0, -30.0))
    label = sitk.GetImageFromArray(_mask().transpose(2, 1, 0).copy())
    label.CopyInformation(image)
    viewer = nbviewer3d.view(image, label=label)
    assert viewer.image is not None and viewer.label is not None
    np.testing.assert_array_equal(np.asarray(viewer.image), _ct())  # (x, y, z), sitk's index
    np.testing.assert_array_equal(np.asarray(viewer.label), _mask())
    assert viewer.image.frame == "LPS"
    np.testing.assert_allclose(viewer.image.world((1, 0, 0)), (-10.8, -20.0, -30.0))


def test_cursor_starts_at_the_image_centre_in_its_axis_order() -> None:
    viewer = nbviewer3d.view(np.zeros((5, 8, 3), np.float32))
    assert viewer.cursor == [2, 3, 1]
    viewer.cursor = (np.int64(4), 0, 2)
    assert viewer.cursor == [4, 0, 2]
    viewer.add(1, image=np.ones((5, 8, 3), np.float32))
    assert viewer.cursor == [4, 0, 2], "a new step moved the user's cursor"


@pytest.mark.parametrize(
    ("cursor", "message"),
    [
        ([1, 2], "three non-negative ints"),
        ([1, 2, -1], "three non-negative ints"),
        ([1.5, 2, 0], "three non-negative ints"),
        ("abc", "three non-negative ints"),
        ([5, 0, 0], r"outside the image, whose shape is \[5, 8, 3\]"),
    ],
)
def test_a_bad_cursor_says_what_is_accepted(cursor: object, message: str) -> None:
    viewer = nbviewer3d.view(np.zeros((5, 8, 3), np.float32))
    with pytest.raises(traitlets.TraitError, match=message):
        viewer.cursor = cursor


def test_quad_view_mode_and_compare_are_display_options() -> None:
    viewer = nbviewer3d.view(np.zeros((4, 4, 4), np.float32), view_mode="quad", cursor=[1, 1, 1])
    assert (viewer.view_mode, viewer.compare, viewer.cursor) == ("quad", "overlay", [1, 1, 1])
