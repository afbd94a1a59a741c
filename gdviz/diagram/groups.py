"""Name-scope groups of a computation graph, and a layout that stays put when they fold (no Qt).

TensorBoard's idea, kept small: nodes under one top-level name scope (``gradients/…``,
``GradientDescent/…``, ``Adam/…``, a user's ``name_scope("layer")``) form a *group* that the view
can fold into one box.  Sources that only feed one group (the optimizer's slot variables
``W/Momentum``, ``beta1_power``, its learning rate, the ``grad_ys`` seed) join that group: they are
its state, and the folded box shows their values.

**Stability.**  The *base* layout is the graph in its default fold state (groups of the backward
band folded, forward groups unfolded).  Changing the fold state never moves a node that is not
in the group being changed:

- unfolding a group that is folded by default lays its members out in a block of its own,
  below everything else (each such group has a reserved row of blocks, so one group's block does
  not move when another folds);
- folding a group that is unfolded by default puts its box where its last member was.
"""

from __future__ import annotations

from dataclasses import dataclass

from gdviz.autodiff.describe import GraphSpec, NodeSpec
from gdviz.diagram.layout import BAND_GAP, NODE_H, NODE_W, Layout, backward_names, layout_graph

SEP = "/"


@dataclass(frozen=True)
class Group:
    """One foldable name scope.

    Attributes
    ----------
    name : str
        The scope, e.g. ``"gradients"``, ``"Momentum"``.
    key : str
        The group's id in layouts and views: ``name + "/"`` (no node name ends with ``/``).
    members : tuple of str
        Member node names, in creation order.
    backward : bool
        Every member is in the backward band (gradient/update machinery): folded by default.
    state : tuple of str
        Members that are sources (variables and constants that only this group uses): the
        group's slots, learning rate, seeds.
    """

    name: str
    key: str
    members: tuple[str, ...]
    backward: bool
    state: tuple[str, ...] = ()

    @property
    def folded_by_default(self) -> bool:
        return self.backward


def scope_of(name: str, variables: set[str]) -> str | None:
    """The top-level scope of ``name``, or None.

    ``W/Momentum`` is not in a scope ``W`` when ``W`` is a variable: it is W's slot.
    """
    if SEP not in name:
        return None
    head = name.split(SEP, 1)[0]
    return None if head in variables else head


def find_groups(spec: GraphSpec) -> tuple[Group, ...]:
    """The foldable groups of ``spec`` (scopes with at least two members), in creation order."""
    variables = {n.name for n in spec.nodes if n.kind == "variable"}
    scope: dict[str, str] = {}
    for n in spec.nodes:
        s = scope_of(n.name, variables)
        if s is not None:
            scope[n.name] = s
    for n in spec.nodes:  # the NoOp named like its scope ("GradientDescent") belongs to it
        if n.name not in scope and any(v == n.name for v in scope.values()):
            scope[n.name] = n.name
    users: dict[str, list[str]] = {n.name: [] for n in spec.nodes}
    for n in spec.nodes:
        for i in dict.fromkeys(n.inputs):
            if i in users and i != n.name:
                users[i].append(n.name)
    state: dict[str, list[str]] = {}
    for n in spec.nodes:  # sources used only inside one scope join it
        if n.inputs or n.kind not in ("variable", "constant") or not users[n.name]:
            continue
        owners = {scope.get(u) for u in users[n.name]}
        if len(owners) == 1 and None not in owners and n.name not in scope:
            (owner,) = owners
            scope[n.name] = owner
            state.setdefault(owner, []).append(n.name)
    back = backward_names(spec)
    members: dict[str, list[str]] = {}
    for n in spec.nodes:
        if n.name in scope:
            members.setdefault(scope[n.name], []).append(n.name)
    return tuple(
        Group(name=s, key=s + SEP, members=tuple(ms), backward=all(m in back for m in ms),
              state=tuple(state.get(s, ())))
        for s, ms in members.items() if len(ms) >= 2
    )


def folded_spec(spec: GraphSpec, groups, folded: set[str]) -> GraphSpec:
    """``spec`` with each group whose key is in ``folded`` replaced by one node named its key.

    The group node's inputs are the outside nodes its members read; outside readers of a
    member read the group node instead.
    """
    rep: dict[str, str] = {}
    for g in groups:
        if g.key in folded:
            for m in g.members:
                rep[m] = g.key
    nodes: list[NodeSpec] = []
    placed: dict[str, int] = {}
    for n in spec.nodes:
        r = rep.get(n.name, n.name)
        inputs = tuple(dict.fromkeys(rep.get(i, i) for i in n.inputs if rep.get(i, i) != r))
        if r == n.name:
            nodes.append(NodeSpec(n.name, n.op_type, inputs, n.shape, n.dtype, n.kind, n.grad_scope))
            continue
        if r not in placed:
            placed[r] = len(nodes)
            nodes.append(NodeSpec(r, "Group", inputs, (), "", n.kind, None))
        else:
            old = nodes[placed[r]]
            merged = tuple(dict.fromkeys(old.inputs + inputs))
            kind = old.kind if old.kind in ("gradient", "update") else n.kind
            nodes[placed[r]] = NodeSpec(r, "Group", merged, (), "", kind, None)
    return GraphSpec(tuple(nodes))


