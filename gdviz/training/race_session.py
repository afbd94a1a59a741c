"""A live race: several racers stepping in lockstep, with everything the race view draws.

:func:`gdviz.training.race.run_race` answers "who wins after N steps" for scripts; a
:class:`RaceSession` is the same race advanced a few steps at a time, so a view can watch it:
every call to :meth:`RaceSession.advance` returns a frozen :class:`RaceUpdate` with each racer's
new losses, its path through (W1, W2, b), the leaderboard and how far each racer is from the
first one (the tutorial's two programs: exactly 0 at every step).

Each racer is its own :class:`~gdviz.training.PlaneFit` on the shared data from the shared
start, so racing changes no number: racer *i* after *k* steps equals a single run of its
configuration after *k* steps, bit for bit.

Losses follow the project's one definition: the loss at step *k* is the loss of the state after
*k* updates (step 0 is the start).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gdviz.training.race import (MAX_RACERS, NG_NAMES, RACER_DEFAULTS, Leaderboard, Racer, Standing,
                                 least_squares, make_racer, rule_racer)
from gdviz.training.types import PlaneData, frozen_array

#: One colour per racer slot, used everywhere the racer is drawn (Okabe–Ito, colour-blind safe).
RACER_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


@dataclass(frozen=True)
class RacerSpec:
    """What the user chose for one racer: a kind (a racer name or ``"rule"``), its
    hyper-parameters (``None``: the kind's default) and, for a rule, the rule's text."""

    kind: str
    lr: float | None = None
    momentum: float | None = None
    rule: str = ""
    label: str = ""

    def racer(self) -> Racer:
        """The :class:`Racer` this spec describes; raises ``ValueError`` (or the rule's
        positioned ``ExprError``) when it cannot run."""
        if self.kind == "rule":
            return rule_racer(self.label or "rule", self.rule, self.lr)
        r = make_racer(self.kind, self.lr, self.momentum)
        return replace(r, name=self.label or r.name)

    @property
    def uses_momentum(self) -> bool:
        base = self.kind.removesuffix("-manual")
        return base in ("momentum", "nesterov", "rmsprop", *NG_NAMES)

    def effective(self) -> tuple[float, float | None]:
        """(lr, momentum) in force: the typed values or the kind's defaults."""
        d = RACER_DEFAULTS.get(self.kind.removesuffix("-manual"), {"lr": 0.5})
        lr = d["lr"] if self.lr is None else self.lr
        if not self.uses_momentum:
            return lr, None
        return lr, d.get("momentum", 0.9) if self.momentum is None else self.momentum


def _gd(lr: float) -> RacerSpec:
    return RacerSpec("gd", lr, label=f"gd lr={lr:g}")


#: Ready-made races (issue 11): name -> racers.
PRESETS: dict[str, tuple[RacerSpec, ...]] = {
    "The tutorial's two programs": (RacerSpec("gd", label="optimizer.minimize"),
                                    RacerSpec("gd-manual", label="tf.gradients + assign")),
    "Five optimizers": tuple(RacerSpec(k) for k in ("gd", "momentum", "nesterov", "rmsprop", "adam")),
    "Ng vs TF momentum": (RacerSpec("momentum", 0.05, 0.9, label="TF momentum lr=0.05"),
                          RacerSpec("ng-momentum", 0.5, 0.9, label="Ng α=0.5 β=0.9"),
                          RacerSpec("ng-momentum-bc", 0.5, 0.9, label="Ng + bias correction")),
    "Learning rates 0.1 / 0.5 / 0.65 / 0.7": tuple(_gd(lr) for lr in (0.1, 0.5, 0.65, 0.7)),
}


@dataclass(frozen=True)
class RacerFrame:
    """What one racer did during one :meth:`RaceSession.advance`, frozen.

    ``losses[j]`` is the loss of the state after ``first + j`` updates; ``path[j]`` is
    (W1, W2, b) of the state after ``first + j + 1`` updates.
    """

    first: int
    losses: np.ndarray
    path: np.ndarray
    standing: Standing
    distance: float   # max |θ - θ of racer 0| over every step so far (0 for racer 0)


@dataclass(frozen=True)
class RaceUpdate:
    step: int
    racers: tuple[RacerFrame, ...]
    finished: bool   # every racer has diverged or arrived within tol (nothing left to watch)


def theta_of(fit) -> np.ndarray:
    W, b = fit.weights()
    return np.concatenate([np.ravel(W), np.ravel(b)]).astype(np.float64)


class RaceSession:
    """Racers from one start on one data set, advanced together (not thread-safe: one owner)."""

    def __init__(self, specs: list[RacerSpec] | tuple[RacerSpec, ...], data: PlaneData,
                 init_seed: int = 0, tol: float = 1e-6):
        from gdviz.training.plane_fit import PlaneFit

        if not 1 <= len(specs) <= MAX_RACERS:
            raise ValueError(f"a race has 1 to {MAX_RACERS} racers, not {len(specs)}")
        racers = [s.racer() for s in specs]          # raises before anything is built
        names = _unique([r.name for r in racers])
        self.specs = tuple(specs)
        self.names = tuple(names)
        self.data = data
        self.theta_star, self.min_loss = least_squares(data)
        self.board = Leaderboard(names, self.min_loss, tol)
        self.fits = [PlaneFit(data, r.config, init_seed=init_seed) for r in racers]
        self.start = theta_of(self.fits[0])
        self.step = 0
        self._distance = np.zeros(len(racers))

    def advance(self, n: int) -> RaceUpdate:
        """Step every racer ``n`` updates in lockstep (a diverged racer stays where it is)."""
        k = len(self.fits)
        losses = [np.empty(0)] * k
        paths = [np.empty((n, 3)) for _ in range(k)]
        firsts = [f.step_count for f in self.fits]
        moved = [0] * k
        got: list[list[float]] = [[] for _ in range(k)]
        for _ in range(n):
            for i, fit in enumerate(self.fits):
                if fit.diverged_at is None:
                    got[i].extend(fit.steps(1))
                    paths[i][moved[i]] = theta_of(fit)
                    moved[i] += 1
        for i in range(1, k):     # distance to racer 0 at the steps both took (vectorised)
            m = min(moved[0], moved[i])
            gap = np.abs(paths[i][:m] - paths[0][:m])
            gap = gap[np.isfinite(gap).all(axis=1)]
            if gap.size:
                self._distance[i] = max(self._distance[i], float(gap.max()))
        self.step += n
        frames = []
        for i, fit in enumerate(self.fits):
            losses[i] = np.asarray(got[i], np.float64)
            self.board.record(i, firsts[i], losses[i])
            frames.append(RacerFrame(firsts[i], frozen_array(losses[i]), frozen_array(paths[i][:moved[i]]),
                                     self.board.standing(i, fit), float(self._distance[i])))
        done = all(fit.diverged_at is not None or self.board.reached[i] is not None
                   for i, fit in enumerate(self.fits))
        return RaceUpdate(self.step, tuple(frames), done)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def gradient_along(path: np.ndarray, data: PlaneData) -> np.ndarray:
    """The loss gradient d L / d (W1, W2, b) at each row of ``path``: the landscape's own
    ``H (θ − θ*)`` (:meth:`gdviz.training.landscape.Landscape.gradient`), one definition."""
    from gdviz.training.landscape import analyze

    return analyze(data).gradient(np.asarray(path, np.float64))


def ewa(values: np.ndarray, beta: float, bias_correction: bool = False) -> np.ndarray:
    """Exponentially weighted average ``v_t = β v_{t-1} + (1-β) g_t`` (v_0 = 0), optionally
    divided by ``1 - β^t`` (Andrew Ng's bias correction): the smoothing behind momentum."""
    if not 0 <= beta < 1:
        raise ValueError(f"β must be in [0, 1), not {beta:g}")
    g = np.asarray(values, np.float64)
    v = np.empty_like(g)
    acc = 0.0
    for t, gt in enumerate(g, start=1):
        acc = beta * acc + (1 - beta) * gt
        v[t - 1] = acc / (1 - beta ** t) if bias_correction else acc
    return v
