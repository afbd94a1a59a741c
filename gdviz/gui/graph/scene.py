"""The computation graph as scene items: nodes, name-scope groups, edges, stops, the animation.

:class:`GraphScene` maps the pure models onto items: the layout with its groups
(:mod:`gdviz.diagram.groups`), the backward animation (:mod:`gdviz.diagram.backward`).  Items are
matched by node name, created when the graph or the fold state changes, and only updated on
new values.  Zoom, keys, overlays and export live in :class:`~gdviz.gui.graph.view.GraphView`.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QGraphicsScene

from gdviz.autodiff.describe import GradientRecord, GraphSpec
from gdviz.diagram.backward import AnimState, BackwardAnimation, NodeState
from gdviz.diagram.groups import GroupLayout, find_groups, group_layout, group_outputs
from gdviz.diagram.layout import backward_names
from gdviz.diagram.shading import EdgeShading
from gdviz.gui.graph.edges import EdgeItem
from gdviz.gui.graph.group_items import FrameItem, GroupItem
from gdviz.gui.graph.items import NodeItem

_RANK = {NodeState.CURRENT: 4, NodeState.KNOWN: 3, NodeState.PENDING: 2, NodeState.UNREACHED: 1, NodeState.IDLE: 0}


class GraphScene(QGraphicsScene):
    """The items of one drawn graph.

    Signals
    -------
    node_clicked(str)
        A node was left-clicked.
    relaid()
        Nodes moved, appeared or disappeared (new graph, fold/unfold, placement): re-fit.
    animation_changed()
        The backward animation was loaded, moved or left.
    """

    node_clicked = Signal(str)
    relaid = Signal()
    animation_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._spec: GraphSpec | None = None
        self._record: GradientRecord | None = None
        self._key = None
        self._nodes: dict[str, NodeItem] = {}
        self._groups: dict[str, GroupItem] = {}  # by group key ("gradients/")
        self._frames: dict[str, FrameItem] = {}
        self._edges: dict[tuple[str, str], EdgeItem] = {}  # drawn edges, between node or group keys
        self._carries: dict[tuple[str, str], list[tuple[str, str]]] = {}  # drawn edge -> graph edges
        self._drawn_edge: dict[tuple[str, str], tuple[str, str]] = {}  # graph edge -> drawn edge
        self._member_of: dict[str, str] = {}  # node -> key of the folded group it is in
        self._back: set[str] = set()
        self._slots: set[str] = set()
        self._layouts: dict[tuple[bool, str, bool], GroupLayout] = {}
        self._placement = "right"
        self._fold_choice: dict[str, bool] = {}  # group name -> folded, where the user chose
        self._fold_backward = True  # backward/update groups start folded (the plane tab's default)
        self._shading: EdgeShading | None = None
        self._show_gradients = True
        self._stopped: set[str] = set()
        self._stop_request: set[str] = set()
        self._values: Mapping = {}
        self._grads: Mapping = {}
        self._anim: BackwardAnimation | None = None

    def has_graph(self) -> bool:
        return self._spec is not None

    def animating(self) -> bool:
        """A backward animation is loaded."""
        return self._anim is not None

    # ------------------------------------------------------------------ graph
    def set_graph(self, spec: GraphSpec, record: GradientRecord | None = None) -> None:
        """Show ``spec``; items are rebuilt only if the nodes or edges changed.

        Parameters
        ----------
        spec : GraphSpec
            Nodes to draw, in creation order.
        record : GradientRecord, optional
            The ``gradients()`` call whose per-edge contributions shade the edges.
        """
        key = tuple((n.name, n.op_type, n.inputs, n.kind, tuple(n.shape)) for n in spec.nodes)
        self._spec, self._record = spec, record
        self._shading = EdgeShading(spec, record)
        if key == self._key:
            self._shade_edges()
            return
        self._key = key
        self._rebuild(spec)

    def _rebuild(self, spec: GraphSpec) -> None:
        self._anim = None
        self.clear()
        self._nodes, self._groups, self._frames, self._layouts = {}, {}, {}, {}
        self._edges, self._carries, self._drawn_edge = {}, {}, {}
        self._back = backward_names(spec)
        for n in spec.nodes:
            item = NodeItem(n, on_click=self.node_clicked.emit)
            self._nodes[n.name] = item
            self.addItem(item)
        kinds = {n.name: n.kind for n in spec.nodes}
        self._slots = set()  # an optimizer's slots, learning rate, seeds: values, never differentiated
        for g in find_groups(spec):
            self._slots |= set(g.state)
            member_kinds = [kinds[m] for m in g.members]
            kind = next((k for k in ("update", "gradient") if k in member_kinds), "op")
            item = GroupItem(g, kind, group_outputs(g, spec, self._record))
            frame = FrameItem(g)
            self._groups[g.key], self._frames[g.key] = item, frame
            self.addItem(item)
            self.addItem(frame)
        self._relayout()  # place them, then texts, stops, shading and the animation as for any relayout

    def _layout(self) -> GroupLayout:
        key = (self._show_gradients, self._placement, self._fold_backward)
        if key not in self._layouts:
            self._layouts[key] = group_layout(self._spec, *key)
        return self._layouts[key]

    def folded_groups(self) -> tuple[str, ...]:
        """Names of the groups drawn folded."""
        return tuple(g.name for g in self._layout().groups if g.key in self._folded()) if self._spec else ()

    def group_names(self) -> tuple[str, ...]:
        return tuple(g.name for g in self._layout().groups) if self._spec else ()

    def _folded(self) -> set[str]:
        lay = self._layout()
        return {g.key for g in lay.groups if self._fold_choice.get(g.name, g.key in lay.defaults)}

    def set_backward_folded_by_default(self, on: bool) -> None:
        """Whether the backward and update groups start folded (the playground shows them open)."""
        self._fold_backward = bool(on)
        self._layouts = {}
        if self._spec is not None:
            self._relayout()

    def set_folded(self, name: str, folded: bool) -> None:
        """Fold (or unfold) the group of scope ``name``; nodes outside it keep their places."""
        if name not in self.group_names():
            raise KeyError(f"graph view has no group named {name!r}")
        if (name + "/" in self._folded()) == bool(folded):
            return
        self._fold_choice[name] = bool(folded)
        self._relayout()

    def toggle_group(self, key: str) -> None:
        name = key[:-1]
        self.set_folded(name, name + "/" not in self._folded())

    def toggle_all_groups(self) -> None:
        """Unfold every group; if all are unfolded already, go back to the default folding."""
        if self._folded():
            self._fold_choice.update({g.name: False for g in self._layout().groups})
        else:
            self._fold_choice.clear()
        self._relayout()

    def _relayout(self) -> None:
        self._apply_layout()
        self._show_values()
        self._apply_stops()
        self._shade_edges()
        self._apply_animation()
        self.relaid.emit()

    def _apply_layout(self) -> None:
        if self._spec is None:
            return
        lay = self._layout()
        folded = self._folded()
        pos = lay.positions(folded)
        self._member_of = {m: g.key for g in lay.groups if g.key in folded for m in g.members}
        for name, item in self._nodes.items():
            p = pos.get(name)
            item.setVisible(p is not None)
            if p is not None:
                item.setPos(*p)
        for key, item in self._groups.items():
            p = pos.get(key)
            item.setVisible(p is not None)
            if p is not None:
                item.setPos(*p)
        for key, frame in self._frames.items():
            members = [self._nodes[m] for m in frame.group.members if m in pos]
            shown = key not in folded and bool(members) and any(g.key == key for g in lay.groups)
            frame.setVisible(shown)
            if shown:
                rect = QRectF()
                for m in members:
                    rect = rect.united(m.mapRectToScene(m.box()))
                frame.set_rect(rect)
        self._carries, self._drawn_edge = {}, {}
        for src, dst in dict.fromkeys(self._spec.edges()):  # x * x is drawn once
            a, b = self._member_of.get(src, src), self._member_of.get(dst, dst)
            if a == b or a not in pos or b not in pos:
                continue
            self._carries.setdefault((a, b), []).append((src, dst))
            self._drawn_edge[(src, dst)] = (a, b)
        for key in self._carries:
            if key not in self._edges:
                a, b = key
                gradient = b in self._back or (b in self._groups and self._groups[b].group.backward)
                edge = EdgeItem(self._item(a), self._item(b), gradient=gradient)
                self._edges[key] = edge
                self.addItem(edge)
        for key, edge in self._edges.items():
            edge.setVisible(key in self._carries)
            if key in self._carries:
                edge.set_route(lay.route(*key))
        rect = self.content_rect()
        self.setSceneRect(rect.adjusted(-rect.width(), -rect.height(), rect.width(), rect.height()))

    def _item(self, key: str):
        return self._groups[key] if key in self._groups else self._nodes[key]

    def set_show_gradients(self, on: bool) -> None:
        """Forward graph only (False) or forward + gradient/update nodes (True)."""
        if bool(on) == self._show_gradients:
            return
        self._show_gradients = bool(on)
        if self._anim is not None:
            self._start_animation(self._anim.record, keep_position=True)
        self._relayout()

    def show_gradients(self) -> bool:
        return self._show_gradients

    def set_backward_placement(self, where: str) -> None:
        """Put the gradient nodes ``"right"`` of the forward graph or mirrored ``"below"`` it."""
        if where not in ("right", "below"):
            raise ValueError(f"backward placement must be 'right' or 'below', not {where!r}")
        if where == self._placement:
            return
        self._placement = where
        self._relayout()

    def backward_placement(self) -> str:
        return self._placement

    # ------------------------------------------------------------------ values
    def set_values(self, values: Mapping, grads: Mapping) -> None:
        """Update node texts and edge shading; never creates items.

        Parameters
        ----------
        values : Mapping[str, ndarray]
            Current value of nodes by name (missing names show no value).
        grads : Mapping[str, ndarray or None]
            Current gradient of forward nodes by name; ``None`` shows "∇ None".  Nodes of the
            update machinery (an optimizer's slots) show their value only.
        """
        self._values, self._grads = values, grads
        self._show_values()
        self._shade_edges()

    def _show_values(self) -> None:
        """Texts of the boxes shown; hidden ones catch up when they appear (_relayout)."""
        values, grads = self._values, self._grads
        for name, item in self._nodes.items():
            if item.isVisible():
                item.set_data(values.get(name), grads.get(name), name in grads and name not in self._slots)
        for item in self._groups.values():
            if item.isVisible():
                item.set_values(values)

    def _shade_edges(self) -> None:
        if self._shading is None:
            return
        for key, t in self._shading.strengths(self._carries, self._values, self._grads).items():
            self._edges[key].set_marks(strength=t)

    # ------------------------------------------------------------------ stops
    def set_stopped(self, names: Iterable[str]) -> None:
        """Mark nodes in ``stop_gradients``; their incoming edges are drawn cut."""
        self._stop_request = set(names)  # kept, so a later set_graph marks them too
        self._apply_stops()

    def stopped(self) -> tuple[str, ...]:
        return tuple(n for n in self._nodes if n in self._stopped)

    def _apply_stops(self) -> None:
        self._stopped = self._stop_request & set(self._nodes)
        for name, item in self._nodes.items():
            item.set_marks(stopped=name in self._stopped)
        for key, carried in self._carries.items():
            cut = all(d in self._stopped or self._nodes[d].spec.op_type == "StopGradient" for _s, d in carried)
            self._edges[key].set_marks(static_cut=cut)

    def cut_edges(self) -> tuple[tuple[str, str], ...]:
        """Graph edges currently drawn cut (by stops or by the backward animation)."""
        return tuple(e for e, drawn in self._drawn_edge.items() if self._edges[drawn].cut)

    # ------------------------------------------------------------------ backward animation
    def start_backward(self, record: GradientRecord) -> None:
        """Load the frames of ``record``; forward nodes show "∇ ?" until their frame.

        Frames for nodes not drawn, or that received no contribution, are skipped.  A node in
        a folded group counts as drawn: the group lights up for it.
        """
        self._start_animation(record)
        self._apply_animation()

    def _start_animation(self, record: GradientRecord, keep_position: bool = False) -> None:
        drawn = {n for n in self._nodes if self._show_gradients or n not in self._back}
        forward = {n for n in drawn if self._nodes[n].is_forward and n not in self._back}
        edges = {e for e in self._spec.edges() if e[0] in drawn and e[1] in drawn}
        position = self._anim.position if keep_position and self._anim is not None else 0
        self._anim = BackwardAnimation(record, drawn, forward, edges)
        self._anim.position = min(position, len(self._anim))

    def backward_step(self) -> bool:
        """Show the next frame; False (and no change) when every frame has been shown."""
        if self._anim is None or not self._anim.step():
            return False
        self._apply_animation()
        return True

    def backward_back(self) -> None:
        """Go one frame back."""
        if self._anim is not None:
            self._anim.back()
            self._apply_animation()

    def backward_reset(self) -> None:
        """Back to before the first frame (the animation stays loaded)."""
        if self._anim is not None:
            self._anim.reset()
            self._apply_animation()

    def clear_backward(self) -> None:
        """Leave the animation: normal display again."""
        self._anim = None
        self._apply_animation()

    def _apply_animation(self) -> None:
        st = self._anim.state() if self._anim is not None else AnimState()
        for name, item in self._nodes.items():
            item.set_marks(state=st.nodes.get(name, NodeState.IDLE), seed=name in st.seeds,
                           paths=st.paths.get(name, 0), is_final=name in st.finals,
                           anim_stopped=name in st.stopped, unconnected=st.unconnected.get(name, ""))
        for item in self._groups.values():  # a group lights up when any member does
            states = [st.nodes.get(m, NodeState.IDLE) for m in item.group.members]
            item.set_marks(state=max(states, key=_RANK.__getitem__, default=NodeState.IDLE))
        for key, carried in self._carries.items():
            self._edges[key].set_marks(glow=max((st.glow.get(e, 0) for e in carried), default=0),
                                       anim_cut=any(e in st.cut for e in carried))
        self.animation_changed.emit()

    def backward_position(self) -> int:
        """Number of frames shown so far."""
        return self._anim.position if self._anim is not None else 0

    def backward_length(self) -> int:
        return len(self._anim) if self._anim is not None else 0

    def highlighted(self) -> tuple[str, ...]:
        """Nodes whose gradient became known so far, in animation order."""
        return tuple(f.node for f in self._anim.frames[: self._anim.position]) if self._anim else ()

    def backward_caption(self) -> str:
        """Plain-text explanation of the current animation frame ("" when none is loaded)."""
        if self._anim is None:
            return ""
        names = {key: self._groups[key].name for key in self._groups}
        return self._anim.caption({m: names[k] for m, k in self._member_of.items()})

    # ------------------------------------------------------------------ items, for tests and the app
    def node_item(self, name: str) -> NodeItem:
        try:
            return self._nodes[name]
        except KeyError:
            raise KeyError(f"graph view has no node named {name!r}") from None

    def group_item(self, name: str) -> GroupItem:
        try:
            return self._groups[name + "/"]
        except KeyError:
            raise KeyError(f"graph view has no group named {name!r}") from None

    def frame_item(self, name: str) -> FrameItem:
        return self._frames[name + "/"]

    def edge_item(self, src: str, dst: str) -> EdgeItem:
        """The drawn edge that carries the graph edge ``src -> dst`` (a bundle when folded)."""
        try:
            return self._edges[self._drawn_edge.get((src, dst), (src, dst))]  # hidden: as last drawn
        except KeyError:
            raise KeyError(f"graph view has no edge {src!r} -> {dst!r}") from None

    def drawn_boxes(self) -> list:
        """Visible node and group boxes."""
        return [i for i in (*self._nodes.values(), *self._groups.values()) if i.isVisible()]

    def node_names(self) -> tuple[str, ...]:
        return tuple(self._nodes)

    def content_rect(self) -> QRectF:
        """What the picture covers (a frame counts by its outline, not the room kept for its tab)."""
        rect = QRectF()
        for item in (*self._nodes.values(), *self._groups.values(), *self._edges.values()):
            if item.isVisible():
                rect = rect.united(item.sceneBoundingRect())
        for frame in self._frames.values():
            if frame.isVisible():
                rect = rect.united(frame.outline())
        return rect
