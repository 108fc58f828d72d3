"""Heat maps and channels, kernel side: shapes MONAI hands out, integer-factor upsampling
against torch's own trilinear interpolation, entropy/max_prob against numpy, a real MONAI
GradCAM, multi-channel images with their own windows, and the wire."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import nbviewer3d
from nbviewer3d.heatmaps import derived_map, probabilities, upsampled
from nbviewer3d.transport import encode

RNG = np.random.default_rng(7)


def ct(shape: tuple[int, int, int] = (16, 12, 8)) -> np.ndarray:
    return RNG.normal(40, 30, shape).astype(np.float32)


# ---- shapes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heatmap", "options"),
    [
        (np.ones((16, 12, 8)), {}),
        (np.ones((1, 16, 12, 8)), {}),
        (np.ones((1, 1, 16, 12, 8)), {}),  # GradCAM(...)(x) for one item
        (np.ones((2, 1, 16, 12, 8)), {"index": 1}),  # a batch: index= picks
        (np.ones((1, 3, 16, 12, 8)), {"heatmap_channel": 2}),  # softmax output, one class
    ],
)
def test_monai_shapes_go_in_as_they_are(heatmap: np.ndarray, options: dict[str, Any]) -> None:
    image = ct() if "index" not in options else np.stack([ct()[None], ct()[None]])
    viewer = nbviewer3d.view(image, heatmap=heatmap, **options)
    assert viewer.heatmap is not None
    assert viewer.heatmap.shape == (16, 12, 8)
    assert viewer.heatmap.kind == "heatmap"


def test_several_heatmap_channels_need_heatmap_channel() -> None:
    with pytest.raises(ValueError, match=r"3 channels.*pass channel=0..2"):
        nbviewer3d.view(ct(), heatmap=np.ones((3, 16, 12, 8)))


def test_heatmap_on_another_grid_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"heatmap has shape \(5, 12, 8\).*\(16, 12, 8\)"):
        nbviewer3d.view(ct(), heatmap=np.ones((5, 12, 8)))


def test_upsampled_matches_torch_trilinear() -> None:
    torch = pytest.importorskip("torch")
    coarse = RNG.random((4, 3, 2)).astype(np.float32)
    expected = torch.nn.functional.interpolate(
        torch.from_numpy(coarse)[None, None], scale_factor=(4, 4, 4), mode="trilinear"
    )[0, 0].numpy()
    np.testing.assert_allclose(upsampled(coarse, (4, 4, 4)), expected, atol=1e-6)


def test_integer_factor_heatmap_is_upsampled_onto_the_image() -> None:
    image = nbviewer3d.as_volume(ct(), spacing=(0.5, 0.5, 2.0), origin=(10, 20, 30))
    coarse = RNG.random((8, 6, 4)).astype(np.float32)
    viewer = nbviewer3d.view(image, heatmap=coarse)
    heat = viewer.heatmap
    assert heat is not None and heat.same_grid(image)
    np.testing.assert_allclose(heat.data, upsampled(coarse, (2, 2, 2)))
    # each coarse voxel's value sits at the centre of its 2x2x2 block
    np.testing.assert_allclose(heat.data[::2, ::2, ::2].mean(), coarse.mean(), rtol=0.2)


def test_placed_coarse_heatmap_must_cover_the_image() -> None:
    image = nbviewer3d.as_volume(ct(), spacing=(1, 1, 1))
    # spacing 2 but first voxel at the image's corner, not at its first block's centre
    wrong = nbviewer3d.as_volume(np.ones((8, 6, 4)), spacing=(2, 2, 2))
    with pytest.raises(ValueError, match="does not cover the image's"):
        nbviewer3d.view(image, heatmap=wrong)
    right = nbviewer3d.as_volume(np.ones((8, 6, 4)), spacing=(2, 2, 2), origin=(0.5, 0.5, 0.5))
    assert nbviewer3d.view(image, heatmap=right).heatmap is not None


# ---- derived maps ----------------------------------------------------------------------------


def test_entropy_and_max_prob_from_probabilities() -> None:
    logits = RNG.normal(0, 2, (3, 6, 5, 4))
    p = np.exp(logits) / np.exp(logits).sum(axis=0)
    entropy = -(p * np.log(p)).sum(axis=0) / np.log(3)
    np.testing.assert_allclose(derived_map("entropy", p), entropy, rtol=1e-5)
    np.testing.assert_allclose(derived_map("max_prob", p), p.max(axis=0), rtol=1e-6)
    # logits go through a softmax first: the same maps
    np.testing.assert_allclose(derived_map("entropy", logits), entropy, rtol=1e-5)
    np.testing.assert_allclose(derived_map("max_prob", logits[None], index=0), p.max(axis=0))


def test_one_sigmoid_channel_is_two_classes() -> None:
    p = RNG.random((1, 4, 4, 4))
    np.testing.assert_allclose(probabilities(p), np.concatenate([1 - p, p]))
    binary = -(p * np.log(p) + (1 - p) * np.log(1 - p))[0] / np.log(2)
    np.testing.assert_allclose(derived_map("entropy", p), binary, rtol=1e-5)


def test_certain_voxels_have_zero_entropy() -> None:
    one_hot = np.zeros((2, 3, 3, 3))
    one_hot[1] = 1
    assert derived_map("entropy", one_hot).max() == 0


def test_view_derives_the_map_from_the_prediction() -> None:
    logits = RNG.normal(0, 2, (1, 3, 16, 12, 8)).astype(np.float32)
    viewer = nbviewer3d.view(ct(), prediction=logits, heatmap="entropy")
    assert viewer.prediction is not None and viewer.heatmap is not None
    np.testing.assert_array_equal(viewer.prediction.data, logits[0].argmax(axis=0))
    np.testing.assert_allclose(viewer.heatmap.data, derived_map("entropy", logits[0]))
    assert viewer.heatmap_vmin == pytest.approx(float(viewer.heatmap.data.min()))


def test_derived_map_needs_the_prediction() -> None:
    with pytest.raises(ValueError, match="pass prediction="):
        nbviewer3d.view(ct(), heatmap="entropy")
    with pytest.raises(ValueError, match="accepted: entropy, max_prob"):
        nbviewer3d.view(ct(), prediction=np.ones((2, 16, 12, 8)) / 2, heatmap="variance")


# ---- traits ----------------------------------------------------------------------------------


def test_heatmap_range_and_threshold_default_from_the_map() -> None:
    heat = np.linspace(0, 2, 16 * 12 * 8, dtype=np.float32).reshape(16, 12, 8)
    viewer = nbviewer3d.view(ct(), heatmap=heat)
    assert (viewer.heatmap_vmin, viewer.heatmap_vmax) == (0, 2)
    assert viewer.heatmap_threshold == pytest.approx(0.5)
    assert viewer.heatmap_cmap == "inferno"
    given = nbviewer3d.view(ct(), heatmap=heat, heatmap_threshold=1.5, heatmap_cmap="viridis")
    assert given.heatmap_threshold == 1.5


def test_heatmap_traits_are_checked() -> None:
    viewer = nbviewer3d.view(ct(), heatmap=np.ones((16, 12, 8)))
    with pytest.raises(Exception, match="unknown heatmap_cmap 'nope'"):
        viewer.heatmap_cmap = "nope"
    width = viewer.heatmap_vmax - viewer.heatmap_vmin  # type: ignore[operator]
    viewer.heatmap_vmin = 10  # past the top: the top moves along, keeping the width
    assert (viewer.heatmap_vmin, viewer.heatmap_vmax) == (10, 10 + width)
    with pytest.raises(Exception, match="heatmap_threshold must be a finite number, not nan"):
        viewer.heatmap_threshold = float("nan")
    with pytest.raises(Exception, match="heatmap_opacity"):
        viewer.heatmap_opacity = 2


def test_heatmap_travels_as_its_own_role() -> None:
    viewer = nbviewer3d.view(ct(), heatmap=np.full((16, 12, 8), 0.5, dtype=np.float32))
    assert viewer.heatmap is not None
    meta, buffer = encode(viewer.heatmap, "heatmap")
    assert meta["role"] == "heatmap" and meta["encoding"] == "raw"
    assert np.frombuffer(buffer, dtype=meta["dtype"]).size == 16 * 12 * 8
    assert meta["range"] == [0.5, 0.5]


def test_add_puts_a_heatmap_on_an_existing_step() -> None:
    viewer = nbviewer3d.view(ct())
    viewer.add(0, heatmap=np.ones((8, 6, 4)))
    assert viewer.heatmap is not None and viewer.heatmap.shape == (16, 12, 8)
    assert viewer._versions["0"] == 1


# ---- channels --------------------------------------------------------------------------------


def four_channels() -> np.ndarray:
    base = ct()
    return np.stack([base, base * 3, base + 500, -base]).astype(np.float32)


def test_a_multichannel_image_keeps_every_channel() -> None:
    image = four_channels()
    viewer = nbviewer3d.view(image, channel_names=["T1", "T1ce", "T2", "FLAIR"])
    assert viewer.channel_count == 4 and viewer.channel == 0
    for c in range(4):
        viewer.channel = c
        assert viewer.image is not None
        np.testing.assert_array_equal(viewer.image.data, image[c])
    with pytest.raises(Exception, match=r"channel=4 is out of range.*4 channel"):
        viewer.channel = 4


def test_channel_picks_the_first_one_shown() -> None:
    image = four_channels()
    viewer = nbviewer3d.view(image[None], channel=2)
    assert viewer.channel == 2
    assert viewer.image is not None
    np.testing.assert_array_equal(viewer.image.data, image[2])


def test_each_channel_keeps_its_own_window() -> None:
    viewer = nbviewer3d.view(four_channels())
    first = (viewer.vmin, viewer.vmax)
    viewer.vmin, viewer.vmax = -10.0, 90.0
    viewer.channel = 1
    assert viewer.image is not None
    lo, hi = nbviewer3d.transport.robust_range(viewer.image.data)
    assert (viewer.vmin, viewer.vmax) == pytest.approx((lo, hi))
    assert (viewer.vmin, viewer.vmax) != pytest.approx(first)
    viewer.channel = 0
    assert (viewer.vmin, viewer.vmax) == (-10.0, 90.0)


def test_every_channel_crosses_the_wire_once() -> None:
    viewer = nbviewer3d.view(four_channels(), heatmap=np.ones((16, 12, 8)))
    sent: list[tuple[dict[str, Any], list[Any]]] = []
    viewer.send = lambda content, buffers=None: sent.append((content, buffers or []))  # type: ignore[method-assign]
    viewer._on_message(viewer, {"type": "fetch", "step": 0}, [])
    metas = sent[0][0]["volumes"]
    assert [(m["role"], m["channel"]) for m in metas] == [
        ("image", 0),
        ("image", 1),
        ("image", 2),
        ("image", 3),
        ("heatmap", 0),
    ]


# ---- a real MONAI GradCAM --------------------------------------------------------------------


def test_monai_gradcam_map_is_shown_as_it_comes() -> None:
    torch = pytest.importorskip("torch")
    monai_nets = pytest.importorskip("monai.networks.nets")
    visualize = pytest.importorskip("monai.visualize")
    torch.manual_seed(0)
    net = monai_nets.resnet10(spatial_dims=3, n_input_channels=1, num_classes=2).eval()
    image = torch.rand(1, 1, 32, 32, 32)
    cam = visualize.GradCAM(nn_module=net, target_layers="layer4")(image)
    assert tuple(cam.shape) == (1, 1, 32, 32, 32)
    viewer = nbviewer3d.view(image, heatmap=cam)
    assert viewer.heatmap is not None
    np.testing.assert_array_equal(viewer.heatmap.data, cam[0, 0].numpy())
    assert viewer.heatmap_vmin == pytest.approx(float(cam.min()))
    # the same map on a grid twice as fine: upsampled as MONAI's own upsampler does
    fine = torch.rand(1, 1, 64, 64, 64)
    viewer.add(1, image=fine, heatmap=cam)
    expected = torch.nn.functional.interpolate(cam, scale_factor=2, mode="trilinear")
    np.testing.assert_allclose(viewer.heatmap.data, expected[0, 0].numpy(), atol=1e-6)


# ---- logged heat maps --------------------------------------------------------------------------


def test_logged_heatmaps_walk_with_the_steps(tmp_path: Any) -> None:
    """log_volume(kind="heatmap") keeps the map's values; view_logdir pairs a ``*cam*`` tag as
    the heat map and upsamples a coarse one onto the image's grid."""
    writer_module = pytest.importorskip("torch.utils.tensorboard")
    writer = writer_module.SummaryWriter(str(tmp_path / "run"))
    maps = {}
    for step in (1, 2):
        nbviewer3d.log_volume(writer, "image", ct(), step)
        maps[step] = RNG.random((8, 6, 4)).astype(np.float32)
        nbviewer3d.log_volume(writer, "gradcam_layer4", maps[step], step, kind="heatmap")
    writer.close()
    logdir = nbviewer3d.open_logdir(str(tmp_path))
    logged = logdir.volume("run", "gradcam_layer4", 2)
    assert logged.kind == "heatmap"
    np.testing.assert_array_equal(logged.data, maps[2])
    viewer = nbviewer3d.view_logdir(str(tmp_path))
    assert viewer.steps == [1, 2]
    for step in (1, 2):
        viewer.step = step
        assert viewer.heatmap is not None
        np.testing.assert_allclose(viewer.heatmap.data, upsampled(maps[step], (2, 2, 2)))
    assert viewer.heatmap_vmin is not None
    explicit = nbviewer3d.view_logdir(str(tmp_path), image="image", heatmap="gradcam_layer4")
    assert explicit.heatmap is not None


def test_log_volume_names_the_kinds() -> None:
    with pytest.raises(ValueError, match="'image', 'label' or 'heatmap'"):
        nbviewer3d.log_volume(None, "x", np.ones((2, 2, 2)), 0, kind="cam")
