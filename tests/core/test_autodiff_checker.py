"""Every gradient rule against central differences (the packaged checker), incl. broadcasting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdviz.autodiff as tf
from gdviz.autodiff import check_gradients

SHAPE_PAIRS = [((2, 3), (2, 3)), ((2, 3), (3,)), ((3,), (2, 3)), ((2, 3), (2, 1)), ((2, 1), (1, 3)),
               ((), (2, 3)), ((3,), ()), ((), ()), ((4, 1, 3), (2, 1)), ((1,), (3, 1)), ((2, 1, 1), (1, 3, 2))]
BINARY = {"add": tf.add, "subtract": tf.subtract, "multiply": tf.multiply, "divide": tf.divide,
          "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b}


def away_from_zero(rng, shape):
    """Values in ±[0.5, 2): safe for division, log of |x|, relu kinks."""
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


@pytest.mark.parametrize("op", list(BINARY))
@pytest.mark.parametrize("sa, sb", SHAPE_PAIRS)
def test_binary_broadcasting(op, sa, sb):
    rng = np.random.default_rng(len(sa) * 10 + len(sb))
    check_gradients(BINARY[op], [away_from_zero(rng, sa), away_from_zero(rng, sb)])


@pytest.mark.parametrize("op, positive", [
    (tf.negative, False), (lambda x: -x, False), (tf.square, False), (tf.exp, False), (tf.log, True), (tf.sqrt, True),
    (tf.sigmoid, False), (tf.tanh, False), (tf.relu, False), (tf.identity, False),
    (lambda x: tf.reshape(x, (3, 2)), False), (lambda x: tf.broadcast_to(x, (4, 2, 3)), False),
    (lambda x: tf.add_n([x, x * 2.0, tf.square(x)]), False),
])
def test_unary(op, positive):
    rng = np.random.default_rng(1)
    x = away_from_zero(rng, (2, 3))
    check_gradients(op, [np.abs(x) if positive else x])


@pytest.mark.parametrize("reduce", [tf.reduce_sum, tf.reduce_mean])
@pytest.mark.parametrize("axis", [None, 0, 1, 2, -1, [0, 2], (1, 2), [0, 1, 2]])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(reduce, axis, keepdims):
    x = np.random.default_rng(2).standard_normal((2, 3, 4))
    check_gradients(lambda t: reduce(t, axis=axis, keepdims=keepdims), [x])


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_matmul_transpose_flags(ta, tb):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 3) if ta else (3, 4))
    b = rng.standard_normal((5, 4) if tb else (4, 5))
    check_gradients(lambda p, q: tf.matmul(p, q, transpose_a=ta, transpose_b=tb), [a, b])


def test_tutorial_loss():
    rng = np.random.default_rng(4)
    x, yd = rng.random((2, 7)), rng.random(7)
    check_gradients(lambda W, b: tf.reduce_mean(tf.square(tf.matmul(W, x) + b - yd)),
                    [rng.standard_normal((1, 2)), rng.standard_normal(1)])


def test_checker_catches_a_wrong_rule(monkeypatch):
    from gdviz.autodiff import grad_rules
    monkeypatch.setitem(grad_rules.RULES, "Exp", lambda op, grad, needed: [grad])  # wrong on purpose
    with pytest.raises(AssertionError, match="gradient check failed for input 0"):
        check_gradients(tf.exp, [np.array([0.3, 1.2])])


# exp and square act on tanh(t) so that no chain of up to 6 ops overflows (hypothesis would find it);
# relu's kink is moved off 0, which x - x hits exactly
UNARY = [tf.negative, lambda t: tf.square(tf.tanh(t)), tf.sigmoid, tf.tanh, lambda t: tf.exp(tf.tanh(t)),
         lambda t: t * 0.5, lambda t: 1.5 - t, lambda t: tf.log(tf.square(t) + 1.0),
         lambda t: tf.relu(t + 0.3141) + 0.1 * t]
CHAIN_SHAPES = [(3,), (2, 3), (1, 3), (2, 1), ()]


@st.composite
def chains(draw):
    n_in = draw(st.integers(1, 3))
    shapes = [draw(st.sampled_from(CHAIN_SHAPES)) for _ in range(n_in)]
    steps = draw(st.lists(st.tuples(st.sampled_from(["u", "b", "r"]), st.integers(0, 100)), min_size=1, max_size=6))
    seed = draw(st.integers(0, 2**16))
    return shapes, steps, seed


@settings(max_examples=60, deadline=None, derandomize=True)
@given(chains())
def test_random_op_chains(chain):
    shapes, steps, seed = chain
    rng = np.random.default_rng(seed)
    inputs = [away_from_zero(rng, s) for s in shapes]

    def f(*xs):
        pool = list(xs)
        for kind, k in steps:
            a = pool[k % len(pool)]
            if kind == "u":
                pool.append(UNARY[k % len(UNARY)](a))
            elif kind == "b":
                b = pool[(k // 7) % len(pool)]
                pool.append([tf.add, tf.subtract, tf.multiply][k % 3](a, b))
            else:
                axis = None if not a.shape or k % 2 else k % len(a.shape)
                pool.append(tf.reduce_mean(a, axis=axis) if k % 3 else tf.reduce_sum(a, axis=axis))
        out = pool[-1]
        for x in pool[:-1]:  # every node contributes, so every path is exercised
            out = out + tf.reduce_sum(x) * 0.1
        return out

    check_gradients(f, inputs, seed=seed, rtol=1e-4, atol=1e-6)
