"""Why a run stopped, in words that name the real cause (pure, tested in tests/core)."""

from __future__ import annotations

import math
from enum import Enum

import numpy as np

from gdviz.training.pacing import Convergence


class Cause(Enum):
    """What made the loss blow up."""

    ASCENT = "ascent"  # grad_ys < 0: every update climbs the loss
    LEARNING_RATE = "learning_rate"  # lr above the stability limit: the updates overshoot


def divergence_cause(config) -> Cause:
    """Classify a divergence from the configuration that produced it."""
    g = np.asarray(getattr(config, "grad_ys", 1.0), dtype=np.float64)
    if g.size and bool(np.all(np.isfinite(g))) and float(np.sum(g)) < 0:
        return Cause.ASCENT
    return Cause.LEARNING_RATE


def divergence_message(step: int, loss: float, cause: Cause = Cause.LEARNING_RATE,
                       lr_limit: float | None = None, lr: float | None = None,
                       grad_ys: float = 1.0) -> str:
    """The banner text; ``step`` is the step whose loss (state after ``step`` updates) is ``loss``;
    ``lr_limit`` (when the optimizer has one on this data) is named in the hint.

    grad_ys scales every gradient, so what the stability limit bounds is ``lr * grad_ys``: when
    grad_ys is not 1 and ``lr`` is given, the hint names both numbers and their product.
    """
    head = f"The loss became {loss} at step {step}: training paused. "
    if cause is Cause.ASCENT:
        return head + ("Hint: grad_ys is negative, so each update climbs the loss (gradient "
                       "ascent) -- make grad_ys positive, then press Reset.")
    limit = f" ({lr_limit:.3g} for this optimizer on this data)" if lr_limit is not None else ""
    if lr is not None and grad_ys != 1.0:
        return head + (f"Hint: grad_ys scales every gradient, so the step size is lr × grad_ys = "
                       f"{lr:g} × {grad_ys:g} = {lr * grad_ys:.3g}, above the stability limit{limit}, "
                       "so each update overshoots -- lower the learning rate or grad_ys, then press Reset.")
    return head + (f"Hint: the learning rate is above the stability limit{limit}, so each update "
                   "overshoots -- lower the learning rate, then press Reset.")


def stalled_reason(session) -> str | None:
    """Why nothing is learning, when nothing is: grad_ys 0, or every gradient to W and b cut
    (stop_gradients); ``None`` when the parameters do get a gradient."""
    cfg = getattr(session, "config", None)
    if cfg is not None and getattr(cfg, "rule", ""):
        return None  # an update rule may move W and b without their gradients
    g = getattr(cfg, "grad_ys", 1.0)
    if g == 0:
        return "grad_ys is 0, so every gradient is 0 and W and b never move"
    try:
        snap = session.snapshot()
        grads = [snap.grad_W, snap.grad_b]
    except Exception:           # a session without gradients (a fake in tests): cannot tell
        return None
    if all(v is None for v in grads):
        cut = ", ".join(getattr(cfg, "stop_gradients", ())) or "the graph"
        return f"stop_gradients ({cut}) cut every gradient to W and b, so they never move"
    if all(v is None or not np.any(np.asarray(v)) for v in grads):
        return "every gradient to W and b is 0, so they never move"
    return None


def lr_limit_of(session) -> float | None:
    """The session's optimizer's linear stability limit on its data, when it has one."""
    from gdviz.training import landscape as ls

    cfg, data = getattr(session, "config", None), getattr(session, "data", None)
    if cfg is None or data is None or getattr(cfg, "optimizer", None) not in ls.LINEAR:
        return None
    try:
        return ls.lr_limits(ls.analyze(data).eigenvalues, cfg.momentum)[cfg.optimizer]
    except Exception:          # a fake session in tests, degenerate data: no limit to name
        return None


class ConvergenceWatch:
    """Feeds on the loss of each step in order; says when the fit has converged."""

    def __init__(self, rule: Convergence):
        self.rule = rule
        self.reset()

    def reset(self) -> None:
        self._last = math.nan
        self._calm = 0

    def feed(self, losses) -> int | None:
        """Index into ``losses`` where convergence was reached, else ``None``."""
        if not self.rule.enabled:
            return None
        for i, v in enumerate(np.asarray(losses, dtype=np.float64).reshape(-1)):
            v = float(v)
            if not math.isfinite(v):
                self.reset()
                continue
            if v <= self.rule.abs_tol:
                return i
            if math.isfinite(self._last) and abs(v - self._last) <= self.rule.rel_tol * abs(v):
                self._calm += 1
                if self._calm >= self.rule.patience:
                    return i
            else:
                self._calm = 0
            self._last = v
        return None


def converged_message(step: int, loss: float, rule: Convergence | None = None,
                      stalled: str | None = None) -> str:
    """The banner when the loss stops changing; ``stalled`` (see :func:`stalled_reason`) says the
    loss stopped because nothing is learning, which is not convergence."""
    if stalled:
        return (f"Nothing is learning (step {step}, loss {loss:.6g}): {stalled}. Paused. "
                "Change it, then press Play.")
    why = ("reached zero" if rule is not None and loss <= rule.abs_tol else "stopped changing")
    return (f"Converged at step {step} (loss {loss:.6g} {why}): paused. "
            "Press Play to go on, or turn off Run > Stop when converged.")
