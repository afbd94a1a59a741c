"""The plane-fit scenario: the tutorial's data, model and update modes, without Qt.

``PlaneFit`` owns a private graph and session; ``step()`` / ``steps(n)`` train, and
``snapshot()`` returns an immutable :class:`Snapshot` safe to hand to another thread.
"""

from gdviz.training.data import make_plane_data
from gdviz.training.types import MODES, OPTIMIZERS, PlaneData, Snapshot, TrainConfig

__all__ = ["make_plane_data", "PlaneFit", "PlaneData", "TrainConfig", "Snapshot", "MODES",
           "OPTIMIZERS"]


def __getattr__(name: str):
    # PlaneFit pulls in the whole engine; loading it on first use keeps
    # ``import gdviz.training.types`` (used by the GUI's message types) light.
    if name == "PlaneFit":
        from gdviz.training.plane_fit import PlaneFit

        return PlaneFit
    raise AttributeError(f"module 'gdviz.training' has no attribute {name!r}")
