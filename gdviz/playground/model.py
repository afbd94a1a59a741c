"""Playground state and its evaluation into a frozen, drawable result (no Qt).

A :class:`Playground` holds what a person chose (program text, ys, xs, grad_ys,
stop_gradients, inserted stop_gradient ops, unconnected mode).  :meth:`Playground.evaluate`
builds the program in a fresh graph, calls ``tf.gradients`` once with those settings (the
call whose :class:`GradientRecord` is drawn) and once per y (to show each y's own
contribution in the formula), runs everything in a session and returns a
:class:`PlaygroundResult`.  On any error the last good result stays in place and
:attr:`Playground.error` says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np

import gdviz.autodiff as tf
from gdviz.autodiff.describe import GradientRecord, GraphSpec
from gdviz.playground.builder import Built, build
from gdviz.playground.exprlang import ExprError
from gdviz.playground.formatting import fmt, formula
from gdviz.playground.numeric import numeric_problems

UNCONNECTED = ("none", "zero")


@dataclass(frozen=True)
class PlaygroundError:
    """Why the last evaluation failed; ``line``/``col`` (1-based) for program errors."""

    message: str
    where: str = "program"  # "program", "grad_ys", "gradients" or "numbers" (overflow, wrap-around)
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        pos = f"line {self.line}, col {self.col}: " if self.line is not None else ""
        return pos + self.message


@dataclass(frozen=True)
class XResult:
    """The gradient for one x.

    Attributes
    ----------
    name : str
        The x (a user name).
    value : ndarray or None
        ``Σ_y dy/dx · grad_y`` with x's shape and dtype, zeros for an unconnected x under
        ``'zero'``, ``None`` for an unconnected x under ``'none'``.
    reason : str
        ``""`` when connected, else ``"no path from the ys"`` or ``"path cut at node a"``.
    formula : str
        E.g. ``d(1·res2a + 2·res2b)/dw1 = 1·[[2, 1]] + 2·[[2, 4]] = [[6, 9]]``.
    terms : tuple of (ndarray or None)
        Each y's own contribution, in ys order.
    """

    name: str
    value: np.ndarray | None
    reason: str
    formula: str
    terms: tuple = ()
    paths: tuple = ()

    def paths_text(self) -> str:
        """``"via y: 18.0 + via z: 9.0"`` when x's gradient is a sum over several consumers."""
        if len(self.paths) < 2:
            return ""
        return " + ".join(f"via {c}: {fmt(v)}" for c, v in self.paths) + f" = {fmt(self.value)}"

    @property
    def connected(self) -> bool:
        return not self.reason

    def text(self) -> str:
        """Display text: the numbers, or ``None — not connected: <reason>``."""
        if self.value is None:
            return f"None — not connected: {self.reason}"
        if self.reason:
            return f"{fmt(self.value)}  (zeros — not connected: {self.reason})"
        return fmt(self.value)


@dataclass(frozen=True)
class PlaygroundResult:
    """Everything the panel shows for one evaluation; arrays are read-only copies.

    ``values`` and ``grads`` are keyed by graph node name (what the graph view matches on);
    ``node_names`` maps the user's names to node names.
    """

    names: tuple[str, ...]
    node_names: Mapping[str, str]
    shapes: Mapping[str, tuple]
    dtypes: Mapping[str, str]
    ys: tuple[str, ...]
    xs: tuple[str, ...]
    results: tuple[XResult, ...]
    spec: GraphSpec
    record: GradientRecord | None
    values: Mapping[str, np.ndarray]
    grads: Mapping[str, np.ndarray | None]
    stopped: tuple[str, ...] = ()
    wrapped: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    problems: tuple = ()  # float overflow / int32 wrap-around messages (gdviz.playground.numeric)

    def value_of(self, name: str) -> np.ndarray:
        """Forward value of user name ``name``."""
        return self.values[self.node_names[name]]

    def result_for(self, x: str) -> XResult:
        for r in self.results:
            if r.name == x:
                return r
        raise KeyError(f"{x!r} is not one of the xs {self.xs}")


def _frozen(a) -> np.ndarray | None:
    if a is None:
        return None
    out = np.array(a, copy=True)
    out.setflags(write=False)
    return out


