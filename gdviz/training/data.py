"""The tutorial's data set, made reproducibly.

The tutorial draws ``x_data = np.float32(np.random.rand(2, 100))`` and sets
``y_data = np.dot([0.100, 0.200], x_data) + 0.300``.  We do the same with an explicit,
seeded ``np.random.default_rng`` so a seed always gives the same points.
"""

from __future__ import annotations

import math

import numpy as np

from gdviz.training.types import PlaneData, frozen_array

TRUE_W = (0.1, 0.2)
TRUE_B = 0.3


def make_plane_data(points: int = 100, noise: float = 0.0, seed: int = 0) -> PlaneData:
    """Draw the plane-fit data set.

    Parameters
    ----------
    points : int
        Number of points N (>= 1).
    noise : float
        Standard deviation of Gaussian noise added to ``y`` (>= 0; 0 gives the exact plane).
    seed : int
        Seed of the ``np.random.default_rng`` that draws ``x`` (then the noise).

    Returns
    -------
    PlaneData
        ``x``: float32, shape (2, N), uniform in [0, 1); ``y``: float64, shape (N,),
        ``[0.1, 0.2] . x + 0.3 (+ noise)``.  Both arrays are read-only.

    Raises
    ------
    ValueError
        If ``points`` < 1, ``noise`` is negative or not finite, or ``seed`` is not an integer.
    """
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 1:
        raise ValueError(f"points must be an integer >= 1, not {points!r}")
    try:
        noise = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a number, not {noise!r}") from None
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, not {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, not {seed!r}")
    rng = np.random.default_rng(int(seed))
    x = rng.random((2, int(points))).astype(np.float32)
    # Same expression as the tutorial: a float64 dot of the float32 points.
    y = np.dot(list(TRUE_W), x) + TRUE_B
    if noise > 0:
        y = y + noise * rng.standard_normal(int(points))
    return PlaneData(
        x=frozen_array(x),
        y=frozen_array(y),
        true_W=TRUE_W,
        true_b=TRUE_B,
        noise=noise,
        seed=int(seed),
    )
