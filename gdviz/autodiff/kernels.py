"""Forward kernels: for each pure op type, a numpy function of the input values.

``KERNELS[op_type](node)`` returns ``(fn, fresh, elementwise)``: ``fn(*input_values)``
computes the value; ``fresh`` says the result is always a new array that nobody else
holds (so the session may hand it out without copying, or reuse it in place);
``elementwise`` says ``fn`` is a numpy ufunc whose ``out=`` may be one of its inputs.
Stateful ops (variables, assignments, optimizer updates, random numbers) are compiled by
the session itself.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

KERNELS: dict[str, Callable] = {}


def _ufunc(op_type: str, uf) -> None:
    KERNELS[op_type] = lambda node: (uf, True, True)


for _t, _uf in (("Add", np.add), ("Sub", np.subtract), ("Mul", np.multiply), ("RealDiv", np.true_divide),
                ("Neg", np.negative), ("Square", np.square), ("Exp", np.exp), ("Log", np.log),
                ("Tanh", np.tanh), ("Reciprocal", np.reciprocal), ("Sqrt", np.sqrt)):
    _ufunc(_t, _uf)


def _sigmoid(node):
    def sigmoid(x):
        # exp(-logaddexp(0, -x)) never overflows, unlike 1 / (1 + exp(-x)) for very negative x
        return np.exp(-np.logaddexp(0, -x)).astype(node.dtype, copy=False)
    return sigmoid, True, False


KERNELS["Sigmoid"] = _sigmoid


def _relu(node):
    zero = np.zeros((), node.dtype)
    return (lambda x: np.maximum(x, zero)), True, False


KERNELS["Relu"] = _relu


def _relu_grad(node):  # inputs (grad, features): grad where features > 0
    zero = np.zeros((), node.dtype)
    return (lambda g, x: np.where(x > 0, g, zero)), True, False


KERNELS["ReluGrad"] = _relu_grad


def _sigmoid_grad(node):  # inputs (y, grad): grad * y * (1 - y)
    one = np.ones((), node.dtype)
    return (lambda y, g: g * (y * (one - y))), True, False


KERNELS["SigmoidGrad"] = _sigmoid_grad


def _tanh_grad(node):  # inputs (y, grad): grad * (1 - y^2)
    one = np.ones((), node.dtype)
    return (lambda y, g: g * (one - y * y)), True, False


KERNELS["TanhGrad"] = _tanh_grad


def _matmul(node):
    ta, tb = node.attrs["transpose_a"], node.attrs["transpose_b"]
    mm = np.matmul
    if ta and tb:
        return (lambda a, b: mm(a.T, b.T)), True, False
    if ta:
        return (lambda a, b: mm(a.T, b)), True, False
    if tb:
        return (lambda a, b: mm(a, b.T)), True, False
    return mm, True, False


KERNELS["MatMul"] = _matmul


def _sum(node):
    axes, keep = node.attrs["axis"], node.attrs["keepdims"]
    red = np.add.reduce
    if not axes:  # reducing over no axis is the identity (a copy keeps "fresh" true)
        return (lambda x: np.array(x, copy=True)), True, False
    return (lambda x: red(x, axes, None, None, keep)), True, False


KERNELS["Sum"] = _sum


def _mean(node):
    axes, keep = node.attrs["axis"], node.attrs["keepdims"]
    red = np.add.reduce
    shape = node.inputs[0].shape
    if not axes:
        return (lambda x: np.array(x, copy=True)), True, False
    if node.dtype.kind in "iu":  # TF's integer mean truncates toward zero
        def int_mean(x):
            s = red(x, axes, None, None, keep)
            n = int(np.prod([x.shape[a] for a in axes]))
            return (np.trunc(s / max(n, 1))).astype(node.dtype)
        return int_mean, True, False
    if all(shape[a] is not None for a in axes):
        count = int(np.prod([shape[a] for a in axes]))
        div = np.true_divide
        return (lambda x: div(red(x, axes, None, None, keep), count)), True, False
    return (lambda x: np.mean(x, axis=axes, keepdims=keep)), True, False


KERNELS["Mean"] = _mean


def _identity(node):
    return (lambda x: x), False, False


KERNELS["Identity"] = _identity
KERNELS["StopGradient"] = _identity


def _cast(node):
    dt = node.dtype
    return (lambda x: np.asarray(x).astype(dt)), True, False


KERNELS["Cast"] = _cast


def _add_n(node):
    def add_n(*xs):
        out = xs[0] + xs[1] if len(xs) > 1 else np.array(xs[0], copy=True)
        for x in xs[2:]:
            out = out + x
        return out
    if len(node.inputs) == 2:
        return np.add, True, True
    return add_n, True, False


KERNELS["AddN"] = _add_n


def _reshape(node):
    shape = node.attrs["shape"]
    return (lambda x: np.reshape(x, shape)), False, False


KERNELS["Reshape"] = _reshape


def _broadcast_to(node):
    shape = node.attrs["shape"]
    return (lambda x: np.broadcast_to(x, shape)), False, False


KERNELS["BroadcastTo"] = _broadcast_to


def _zeros_like(node):
    dt = node.dtype
    return (lambda x: np.zeros(np.shape(x), dt)), True, False


def _ones_like(node):
    dt = node.dtype
    return (lambda x: np.ones(np.shape(x), dt)), True, False


KERNELS["ZerosLike"] = _zeros_like
KERNELS["OnesLike"] = _ones_like
KERNELS["FloorDiv"] = lambda node: (np.floor_divide, True, True)

#: Stateful update ops (filled by :mod:`gdviz.autodiff.train`): op type -> maker(node) returning
#: ``(fn, n_ref)``; ``fn(*input_values)`` returns the new values of the first ``n_ref`` inputs
#: (the variable and its slots) — a single array when ``n_ref == 1``, else a tuple.
UPDATES: dict[str, Callable] = {}


# --- gradient helpers for unknown static sizes: they read the forward input's run-time shape
def unbroadcast_value(g, shape):
    """numpy ``BroadcastGradientArgs`` + ``Sum`` + ``Reshape``: ``g`` summed back to ``shape``."""
    g = np.asarray(g)
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(shape) if d == 1 and g.shape[lead + i] != 1)
    return np.add.reduce(g, axes).reshape(shape) if axes else g.reshape(shape)


def _sum_grad_value(g, x, axes, keep):
    kept = tuple(1 if i in axes else d for i, d in enumerate(np.shape(x)))
    return np.broadcast_to(np.reshape(g, kept), np.shape(x))


KERNELS["UnbroadcastLike"] = lambda node: ((lambda g, x: unbroadcast_value(g, np.shape(x))), False, False)
KERNELS["ReshapeLike"] = lambda node: ((lambda g, x: np.reshape(g, np.shape(x))), False, False)
KERNELS["SumGradLike"] = lambda node: (
    (lambda g, x: _sum_grad_value(g, x, node.attrs["axis"], node.attrs["keepdims"])), False, False)


def _mean_grad_like(node):
    axes, keep, dt = node.attrs["axis"], node.attrs["keepdims"], node.dtype

    def mean_grad(g, x):
        count = max(int(np.prod([np.shape(x)[a] for a in axes])), 1)
        s = _sum_grad_value(g, x, axes, keep)
        return s // dt.type(count) if dt.kind in "iu" else np.true_divide(s, dt.type(count))
    return mean_grad, True, False


KERNELS["MeanGradLike"] = _mean_grad_like
