"""Gradient rules, registered by op-type string as in TF's ``math_grad.py``/``array_grad.py``.

Each rule receives ``(op, grad, needed)`` — the forward node, the aggregated gradient node of
its output and, per input, whether that input's gradient is wanted — and returns one
gradient *node* (or ``None``) per input.  Rules build graph nodes, so the backward pass can
be drawn and is run by the same session.  Broadcast reduction (TF's
``BroadcastGradientArgs`` + ``Sum`` + ``Reshape``) is skipped when static shapes match.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import ops
from .graph import Tensor, is_floating

#: op type -> rule(op, grad, needed) -> list of Tensor | None; a ``None`` rule = not differentiable
RULES: dict[str, Callable | None] = {}


def register(*op_types: str):
    def deco(fn):
        for t in op_types:
            RULES[t] = fn
        return fn
    return deco


def not_differentiable(*op_types: str) -> None:
    for t in op_types:
        RULES[t] = None


def _dynamic(op_type: str, grad: Tensor, like: Tensor, **attrs) -> Tensor:
    """A gradient helper node that reads ``like``'s run-time shape (unknown static dims)."""
    return ops._node(op_type, (grad, like), like.shape, grad.dtype, op_type, op_type, attrs)


def unbroadcast(grad: Tensor, shape: tuple, like: Tensor | None = None) -> Tensor:
    """Sum ``grad`` (of the broadcast output's shape) back to an input of static ``shape``.

    ``like`` is the input itself, used when a static shape has unknown (``None``) sizes.
    """
    gshape = grad.shape
    if gshape == tuple(shape) and None not in gshape:
        return grad
    if (None in gshape or None in shape) and like is not None:
        return _dynamic("UnbroadcastLike", grad, like)
    lead = len(gshape) - len(shape)
    axes = list(range(lead))
    for i, d in enumerate(shape):
        if d == 1 and gshape[lead + i] != 1:
            axes.append(lead + i)
    out = ops.reduce_sum(grad, axis=axes, name="Sum") if axes else grad
    if out.shape != tuple(shape):
        out = ops.reshape(out, shape, name="Reshape")
    return out


@register("Add")
def _add_grad(op, grad, needed):
    a, b = op.inputs
    return [unbroadcast(grad, a.shape, a) if needed[0] else None,
            unbroadcast(grad, b.shape, b) if needed[1] else None]


@register("Sub")
def _sub_grad(op, grad, needed):
    a, b = op.inputs
    gb = None
    if needed[1]:
        gb = ops.negative(unbroadcast(grad, b.shape, b), name="Neg")
    return [unbroadcast(grad, a.shape, a) if needed[0] else None, gb]


@register("Mul")
def _mul_grad(op, grad, needed):
    a, b = op.inputs
    ga = unbroadcast(ops.multiply(grad, b, name="Mul"), a.shape, a) if needed[0] else None
    gb = unbroadcast(ops.multiply(a, grad, name="Mul_1"), b.shape, b) if needed[1] else None
    return [ga, gb]


@register("RealDiv")
def _div_grad(op, grad, needed):
    a, b = op.inputs
    ga = unbroadcast(ops.divide(grad, b, name="RealDiv"), a.shape, a) if needed[0] else None
    gb = None
    if needed[1]:
        q = ops.divide(ops.divide(ops.negative(a, name="Neg"), b, name="RealDiv_1"), b, name="RealDiv_2")
        gb = unbroadcast(ops.multiply(grad, q, name="mul"), b.shape, b)
    return [ga, gb]


@register("MatMul")
def _matmul_grad(op, grad, needed):
    a, b = op.inputs
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    mm = ops.matmul
    if not ta and not tb:
        ga = (lambda: mm(grad, b, transpose_b=True, name="MatMul"))
        gb = (lambda: mm(a, grad, transpose_a=True, name="MatMul_1"))
    elif not ta and tb:
        ga = (lambda: mm(grad, b, name="MatMul"))
        gb = (lambda: mm(grad, a, transpose_a=True, name="MatMul_1"))
    elif ta and not tb:
        ga = (lambda: mm(b, grad, transpose_b=True, name="MatMul"))
        gb = (lambda: mm(a, grad, name="MatMul_1"))
    else:
        ga = (lambda: mm(b, grad, transpose_a=True, transpose_b=True, name="MatMul"))
        gb = (lambda: mm(grad, a, transpose_a=True, transpose_b=True, name="MatMul_1"))
    return [ga() if needed[0] else None, gb() if needed[1] else None]


