"""The parameter space of the plane fit, exactly: the loss is a quadratic in θ = (W1, W2, b).

With X the N×3 design matrix [x1 x2 1] (the float32 x the engine trains on, in float64) and y::

    L(θ) = mean((Xθ − y)²) = L* + ½ (θ − θ*)ᵀ H (θ − θ*),    H = (2/N) XᵀX

θ* is the least-squares optimum (``lstsq``, never an explicit inverse) and L* its loss.  From H's
eigenvalues λ1 ≤ λ2 ≤ λ3 follow the condition number κ = λ3/λ1 and the stability limits of the
linear optimizers (derivations in docs/parameter-space.md):

- GD: stable for lr < 2/λ3, fastest at 2/(λ1+λ3);
- TF momentum (accum = m·accum + g; θ −= lr·accum): stable for lr < 2(1+m)/λ3, fastest at
  lr = (2/(√λ1+√λ3))², m = ((√κ−1)/(√κ+1))²;
- TF Nesterov (θ −= lr·(g + m·accum)): stable for lr < 2(1+m)/((1+2m)λ3).

RMSProp and Adam divide by a running gradient scale: they are not linear iterations and have no
such limit (:data:`NO_LINEAR_LIMIT`).  Everything here is numpy, float64, Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdviz.training.types import PlaneData

LINEAR = ("gd", "momentum", "nesterov")
NO_LINEAR_LIMIT = ("rmsprop", "adam")
SLICES = ("W1–W2", "W1–b", "W2–b", "eigen")
NAMES = ("W1", "W2", "b")


def design(data: PlaneData) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) in float64: X = [x1 x2 1], shape (N, 3), from the float32 x the engine uses."""
    x = np.asarray(data.x, np.float64)
    return np.column_stack([x.T, np.ones(x.shape[1])]), np.asarray(data.y, np.float64).ravel()


@dataclass(frozen=True)
class Landscape:
    """The exact quadratic bowl of one data set (all float64, read-only by convention)."""

    theta_star: np.ndarray        # (3,) least-squares (W1, W2, b)
    min_loss: float               # L*
    H: np.ndarray                 # (3, 3) Hessian (2/N) XᵀX
    eigenvalues: np.ndarray       # (3,) ascending
    eigenvectors: np.ndarray      # (3, 3) columns, matching eigenvalues
    rank: int                     # 3 unless the data is degenerate

    @property
    def condition_number(self) -> float:
        lo, hi = self.eigenvalues[0], self.eigenvalues[-1]
        return float(hi / lo) if lo > hi * 1e-12 else float("inf")

    def loss(self, theta) -> np.ndarray:
        """L at θ (any leading shape, last axis 3), from the quadratic form."""
        d = np.asarray(theta, np.float64) - self.theta_star
        return self.min_loss + 0.5 * np.einsum("...i,ij,...j->...", d, self.H, d)

    def gradient(self, theta) -> np.ndarray:
        """dL/dθ = H (θ − θ*)."""
        return (np.asarray(theta, np.float64) - self.theta_star) @ self.H


def analyze(data: PlaneData) -> Landscape:
    X, y = design(data)
    theta, _res, rank, _sv = np.linalg.lstsq(X, y, rcond=None)
    min_loss = float(np.mean((X @ theta - y) ** 2))
    H = (2.0 / X.shape[0]) * (X.T @ X)
    lam, vec = np.linalg.eigh(H)
    lam = np.clip(lam, 0.0, None)
    return Landscape(theta, min_loss, H, lam, vec, int(rank))


# -- stability -------------------------------------------------------------------------------------
def lr_limits(lam: np.ndarray, momentum: float) -> dict[str, float]:
    """The largest stable lr of each linear optimizer (``momentum`` for momentum/Nesterov)."""
    top, m = float(lam[-1]), float(momentum)
    return {"gd": 2.0 / top, "momentum": 2.0 * (1 + m) / top, "nesterov": 2.0 * (1 + m) / ((1 + 2 * m) * top)}


def lr_optimal_gd(lam: np.ndarray) -> float:
    return 2.0 / (float(lam[0]) + float(lam[-1]))


