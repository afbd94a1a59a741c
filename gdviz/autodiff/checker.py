"""Packaged gradient checker: random projections vs central differences, in float64.

For ``y = f(x_1, ..., x_k)`` and a random cotangent ``v`` (y's shape), the engine's
``gradients(y, xs, grad_ys=v)`` gives ``g_i = J_iᵀ v``.  For a random direction ``u_i`` the
scalar ``<u_i, g_i>`` must equal the directional derivative of ``F(x) = <v, f(x)>`` along
``u_i``, estimated by ``(F(x + εu_i) - F(x - εu_i)) / 2ε``.  One check per input makes a
failure name the input that is wrong.  (The idea is HIPS/autograd's ``check_grads``.)
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .gradients import gradients
from .graph import Graph, float64
from .ops import placeholder
from .session import Session


def check_gradients(f: Callable, inputs: Sequence[np.ndarray], eps: float = 1e-6, rtol: float = 1e-5,
                    atol: float = 1e-8, seed: int = 0) -> list[tuple[float, float]]:
    """Check the engine's gradients of ``f`` at ``inputs``; raise ``AssertionError`` if wrong.

    Parameters
    ----------
    f : callable
        Takes one float64 tensor per input and returns one tensor (built from engine ops).
    inputs : sequence of array-like
        Points at which to check; converted to float64 arrays (their shapes are the
        placeholders' static shapes).
    eps, rtol, atol : float
        Central-difference step and the tolerance ``|a - n| <= atol + rtol * max(|a|, |n|)``.
    seed : int
        Seed of the random cotangent and directions.

    Returns
    -------
    list of (analytic, numeric)
        One pair of projected derivatives per input.
    """
    xs = [np.asarray(x, dtype=np.float64) for x in inputs]
    rng = np.random.default_rng(seed)
    graph = Graph()
    with graph.as_default():
        phs = [placeholder(float64, x.shape, name=f"x{i}") for i, x in enumerate(xs)]
        y = f(*phs)
        if y.dtype != float64:
            raise TypeError(f"f must return a float64 tensor when given float64 inputs, got {y.dtype.name}")
        v_ph = placeholder(float64, y.shape, name="v")
        grads = gradients(y, phs, grad_ys=v_ph)
    v = rng.standard_normal(y.shape)
    sess = Session(graph=graph)

    def F(values) -> float:
        out = sess.run(y, dict(zip(phs, values)))
        return float(np.sum(v * out))

    results = []
    for i, x in enumerate(xs):
        u = rng.standard_normal(x.shape)
        if grads[i] is None:
            analytic = 0.0
        else:
            g = sess.run(grads[i], {**dict(zip(phs, xs)), v_ph: v})
            if np.shape(g) != x.shape:
                raise AssertionError(f"gradient for input {i} has shape {np.shape(g)}, input has {x.shape}")
            analytic = float(np.sum(u * g))
        plus = [xx if j != i else xx + eps * u for j, xx in enumerate(xs)]
        minus = [xx if j != i else xx - eps * u for j, xx in enumerate(xs)]
        numeric = (F(plus) - F(minus)) / (2 * eps)
        if not abs(analytic - numeric) <= atol + rtol * max(abs(analytic), abs(numeric)):
            raise AssertionError(f"gradient check failed for input {i} (shape {x.shape}) of {y.name}: "
                                 f"<u, J^T v> = {analytic!r} but central differences give {numeric!r}")
        results.append((analytic, numeric))
    sess.close()
    return results
