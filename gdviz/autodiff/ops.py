"""Op constructors (TF1 names) with static shape and dtype inference, and operator overloads.

Constructors only add nodes; values are computed by :mod:`gdviz.autodiff.session` with the
kernels in :mod:`gdviz.autodiff.kernels`.  Shape errors are raised here, at graph-building
time, as ``ValueError`` naming the op type, the node names and the shapes (as TF does).
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import numpy as np

from gdviz.formatting import format_shape

from .graph import (Tensor, as_dtype, check_name, constant_value_dtype, convert_to_tensor, fit_dtype,
                    float32, get_default_graph)


def _node(op_type: str, inputs: Sequence[Tensor], shape: tuple, dtype: Any, name: str | None,
          default: str, attrs: dict | None = None) -> Tensor:
    graph = inputs[0].graph if inputs else get_default_graph()
    for t in inputs:
        if t.graph is not graph:
            raise ValueError(f"{op_type} '{default}': input {t.name} is from a different graph")
    return Tensor(graph, op_type, tuple(inputs), shape, dtype, check_name(name, default), attrs)


def _shape_str(shape) -> str:
    return format_shape(shape)  # the one shape formatter (gdviz.formatting)


# ---------------------------------------------------------------------------------- sources
def constant(value: Any, dtype: Any = None, shape: Sequence[int] | None = None, name: str | None = None) -> Tensor:
    """A ``Const`` node.  Python floats -> float32, ints -> int32 unless ``dtype`` given."""
    if isinstance(value, Tensor):
        raise TypeError(f"constant() needs a value, got the tensor {value.name}")
    arr = constant_value_dtype(value, dtype)
    if dtype is not None and np.asarray(value).dtype.kind == "f" and arr.dtype.kind in "iu":
        if not np.array_equal(np.asarray(value), arr):
            raise TypeError(f"cannot convert {value!r} to an integer tensor of dtype {arr.dtype.name} "
                            "without losing data")
    if shape is not None:
        arr = np.broadcast_to(arr, tuple(shape)).copy() if arr.size == 1 else arr.reshape(tuple(shape))
    arr = np.array(arr)  # own a copy: later changes to the caller's array do not leak in
    arr.setflags(write=False)
    return _node("Const", (), arr.shape, arr.dtype, name, "Const", {"value": arr})


def zeros(shape: Sequence[int], dtype: Any = float32, name: str | None = None) -> Tensor:
    """A ``Const`` of zeros, shape ``shape`` (float32 by default)."""
    return constant(np.zeros(tuple(shape), dtype=as_dtype(dtype)), name=name or "zeros")


def ones(shape: Sequence[int], dtype: Any = float32, name: str | None = None) -> Tensor:
    """A ``Const`` of ones, shape ``shape`` (float32 by default)."""
    return constant(np.ones(tuple(shape), dtype=as_dtype(dtype)), name=name or "ones")


def zeros_like(x: Any, dtype: Any = None, name: str | None = None) -> Tensor:
    """Zeros with ``x``'s (run-time) shape and ``x``'s or the given dtype."""
    x = convert_to_tensor(x)
    return _node("ZerosLike", (x,), x.shape, dtype or x.dtype, name, "zeros_like")


def ones_like(x: Any, dtype: Any = None, name: str | None = None) -> Tensor:
    """Ones with ``x``'s (run-time) shape and ``x``'s or the given dtype."""
    x = convert_to_tensor(x)
    return _node("OnesLike", (x,), x.shape, dtype or x.dtype, name, "ones_like")


def placeholder(dtype: Any, shape: Sequence[int | None] | None = None, name: str | None = None) -> Tensor:
    """A node whose value is given at run time through ``feed_dict``.

    ``shape=None`` declares a scalar (static shape ``()``, ``attrs['shape']`` ``None``; feeding
    an array is a ``ValueError``); ``None`` entries in ``shape`` accept any size there.
    """
    static = tuple(shape) if shape is not None else ()
    return _node("Placeholder", (), static, as_dtype(dtype), name, "Placeholder",
                 {"shape": None if shape is None else static})


def random_uniform(shape: Sequence[int], minval: float = 0, maxval: float = 1, dtype: Any = float32,
                   seed: int | None = None, name: str | None = None) -> Tensor:
    """Uniform ``[minval, maxval)`` values, new ones at every run (TF's RandomUniform).

    With a graph seed (``set_random_seed``) or ``seed`` the sequence is deterministic.
    """
    graph = get_default_graph()
    if seed is None and graph.seed is not None:
        seed = graph.next_op_seed()
    attrs = {"minval": minval, "maxval": maxval, "seed": seed, "graph_seed": graph.seed}
    return _node("RandomUniform", (), tuple(int(d) for d in shape), as_dtype(dtype), name, "random_uniform", attrs)


# ---------------------------------------------------------------------------------- helpers
def _pair(x: Any, y: Any, op_type: str) -> tuple[Tensor, Tensor]:
    """Convert a binary op's operands: a non-tensor takes the tensor operand's dtype."""
    xt, yt = isinstance(x, Tensor), isinstance(y, Tensor)
    if xt and not yt:
        y = _convert_like(y, x)
    elif yt and not xt:
        x = _convert_like(x, y)
    elif not xt and not yt:
        x = convert_to_tensor(x)
        y = _convert_like(y, x)
    if x.dtype != y.dtype:
        raise TypeError(f"Input 'y' of '{op_type}' Op has type {y.dtype.name} ({y.name}) that does not "
                        f"match type {x.dtype.name} of argument 'x' ({x.name}).")
    return x, y


def _convert_like(value: Any, like: Tensor) -> Tensor:
    arr = np.asarray(value)
    if like.dtype.kind in "iu" and arr.dtype.kind == "f" and not np.array_equal(arr, np.round(arr)):
        raise TypeError(f"cannot use {value!r} with the integer tensor {like.name} ({like.dtype.name})")
    return constant(fit_dtype(arr, like.dtype, f"operand for {like.name}"), name="Const")


def broadcast_static(a: tuple, b: tuple, op_type: str, an: str, bn: str, name: str) -> tuple:
    """numpy broadcasting of static shapes (``None`` = unknown), ``ValueError`` if impossible."""
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(pa, pb):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        elif x is None or y is None:
            out.append(x if y is None else y)
        else:
            raise ValueError(f"Dimensions must be equal, but are {x} and {y} for '{name}' (op: {op_type}) with "
                             f"input shapes: {an} {_shape_str(a)}, {bn} {_shape_str(b)}.")
    return tuple(out)


def _binary(op_type: str, default: str, x: Any, y: Any, name: str | None) -> Tensor:
    x, y = _pair(x, y, op_type)
    nm = check_name(name, default)
    shape = broadcast_static(x.shape, y.shape, op_type, x.name, y.name, nm)
    return _node(op_type, (x, y), shape, x.dtype, nm, default)


def _unary(op_type: str, default: str, x: Any, name: str | None, float_only: bool = False) -> Tensor:
    x = convert_to_tensor(x)
    if float_only and x.dtype.kind not in "fc":
        raise TypeError(f"{op_type} needs a floating tensor, got {x.name} with dtype {x.dtype.name}")
    return _node(op_type, (x,), x.shape, x.dtype, name, default)


# ---------------------------------------------------------------------------------- math ops
def add(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``x + y`` element-wise with numpy broadcasting (op ``Add``, default name ``add``)."""
    return _binary("Add", "add", x, y, name)


def subtract(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``x - y`` element-wise with broadcasting (op ``Sub``, name ``sub``)."""
    return _binary("Sub", "sub", x, y, name)


def multiply(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``x * y`` element-wise with broadcasting (op ``Mul``, name ``mul``)."""
    return _binary("Mul", "mul", x, y, name)


def divide(x: Any, y: Any, name: str | None = None) -> Tensor:
    """True division; integer operands are cast to float64 first (TF's ``truediv``)."""
    x, y = _pair(x, y, "RealDiv")
    if x.dtype.kind in "iu":
        x, y = cast(x, np.float64), cast(y, np.float64)
    return _binary("RealDiv", "truediv", x, y, name)


truediv = divide
realdiv = divide


def negative(x: Any, name: str | None = None) -> Tensor:
    """``-x`` (op ``Neg``); same shape and dtype."""
    return _unary("Neg", "Neg", x, name)


def square(x: Any, name: str | None = None) -> Tensor:
    """``x * x`` element-wise (op ``Square``)."""
    return _unary("Square", "Square", x, name)


def exp(x: Any, name: str | None = None) -> Tensor:
    """Element-wise ``e**x`` of a floating tensor (op ``Exp``)."""
    return _unary("Exp", "Exp", x, name, float_only=True)


def sqrt(x: Any, name: str | None = None) -> Tensor:
    """Element-wise square root of a floating tensor (op ``Sqrt``)."""
    return _unary("Sqrt", "Sqrt", x, name, float_only=True)


def log(x: Any, name: str | None = None) -> Tensor:
    """Element-wise natural logarithm of a floating tensor (op ``Log``)."""
    return _unary("Log", "Log", x, name, float_only=True)


def sigmoid(x: Any, name: str | None = None) -> Tensor:
    """Element-wise ``1 / (1 + exp(-x))``, computed without overflow (op ``Sigmoid``)."""
    return _unary("Sigmoid", "Sigmoid", x, name, float_only=True)


def tanh(x: Any, name: str | None = None) -> Tensor:
    """Element-wise hyperbolic tangent (op ``Tanh``)."""
    return _unary("Tanh", "Tanh", x, name, float_only=True)


def relu(x: Any, name: str | None = None) -> Tensor:
    """Element-wise ``max(x, 0)`` (op ``Relu``; gradient 0 at x <= 0, as TF)."""
    return _unary("Relu", "Relu", x, name)


def identity(x: Any, name: str | None = None) -> Tensor:
    """A node with ``x``'s value (op ``Identity``); passes gradients unchanged."""
    return _unary("Identity", "Identity", x, name)


def stop_gradient(x: Any, name: str | None = None) -> Tensor:
    """A node equal to ``x`` through which no gradient flows."""
    return _unary("StopGradient", "StopGradient", x, name)


def cast(x: Any, dtype: Any, name: str | None = None) -> Tensor:
    """``x`` converted to ``dtype`` (op ``Cast``); only float<->float casts pass gradients."""
    x = convert_to_tensor(x)
    return _node("Cast", (x,), x.shape, as_dtype(dtype), name, "Cast", {"DstT": as_dtype(dtype)})


def add_n(inputs: Sequence[Any], name: str | None = None) -> Tensor:
    """Element-wise sum of same-shape, same-dtype tensors."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("inputs must be a non-empty list of tensors")
    ts = [convert_to_tensor(t) for t in inputs]
    nm = check_name(name, "AddN")
    for t in ts[1:]:
        if t.dtype != ts[0].dtype:
            raise TypeError(f"AddN '{nm}': {t.name} has dtype {t.dtype.name}, {ts[0].name} has {ts[0].dtype.name}")
        if len(t.shape) != len(ts[0].shape) or any(a != b and a is not None and b is not None
                                                   for a, b in zip(t.shape, ts[0].shape)):
            raise ValueError(f"Shapes must be equal for '{nm}' (op: AddN): {ts[0].name} {_shape_str(ts[0].shape)} "
                             f"vs {t.name} {_shape_str(t.shape)}")
    return _node("AddN", ts, ts[0].shape, ts[0].dtype, nm, "AddN")


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False, name: str | None = None) -> Tensor:
    """Matrix product of rank-2 tensors, ``op(a) @ op(b)`` with optional transposes."""
    a, b = _pair(a, b, "MatMul")
    nm = check_name(name, "MatMul")
    for t, which in ((a, "a"), (b, "b")):
        if len(t.shape) != 2:
            raise ValueError(f"Shape must be rank 2 but is rank {len(t.shape)} for '{nm}' (op: MatMul): "
                             f"input {which} = {t.name} has shape {_shape_str(t.shape)}")
    m, k1 = a.shape[::-1] if transpose_a else a.shape
    k2, n = b.shape[::-1] if transpose_b else b.shape
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"Dimensions must be equal, but are {k1} and {k2} for '{nm}' (op: MatMul) with input "
                         f"shapes: {a.name} {_shape_str(a.shape)}, {b.name} {_shape_str(b.shape)}"
                         f" (transpose_a={transpose_a}, transpose_b={transpose_b}).")
    return _node("MatMul", (a, b), (m, n), a.dtype, nm, "MatMul",
                 {"transpose_a": bool(transpose_a), "transpose_b": bool(transpose_b)})


def _axes(x: Tensor, axis: Any, op_type: str) -> tuple[int, ...]:
    rank = len(x.shape)
    if axis is None:
        return tuple(range(rank))
    raw = list(axis) if isinstance(axis, (list, tuple, np.ndarray)) else [axis]
    out = []
    for a in raw:
        if not isinstance(a, numbers.Integral) or not -rank <= int(a) < max(rank, 1) or (rank == 0):
            raise ValueError(f"Invalid reduction dimension {a!r} for input with {rank} dimensions "
                             f"({op_type} of {x.name}, shape {_shape_str(x.shape)})")
        out.append(int(a) % rank)
    return tuple(sorted(set(out)))


def _reduce(op_type: str, default: str, x: Any, axis: Any, keepdims: bool, name: str | None) -> Tensor:
    x = convert_to_tensor(x)
    axes = _axes(x, axis, op_type)
    shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)) if keepdims else \
        tuple(d for i, d in enumerate(x.shape) if i not in axes)
    return _node(op_type, (x,), shape, x.dtype, name, default, {"axis": axes, "keepdims": bool(keepdims)})


def reduce_sum(x: Any, axis: Any = None, keepdims: bool = False, name: str | None = None,
               keep_dims: bool | None = None) -> Tensor:
    """Sum over ``axis`` (None = all; int or list, negatives allowed) (op ``Sum``).

    The result drops the reduced axes, or keeps them with size 1 if ``keepdims``.
    """
    return _reduce("Sum", "Sum", x, axis, keepdims if keep_dims is None else keep_dims, name)


def reduce_mean(x: Any, axis: Any = None, keepdims: bool = False, name: str | None = None,
                keep_dims: bool | None = None) -> Tensor:
    """Mean over ``axis`` like :func:`reduce_sum` (op ``Mean``; integer means truncate, as TF)."""
    return _reduce("Mean", "Mean", x, axis, keepdims if keep_dims is None else keep_dims, name)


def reshape(x: Any, shape: Sequence[int], name: str | None = None) -> Tensor:
    """``x`` with static shape ``shape`` (same number of elements; op ``Reshape``)."""
    x = convert_to_tensor(x)
    shape = tuple(int(d) for d in shape)
    if None not in x.shape and int(np.prod(x.shape)) != int(np.prod(shape)):
        raise ValueError(f"Cannot reshape {x.name} with shape {_shape_str(x.shape)} to {_shape_str(shape)}")
    return _node("Reshape", (x,), shape, x.dtype, name, "Reshape", {"shape": shape})


def broadcast_to(x: Any, shape: Sequence[int], name: str | None = None) -> Tensor:
    """``x`` broadcast (numpy rules) to ``shape`` (op ``BroadcastTo``)."""
    x = convert_to_tensor(x)
    shape = tuple(int(d) for d in shape)
    nm = check_name(name, "BroadcastTo")
    if broadcast_static(x.shape, shape, "BroadcastTo", x.name, "shape", nm) != shape:
        raise ValueError(f"Cannot broadcast {x.name} {_shape_str(x.shape)} to {_shape_str(shape)}")
    return _node("BroadcastTo", (x,), shape, x.dtype, nm, "BroadcastTo", {"shape": shape})


def no_op(inputs: Sequence[Tensor] = (), name: str | None = None) -> Tensor:
    """A node with no value that runs ``inputs`` first (TF's ``group``/``NoOp``)."""
    return _node("NoOp", tuple(inputs), (), float32, name, "NoOp")


def group(*inputs: Tensor, name: str | None = None) -> Tensor:
    flat = [t for i in inputs for t in (i if isinstance(i, (list, tuple)) else [i])]
    return no_op(flat, name=name or "group_deps")


# ---------------------------------------------------------------------------------- operators
def _swap(f):
    return lambda self, other: f(other, self)


Tensor.__add__ = lambda self, other: add(self, other)
Tensor.__radd__ = _swap(add)
Tensor.__sub__ = lambda self, other: subtract(self, other)
Tensor.__rsub__ = _swap(subtract)
Tensor.__mul__ = lambda self, other: multiply(self, other)
Tensor.__rmul__ = _swap(multiply)
Tensor.__truediv__ = lambda self, other: divide(self, other)
Tensor.__rtruediv__ = _swap(divide)
Tensor.__matmul__ = lambda self, other: matmul(self, other)
Tensor.__rmatmul__ = _swap(matmul)
Tensor.__neg__ = lambda self: negative(self)
Tensor.__pos__ = lambda self: self
Tensor.__pow__ = lambda self, p: square(self) if p == 2 else NotImplemented