class Playground:
    """Mutable playground settings; :meth:`evaluate` turns them into a result.

    Attributes
    ----------
    program : str
    ys, xs : tuple of str
        Chosen names; names the program no longer defines are ignored (and kept, so they
        come back when the definition does).
    grad_ys : dict of str to (ndarray or None)
        Seed per y; ``None`` = ones.  A 0-d array is broadcast to y's shape.
    stop_gradients : tuple of str
    stop_gradient_ops : tuple of str
        Names whose definition gets an inserted ``tf.stop_gradient`` op.
    unconnected : str
        ``"none"`` or ``"zero"``.
    result : PlaygroundResult or None
        The last good result.
    error : PlaygroundError or None
        Why the last :meth:`evaluate` failed, or ``None``.
    """

    def __init__(self, program: str = "", ys=(), xs=(), grad_ys: Mapping | None = None,
                 stop_gradients=(), stop_gradient_ops=(), unconnected: str = "none"):
        self.program = program
        self.ys = tuple(ys)
        self.xs = tuple(xs)
        self.grad_ys: dict = dict(grad_ys or {})
        self.stop_gradients = tuple(stop_gradients)
        self.stop_gradient_ops = tuple(stop_gradient_ops)
        self.unconnected = unconnected
        self.result: PlaygroundResult | None = None
        self.error: PlaygroundError | None = None
        self.defined: tuple[str, ...] = ()
        self.shapes: dict[str, tuple] = {}  # of the last program that built, even if gradients() failed

    def load(self, preset) -> None:
        """Copy the settings of a :class:`~gdviz.playground.presets.Preset`."""
        self.program = preset.program
        self.ys, self.xs = tuple(preset.ys), tuple(preset.xs)
        self.grad_ys = {k: (None if v is None else np.asarray(v)) for k, v in preset.grad_ys.items()}
        self.stop_gradients = tuple(preset.stop_gradients)
        self.stop_gradient_ops = tuple(preset.stop_gradient_ops)
        self.unconnected = preset.unconnected

    def evaluate(self) -> PlaygroundResult | None:
        """Recompute; returns the new result, or the last good one (``error`` set)."""
        try:
            with np.errstate(all="ignore"):  # log(0), x/0: show inf/nan rather than warn
                self.result = self._evaluate()
            self.error = None
            if self.result.problems:  # computed, but some numbers are wrong: say so, never "OK"
                self.error = PlaygroundError("; ".join(self.result.problems), "numbers")
        except ExprError as exc:
            self.error = PlaygroundError(exc.message, "program", exc.line, exc.col)
        except _SettingsError as exc:
            self.error = PlaygroundError(str(exc), exc.where)
        except (ValueError, TypeError, LookupError, ArithmeticError) as exc:
            self.error = PlaygroundError(f"{type(exc).__name__}: {exc}", "gradients")
        except Exception as exc:  # an engine bug must not take the app down with it
            self.error = PlaygroundError(f"unexpected {type(exc).__name__}: {exc}", "gradients")
        return self.result

    # ------------------------------------------------------------------------------ internals
    def _evaluate(self) -> PlaygroundResult:
        built = build(self.program, self.stop_gradient_ops)
        t = built.tensors
        self.defined = tuple(t)
        self.shapes = {k: tuple(v.shape) for k, v in t.items()}
        ys = tuple(y for y in self.ys if y in t)
        xs = tuple(x for x in self.xs if x in t)
        stop_nodes = _resolve(built, self.stop_gradients)
        stops = tuple(stop_nodes)
        if self.unconnected not in UNCONNECTED:
            raise _SettingsError(f"unconnected_gradients must be 'none' or 'zero', not {self.unconnected!r}")
        seeds = [self._seed(y, t[y]) for y in ys]
        graph = built.graph
        with graph.as_default():
            init = tf.global_variables_initializer()
            grads = tf.gradients([t[y] for y in ys], [t[x] for x in xs],
                                 grad_ys=seeds if any(s is not None for s in seeds) else None,
                                 stop_gradients=list(stop_nodes.values()),
                                 unconnected_gradients=self.unconnected)
        record = graph.gradient_records[-1] if graph.gradient_records else None
        draw = _drawable(graph, record)
        fetch = {n.name: n for n in draw}
        with tf.Session(graph=graph) as sess:
            sess.run(init)
            values = sess.run(fetch) if fetch else {}
            xvals = sess.run([g for g in grads if g is not None])
        it = iter(xvals)
        xvals = [None if g is None else next(it) for g in grads]
        terms = self._terms(ys, xs, seeds, stops)
        reasons = {built.user_name(x): _reason(r, built) for x, r in (record.unconnected if record else ())}
        results = []
        for i, x in enumerate(xs):
            reason = reasons.get(x, "no path from the ys" if xvals[i] is None else "")
            per_y = tuple(row[i] for row in terms)
            text = formula(x, ys, seeds, per_y, xvals[i])
            results.append(XResult(x, _frozen(xvals[i]), reason, text, tuple(_frozen(v[0]) for v in per_y),
                                   _paths(record, t[x].name, values, built)))
        values = {k: _frozen(v) for k, v in values.items()}
        grad_of = {fwd: values.get(g) for fwd, g in (record.grads if record else ())}
        stopped = tuple(n.name for n in stop_nodes.values())
        spec = tf.describe_graph(graph, names=[n.name for n in draw])
        return PlaygroundResult(
            names=tuple(t), node_names=MappingProxyType({k: v.name for k, v in t.items()}),
            shapes=MappingProxyType({k: tuple(v.shape) for k, v in t.items()}),
            dtypes=MappingProxyType({k: v.dtype.name for k, v in t.items()}),
            ys=ys, xs=xs, results=tuple(results), spec=spec, record=record,
            values=MappingProxyType(values), grads=MappingProxyType(grad_of), stopped=stopped,
            wrapped=MappingProxyType(dict(built.wrapped)),
            problems=tuple(numeric_problems(draw, values, built.user_name)))

    def _seed(self, y: str, tensor) -> np.ndarray | None:
        """grad_y for ``y`` in y's dtype and shape, or ``None`` (ones)."""
        g = self.grad_ys.get(y)
        if g is None:
            return None
        g = np.asarray(g)
        if g.dtype.kind not in "iuf":
            raise _SettingsError(f"grad_ys for {y} must be numbers, got {g.dtype.name}", "grad_ys")
        if g.shape != tuple(tensor.shape):
            if g.ndim != 0:
                raise _SettingsError(
                    f"grad_ys for {y} has shape {g.shape} but {y} has shape {tuple(tensor.shape)}; "
                    f"type a number or an array of shape {tuple(tensor.shape)}", "grad_ys")
            g = np.broadcast_to(g, tensor.shape)
        if tensor.dtype.kind in "iu" and not np.array_equal(g, np.round(g)):
            raise _SettingsError(f"grad_ys for {y} must be whole numbers because {y} is {tensor.dtype.name}",
                                 "grad_ys")
        return np.array(g, dtype=tensor.dtype)

    def _terms(self, ys, xs, seeds, stops) -> list:
        """Per y, per x: ``(contribution, unit-seed gradient)``; built in a separate graph
        so the drawn graph holds only the main ``gradients()`` call."""
        if not ys or not xs:
            return []
        built = build(self.program, self.stop_gradient_ops)
        t = built.tensors
        stop_nodes = list(_resolve(built, stops).values())
        calls = []
        with built.graph.as_default():
            init = tf.global_variables_initializer()
            for y, seed in zip(ys, seeds):
                uniform = seed is not None and seed.size > 0 and np.all(seed == seed.flat[0])
                gy = None if uniform else seed
                calls.append((uniform, seed, tf.gradients([t[y]], [t[x] for x in xs], grad_ys=[gy],
                                                          stop_gradients=stop_nodes)))
        rows = []
        with tf.Session(graph=built.graph) as sess:
            sess.run(init)
            for uniform, seed, gs in calls:
                vals = sess.run([g for g in gs if g is not None])
                it = iter(vals)
                row = []
                for g in gs:
                    v = None if g is None else next(it)
                    contribution = v * seed.flat[0] if (uniform and v is not None) else v
                    row.append((contribution, v if uniform else None))
                rows.append(row)
        return rows


