"""A demo training run: a small MONAI UNet learns the liver and tumour of the real CT.

It has the shape of the logdir MONAI's 3D segmentation tutorials leave behind, three ways:

- ``monai_gif/``: MONAI's ``plot_2d_or_3d_image`` with the tutorials' tags (``image``,
  ``label``, ``output``): 8-bit GIFs, each volume rescaled on its own.
- ``image_handler/``: the same call with the names of MONAI's ``TensorBoardImageHandler``
  (``input_0`` image, ``input_1`` label, ``output``).
- ``lossless/``: :func:`nbviewer3d.log_volume`: the CT in Hounsfield units, the label, the
  prediction and the tumour probability (a heat map), exact and placed in the patient's frame.

Each run logs ``train_loss`` at every iteration and ``val_mean_dice``, ``val_dice_liver``,
``val_dice_tumour`` at every validation step. Training is seeded; a checkpoint is written
after each validation step and the run resumes from it when started again. It trains on
random crops of the one case it validates on, so the Dice it reaches says nothing about
generalisation: the run exists to be reviewed, not to be believed.

torch and monai are imported here, not by ``nbviewer3d.demo``, so reading the CT needs
neither.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nbviewer3d.demo.liver_ct import load_liver_ct

RUNS = ("monai_gif", "image_handler", "lossless")
LABEL_NAMES = {1: "liver", 2: "tumour"}
# The HU window the network sees, scaled to 0..1 (soft tissue and contrast-enhanced liver).
HU_WINDOW = (-200.0, 250.0)
_DONE = "run.json"
_CHECKPOINT = "checkpoint.pt"


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """What a run is made of. A run folder keeps the config it was started with."""

    iterations: int = 240
    validate_every: int = 30
    crop: int = 64
    batch: int = 2
    learning_rate: float = 2e-3
    seed: int = 0

    def __post_init__(self) -> None:
        if self.iterations < 1 or self.validate_every < 1:
            raise ValueError("iterations and validate_every must be at least 1")
        if self.crop % 8 or not 16 <= self.crop <= 128:
            raise ValueError(f"crop must be a multiple of 8 within 16..128, not {self.crop}")

    @property
    def validation_steps(self) -> list[int]:
        steps = list(range(self.validate_every, self.iterations + 1, self.validate_every))
        return steps if steps and steps[-1] == self.iterations else [*steps, self.iterations]


def default_run_dir() -> Path:
    """Where the demo run is cached: ``$NBVIEWER3D_DEMO_RUN``, else the user's cache folder.

    Never inside the repository: the run is made from LiTS data, which may not be committed.
    """
    explicit = os.environ.get("NBVIEWER3D_DEMO_RUN")
    if explicit:
        return Path(explicit).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "nbviewer3d" / "demo-run"


def demo_run(path: str | os.PathLike[str] | None = None, **config: Any) -> Path:
    """The demo run's folder (see :func:`default_run_dir`), trained first if not complete."""
    folder = Path(path) if path is not None else default_run_dir()
    if not is_complete(folder):
        make_run(folder, RunConfig(**config))
    return folder


def is_complete(folder: Path) -> bool:
    return (folder / _DONE).is_file()


