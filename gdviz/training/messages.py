"""Frozen messages the training worker sends to the GUI (safe to share across threads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdviz.training.types import Snapshot, TrainConfig


@dataclass(frozen=True)
class LogLine:
    """One of the tutorial's ``print(step, W, b)`` lines (tutorial step = updates done - 1)."""

    step: int
    W: tuple[float, ...]
    b: tuple[float, ...]

    def text(self) -> str:
        w = " ".join(log_number(v) for v in self.W)
        bb = " ".join(log_number(v) for v in self.b)
        return f"{self.step} [[{w}]] [{bb}]"


def log_number(v: float) -> str:
    """The tutorial's ``% .6f`` for ordinary values; compact for huge, tiny and non-finite ones
    (``-3.16e+12``, ``inf``), so a line never grows past the pane."""
    if v != v or v in (float("inf"), float("-inf")):
        return f"{v: }"
    if abs(v) >= 1e6 or (v != 0 and abs(v) < 1e-6):
        return f"{v: .3e}"
    return f"{v: .6f}"


@dataclass(frozen=True)
class Update:
    """What the GUI receives from the worker, frozen.

    Attributes
    ----------
    snapshot : Snapshot
        The session's state after the last step in this Update.
    losses : ndarray, shape (n >= 1,), float64, read-only
        The loss at steps ``first_step .. snapshot.step``, in order: the loss at step k is the
        loss of the state after k updates (step 0 is the start), so ``losses[-1]`` is always
        ``snapshot.loss``.  A point already sent may be sent again (new data changes the loss
        of the current state): the newest value wins.
    first_step : int
        Step of ``losses[0]``.
    steps_per_s : float
        Measured training speed since the previous Update (0 while paused).
    log : tuple of LogLine
        Tutorial log lines for the steps covered.
    spec, record : GraphSpec, GradientRecord or None
        The session's graph description (immutable; unchanged objects are passed again).
    forward_names : tuple of str
        Nodes a user may tick in stop_gradients.
    config : TrainConfig
        The configuration in force.
    data : PlaneData or None
        The data set being fitted (immutable; the same object until new data is drawn).
    restart : bool
        True when the step count went back (Reset): views clear their history.
    playing : bool
        Whether the worker is running freely.
    path : ndarray, shape (n, 3), float64, read-only
        While traced (the parameter-space view is shown): (W1, W2, b) of the state each of
        ``losses`` is the loss of; otherwise empty.
    state : TrainState or None
        While traced: the exact state after the last step (W, b, every optimizer slot), for the
        ghost path; otherwise None.
    horizon : int
        The furthest step reached since the last reset (the end of the time-travel timeline).
    jumped : bool
        True when this Update answers a time-travel jump: views forget what is after ``step``.
    history : LossHistory or None
        A reopened session's loss history (steps 0 .. step-1) when it is only partly exact (a
        run longer than the exact window): the curve takes it as it is; ``losses`` then holds
        only the current state's loss.  The receiver owns it.
    """

    snapshot: Snapshot
    losses: np.ndarray
    first_step: int
    steps_per_s: float
    log: tuple[LogLine, ...]
    spec: Any
    record: Any
    forward_names: tuple[str, ...]
    config: TrainConfig
    data: Any
    restart: bool
    playing: bool
    path: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    state: Any = None
    horizon: int = 0
    jumped: bool = False
    history: Any = None


@dataclass(frozen=True)
class Divergence:
    """The loss at step ``step`` (the state after ``step`` updates) was non-finite; training paused."""

    step: int
    loss: float
    message: str