def momentum_optimal(lam: np.ndarray) -> tuple[float, float]:
    """(lr, m) of the fastest TF momentum (heavy ball) on this bowl."""
    lo, hi = float(lam[0]), float(lam[-1])
    kappa = hi / lo
    lr = (2.0 / (np.sqrt(lo) + np.sqrt(hi))) ** 2
    m = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    return float(lr), float(m)


def iteration_roots(optimizer: str, lr: float, m: float, lam: float) -> np.ndarray:
    """Eigenvalues of the per-eigen-direction iteration matrix of a linear optimizer.

    GD: e ← (1 − lr λ) e.  TF momentum on (e, accum): [[1 − lr λ, −lr m], [λ, m]].
    TF Nesterov: [[1 − lr λ (1 + m), −lr m²], [λ, m]].
    """
    if optimizer == "gd":
        return np.array([1.0 - lr * lam], complex)
    if optimizer == "momentum":
        M = np.array([[1 - lr * lam, -lr * m], [lam, m]])
    elif optimizer == "nesterov":
        M = np.array([[1 - lr * lam * (1 + m), -lr * m * m], [lam, m]])
    else:
        raise ValueError(f"{optimizer} is not a linear iteration: it has no such limit")
    return np.linalg.eigvals(M)


def rate(optimizer: str, lr: float, m: float, lam: np.ndarray) -> float:
    """Convergence factor per step: the largest |root| over the eigen-directions (< 1: converges)."""
    return float(max(np.max(np.abs(iteration_roots(optimizer, lr, m, float(v)))) for v in lam if v > 0))


def band(optimizer: str, lr: float, m: float, lam: np.ndarray) -> str:
    """'monotone' (every direction shrinks without changing sign), 'oscillating' (some direction
    flips or spirals, still converging), 'divergent', or 'no linear limit' (RMSProp, Adam)."""
    if optimizer in NO_LINEAR_LIMIT:
        return "no linear limit"
    if rate(optimizer, lr, m, lam) >= 1.0:
        return "divergent"
    for v in lam:
        if v <= 0:
            continue
        r = iteration_roots(optimizer, lr, m, float(v))
        dominant = r[np.argmax(np.abs(r))]
        if abs(dominant.imag) > 1e-12 or dominant.real < 0:
            return "oscillating"
    return "monotone"


def bands_along_lr(optimizer: str, m: float, lam: np.ndarray, lr_max: float, n: int = 400):
    """[(lr_from, lr_to, band), ...] covering (0, lr_max]: what the lr control shades."""
    lrs = np.linspace(lr_max / n, lr_max, n)
    out: list[list] = []
    for lr in lrs:
        b = band(optimizer, float(lr), m, lam)
        if out and out[-1][2] == b:
            out[-1][1] = float(lr)
        else:
            out.append([float(out[-1][1]) if out else 0.0, float(lr), b])
    return [tuple(x) for x in out]