def make_run(
    folder: str | os.PathLike[str],
    config: RunConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Train and log the demo run into ``folder``; resume where an earlier call stopped.

    ``progress`` receives one line per update (default: a bar on stderr). Returns ``folder``.
    A finished run is left as it is; a folder started with another config is refused.
    """
    folder = Path(folder)
    config = config or RunConfig()
    started = _started_config(folder)
    if started is not None and started != config:
        raise ValueError(
            f"{folder} holds a demo run started with {started}, not {config}: "
            "pick another folder or delete this one"
        )
    if is_complete(folder):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(dataclasses.asdict(config), indent=1))
    _Training(folder, config, progress or _ProgressBar(config.iterations)).run()
    return folder


def _started_config(folder: Path) -> RunConfig | None:
    try:
        return RunConfig(**json.loads((folder / "config.json").read_text()))
    except FileNotFoundError:
        return None


class _ProgressBar:
    """One line on stderr, redrawn: what a terminal and a notebook cell both show."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.start = time.monotonic()

    def __call__(self, line: str) -> None:
        elapsed = time.monotonic() - self.start
        sys.stderr.write(f"\r{line} [{elapsed:.0f} s]".ljust(78))
        if line.startswith("done"):
            sys.stderr.write("\n")
        sys.stderr.flush()


class _Training:
    def __init__(self, folder: Path, config: RunConfig, progress: Callable[[str], None]) -> None:
        import torch
        from monai.losses import DiceCELoss  # type: ignore[attr-defined]
        from monai.networks.nets import UNet  # type: ignore[attr-defined]

        self.torch = torch
        self.folder, self.config, self.progress = folder, config, progress
        ct, label = load_liver_ct()
        # The network sees the CT in RAS order (the stored axes 0 and 1 point left and
        # posterior), so the GIF runs, which carry no geometry, show the patient upright.
        ras = (slice(None, None, -1), slice(None, None, -1))
        self.hu = np.ascontiguousarray(ct.data[ras], dtype=np.float32)
        self.label = np.ascontiguousarray(label.data[ras], dtype=np.uint8)
        lo, hi = HU_WINDOW
        scaled = np.clip((self.hu - lo) / (hi - lo), 0.0, 1.0)
        self.x = torch.from_numpy(scaled)[None, None]
        self.y = torch.from_numpy(self.label.astype(np.int64))[None, None]
        self.foreground = np.argwhere(self.label > 0)
        torch.manual_seed(config.seed)
        self.net = UNet(3, 1, 3, channels=(16, 32, 64, 128), strides=(2, 2, 2), num_res_units=2)
        self.optimizer = torch.optim.Adam(self.net.parameters(), config.learning_rate)
        self.loss = DiceCELoss(to_onehot_y=True, softmax=True)
        self.rng = np.random.default_rng(config.seed)
        self.iteration = 0

    def run(self) -> None:
        self._resume()
        writers = {run: self._writer(run) for run in RUNS}
        losses: list[tuple[int, float]] = []
        try:
            while self.iteration < self.config.iterations:
                self.iteration += 1
                losses.append((self.iteration, self._train_step()))
                self.progress(self._line(losses[-1][1]))
                if self.iteration in self.config.validation_steps:
                    self._validate(writers, losses)
                    losses = []
        finally:
            for writer in writers.values():
                writer.close()
        (self.folder / _DONE).write_text(json.dumps({"steps": self.config.validation_steps}))
        self.progress(f"done: {self.folder}")

    def _line(self, loss: float) -> str:
        total = self.config.iterations
        filled = round(24 * self.iteration / total)
        bar = "#" * filled + "-" * (24 - filled)
        return f"demo run |{bar}| {self.iteration}/{total} loss {loss:.3f}"

    def _writer(self, run: str) -> Any:
        from torch.utils.tensorboard import SummaryWriter

        return SummaryWriter(str(self.folder / run))

    def _crops(self) -> tuple[Any, Any]:
        """``batch`` random crops, every other one centred on a liver or tumour voxel."""
        size, shape = self.config.crop, np.array(self.label.shape)
        xs, ys = [], []
        for i in range(self.config.batch):
            if i % 2 == 0:
                centre = self.foreground[self.rng.integers(len(self.foreground))]
            else:
                centre = self.rng.integers(0, shape)
            start = np.clip(centre - size // 2, 0, shape - size)
            box = tuple(slice(int(s), int(s) + size) for s in start)
            xs.append(self.x[0, 0][box])
            ys.append(self.y[0, 0][box])
        return self.torch.stack(xs)[:, None], self.torch.stack(ys)[:, None]

    def _train_step(self) -> float:
        self.net.train()
        x, y = self._crops()
        self.optimizer.zero_grad()
        loss = self.loss(self.net(x), y)
        loss.backward()
        self.optimizer.step()
        return float(loss.item())

    def _validate(self, writers: dict[str, Any], losses: list[tuple[int, float]]) -> None:
        import torch
        from monai.visualize import plot_2d_or_3d_image  # type: ignore[attr-defined]

        from nbviewer3d.events.log import log_volume

        self.net.eval()
        with torch.no_grad():
            probabilities = torch.softmax(self.net(self.x), dim=1)
        output = probabilities.argmax(1, keepdim=True)
        dice = _dice(output[0, 0].numpy(), self.label)
        step = self.iteration
        scalars = {
            "val_mean_dice": float(np.mean(list(dice.values()))),
            **{f"val_dice_{LABEL_NAMES[k]}": v for k, v in dice.items()},
        }
        for writer in writers.values():
            for i, loss in losses:
                writer.add_scalar("train_loss", loss, i)
            for name, value in scalars.items():
                writer.add_scalar(name, value, step)
        names = {
            "monai_gif": ("image", "label", "output"),
            "image_handler": ("input_0", "input_1", "output"),
        }
        for run, (image, label, prediction) in names.items():
            plot_2d_or_3d_image(self.x, step, writers[run], tag=image)
            plot_2d_or_3d_image(self.y, step, writers[run], tag=label)
            plot_2d_or_3d_image(output, step, writers[run], tag=prediction)
        lossless = writers["lossless"]
        log_volume(lossless, "image", self.hu, step, kind="image")
        log_volume(lossless, "label", self.label, step, kind="label")
        log_volume(lossless, "output", output[0, 0].to(torch.uint8), step, kind="label")
        tumour = probabilities[0, 2].numpy().astype(np.float16)
        log_volume(lossless, "tumour_probability_heatmap", tumour, step, kind="heatmap")
        for writer in writers.values():
            writer.flush()
        self._checkpoint()

    def _checkpoint(self) -> None:
        state = {
            "iteration": self.iteration,
            "net": self.net.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "rng": self.rng.bit_generator.state,
            "torch_rng": self.torch.get_rng_state(),
        }
        partial = self.folder / (_CHECKPOINT + ".partial")
        self.torch.save(state, partial)
        partial.replace(self.folder / _CHECKPOINT)

    def _resume(self) -> None:
        path = self.folder / _CHECKPOINT
        if not path.is_file():
            return
        state = self.torch.load(path, weights_only=False)
        self.iteration = int(state["iteration"])
        self.net.load_state_dict(state["net"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.rng.bit_generator.state = state["rng"]
        self.torch.set_rng_state(state["torch_rng"])
        self.progress(f"resuming at iteration {self.iteration}")


def _dice(prediction: np.ndarray, label: np.ndarray) -> dict[int, float]:
    """Dice of each labelled class (1 when both are empty, as MONAI's ignore_empty=False)."""
    scores = {}
    for k in LABEL_NAMES:
        p, t = prediction == k, label == k
        total = int(p.sum()) + int(t.sum())
        scores[k] = 1.0 if total == 0 else 2.0 * int((p & t).sum()) / total
    return scores
