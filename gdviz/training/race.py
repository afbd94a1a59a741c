"""A race: several update rules from the same start on the same data, and their leaderboard.

Each racer is a :class:`~gdviz.training.PlaneFit` with its own :class:`TrainConfig`: one of
the five TF1 optimizers in optimizer or manual mode, Andrew Ng's momentum (with or without
bias correction, written as an update rule), or a rule the user wrote.  All racers share the
data and ``init_seed``, so they start from the same W, b.  A racer that diverges stops; the
others go on.

Ng's momentum and TF's are the same path when ``lr = alpha * (1 - beta)`` and
``momentum = beta``: with ``v = (1 - beta) * accum`` the two updates are term for term equal
(:func:`tf_equivalent_of_ng`).  With bias correction the first steps are larger by
``1 / (1 - beta ** t)``, which fades as ``t`` grows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdviz.training.types import OPTIMIZERS, PlaneData, TrainConfig

MAX_RACERS = 6
#: Hyper-parameters each racer uses unless --lr / --momentum (or the GUI) override them;
#: each converges on the default data (tests/core/test_training_race.py checks).
RACER_DEFAULTS: dict[str, dict[str, float]] = {
    "gd": {"lr": 0.5},
    "momentum": {"lr": 0.05, "momentum": 0.9},
    "nesterov": {"lr": 0.05, "momentum": 0.9},
    "rmsprop": {"lr": 0.01, "momentum": 0.0},        # TF1's RMSPropOptimizer default
    "adam": {"lr": 0.1},
    "ng-momentum": {"lr": 0.5, "momentum": 0.9},      # lr is Ng's alpha, momentum his beta
    "ng-momentum-bc": {"lr": 0.5, "momentum": 0.9},
}
NG_NAMES = ("ng-momentum", "ng-momentum-bc")
RACER_NAMES = (*OPTIMIZERS, *(f"{o}-manual" for o in OPTIMIZERS), *NG_NAMES)


@dataclass(frozen=True)
class Racer:
    """One contestant: a label and the configuration its PlaneFit trains with."""

    name: str
    config: TrainConfig


def ng_momentum_rule(beta: float, bias_correction: bool) -> str:
    """Andrew Ng's momentum as an update rule: ``v = beta v + (1 - beta) dW; W -= alpha v``,
    with ``alpha`` the learning-rate control (``lr``), so it can be steered live."""
    fix = " / (1 - beta ** t)" if bias_correction else ""
    return (f"# Ng's momentum{' with bias correction' if bias_correction else ''}; lr is his alpha\n"
            f"beta = {float(beta)!r}\n"
            "v_W = beta * v_W + (1 - beta) * grad_W\n"
            "v_b = beta * v_b + (1 - beta) * grad_b\n"
            f"W = W - lr * v_W{fix}\n"
            f"b = b - lr * v_b{fix}\n")


def tf_equivalent_of_ng(alpha: float, beta: float) -> tuple[float, float]:
    """TF ``MomentumOptimizer`` (lr, momentum) whose path equals Ng's (alpha, beta) without
    bias correction: ``lr = alpha (1 - beta)``, ``momentum = beta``."""
    return alpha * (1.0 - beta), beta


def make_racer(name: str, lr: float | None = None, momentum: float | None = None) -> Racer:
    """The racer called ``name`` (one of :data:`RACER_NAMES`); ``lr``/``momentum`` override
    its defaults when given.  Raises ``ValueError`` naming the valid names."""
    base = name.removesuffix("-manual")
    if name not in RACER_NAMES:
        raise ValueError(f"unknown racer {name!r}; racers are {', '.join(RACER_NAMES)} (or a rule file)")
    d = RACER_DEFAULTS[base]
    lr = d["lr"] if lr is None else lr
    momentum = d.get("momentum", 0.9) if momentum is None else momentum
    if base in NG_NAMES:
        if not 0 <= momentum < 1:
            raise ValueError(f"beta (--momentum) must be in [0, 1), not {momentum:g}")
        rule = ng_momentum_rule(momentum, base.endswith("-bc"))
        return Racer(name, TrainConfig(mode="manual", rule=rule, lr=lr, momentum=momentum).validated())
    mode = "manual" if name.endswith("-manual") else "optimizer"
    return Racer(name, TrainConfig(mode=mode, optimizer=base, lr=lr, momentum=momentum).validated())


def rule_racer(name: str, text: str, lr: float | None = None) -> Racer:
    """A racer running the update rule ``text`` (``lr`` is what the rule reads as ``lr``).

    The rule is parsed here, so a bad one raises its positioned ``ExprError`` before any race.
    """
    from gdviz.training.rules import parse_rule

    parse_rule(text)
    return Racer(name, TrainConfig(mode="manual", rule=text, lr=0.5 if lr is None else lr).validated())


def least_squares(data: PlaneData) -> tuple[np.ndarray, float]:
    """θ* = (W1, W2, b) minimising the mean squared error, and that minimum L*, in float64.

    ``lstsq``, never an explicit inverse.  The x used is the float32 x the engine trains on.
    """
    from gdviz.training.landscape import analyze

    land = analyze(data)
    return land.theta_star, land.min_loss


@dataclass(frozen=True)
class Standing:
    """One leaderboard row, frozen."""

    name: str
    steps_to_tol: int | None
    final_loss: float
    diverged_at: int | None
    W: tuple[float, float]
    b: float
    step: int


class Leaderboard:
    """Steps until ``loss - L* <= tol`` for each racer, fed the losses as they arrive.

    ``record(i, first, losses)`` takes racer ``i``'s losses of the states after ``first``,
    ``first + 1``, ... updates (what ``PlaneFit.steps`` returns), so it never misses the step
    where the tolerance is first met.
    """

    def __init__(self, names: list[str], min_loss: float, tol: float):
        if not tol > 0:
            raise ValueError(f"tol must be > 0, not {tol!r}")
        self.names, self.min_loss, self.tol = list(names), float(min_loss), float(tol)
        self.reached: list[int | None] = [None] * len(names)

    def record(self, i: int, first: int, losses: np.ndarray) -> None:
        if self.reached[i] is not None or len(losses) == 0:
            return
        hit = np.flatnonzero(np.asarray(losses, np.float64) - self.min_loss <= self.tol)
        if hit.size:
            self.reached[i] = first + int(hit[0])

    def standing(self, i: int, fit) -> Standing:
        snap = fit.snapshot()
        self.record(i, fit.step_count, np.array([snap.loss]))   # the state after the last update
        W, b = snap.W.ravel(), snap.b.ravel()
        return Standing(self.names[i], self.reached[i], float(snap.loss), fit.diverged_at,
                        (float(W[0]), float(W[1])), float(b[0]), fit.step_count)

    @staticmethod
    def ranked(rows: list[Standing]) -> list[Standing]:
        """Best first: reached the tolerance soonest, then lowest final loss; diverged last."""
        def key(r: Standing):
            finite = np.isfinite(r.final_loss) and r.diverged_at is None
            return (not finite, r.steps_to_tol is None, r.steps_to_tol or 0,
                    r.final_loss if finite else 0.0)
        return sorted(rows, key=key)


def run_race(racers: list[Racer], data: PlaneData, steps: int, tol: float = 1e-6, init_seed: int = 0,
             chunk: int = 1000):
    """Train every racer ``steps`` updates (or until it diverges) and return
    ``(start_W, start_b, min_loss, standings)``, standings in the racers' order.

    Racers are independent, so each runs in chunks on its own; the numbers equal a lockstep
    run's bit for bit (each racer equals a single run of the same configuration).
    """
    from gdviz.training.plane_fit import PlaneFit

    if not 1 <= len(racers) <= MAX_RACERS:
        raise ValueError(f"a race has 1 to {MAX_RACERS} racers, not {len(racers)}")
    _theta, min_loss = least_squares(data)
    board = Leaderboard([r.name for r in racers], min_loss, tol)
    rows, start = [], None
    for i, racer in enumerate(racers):
        fit = PlaneFit(data, racer.config, init_seed=init_seed)
        if start is None:
            start = fit.weights()
        while fit.step_count < steps and fit.diverged_at is None:
            first = fit.step_count
            board.record(i, first, fit.steps(min(chunk, steps - first)))
        rows.append(board.standing(i, fit))
    W0, b0 = start
    return W0, b0, min_loss, rows
