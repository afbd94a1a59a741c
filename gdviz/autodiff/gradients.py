"""``gradients(ys, xs, grad_ys, stop_gradients, unconnected_gradients)`` — TF1's algorithm.

A port of ``_GradientsHelper`` (``tensorflow/python/ops/gradients_util.py``): forward
reachability from the xs, "between" nodes and pending counts walking back from the ys,
a backward loop in which a node is differentiated once all its consumers have been, sums
of several incoming gradients with ``AddN``, stop nodes that receive but do not pass on.
Every call appends a :class:`GradientRecord` to ``graph.gradient_records``.
See ``docs/gradients.md``; project decisions: integers are differentiated,
grad_ys shapes are checked (a Python scalar is broadcast to y's shape).
"""

from __future__ import annotations

import collections
import enum
import numbers
from typing import Any

import numpy as np

from . import ops
from .describe import GradientRecord
from .grad_rules import RULES
from .graph import Tensor, convert_to_tensor, fit_dtype, get_default_graph, is_differentiable


class UnconnectedGradients(enum.Enum):
    """What an x without any path to the ys gets: ``None`` or zeros of its shape."""

    NONE = "none"
    ZERO = "zero"


def _as_list(v: Any) -> list:
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _seed(y: Tensor, gy: Any, i: int) -> Tensor:
    """The grad_y node for ``y``: ones by default, else ``gy`` checked against y's shape."""
    if gy is None:
        if y.dtype.kind == "c":
            raise TypeError(f"Gradients of complex tensors ({y!r}) must set grad_ys (y.dtype = {y.dtype.name})")
        if None in y.shape:  # size known only at run time (a placeholder's None dimension)
            return ops.ones_like(y, name=f"grad_ys_{i}")
        return ops.constant(np.ones(y.shape, y.dtype), name=f"grad_ys_{i}")
    if isinstance(gy, Tensor):
        if gy.dtype.kind not in "fciu":
            raise TypeError(f"Gradient type {gy.dtype.name} generated for real or integer-valued tensor {y!r} "
                            f"with type {y.dtype.name} must be real or integer")
        if gy.dtype != y.dtype:
            raise TypeError(f"grad_ys[{i}] {gy.name} has type {gy.dtype.name} that does not match type "
                            f"{y.dtype.name} of y {y.name}")
        _check_seed_shape(y, gy.shape, i)
        return gy
    arr = np.asarray(gy)
    if arr.dtype.kind not in "fciub":
        raise TypeError(f"Gradient type {arr.dtype} generated for real or integer-valued tensor {y!r} "
                        f"with type {y.dtype.name} must be real or integer")
    if arr.ndim == 0 and isinstance(gy, numbers.Number) and not isinstance(gy, np.ndarray):
        arr = np.broadcast_to(arr, y.shape)  # project decision 2: a Python scalar fills y's shape
    _check_seed_shape(y, arr.shape, i)
    if y.dtype.kind in "iu" and arr.dtype.kind == "f" and not np.array_equal(arr, np.round(arr)):
        raise TypeError(f"grad_ys[{i}] has non-integer values for the integer y {y.name} ({y.dtype.name})")
    return ops.constant(fit_dtype(arr, y.dtype, f"grad_ys[{i}]"), name=f"grad_ys_{i}")


def _check_seed_shape(y: Tensor, shape: tuple, i: int) -> None:
    if len(shape) != len(y.shape) or any(a != b for a, b in zip(shape, y.shape) if a is not None and b is not None):
        raise ValueError(f"grad_ys[{i}] for y '{y.name}' has shape {tuple(shape)}, but y has shape {y.shape}: "
                         f"each grad_y must have its y's shape")


def _unconnected_mode(value: Any) -> UnconnectedGradients:
    try:
        return UnconnectedGradients(value)
    except (ValueError, TypeError):
        raise ValueError(f"Unknown value for unconnected_gradients: {value!r}") from None


