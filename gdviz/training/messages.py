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
    losses : ndarray, shape (n,), float64, read-only
        Loss of every update since the previous Update, in order (may be empty).
    first_step : int
        Step index of ``losses[0]``, counted from 0 like the tutorial's ``for step in
        range(...)`` (the loss of step k is computed with the W, b before update k).
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


@dataclass(frozen=True)
class Divergence:
    """The loss of step ``step`` (0-based, as in the tutorial) was non-finite; training paused."""

    step: int
    loss: float
    message: str


def divergence_message(step: int, loss: float, config: TrainConfig | None = None, lr_limit: float | None = None) -> str:
    """What went wrong, with the hint for the real cause.

    A negative grad_ys turns descent into *ascent* (the loss is pushed up on purpose), so the
    hint is about grad_ys, not the learning rate; an lr above the stability limit (when the
    optimizer has one) is named with the limit.
    """
    head = f"The loss became {loss:.4g} at step {step}: training paused."
    if config is not None and config.grad_ys < 0:
        return (f"{head} grad_ys is {config.grad_ys:g}: a negative weight on the loss turns gradient descent "
                "into gradient ascent, so the loss grows whatever the learning rate. Hint: set grad_ys "
                "back to a positive value (1 is the ordinary gradient), then press Reset.")
    if config is not None and lr_limit is not None and config.lr >= lr_limit:
        return (f"{head} The learning rate {config.lr:g} is above this optimizer's stability limit "
                f"{lr_limit:.3g} on this data. Hint: lower the learning rate below it, then press Reset.")
    return f"{head} Hint: lower the learning rate, then press Reset."