@dataclass(frozen=True)
class GroupLayout:
    """Positions for every node and group box in any fold state.

    Attributes
    ----------
    base : Layout
        The default fold state's layout (group boxes under their keys).
    blocks : dict[str, Layout]
        For each group folded by default, its members' layout when unfolded (already placed
        in its reserved row below the base picture).
    """

    base: Layout
    blocks: dict[str, Layout]
    groups: tuple[Group, ...]
    defaults: frozenset[str] = frozenset()  # keys of the groups folded in the base layout

    def default_folded(self) -> frozenset[str]:
        return self.defaults

    def positions(self, folded) -> dict[str, tuple[float, float]]:
        """Centre of every drawn node and folded group box for the fold state ``folded``."""
        folded = set(folded)
        out = {n: p for n, p in self.base.positions.items() if not n.endswith(SEP)}
        for g in self.groups:
            if g.key in self.defaults and g.key in folded:
                out[g.key] = self.base.positions[g.key]
            elif g.key in self.defaults:
                out.update(self.blocks[g.key].positions)
            elif g.key in folded:
                anchor = next((out[m] for m in reversed(g.members) if m in out), None)
                for m in g.members:
                    out.pop(m, None)
                if anchor is not None:
                    out[g.key] = anchor
        return out

    def route(self, src: str, dst: str) -> tuple[tuple[float, float], ...]:
        """Bend points of an edge of the base layout (or of a block), else none."""
        r = self.base.routes.get((src, dst))
        if r is None:
            for block in self.blocks.values():
                r = block.routes.get((src, dst))
                if r is not None:
                    break
        return r or ()


def group_layout(spec: GraphSpec, show_gradients: bool = True, backward: str = "right",
                 fold_backward: bool = True) -> GroupLayout:
    """The layout of ``spec`` with its groups (see the module docstring).

    ``fold_backward=False`` makes every group start unfolded: the base layout is then the whole
    graph, and folding a backward group puts its box where its last member was.
    """
    groups = find_groups(spec)
    back = backward_names(spec)
    if not show_gradients:
        groups = tuple(g for g in groups if not g.backward)
    folded = {g.key for g in groups if g.folded_by_default and fold_backward}
    reduced = folded_spec(spec, groups, folded)
    base = layout_graph(reduced, show_gradients, backward)
    bottom = max((y for _x, y in base.positions.values()), default=-NODE_H / 2) + NODE_H / 2
    left = min((x for x, _y in base.positions.values()), default=NODE_W / 2) - NODE_W / 2
    blocks: dict[str, Layout] = {}
    by_name = {n.name: n for n in spec.nodes}
    # Reserved rows in the order the band flows (gradients before the optimizer that reads them),
    # so the groups a learner unfolds first sit right under the picture.
    depth = {n.name: 0 for n in reduced.nodes}
    for _ in range(len(reduced.nodes)):  # longest path from the sources (the spec is acyclic)
        new = {n.name: 1 + max((depth[i] for i in n.inputs if i in depth), default=-1) for n in reduced.nodes}
        if new == depth:
            break
        depth = new
    for g in sorted(groups, key=lambda g: depth.get(g.key, 0)):
        if g.key not in folded or g.key not in base.positions:
            continue
        sub = GraphSpec(tuple(NodeSpec(m, by_name[m].op_type, tuple(i for i in by_name[m].inputs if i in g.members),
                                       by_name[m].shape, by_name[m].dtype, "op", None) for m in g.members))
        inner = layout_graph(sub, True, "right")
        xs = [x for x, _y in inner.positions.values()]
        ys = [y for _x, y in inner.positions.values()]
        width = max(xs) - min(xs)
        # Under the group's box, flowing the way the band flows (right to left when mirrored).
        gx = base.positions[g.key][0]
        mirror = backward == "below" and g.backward and any(n in back for n in g.members)
        x0 = max(left + NODE_W / 2, gx - width) if mirror else max(left + NODE_W / 2, gx)
        y0 = bottom + BAND_GAP + NODE_H / 2 - min(ys)

        def place(x, y, x_min=min(xs), x_max=max(xs), x0=x0, y0=y0, mirror=mirror):
            return ((x0 + (x_max - x) if mirror else x0 + (x - x_min)), y + y0)

        block = Layout()
        for m, (x, y) in inner.positions.items():
            block.positions[m] = place(x, y)
            block.layers[m] = inner.layers[m]
        for edge, bends in inner.routes.items():
            block.routes[edge] = tuple(place(x, y) for x, y in bends)
        blocks[g.key] = block
        bottom = max(ys) + y0 + NODE_H / 2  # the next group's block goes below this one
    return GroupLayout(base=base, blocks=blocks, groups=groups, defaults=frozenset(folded))


def group_outputs(group: Group, spec: GraphSpec, record=None) -> tuple[tuple[str, str], ...]:
    """``(label, node)`` pairs a folded group shows with their values.

    The gradients a ``gradients()`` call returns (``∇W``) when ``record`` is that call, then the
    group's state (an optimizer's slots and learning rate, a seed), then any member that a node
    outside the group reads.
    """
    out: list[tuple[str, str]] = []
    if record is not None and record.scope == group.name:
        grads = dict(record.grads)
        for x in dict.fromkeys(record.xs):
            if grads.get(x) in group.members:
                out.append((f"∇{x}", grads[x]))
    out += [("lr" if m.endswith("learning_rate") else m, m) for m in group.state]  # short: a box is small
    if not out:
        inside = set(group.members)
        read = {i for n in spec.nodes if n.name not in inside for i in n.inputs if i in inside}
        out += [(m.rsplit(SEP, 1)[-1], m) for m in group.members if m in read]
    return tuple(dict.fromkeys(out))
