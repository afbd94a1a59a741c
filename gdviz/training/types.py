"""Immutable values exchanged between the training session and its users (CLI, GUI worker).

Everything here is a frozen dataclass whose arrays are private copies marked read-only, so a
value can cross threads without a lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np

from gdviz.limits import check

MODES = ("optimizer", "manual")
OPTIMIZERS = ("gd", "momentum", "nesterov", "rmsprop", "adam")


def default_momentum(optimizer: str) -> float:
    """The momentum an optimizer uses unless one is typed: TF1's 0.0 for RMSProp, the
    tutorial-friendly 0.9 for the others (Momentum/Nesterov; gd and adam ignore it)."""
    return 0.0 if optimizer == "rmsprop" else 0.9


def frozen_array(a) -> np.ndarray:
    """A read-only private copy of ``a`` (safe to hand to another thread)."""
    out = np.array(a, copy=True)
    out.setflags(write=False)
    return out


def frozen_mapping(m: Mapping[str, object]) -> Mapping[str, object]:
    """A read-only mapping of read-only array copies (``None`` values kept)."""
    return MappingProxyType({k: (None if v is None else frozen_array(v)) for k, v in m.items()})


@dataclass(frozen=True)
class PlaneData:
    """The tutorial's data set: ``y = true_W . x + true_b (+ noise)``.

    Attributes
    ----------
    x : ndarray, shape (2, N), float32
    y : ndarray, shape (N,), float64 (as ``np.dot([0.1, 0.2], x) + 0.3`` gives in the tutorial)
    """

    x: np.ndarray
    y: np.ndarray
    true_W: tuple[float, float] | None = (0.1, 0.2)   # None for loaded data: no true plane
    true_b: float | None = 0.3
    noise: float = 0.0
    seed: int = 0

    @property
    def points(self) -> int:
        return int(self.x.shape[1])


@dataclass(frozen=True)
class TrainConfig:
    """Everything a user can set about training.  ``validated()`` returns it or raises.

    ``grad_ys`` is the weight (grad_y) seeded at the loss; ``stop_gradients`` names nodes of
    the model graph (manual mode only, as ``tf.gradients(..., stop_gradients=...)``).
    """

    mode: str = "optimizer"
    optimizer: str = "gd"
    lr: float = 0.5
    momentum: float | None = None  # None: TF1's default for the optimizer (0.0 for rmsprop, else 0.9)
    decay: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float | None = None  # None: the optimizer's TF1 default
    grad_ys: float = 1.0
    stop_gradients: tuple[str, ...] = ()
    rule: str = ""  # manual mode only: an update rule program (gdviz.training.rules) instead of the optimizer's

    def __post_init__(self) -> None:
        if self.momentum is None:  # RMSPropOptimizer(momentum=0.0) in TF1; MomentumOptimizer has no default
            object.__setattr__(self, "momentum", default_momentum(self.optimizer))

    def validated(self) -> "TrainConfig":
        """Return ``self`` if every field is valid, else raise ``ValueError`` naming it."""
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {self.optimizer!r}"
            )
        for name in ("lr", "momentum", "decay", "beta1", "beta2", "grad_ys"):
            check(name, getattr(self, name))  # one set of limits: gdviz/limits.py, docs/limits.md
        if self.epsilon is not None:
            check("epsilon", self.epsilon)
        if not isinstance(self.stop_gradients, tuple) or not all(
            isinstance(s, str) for s in self.stop_gradients
        ):
            raise ValueError("stop_gradients must be a tuple of node names")
        if not isinstance(self.rule, str):
            raise ValueError("rule must be program text")
        if self.rule and self.mode != "manual":
            raise ValueError("an update rule is the assign half of manual mode: use mode 'manual'")
        return self


@dataclass(frozen=True)
class Snapshot:
    """The state of a training session after ``step`` updates, frozen.

    Attributes
    ----------
    step : int
        Number of updates applied so far.
    loss : float
        Loss at the current W and b (``nan``/``inf`` after divergence).
    W : ndarray, shape (1, 2);  b : ndarray, shape (1,)
    grad_W, grad_b : ndarray or None
        ``d loss / d W`` and ``d loss / d b`` at the current W and b, under the current
        grad_ys / stop_gradients (``None`` when not connected).
    values : mapping str -> ndarray
        Every drawn node's current value, by node name.
    grads : mapping str -> ndarray or None
        For every forward node, the gradient of the loss with respect to its output.
    diverged : bool
        True once the loss has become non-finite.
    """

    step: int
    loss: float
    W: np.ndarray
    b: np.ndarray
    grad_W: np.ndarray | None
    grad_b: np.ndarray | None
    values: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))
    grads: Mapping[str, np.ndarray | None] = field(default_factory=lambda: MappingProxyType({}))
    diverged: bool = False


@dataclass(frozen=True)
class TrainState:
    """Everything that decides a session's future steps, frozen: restoring it and stepping on
    gives bit-identical numbers to never having left (time travel, session files).

    Attributes
    ----------
    step : int
        Updates applied so far.
    diverged_at : int or None
        As ``PlaneFit.diverged_at``.
    config : TrainConfig
        The configuration in force.
    variables : mapping str -> ndarray
        Every Variable of the model by name: ``W``, ``b``, ``learning_rate`` and the
        optimizer slots (``W/Momentum``, ``W/Adam``, ``beta1_power``, ...), read-only copies.
    """

    step: int
    diverged_at: int | None
    config: TrainConfig
    variables: Mapping[str, np.ndarray]
