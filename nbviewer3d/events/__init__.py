"""TensorBoard event files: read every logged volume, log volumes losslessly, follow a run."""

from .errors import CorruptRecordWarning, LogdirError, LossySourceWarning, UnpairedTagWarning
from .log import log_volume, plot_2d_or_3d_image
from .logdir import Logdir, Scalars, open_logdir
from .pairing import pair_tags
from .store import LogdirStore

__all__ = [
    "CorruptRecordWarning",
    "Logdir",
    "LogdirError",
    "LogdirStore",
    "LossySourceWarning",
    "Scalars",
    "UnpairedTagWarning",
    "log_volume",
    "open_logdir",
    "pair_tags",
    "plot_2d_or_3d_image",
]
