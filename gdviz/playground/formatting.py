"""The gradient formula shown per x (no Qt); numbers via :mod:`gdviz.formatting`.

Integers print as integers (``[[6, 9]]``), floats with up to four decimals and a trailing
``.0`` kept (``3.0``), so the tutorial's and TF docstring's numbers read as published.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from gdviz.formatting import fmt  # the one formatter; re-exported here

__all__ = ["fmt", "formula"]


def _uniform(seed: np.ndarray | None) -> bool:
    return seed is not None and seed.size > 0 and bool(np.all(seed == seed.flat[0]))


def _weighted(y: str, seed: np.ndarray | None) -> str:
    if seed is None:
        return y
    if _uniform(seed):
        return f"{fmt(seed.flat[0])}·{y}"
    return f"sum({fmt(seed)}*{y})"


def formula(x: str, ys: Sequence[str], seeds: Sequence, terms: Sequence, total) -> str:
    """``d(1·res2a + 2·res2b)/dw1 = 1·[[2, 1]] + 2·[[2, 4]] = [[6, 9]]``.

    Parameters
    ----------
    x : str
    ys : sequence of str
    seeds : sequence of (ndarray or None)
        Each y's grad_y in y's shape, ``None`` for the default ones.
    terms : sequence of (contribution, unit)
        Per y: its contribution to dx (``None`` if unconnected) and, when its seed is a
        uniform number, the gradient with a seed of ones (shown as ``c·unit``).
    total : ndarray or None
        The value ``gradients()`` returned for x.
    """
    if not ys:
        return f"d(nothing)/d{x}: choose at least one y"
    lhs = f"d({' + '.join(_weighted(y, s) for y, s in zip(ys, seeds))})/d{x}"
    parts = []
    for seed, (contribution, unit) in zip(seeds, terms):
        if contribution is None:
            parts.append("None")
        elif unit is not None:
            parts.append(f"{fmt(seed.flat[0])}·{fmt(unit)}")
        else:
            parts.append(fmt(contribution))
    result = "None" if total is None else fmt(total)
    middle = " + ".join(parts)
    if not parts or middle == result or all(p == "None" for p in parts):
        return f"{lhs} = {result}"
    return f"{lhs} = {middle} = {result}"
