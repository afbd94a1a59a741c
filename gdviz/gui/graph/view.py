"""The computation-graph view: nodes, edges shaded by gradient size, stops, backward animation.

Keys (when the view has focus): ``Right``/``Space`` next backward step, ``Left`` one step back,
``Home`` restart the animation, ``Esc`` leave it, ``F`` fit, ``+``/``-`` zoom, ``0`` 100 %,
``B`` gradient nodes right of / below the forward graph.
While a backward animation is loaded the view keeps Right/Left/Space/Home for itself even if
the window binds them as shortcuts; otherwise they go to the window.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable, Mapping

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter, QTransform, QWheelEvent
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QHBoxLayout, QLabel, QToolButton, QWidget

from gdviz.autodiff.describe import BackwardFrame, GradientRecord, GraphSpec, backward_frames
from gdviz.gui.graph.items import KIND_COLOURS, EdgeItem, NodeItem, magnitude
from gdviz.diagram.layout import Layout, backward_names, layout_graph

_DECADES = 4.0  # edge shading spans this many orders of magnitude below the largest gradient
_MIN_SCALE, _MAX_SCALE = 0.05, 6.0
_BACKGROUND = QColor("#fbfbfd")
_ANIM_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_Space, Qt.Key.Key_Home)


class GraphView(QGraphicsView):
    """Draws a :class:`GraphSpec`; items are matched by node name and reused across updates.

    Signals
    -------
    node_clicked(str)
        A node was left-clicked (the app toggles it in ``stop_gradients``).
    backward_changed(int, int)
        The backward animation moved: frames shown so far, and the number of frames.
    """

    node_clicked = Signal(str)
    backward_changed = Signal(int, int)  # (frames shown, frames in all); (0, 0) when none is loaded

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(_BACKGROUND)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._spec: GraphSpec | None = None
        self._record: GradientRecord | None = None
        self._key = None
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[tuple[str, str], EdgeItem] = {}
        self._back: set[str] = set()
        self._layouts: dict[tuple[bool, str], Layout] = {}
        self._placement = "right"
        self._contrib: dict[tuple[str, str], str] = {}
        self._fwd_consumers: dict[str, int] = {}
        self._show_gradients = True
        self._stopped: set[str] = set()
        self._stop_request: set[str] = set()
        self._values: Mapping = {}
        self._grads: Mapping = {}
        self._frames: tuple[BackwardFrame, ...] = ()
        self._anim_record: GradientRecord | None = None
        self._frame_nodes: set[str] = set()
        self._pos = 0
        self._auto_fit = True  # until the user zooms or pans, keep the whole graph in view
        # Overlays are widgets on the viewport, not scene items: they stay put while panning,
        # never show up in exports and do not count as scene items.
        self._caption = self._overlay("background: rgba(255,251,235,235); border: 1px solid #f59e0b;")
        self._legend = self._overlay("background: rgba(255,255,255,215); border: 1px solid #e2e8f0;")
        self._legend.setWordWrap(False)
        self._legend.setText(_legend_html())
        self._legend.adjustSize()
        self._stepper = self._make_stepper()

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
        self._contrib = {(node, consumer): g for node, consumer, g in (record.contributions if record else ())}
        if key == self._key:
            self._shade_edges()
            return
        self._key = key
        self._rebuild(spec)

    def _rebuild(self, spec: GraphSpec) -> None:
        self.clear_backward()
        self.scene().clear()
        self._nodes, self._edges, self._layouts = {}, {}, {}
        self._back = backward_names(spec)
        self._fwd_consumers: dict[str, int] = {}
        for src, dst in set(spec.edges()):
            if dst not in self._back:
                self._fwd_consumers[src] = self._fwd_consumers.get(src, 0) + 1
        for n in spec.nodes:
            item = NodeItem(n, on_click=self._emit_clicked)
            self._nodes[n.name] = item
            self.scene().addItem(item)
        for src, dst in dict.fromkeys(spec.edges()):  # x * x is drawn once
            if src == dst:
                continue
            edge = EdgeItem(self._nodes[src], self._nodes[dst], gradient=dst in self._back)
            self._edges[(src, dst)] = edge
            self.scene().addItem(edge)
        self._apply_layout()
        self._apply_stops()
        self.set_values(self._values, self._grads)
        self._auto_fit = True
        self._place_overlays()
        if self.isVisible():
            self.fit()

    def _layout(self) -> Layout:
        key = (self._show_gradients, self._placement)
        if key not in self._layouts:
            self._layouts[key] = layout_graph(self._spec, *key)
        return self._layouts[key]

    def _apply_layout(self) -> None:
        if self._spec is None:
            return
        lay = self._layout()
        for name, item in self._nodes.items():
            p = lay.positions.get(name)
            item.setVisible(p is not None)
            if p is not None:
                item.setPos(*p)
        for key, edge in self._edges.items():
            edge.setVisible(key[0] in lay.positions and key[1] in lay.positions)
            edge.set_route(lay.routes.get(key, ()))
        rect = self._content_rect()
        self.scene().setSceneRect(rect.adjusted(-rect.width(), -rect.height(), rect.width(), rect.height()))

    def set_show_gradients(self, on: bool) -> None:
        """Forward graph only (False) or forward + gradient/update nodes (True)."""
        if bool(on) == self._show_gradients:
            return
        self._show_gradients = bool(on)
        self._apply_layout()
        if self._auto_fit and self.isVisible():
            self.fit()

    def show_gradients(self) -> bool:
        return self._show_gradients

    def set_backward_placement(self, where: str) -> None:
        """Put the gradient nodes ``"right"`` of the forward graph or mirrored ``"below"`` it."""
        if where not in ("right", "below"):
            raise ValueError(f"backward placement must be 'right' or 'below', not {where!r}")
        if where == self._placement:
            return
        self._placement = where
        self._apply_layout()
        if self._auto_fit and self.isVisible():
            self.fit()

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
            Current gradient of forward nodes by name; ``None`` shows "∇ None".
        """
        self._values, self._grads = values, grads
        for name, item in self._nodes.items():
            item.set_data(values.get(name), grads.get(name), name in grads)
        self._shade_edges()

    def _edge_gradient(self, src: str, dst: str):
        """The gradient flowing back along ``src -> dst``, best available estimate."""
        if dst in self._back:  # gradient-graph edges carry the source's (gradient) value
            return self._values.get(src) if self._nodes[src].spec.kind == "gradient" else None
        gnode = self._contrib.get((src, dst))
        if gnode is not None and gnode in self._values:
            return self._values[gnode]
        if self._grads.get(src) is None:
            return None  # no gradient reached src: nothing flowed along this edge
        if self._fwd_consumers.get(src, 0) == 1:
            return self._grads[src]  # the only path: the whole gradient of src came this way
        return self._grads.get(dst)

    def _shade_edges(self) -> None:
        mags = {k: magnitude(self._edge_gradient(*k)) for k in self._edges}
        finite = [m for m in mags.values() if m is not None and math.isfinite(m) and m > 0]
        top = max(finite, default=0.0)
        for k, edge in self._edges.items():
            m = mags[k]
            if m is None or top == 0.0:
                t = None if m is None else 0.0
            elif not math.isfinite(m):
                t = 1.0
            elif m <= 0:
                t = 0.0
            else:
                t = max(0.0, 1.0 + math.log10(m / top) / _DECADES)
            edge.set_marks(strength=t)

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
        for (_src, dst), edge in self._edges.items():
            op_stop = self._nodes[dst].spec.op_type == "StopGradient"
            edge.set_marks(static_cut=dst in self._stopped or op_stop)

    def cut_edges(self) -> tuple[tuple[str, str], ...]:
        """Edges currently drawn cut (by stops or by the backward animation)."""
        return tuple(k for k, e in self._edges.items() if e.cut)

    # ------------------------------------------------------------------ backward animation
    def start_backward(self, record: GradientRecord) -> None:
        """Load the frames of ``record``; forward nodes show "∇ ?" until their frame.

        Frames for nodes not drawn, or that received no contribution, are skipped.
        """
        self._anim_record = record
        self._frames = tuple(f for f in backward_frames(record) if f.node in self._nodes and f.sources)
        self._frame_nodes = {f.node for f in self._frames}
        self.backward_reset()
        if self._auto_fit and self.isVisible():
            self.fit()  # make room for the caption

    def backward_step(self) -> bool:
        """Show the next frame; False (and no change) when every frame has been shown."""
        if self._pos >= len(self._frames):
            return False
        frame = self._frames[self._pos]
        for item in self._nodes.values():
            if item.state == "current":
                item.set_marks(state="known")
        for edge in self._edges.values():
            if edge.glow == 2:
                edge.set_marks(glow=1)
        paths = len(set(frame.sources))
        self._nodes[frame.node].set_marks(state="current", seed="<seed>" in frame.sources, paths=paths,
                                          is_final=frame.is_x, anim_stopped=frame.stopped)
        rec = self._anim_record
        gnodes = {g for n, _c, g in rec.contributions if n == frame.node} | {rec.grad_of(frame.node)}
        for g in gnodes:  # the gradient-graph nodes that computed this gradient light up too
            if g in self._nodes and g not in self._frame_nodes:
                self._nodes[g].set_marks(state="current")
        for consumer in frame.sources:
            edge = self._edges.get((frame.node, consumer))
            if edge is not None:
                edge.set_marks(glow=2)
        if frame.stopped:
            for (_src, dst), edge in self._edges.items():
                if dst == frame.node:
                    edge.set_marks(anim_cut=True)
        self._pos += 1
        if self._pos == len(self._frames):
            self._finish()
        self._update_caption()
        return True

    def backward_back(self) -> None:
        """Go one frame back (replays from the start)."""
        target = max(0, self._pos - 1)
        self.backward_reset()
        while self._pos < target:
            self.backward_step()

    def backward_reset(self) -> None:
        """Back to before the first frame (the animation stays loaded)."""
        self._pos = 0
        pending = self._anim_record is not None
        for item in self._nodes.values():
            state = "pending" if pending and item.is_forward and item.name not in self._back else ""
            item.set_marks(state=state, seed=False, paths=0, is_final=False, anim_stopped=False, unconnected="")
        for edge in self._edges.values():
            edge.set_marks(glow=0, anim_cut=False)
        if pending and not self._frames:
            self._finish()
        self._update_caption()

    def clear_backward(self) -> None:
        """Leave the animation: normal display again."""
        was_loaded = self._anim_record is not None
        self._anim_record, self._frames = None, ()
        self.backward_reset()
        if was_loaded and self._auto_fit and self.isVisible():
            self.fit()

    def backward_position(self) -> int:
        """Number of frames shown so far."""
        return self._pos

    def backward_length(self) -> int:
        return len(self._frames)

    def highlighted(self) -> tuple[str, ...]:
        """Nodes whose gradient became known so far, in animation order."""
        return tuple(f.node for f in self._frames[: self._pos])

    def backward_caption(self) -> str:
        """Plain-text explanation of the current animation frame ("" when none is loaded)."""
        rec = self._anim_record
        if rec is None:
            return ""
        n = len(self._frames)
        if self._pos == 0:
            ys = ", ".join(rec.ys)
            return (f"Backward pass of {rec.scope}({ys} → {', '.join(rec.xs)}): {n} steps. "
                    "→/Space: next step, ←: back, Home: restart, Esc: leave.")
        f = self._frames[self._pos - 1]
        parts = [f"Step {self._pos}/{n}: gradient of {f.node} known."]
        real = [c for c in dict.fromkeys(f.sources) if c != "<seed>"]
        if "<seed>" in f.sources:
            parts.append(f"{f.node} is a y: its grad_ys seed enters here.")
        if len(set(f.sources)) > 1:
            parts.append(f"Sum of {len(set(f.sources))} contributions (" + ", ".join(
                ["seed"] * ("<seed>" in f.sources) + [f"from {c}" for c in real]) + ").")
        elif real:
            parts.append(f"It came back from {real[0]}.")
        if f.stopped:
            reason = dict(rec.stopped).get(f.node, "stop")
            parts.append(f"Stopped ({reason}): nothing flows on to its inputs.")
        if f.is_x:
            parts.append(f"{f.node} is an x: this is its final gradient.")
        if self._pos == n:
            missing = [f"{x} ({why})" for x, why in rec.unconnected]
            parts.append("Done." + (" No gradient for: " + ", ".join(missing) + "." if missing else ""))
        return " ".join(parts)

    def _update_caption(self) -> None:
        self.stepper_buttons["step"].setEnabled(self._pos < len(self._frames))
        self.stepper_buttons["back"].setEnabled(self._pos > 0)
        self.backward_changed.emit(self._pos, len(self._frames))
        text = self.backward_caption()
        self._caption.setVisible(bool(text))
        self._caption.setText(text)
        self._place_overlays()

    def _overlay(self, style: str) -> QLabel:
        label = QLabel(self.viewport())
        label.setStyleSheet(f"QLabel {{ {style} border-radius: 5px; padding: 4px 7px; color: #1e293b; }}")
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        label.setWordWrap(True)
        label.hide()
        return label

    def _make_stepper(self) -> QWidget:
        """Buttons for the backward animation, top right; shown while one is loaded."""
        bar = QWidget(self.viewport())
        bar.setStyleSheet("QWidget { background: rgba(255,255,255,225); border-radius: 5px; }"
                          "QToolButton { padding: 2px 6px; }")
        row = QHBoxLayout(bar)
        row.setContentsMargins(4, 2, 4, 2)
        row.setSpacing(2)
        self.stepper_buttons: dict[str, QToolButton] = {}
        for key, text, tip, slot in (
                ("restart", "Restart", "Restart the backward pass (Home)", self.backward_reset),
                ("back", "◀ Back", "One step back (←)", self.backward_back),
                ("step", "Step ▶", "Next backward step (→ or Space)", self.backward_step),
                ("leave", "✕", "Leave the animation (Esc)", self.clear_backward)):
            button = QToolButton(bar)
            button.setText(text)
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the view
            button.clicked.connect(slot)
            row.addWidget(button)
            self.stepper_buttons[key] = button
        bar.adjustSize()
        bar.hide()
        return bar

    def _place_overlays(self) -> None:
        vw, vh = self.viewport().width(), self.viewport().height()
        loaded = self._anim_record is not None
        self._stepper.setVisible(loaded)
        self._stepper.move(vw - self._stepper.width() - 8, 8)
        room = vw - 24 - (self._stepper.width() if loaded else 0)
        self._caption.setFixedWidth(max(120, min(room, 760)))
        self._caption.adjustSize()
        self._caption.move(8, 8)
        self._legend.move(8, vh - self._legend.height() - 8)
        self._legend.setVisible(self._spec is not None and vh > 3 * self._legend.height())

    def _finish(self) -> None:
        """After the last frame: nodes never reached say so, xs without gradient say why."""
        for item in self._nodes.values():
            if item.state == "pending":
                item.set_marks(state="unreached")
        rec = self._anim_record
        for x, reason in (rec.unconnected if rec is not None else ()):
            if x in self._nodes:
                self._nodes[x].set_marks(unconnected=reason)

    # ------------------------------------------------------------------ items, for tests and the app
    def node_item(self, name: str) -> NodeItem:
        try:
            return self._nodes[name]
        except KeyError:
            raise KeyError(f"graph view has no node named {name!r}") from None

    def edge_item(self, src: str, dst: str) -> EdgeItem:
        try:
            return self._edges[(src, dst)]
        except KeyError:
            raise KeyError(f"graph view has no edge {src!r} -> {dst!r}") from None

    def scene_item_count(self) -> int:
        return len(self.scene().items())

    def node_names(self) -> tuple[str, ...]:
        return tuple(self._nodes)

    def _emit_clicked(self, name: str) -> None:
        self.node_clicked.emit(name)

    # ------------------------------------------------------------------ view
    def _content_rect(self) -> QRectF:
        rect = QRectF()
        for item in self._nodes.values():
            if item.isVisible():
                rect = rect.united(item.sceneBoundingRect())
        for edge in self._edges.values():
            if edge.isVisible():
                rect = rect.united(edge.sceneBoundingRect())
        return rect

    def fit(self) -> None:
        """Zoom so the whole visible graph fits between the overlays (never beyond 150 %)."""
        rect = self._content_rect()
        if rect.isEmpty():
            return
        rect = rect.adjusted(-10, -10, 10, 10)
        self._place_overlays()
        view = QRectF(self.viewport().rect())
        top = 8 + max(self._caption.height(), self._stepper.height()) if self._anim_record is not None else 0
        bottom = self._legend.height() + 12 if not self._legend.isHidden() else 0
        room = view.adjusted(0, top, 0, -bottom)
        if room.height() < view.height() / 2:
            room = view  # a tiny view: rather overlap than shrink to nothing
        scale = min(room.width() / rect.width(), room.height() / rect.height(), 1.5)
        self.setTransform(QTransform.fromScale(scale, scale))
        shift = (room.center() - view.center()) / scale
        self.centerOn(rect.center() - shift)

    def zoom(self, factor: float) -> None:
        """Scale the view by ``factor`` (clamped to a sensible range)."""
        current = self.transform().m11()
        factor = min(max(factor, _MIN_SCALE / current), _MAX_SCALE / current)
        self.scale(factor, factor)
        self._auto_fit = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._auto_fit:
            self.fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_overlays()
        if self._auto_fit:
            self.fit()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self._place_overlays()  # scrolling the viewport drags its child widgets along

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(1.15 ** steps)
        event.accept()

    def mousePressEvent(self, event) -> None:
        if self.itemAt(event.position().toPoint()) is None:
            self._auto_fit = False  # the user is panning: stop re-fitting on resize
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        # Keep the animation keys while an animation is loaded, even if the window binds them.
        if event.type() == QEvent.Type.ShortcutOverride and self._frames:
            if isinstance(event, QKeyEvent) and event.key() in _ANIM_KEYS:
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Space) and self._frames:
            self.backward_step()
        elif key == Qt.Key.Key_Left and self._frames:
            self.backward_back()
        elif key == Qt.Key.Key_Home and self._frames:
            self.backward_reset()
        elif key == Qt.Key.Key_Escape and self._anim_record is not None:
            self.clear_backward()
        elif key == Qt.Key.Key_B:
            self.set_backward_placement("below" if self._placement == "right" else "right")
        elif key == Qt.Key.Key_F:
            self._auto_fit = True
            self.fit()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.25)
        elif key == Qt.Key.Key_Minus:
            self.zoom(0.8)
        elif key == Qt.Key.Key_0:
            self.resetTransform()
            self._auto_fit = False
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # ------------------------------------------------------------------ export
    def _render(self, painter: QPainter, width: float, height: float, source: QRectF) -> None:
        painter.fillRect(QRectF(0, 0, width, height), QColor("white"))
        self.scene().render(painter, QRectF(0, 0, width, height), source, Qt.AspectRatioMode.KeepAspectRatio)

    def export_png(self, path: str | Path, scale: float = 2.0) -> None:
        """Render the visible graph to a PNG (white background, ``scale`` px per scene unit)."""
        source = self._content_rect().adjusted(-16, -16, 16, 16)
        if source.isEmpty():
            source = QRectF(0, 0, 200, 100)
        scale = min(scale, 8000.0 / max(source.width(), source.height()))
        w, h = max(1, math.ceil(source.width() * scale)), max(1, math.ceil(source.height() * scale))
        image = QImage(w, h, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self._render(painter, w, h, source)
        painter.end()
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not write PNG image to {str(path)!r}")

    def export_svg(self, path: str | Path) -> None:
        """Write the visible graph as SVG (vector; texts stay text)."""
        source = self._content_rect().adjusted(-16, -16, 16, 16)
        if source.isEmpty():
            source = QRectF(0, 0, 200, 100)
        w, h = math.ceil(source.width()), math.ceil(source.height())
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(QSize(w, h))
        gen.setViewBox(QRectF(0, 0, w, h))
        gen.setTitle("gdviz computation graph")
        gen.setDescription("Nodes: " + ", ".join(n for n, i in self._nodes.items() if i.isVisible()))
        painter = QPainter()
        if not painter.begin(gen):
            raise OSError(f"could not write SVG file {str(path)!r}")
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self._render(painter, w, h, source)
        painter.end()


def _legend_html() -> str:
    kinds = "&nbsp;&nbsp;".join(
        f'<span style="color:{border}">&#9632;</span>&nbsp;{kind}' for kind, (_fill, border) in KIND_COLOURS.items())
    return (f'<span style="font-size:10px">{kinds}<br>'
            "edge width: size of the gradient flowing back &nbsp;·&nbsp; dashed grey: cut by a stop<br>"
            "click a node: toggle stop_gradients &nbsp;·&nbsp; F: fit &nbsp;·&nbsp; wheel: zoom"
            " &nbsp;·&nbsp; B: gradients right/below</span>")