class _SettingsError(ValueError):
    def __init__(self, message: str, where: str = "settings"):
        super().__init__(message)
        self.where = where


def _resolve(built: Built, names) -> dict:
    """Stop names -> nodes: a user's name, or the graph name of an inner forward node
    (``MatMul_1``, clicked in the graph view); unknown names are ignored."""
    out = {}
    for s in names:
        if s in built.tensors:
            out[s] = built.tensors[s]
        else:
            try:
                node = built.graph.get_node(s)
            except KeyError:
                continue
            if node.grad_scope is None and node.op_type not in ("Assign", "NoOp"):
                out[s] = node
    return out


def _paths(record: GradientRecord | None, node: str, values: dict, built: Built) -> tuple:
    """``((consumer, summed contribution), ...)`` into ``node``, one entry per consumer."""
    by_consumer: dict[str, np.ndarray] = {}
    for n, consumer, g in (record.contributions if record else ()):
        if n != node or values.get(g) is None:
            continue
        name = "its own seed" if consumer == "<seed>" else built.user_name(consumer)
        v = np.asarray(values[g])
        by_consumer[name] = v if name not in by_consumer else by_consumer[name] + v
    return tuple((c, _frozen(v)) for c, v in by_consumer.items())


def _reason(reason: str, built: Built) -> str:
    if reason == "no path":
        return "no path from the ys"
    prefix = "path cut at "
    if reason.startswith(prefix):
        node = reason[len(prefix):].strip().strip("'\"")
        return f"path cut at node {built.user_name(node)}"
    return reason


def _drawable(graph, record: GradientRecord | None) -> list:
    """Forward nodes minus variable-initialisation plumbing, plus the call's gradient nodes."""
    consumers: dict[str, list] = {}
    for n in graph.nodes:
        for i in n.inputs:
            consumers.setdefault(i.name, []).append(n)
    scope = record.scope if record else None
    out = []
    for n in graph.nodes:
        if n.op_type in ("Assign", "NoOp"):
            continue
        users = consumers.get(n.name, [])
        if n.op_type == "Const" and users and all(u.op_type == "Assign" for u in users):
            continue  # a variable's initial value
        if n.grad_scope is None or n.grad_scope == scope:
            out.append(n)
    return out