def rate_map(optimizer: str, lrs: np.ndarray, ms: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Convergence factor over an (lr, m) grid, shape (len(lrs), len(ms)) (≥ 1: diverges).

    Vectorised: the 2×2 iteration matrix [[a, b], [c, d]] has roots (tr ± √(tr² − 4 det)) / 2.
    """
    if optimizer not in ("momentum", "nesterov"):
        raise ValueError(f"an (lr, m) map is for momentum or nesterov, not {optimizer}")
    lr = np.asarray(lrs, np.float64)[:, None, None]
    m = np.asarray(ms, np.float64)[None, :, None]
    lam = np.asarray([v for v in lam if v > 0], np.float64)[None, None, :]
    if optimizer == "momentum":
        a, b = 1 - lr * lam, -lr * m
    else:
        a, b = 1 - lr * lam * (1 + m), -lr * m * m
    c, d = lam, m
    tr, det = a + d, a * d - b * c
    disc = np.sqrt((tr * tr - 4 * det).astype(complex))
    roots = np.maximum(np.abs((tr + disc) / 2), np.abs((tr - disc) / 2))
    return roots.max(axis=-1)


# -- slices ----------------------------------------------------------------------------------------
def slice_directions(kind: str, land: Landscape) -> tuple[np.ndarray, np.ndarray, tuple[str, str]]:
    """Two unit directions spanning the slice and their axis labels."""
    eye = np.eye(3)
    if kind == "W1–W2":
        return eye[0], eye[1], ("W1", "W2")
    if kind == "W1–b":
        return eye[0], eye[2], ("W1", "b")
    if kind == "W2–b":
        return eye[1], eye[2], ("W2", "b")
    if kind == "eigen":
        v = land.eigenvectors
        return v[:, 2], v[:, 1], ("along q3 (steepest)", "along q2")
    raise ValueError(f"slice must be one of {', '.join(SLICES)}, not {kind!r}")


def slice_grid(land: Landscape, theta, kind: str, half: float, n: int = 128):
    """The loss on an n×n grid of the slice through ``theta``: ``(s, t, L)`` with s, t the
    offsets along the two directions (``L[i, j]`` at ``theta + s[i] u + t[j] v``)."""
    u, v, _ = slice_directions(kind, land)
    s = np.linspace(-half, half, n)
    grid = np.asarray(theta, np.float64) + s[:, None, None] * u + s[None, :, None] * v
    return s, s.copy(), land.loss(grid)


def slice_contours(land: Landscape, theta, kind: str, levels, points: int = 96) -> np.ndarray:
    """Contour ellipses of the slice through ``theta`` at the given loss levels, as one (k, 2)
    polyline in slice offsets (s, t), NaN rows between ellipses (for connect='finite').

    On the slice L(θ + s u + t v) = c + gᵀd + ½ dᵀ M d with d = (s, t), M = [uᵀHu uᵀHv; vᵀHu vᵀHv]:
    its minimum is at d0 = −M⁻¹g with value c − ½ gᵀM⁻¹g, and each level set is an ellipse.
    """
    u, v, _ = slice_directions(kind, land)
    B = np.stack([u, v], axis=1)
    M = B.T @ land.H @ B
    g = B.T @ land.gradient(theta)
    c = float(land.loss(theta))
    w, q = np.linalg.eigh(M)
    if w[0] <= 1e-15 * max(w[1], 1e-300):
        return np.empty((0, 2))                  # a flat direction: no closed contours
    d0 = -np.linalg.solve(M, g)
    low = c + 0.5 * g @ d0
    phi = np.linspace(0, 2 * np.pi, points)
    out = []
    for level in levels:
        r2 = 2.0 * (level - low)
        if r2 <= 0:
            continue
        circle = np.stack([np.cos(phi) * np.sqrt(r2 / w[0]), np.sin(phi) * np.sqrt(r2 / w[1])], axis=1)
        out.append(d0 + circle @ q.T)
        out.append(np.full((1, 2), np.nan))
    return np.concatenate(out) if out else np.empty((0, 2))


def to_slice(land: Landscape, theta_origin, kind: str, thetas) -> np.ndarray:
    """Coordinates (s, t) of points θ on the slice through ``theta_origin`` (projection)."""
    u, v, _ = slice_directions(kind, land)
    d = np.asarray(thetas, np.float64) - np.asarray(theta_origin, np.float64)
    return np.stack([d @ u, d @ v], axis=-1)


def reference_plane(data: PlaneData) -> tuple[np.ndarray, np.ndarray, str]:
    """The plane to draw beside the fit: the true one when the data has it (generated data),
    else the least-squares one, with its label."""
    if getattr(data, "true_W", None) is not None and getattr(data, "true_b", None) is not None:
        return np.array([data.true_W], np.float64), np.array([data.true_b], np.float64), "true plane"
    t = analyze(data).theta_star
    return t[None, :2], t[2:], "least-squares plane"


# -- facts for scripts (gdviz --headless --analyze --json) ---------------------------------------
def facts(data: PlaneData, momentum: float = 0.9) -> dict:
    land = analyze(data)
    lam = land.eigenvalues
    lr, m = momentum_optimal(lam)
    return {
        "optimum": {"W": [float(land.theta_star[0]), float(land.theta_star[1])], "b": float(land.theta_star[2])},
        "min_loss": land.min_loss,
        "hessian_eigenvalues": [float(v) for v in lam],
        "condition_number": land.condition_number,
        "lr_limit": lr_limits(lam, momentum),
        "lr_optimal": {"gd": lr_optimal_gd(lam)},
        "momentum_optimal": {"lr": lr, "momentum": m},
        "momentum": float(momentum),
        "no_linear_limit": list(NO_LINEAR_LIMIT),
        "rank": land.rank,
    }
