"""The conditioning lesson: the same optimizer on centred or standardised x, mapped back.

With x' = (x − μ) / σ per column (σ = 1 when only centring), the model y = W'·x' + b' is the same
plane as y = W·x + b with W = W' / σ and b = b' − Σ W'ᵢ μᵢ / σᵢ.  Training on x' changes the
Hessian, so the condition number κ (≈ 24 on the default data) falls (≈ 1 when standardised) and
gradient descent walks almost straight to the optimum; mapped back, its W and b are in the
original units and match least squares on the original data.  (A tool that reports W' as if it
were W confuses learners; here W and b are always in the units of the data.)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gdviz.training.types import PlaneData, TrainConfig

MODES = ("as given", "centre x", "standardise x")


def transform(data: PlaneData, mode: str) -> tuple[PlaneData, np.ndarray, np.ndarray]:
    """(data with x' = (x − μ)/σ, μ, σ) for ``mode``; μ = 0, σ = 1 for "as given"."""
    if mode not in MODES:
        raise ValueError(f"conditioning must be one of {', '.join(MODES)}, not {mode!r}")
    x = np.asarray(data.x, np.float64)
    mu = x.mean(axis=1) if mode != "as given" else np.zeros(2)
    sigma = x.std(axis=1) if mode == "standardise x" else np.ones(2)
    sigma = np.where(sigma > 0, sigma, 1.0)                    # a constant column stays as it is
    xt = np.ascontiguousarray((x - mu[:, None]) / sigma[:, None], np.float32)
    return replace(data, x=xt), mu, sigma


def to_original(thetas, mu, sigma) -> np.ndarray:
    """(W1', W2', b') rows in transformed units -> (W1, W2, b) in the data's units."""
    t = np.asarray(thetas, np.float64)
    W = t[..., :2] / sigma
    b = t[..., 2] - np.sum(t[..., :2] * mu / sigma, axis=-1)
    return np.concatenate([W, b[..., None]], axis=-1)


def to_transformed(thetas, mu, sigma) -> np.ndarray:
    t = np.asarray(thetas, np.float64)
    Wt = t[..., :2] * sigma
    bt = t[..., 2] + np.sum(t[..., :2] * mu, axis=-1)
    return np.concatenate([Wt, bt[..., None]], axis=-1)


def conditioned_run(data: PlaneData, config: TrainConfig, start, mode: str, steps: int, tol: float = 1e-6):
    """Train ``steps`` updates on the transformed data from ``start`` (original units).

    Returns ``(path, kappa, steps_to_tol)``: the path in original units, shape (steps + 1, 3)
    (fewer rows if it diverged), the transformed problem's condition number, and the updates until
    loss − L* <= tol (None if never).
    """
    from gdviz.training.landscape import analyze
    from gdviz.training.plane_fit import PlaneFit

    tdata, mu, sigma = transform(data, mode)
    land = analyze(tdata)
    fit = PlaneFit(tdata, config)
    s = to_transformed(np.asarray(start, np.float64), mu, sigma)
    fit.set_start(s[:2], s[2:])
    losses, thetas = fit.steps_traced(steps)
    W, b = fit.weights()
    path_t = np.vstack([thetas, np.r_[np.ravel(W), np.ravel(b)]])
    hit = np.flatnonzero(losses - land.min_loss <= tol)
    return to_original(path_t, mu, sigma), land.condition_number, (int(hit[0]) if hit.size else None)
