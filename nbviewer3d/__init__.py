"""nbviewer3d: review 3D deep-learning volumes (images, labels, predictions) in a notebook."""

from .api import view
from .inputs import as_volume
from .viewer import NonFiniteVoxelsWarning, Viewer, colormaps
from .volume import Volume

__all__ = [
    "NonFiniteVoxelsWarning",
    "Viewer",
    "Volume",
    "as_volume",
    "colormaps",
    "view",
]
__version__ = "0.1.0"