def gradients(ys: Any, xs: Any, grad_ys: Any = None, name: str = "gradients",
              colocate_gradients_with_ops: bool = False, gate_gradients: bool = False,
              aggregation_method: Any = None, stop_gradients: Any = None,
              unconnected_gradients: Any = UnconnectedGradients.NONE) -> list:
    """Symbolic ``sum over ys of (dy/dx)^T grad_y`` for each x, as new graph nodes.

    Parameters
    ----------
    ys, xs : Tensor or list/tuple of Tensor
        Only a list or tuple means "several"; anything else is one element.
    grad_ys : optional
        One seed per y (same shape as y; ``None`` entries -> ones of y's shape and dtype).
    stop_gradients : Tensor or list of Tensor, optional
        Nodes that receive gradients but do not pass them on (partial derivatives).
    unconnected_gradients : 'none' | 'zero' | UnconnectedGradients
        Result for an x that no y depends on: ``None`` or zeros like x.
    colocate_gradients_with_ops, gate_gradients, aggregation_method
        TF1's device/scheduling knobs, accepted and ignored (one CPU, one sum order). Any other
        keyword (e.g. the typo ``stop_gradient=``) is a ``TypeError``.

    Returns
    -------
    list
        One gradient node (x's shape and dtype) or ``None`` per x, in the order of ``xs``.
    """
    mode = _unconnected_mode(unconnected_gradients)
    ys = [convert_to_tensor(y) for y in _as_list(ys)]
    xs = [convert_to_tensor(x) for x in _as_list(xs)]
    grad_ys = [None] * len(ys) if grad_ys is None else _as_list(grad_ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Length mismatch. Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    stops = [] if stop_gradients is None else _as_list(stop_gradients)
    for s in stops:
        if not isinstance(s, Tensor):
            raise AttributeError(f"'{type(s).__name__}' object has no attribute 'op'")
    graph = (ys + xs)[0].graph if (ys or xs) else get_default_graph()
    others = [t for t in ys + xs + stops + [g for g in grad_ys if isinstance(g, Tensor)] if t.graph is not graph]
    if others:
        raise ValueError(f"{others[0]!r} must be from the same graph as {(ys + xs)[0]!r}")
    scope = graph.unique_scope(name)
    with graph._gradient_scope(scope):
        seeds = [_seed(y, gy, i) for i, (y, gy) in enumerate(zip(ys, grad_ys))]
        return _backprop(graph, scope, ys, xs, seeds, stops, mode)


def _backprop(graph, scope, ys, xs, seeds, stops, mode) -> list:
    # forward reachability from the xs (project decision 1: integer tensors propagate too)
    reached = set(xs)
    queue = collections.deque(xs)
    while queue:
        n = queue.popleft()
        if not is_differentiable(n.dtype):
            continue
        for c in graph.consumers(n):
            if c not in reached:
                reached.add(c)
                queue.append(c)
    # between nodes and pending counts, walking back from the ys
    between, between_list = set(), []
    queue = collections.deque(ys)
    while queue:
        n = queue.popleft()
        if n in reached and n not in between:
            between.add(n)
            between_list.append(n)
            queue.extend(n.inputs)
    pending: dict[Tensor, int] = collections.defaultdict(int)
    for n in between_list:
        for i in n.inputs:
            if i in between:
                pending[i] += 1
    stop_set = set(stops)
    # TF's _StopOps: xs with nothing to differentiate upstream, plus the stop_gradients nodes
    stop_ops = {x for x in xs if not any(pending[i] > 0 for i in x.inputs)} | stop_set

    grads: dict[Tensor, list] = collections.defaultdict(list)   # node -> incoming gradient nodes
    contributions, order, stopped, cut_edges, agg = [], [], [], [], {}
    cuts: dict[Tensor, list[Tensor]] = {}   # consumer -> between inputs it did not pass gradient to

    def set_grad(t: Tensor, g: Tensor, source: str) -> None:
        grads[t].append(g)
        contributions.append((t.name, source, g.name))

    for y, s in zip(ys, seeds):
        if y in between:
            set_grad(y, s, "<seed>")
    queue, queued = collections.deque(), set()
    for y in ys:
        if pending[y] == 0 and y in between and y not in queued:
            queued.add(y)
            queue.append(y)

    while queue:
        op = queue.popleft()
        order.append(op.name)
        g = _aggregate(op, grads.get(op, ()), agg)
        if g is not None:
            if op in stop_ops:
                if op in stop_set:
                    stopped.append((op.name, "stop_gradients"))
                    cuts[op] = list(dict.fromkeys(i for i in op.inputs if i in between))
                    cut_edges.extend((i.name, op.name) for i in cuts[op])
            else:
                _apply_rule(graph, op, g, between, set_grad, stopped, cut_edges, cuts)
        for i in op.inputs:
            pending[i] -= 1
            if pending[i] == 0 and i in between:
                queue.append(i)

    result = []
    unconnected = []
    for x in xs:
        g = _aggregate(x, grads.get(x, ()), agg)
        if g is None:
            unconnected.append((x.name, _why_unconnected(x, between, cuts, order, graph)))
            if mode is UnconnectedGradients.ZERO:
                g = ops.zeros_like(x, name="zeros_like")
        result.append(g)
    graph.gradient_records.append(GradientRecord(
        scope=scope, ys=tuple(y.name for y in ys), xs=tuple(x.name for x in xs),
        seeds=tuple(s.name for s in seeds), stop_gradients=tuple(s.name for s in stops),
        order=tuple(order), grads=tuple((n.name, g.name) for n, g in agg.items() if g is not None),
        contributions=tuple(contributions), stopped=tuple(stopped), cut_edges=tuple(cut_edges),
        unconnected=tuple(unconnected)))
    return result


def _aggregate(op: Tensor, gs, agg: dict):
    """Sum of ``op``'s incoming gradients (AddN when several), built once per node."""
    if op in agg:
        return agg[op]
    if not gs:
        return None
    g = gs[0] if len(gs) == 1 else ops.add_n(list(gs), name="AddN")
    agg[op] = g
    return g


def _apply_rule(graph, op, g, between, set_grad, stopped, cut_edges, cuts) -> None:
    if op.op_type not in RULES:
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op.op_type})")
    rule = RULES[op.op_type]
    needed = tuple(i in between for i in op.inputs)
    if rule is None:
        if op.op_type == "StopGradient":
            stopped.append((op.name, "StopGradient op"))
            cut_edges.extend((i.name, op.name) for i in dict.fromkeys(op.inputs) if i in between)
        cuts[op] = list(dict.fromkeys(i for i in op.inputs if i in between))
        return
    with graph.name_scope(f"{op.name}_grad"):
        in_grads = rule(op, g, needed)
    missed = []
    for idx, (inp, ig) in enumerate(zip(op.inputs, in_grads)):
        if not needed[idx]:
            continue
        if ig is None:
            missed.append(inp)
            continue
        if len(ig.shape) != len(inp.shape) or any(a != b for a, b in zip(ig.shape, inp.shape)
                                                  if a is not None and b is not None):
            raise ValueError(f"Incompatible shapes between op input and calculated input gradient. Forward "
                             f"operation: {op.name}. Input index: {idx}. Original input shape: {inp.shape}. "
                             f"Calculated input gradient shape: {ig.shape}")
        set_grad(inp, ig, op.name)
    if missed:
        cuts[op] = missed


def _why_unconnected(x, between, cuts, order, graph) -> str:
    if x not in between:
        return "no path"
    by_name = {n: graph.get_node(n) for n in order}
    for name in order:   # first cut met going backwards from the ys
        node = by_name[name]
        if node in cuts and _has_ancestor(cuts[node], x, between):
            return f"path cut at {name}"
    return "no path"


def _has_ancestor(starts, x, between) -> bool:
    seen, stack = set(), list(starts)
    while stack:
        n = stack.pop()
        if n is x:
            return True
        if n in seen or n not in between:
            continue
        seen.add(n)
        stack.extend(n.inputs)
    return False