@register("Square")
def _square_grad(op, grad, needed):
    x = op.inputs[0]
    return [ops.multiply(grad, ops.multiply(x, 2.0 if is_floating(x.dtype) else 2, name="Mul"), name="Mul_1")]


@register("Neg")
def _neg_grad(op, grad, needed):
    return [ops.negative(grad, name="Neg")]


@register("Exp")
def _exp_grad(op, grad, needed):
    return [ops.multiply(grad, op, name="mul")]


@register("Log")
def _log_grad(op, grad, needed):
    x = op.inputs[0]
    return [ops.multiply(grad, ops._node("Reciprocal", (x,), x.shape, x.dtype, "Reciprocal", "Reciprocal"),
                         name="mul")]


@register("Sqrt")
def _sqrt_grad(op, grad, needed):  # TF's SqrtGrad: grad * 0.5 / y
    return [ops.divide(ops.multiply(grad, 0.5, name="mul"), op, name="truediv")]


@register("Reciprocal")
def _reciprocal_grad(op, grad, needed):
    return [ops.multiply(grad, ops.negative(ops.square(op, name="Square"), name="Neg"), name="mul")]


@register("Sigmoid")
def _sigmoid_grad(op, grad, needed):
    return [ops._node("SigmoidGrad", (op, grad), op.shape, op.dtype, "SigmoidGrad", "SigmoidGrad")]


@register("Tanh")
def _tanh_grad(op, grad, needed):
    return [ops._node("TanhGrad", (op, grad), op.shape, op.dtype, "TanhGrad", "TanhGrad")]


@register("Relu")
def _relu_grad(op, grad, needed):
    x = op.inputs[0]
    return [ops._node("ReluGrad", (grad, x), x.shape, x.dtype, "ReluGrad", "ReluGrad")]


def _sum_like(op, grad) -> Tensor:
    """Gradient of a sum reduction: grad reshaped to the kept dims, broadcast to the input."""
    x = op.inputs[0]
    axes, keep = op.attrs["axis"], op.attrs["keepdims"]
    if None in x.shape:
        return _dynamic("SumGradLike", grad, x, axis=axes, keepdims=keep)
    kept = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
    g = grad if (keep or grad.shape == kept) else ops.reshape(grad, kept, name="Reshape")
    return g if g.shape == x.shape else ops.broadcast_to(g, x.shape, name="BroadcastTo")


@register("Sum")
def _sum_grad(op, grad, needed):
    return [_sum_like(op, grad)]


@register("Mean")
def _mean_grad(op, grad, needed):
    x = op.inputs[0]
    if any(x.shape[a] is None for a in op.attrs["axis"]):
        return [_dynamic("MeanGradLike", grad, x, axis=op.attrs["axis"], keepdims=op.attrs["keepdims"])]
    g = _sum_like(op, grad)
    factor = int(np.prod([x.shape[a] for a in op.attrs["axis"]]))
    c = ops.constant(np.asarray(max(factor, 1), dtype=grad.dtype), name="Const")
    if grad.dtype.kind in "iu":  # project decision 1: integer gradients stay integers
        return [ops._node("FloorDiv", (g, c), g.shape, g.dtype, "FloorDiv", "FloorDiv")]
    return [ops.divide(g, c, name="truediv")]


@register("AddN")
def _addn_grad(op, grad, needed):
    return [grad if n else None for n in needed]


@register("Identity")
def _identity_grad(op, grad, needed):
    return [grad]


@register("Reshape")
def _reshape_grad(op, grad, needed):
    x = op.inputs[0]
    if None in x.shape:
        return [_dynamic("ReshapeLike", grad, x)]
    return [ops.reshape(grad, x.shape, name="Reshape")]


@register("BroadcastTo")
def _broadcast_to_grad(op, grad, needed):
    return [unbroadcast(grad, op.inputs[0].shape, op.inputs[0])]


@register("Cast")
def _cast_grad(op, grad, needed):
    src, dst = op.inputs[0].dtype, op.dtype
    # TF: only float<->float casts pass gradients; int<->float cuts the path (case C28)
    if is_floating(src) and is_floating(dst):
        return [ops.cast(grad, src, name="Cast")]
    return [None]


not_differentiable("StopGradient", "ZerosLike", "OnesLike", "Const", "Placeholder", "VariableV2",
                   "RandomUniform", "NoOp")
