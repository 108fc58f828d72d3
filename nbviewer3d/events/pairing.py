"""Which logged tags hold the image, label and prediction of a review.

MONAI's writers name tags ``{name}_HWD/image``, ``{name}_HWD/image/{i}``, ``{name}/image/{i}``,
``{name}_HW``, ``{name}_HW_{j}`` and ``{name}_CHW``; the role is read from ``name``
(``image``/``label``/``output`` in MONAI's tutorials; ``input_0``/``input_1``/``output`` from
MONAI's ``TensorBoardImageHandler``, which logs the batch's first and second items under those
names). No prefix is hard-coded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import LogdirError

ROLES = ("image", "label", "prediction", "heatmap")
VOLUME_KINDS = ("lossless_volume", "volume", "tensor", "image2d")

_SUFFIX = re.compile(r"(?:_HWD)?/image(?:/(\d+))?$|_HW_(\d+)$|_HW$|_CHW$")
_WORDS = {
    "prediction": {"output", "outputs", "out", "pred", "preds", "prediction", "predictions"},
    "label": {"label", "labels", "seg", "segmentation", "mask", "masks", "gt", "target", "y"},
    "image": {"image", "images", "img", "input", "inputs", "ct", "mr", "mri", "x", "volume"},
}
# heat maps are named by any word holding one of these (``gradcam``, ``cam_layer4``, ``*cam*``)
_HEATMAP_PARTS = ("cam", "heatmap", "saliency", "occlusion", "attention", "entropy")

# TensorBoardImageHandler's fixed names: batch_transform(batch)[0], [1] and the output
_HANDLER_NAMES = {"input_0": "image", "input_1": "label", "output": "prediction"}


def split_tag(tag: str) -> tuple[str, int]:
    """``(name, channel)`` of a MONAI-style tag: ``"label_HWD/image/1"`` -> ``("label", 1)``."""
    match = _SUFFIX.search(tag)
    if match is None:
        return tag, 0
    channel = match.group(1) or match.group(2) or "0"
    return tag[: match.start()], int(channel)


def guess_role(tag: str) -> str | None:
    """The role a tag's name suggests, or None. Prediction words win over label words
    (``y_pred``), label words over image words (``image_label``)."""
    name, _ = split_tag(tag)
    handler_role = _HANDLER_NAMES.get(name.rsplit("/", 1)[-1])
    if handler_role is not None:
        return handler_role
    words = set(re.split(r"[^a-z0-9]+", name.lower())) | {name.lower()}
    if any(part in word for word in words for part in _HEATMAP_PARTS):
        return "heatmap"
    for role in ("prediction", "label", "image"):
        if words & _WORDS[role]:
            return role
    return None


def _preference(tag: str, kind: str) -> tuple[int, int, int, str]:
    """Lower is better: a name that is a role word itself (``image``, ``input_0``) before one
    that merely holds one (``x_img_debug``), then lossless kinds, then the first channel."""
    name, channel = split_tag(tag)
    last = name.rsplit("/", 1)[-1].lower()
    exact = last in _HANDLER_NAMES or any(last in words for words in _WORDS.values())
    return (0 if exact else 1, VOLUME_KINDS.index(kind), channel, tag)


def _resolve(name: str, tags: Mapping[str, str]) -> str:
    """An explicit tag name: the exact tag, or a MONAI base name such as ``input_0_HWD``."""
    if name in tags:
        return name
    base = re.sub(r"(_HWD|_CHW|_HW)$", "", name)
    candidates = [t for t in tags if tags[t] in VOLUME_KINDS and split_tag(t)[0] == base]
    if candidates:
        return min(candidates, key=lambda t: _preference(t, tags[t]))
    raise LogdirError(f"no tag {name!r} in this run; tags: {_listing(tags)}")


def _listing(tags: Mapping[str, str]) -> str:
    return ", ".join(f"{t!r} ({k})" for t, k in sorted(tags.items())) or "none"


def pair_tags(
    tags: Mapping[str, str],
    image: str | None = None,
    label: str | None = None,
    prediction: str | None = None,
    heatmap: str | None = None,
) -> dict[str, str]:
    """Role -> tag. Explicit names win; roles not named are guessed from the tag names
    (only when no role is named explicitly). ``tags`` maps tag -> kind. Volume tags left
    out are listed by :func:`unpaired`."""
    explicit = {"image": image, "label": label, "prediction": prediction, "heatmap": heatmap}
    if any(v is not None for v in explicit.values()):
        return {role: _resolve(name, tags) for role, name in explicit.items() if name is not None}
    volumes = {t: k for t, k in tags.items() if k in VOLUME_KINDS}
    roles: dict[str, str] = {}
    for role in ROLES:
        candidates = [t for t in volumes if guess_role(t) == role]
        if candidates:
            roles[role] = min(candidates, key=lambda t: _preference(t, volumes[t]))
    if not roles and len({split_tag(t)[0] for t in volumes}) == 1:
        only = min(volumes, key=lambda t: _preference(t, volumes[t]))
        roles["image"] = only
    if not roles:
        raise LogdirError(
            "cannot tell which tags hold the image, label and prediction; pass their names "
            f"(image=..., label=..., prediction=...). Tags in this run: {_listing(tags)}"
        )
    return roles


def unpaired(tags: Mapping[str, str], roles: Mapping[str, str]) -> list[str]:
    """The volume tags of ``tags`` (tag -> kind) that ``roles`` (role -> tag) leaves out."""
    used = set(roles.values())
    return sorted(t for t, k in tags.items() if k in VOLUME_KINDS and t not in used)


def unpaired_message(dropped: list[str], roles: Mapping[str, str], where: str) -> str:
    """Says which volume tags are not shown and the call that would show the first one."""
    tag = dropped[0]
    free = [r for r in ROLES if r not in roles]
    role = guess_role(tag) or (free[0] if free else "prediction")
    named = {**roles, role: tag}
    call = ", ".join(f"{r}={named[r]!r}" for r in ROLES if r in named)
    shown = ", ".join(f"{r}={roles[r]!r}" for r in ROLES if r in roles)
    listed = ", ".join(repr(t) for t in dropped)
    return (
        f"{where}: not shown, as no role could be given to them: {listed} (shown: {shown}). "
        "To show a tag, name the tag of every role you want, e.g. "
        f"view_logdir(path, {call})"
    )
