"""Frozen, Qt-free descriptions of a graph and of one ``gradients()`` call, for drawing.

The GUI never touches live graph nodes: it receives a :class:`GraphSpec` (what to draw) and,
for each ``gradients()`` call, a :class:`GradientRecord` (what the backward pass did), both
immutable and made only of strings, tuples and ints.  Views match items by node *name*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

#: Node kinds used by views to pick a colour and a shape.
KINDS = ("variable", "constant", "placeholder", "op", "gradient", "update")


@dataclass(frozen=True)
class NodeSpec:
    """One node of the graph, as drawn.

    Attributes
    ----------
    name : str
        Unique TF-style name, e.g. ``"MatMul"``, ``"add_1"``, ``"gradients/Square_grad/mul"``.
    op_type : str
        TF op type, e.g. ``"MatMul"``, ``"Add"``, ``"VariableV2"``, ``"Const"``.
    inputs : tuple of str
        Names of the input nodes, in argument order.
    shape : tuple
        Static shape (ints, ``None`` for an unknown placeholder dimension).
    dtype : str
        numpy dtype name, e.g. ``"float32"``.
    kind : str
        One of :data:`KINDS`.
    grad_scope : str or None
        Name scope of the ``gradients()`` call that created the node (``"gradients"``,
        ``"gradients_1"``), or ``None`` for a forward node.
    """

    name: str
    op_type: str
    inputs: tuple[str, ...]
    shape: tuple
    dtype: str
    kind: str
    grad_scope: str | None = None


@dataclass(frozen=True)
class GraphSpec:
    """A whole graph (or a chosen part of it) in creation order."""

    nodes: tuple[NodeSpec, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.nodes)

    def node(self, name: str) -> NodeSpec:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(f"no node named {name!r} in this graph")

    def edges(self) -> tuple[tuple[str, str], ...]:
        """``(source, destination)`` pairs between nodes that are both in the spec."""
        present = set(self.names())
        return tuple((src, n.name) for n in self.nodes for src in n.inputs if src in present)

    def forward(self) -> "GraphSpec":
        """The forward part only (no gradient or update nodes)."""
        return GraphSpec(tuple(n for n in self.nodes if n.kind not in ("gradient", "update")))


@dataclass(frozen=True)
class GradientRecord:
    """What one ``gradients(ys, xs, grad_ys, stop_gradients)`` call did.

    All entries are node names.  "The gradient of node n" always means the gradient of the
    summed, weighted ys with respect to n's output.

    Attributes
    ----------
    scope : str
        Name scope of the call (``"gradients"``, ``"gradients_1"`` ...).
    ys, xs : tuple of str
        The call's ys and xs (duplicates kept, in the order given).
    seeds : tuple of str
        For each y, the node holding its grad_y (a ones-like constant by default).
    stop_gradients : tuple of str
        Names passed as ``stop_gradients``.
    order : tuple of str
        Forward nodes in the order the backward loop processed them (a reverse
        topological order; ys first).
    grads : tuple of (str, str)
        ``(forward node, gradient node)``: the aggregated gradient node of each forward node
        that received one.
    contributions : tuple of (str, str, str)
        ``(forward node, consumer, gradient node)``: every single contribution that was summed
        into a forward node's gradient; the consumer is the forward node it came back from, or
        ``"<seed>"`` for a y's own grad_y.
    stopped : tuple of (str, str)
        ``(forward node, reason)`` for nodes that received a gradient but did not pass it on:
        reason is ``"stop_gradients"`` or ``"StopGradient op"``.
    cut_edges : tuple of (str, str)
        ``(input, consumer)`` edges on a y->x path across which no gradient flowed because the
        consumer was stopped.
    unconnected : tuple of (str, str)
        ``(x, reason)`` for each x without a gradient; reason is ``"no path"`` or
        ``"path cut at <node>"`` (the first stop met going backwards from the ys).
    """

    scope: str
    ys: tuple[str, ...]
    xs: tuple[str, ...]
    seeds: tuple[str, ...]
    stop_gradients: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    grads: tuple[tuple[str, str], ...] = ()
    contributions: tuple[tuple[str, str, str], ...] = ()
    stopped: tuple[tuple[str, str], ...] = ()
    cut_edges: tuple[tuple[str, str], ...] = ()
    unconnected: tuple[tuple[str, str], ...] = ()

    def grad_of(self, name: str) -> str | None:
        """Name of the aggregated gradient node of forward node ``name``, or ``None``."""
        return dict(self.grads).get(name)


@dataclass(frozen=True)
class BackwardFrame:
    """One step of the backward-pass animation.

    ``node`` is the forward node whose gradient becomes known in this frame, ``sources`` the
    consumers its contributions came from (``"<seed>"`` for a y), ``stopped`` whether
    propagation stops here, and ``is_x`` whether the node is one of the xs (a final value).
    """

    node: str
    sources: tuple[str, ...] = field(default_factory=tuple)
    stopped: bool = False
    is_x: bool = False


def backward_frames(record: GradientRecord) -> tuple[BackwardFrame, ...]:
    """The frames of the backward animation, in the order the backward loop ran."""
    by_node: dict[str, list[str]] = {}
    for node, consumer, _grad in record.contributions:
        by_node.setdefault(node, []).append(consumer)
    stopped = dict(record.stopped)
    xs = set(record.xs)
    return tuple(
        BackwardFrame(node=n, sources=tuple(by_node.get(n, ())), stopped=n in stopped, is_x=n in xs)
        for n in record.order
    )


def spec_from_nodes(nodes: Iterable, kind_of) -> GraphSpec:
    """Build a :class:`GraphSpec` from live nodes; ``kind_of(node) -> str`` gives the kind."""
    return GraphSpec(
        tuple(
            NodeSpec(
                name=n.name,
                op_type=n.op_type,
                inputs=tuple(i.name for i in n.inputs),
                shape=tuple(n.shape) if n.shape is not None else (),
                dtype=str(n.dtype),
                kind=kind_of(n),
                grad_scope=getattr(n, "grad_scope", None),
            )
            for n in nodes
        )
    )


_UPDATE_TYPES = ("Assign", "AssignAdd", "AssignSub", "NoOp")


def node_kind(node) -> str:
    """Kind of a live node: variable/constant/placeholder/op/gradient/update."""
    t = node.op_type
    if t == "VariableV2":
        return "variable"
    if t == "Placeholder":
        return "placeholder"
    if t in _UPDATE_TYPES or t.startswith("Apply"):
        return "update"
    if getattr(node, "grad_scope", None) is not None:
        return "gradient"
    if t == "Const":
        return "constant"
    return "op"


def describe_graph(graph=None, names: Iterable[str] | None = None) -> GraphSpec:
    """Frozen :class:`GraphSpec` of ``graph`` (default graph if None), in creation order.

    Parameters
    ----------
    graph : Graph, optional
    names : iterable of str, optional
        Only these nodes (still in creation order); unknown names raise ``KeyError``.
    """
    if graph is None:
        from .graph import get_default_graph
        graph = get_default_graph()
    nodes = graph.nodes
    if names is not None:
        wanted = set(names)
        missing = wanted - {n.name for n in nodes}
        if missing:
            raise KeyError(f"no nodes named {sorted(missing)} in this graph")
        nodes = tuple(n for n in nodes if n.name in wanted)
    return spec_from_nodes(nodes, node_kind)
