"""nbviewer3d: review 3D deep-learning volumes (images, labels, predictions) in a notebook."""

from importlib import metadata as _metadata

from .api import view, view_logdir
from .events import Logdir, log_volume, open_logdir, plot_2d_or_3d_image, set_decode_limit
from .export import export_html, set_embed
from .inputs import as_volume
from .lazy import LazyLevelWarning, set_lazy_budget
from .run_comparison import RunComparison
from .screenshot import ScreenshotPending
from .transfer import presets
from .viewer import NonFiniteVoxelsWarning, Viewer, WirePrecisionWarning, colormaps
from .volume import Volume

__all__ = [
    "LazyLevelWarning",
    "Logdir",
    "NonFiniteVoxelsWarning",
    "RunComparison",
    "ScreenshotPending",
    "Viewer",
    "Volume",
    "WirePrecisionWarning",
    "as_volume",
    "colormaps",
    "export_html",
    "log_volume",
    "open_logdir",
    "plot_2d_or_3d_image",
    "presets",
    "set_decode_limit",
    "set_embed",
    "set_lazy_budget",
    "view",
    "view_logdir",
]
try:
    __version__ = _metadata.version("nbviewer3d")  # one source: pyproject.toml
except _metadata.PackageNotFoundError:  # a source tree on sys.path, not installed
    __version__ = "0+unknown"
