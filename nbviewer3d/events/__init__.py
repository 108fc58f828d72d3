"""TensorBoard event files: read every logged volume, log volumes losslessly, follow a run."""

from .decode_limit import decode_limit, set_decode_limit
from .errors import (
    BadSummaryWarning,
    CorruptRecordWarning,
    LogdirError,
    LossySourceWarning,
    TruncatedRecordWarning,
    UnpairedTagWarning,
    UnreadableStepWarning,
)
from .log import log_volume, plot_2d_or_3d_image
from .logdir import Logdir, Scalars, open_logdir
from .pairing import pair_tags
from .store import LogdirStore, StepChanges

__all__ = [
    "BadSummaryWarning",
    "CorruptRecordWarning",
    "Logdir",
    "LogdirError",
    "LogdirStore",
    "LossySourceWarning",
    "Scalars",
    "StepChanges",
    "TruncatedRecordWarning",
    "UnpairedTagWarning",
    "UnreadableStepWarning",
    "decode_limit",
    "log_volume",
    "open_logdir",
    "pair_tags",
    "plot_2d_or_3d_image",
    "set_decode_limit",
]
