"""Boxes of the computation-graph view: a node, a folded group, the frame of an unfolded group.

Items are created once per graph and then only *updated* (texts, shading, marks); everything
is drawn in :meth:`paint`, so no child items appear or disappear while training runs.  Texts
go through :mod:`gdviz.gui.graph.text`: never below 8 pt on screen, never cut from the start.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsSceneHoverEvent, QGraphicsSceneMouseEvent,
                               QStyleOptionGraphicsItem)

from gdviz.autodiff.describe import NodeSpec
from gdviz.diagram.backward import NodeState
from gdviz.diagram.labels import name_candidates, value_candidates
from gdviz.diagram.layout import NODE_H, NODE_W
from gdviz.formatting import format_shape
from gdviz.gui.graph.edges import GLOW
from gdviz.gui.graph.marks import set_marks
from gdviz.gui.graph.text import Row, draw_rows

#: (fill, border) per node kind.
KIND_COLOURS = {
    "variable": ("#dbeafe", "#2563eb"),
    "constant": ("#f1f5f9", "#64748b"),
    "placeholder": ("#fef9c3", "#a16207"),
    "op": ("#ffffff", "#334155"),
    "gradient": ("#f3e8ff", "#7e22ce"),
    "update": ("#dcfce7", "#15803d"),
}
FORWARD_KINDS = ("variable", "constant", "placeholder", "op")
STOP_RED = QColor("#dc2626")
FINAL_GREEN = QColor("#16a34a")
INK, MUTED, GRAD_INK, ANIM_INK = QColor("#0f172a"), QColor("#475569"), QColor("#7e22ce"), QColor("#b45309")
_PAD = 5.0
_MARGIN = 14.0  # room around the box for glow and badges
BADGE_PX = 11.0  # badge text at 100 % zoom


def format_value(value) -> str:
    """The most detailed one-line text of a value, as a node shows it with room to spare."""
    return value_candidates(value)[0]


def format_full(value, threshold: int = 400) -> str:
    """The whole array for a tooltip (summarised beyond ``threshold`` entries)."""
    if value is None:
        return "None"
    a = np.asarray(value)
    body = np.array2string(a, threshold=threshold, precision=6, max_line_width=100, separator=", ")
    return f"shape {a.shape}, {a.dtype}\n{body}"


class BoxItem(QGraphicsItem):
    """A rounded box of node size: glow, border, text rows, badges; texts drawn are recorded."""

    def __init__(self, name: str, kind: str):
        super().__init__()
        self.name = name
        self.kind = kind
        self.state = NodeState.IDLE
        self.drawn: list[tuple[str, float]] = []  # (text, pixel size) the last paint showed
        self.lod = 1.0  # the zoom of the last paint
        self._hover = False
        self.setZValue(2)
        self.setAcceptHoverEvents(True)

    def set_marks(self, **marks) -> None:
        set_marks(self, marks)

    def boundingRect(self) -> QRectF:
        return self.box().adjusted(-_MARGIN, -_MARGIN, _MARGIN, _MARGIN)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.box(), 9, 9)
        return path

    def box(self) -> QRectF:
        return QRectF(-NODE_W / 2, -NODE_H / 2, NODE_W, NODE_H)

    def rows(self) -> list[Row]:
        raise NotImplementedError

    def badges(self) -> list[tuple[str, QColor]]:
        return []

    def border_pen(self, colour: QColor) -> QPen:
        return QPen(colour, 1.4)

    def paint_body(self, painter: QPainter, box: QRectF, fill: QColor, pen: QPen) -> None:
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 9, 9)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        box = self.box()
        fill, border = (QColor(c) for c in KIND_COLOURS.get(self.kind, KIND_COLOURS["op"]))
        if self.state in (NodeState.CURRENT, NodeState.KNOWN):
            glow = QColor(GLOW)
            glow.setAlpha(200 if self.state == NodeState.CURRENT else 90)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(glow)
            grow = 9 if self.state == NodeState.CURRENT else 5
            painter.drawRoundedRect(box.adjusted(-grow, -grow, grow, grow), 13, 13)
        if self.state == NodeState.PENDING:
            fill = fill.lighter(103)
        pen = self.border_pen(border)
        if self._hover:
            pen.setWidthF(pen.widthF() + 1.0)
        self.paint_body(painter, box, fill, pen)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        self.lod = lod
        rows = self.rows()
        marks = self.badges()
        if marks:  # a row like any text: never over the name, never below 8 pt
            rows.append(Row((" · ".join(t for t, _c in marks),), marks[0][1], BADGE_PX, True, 1))
        self.drawn = draw_rows(painter, box.adjusted(_PAD, 3, -_PAD, -3), lod, rows)

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        # Built lazily: formatting a big array on every training step would be wasted work.
        self.setToolTip(self.tooltip_text())
        self._hover = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._hover = False
        self.update()
        super().hoverLeaveEvent(event)

    def tooltip_text(self) -> str:
        return self.name


class NodeItem(BoxItem):
    """One graph node: name, op and shape, value and (forward) gradient.

    Parameters
    ----------
    spec : NodeSpec
        What the node is; its ``kind`` picks the colours.
    on_click : callable, optional
        Called with the node name on a left click.
    """

    def __init__(self, spec: NodeSpec, on_click: Callable[[str], None] | None = None):
        super().__init__(spec.name, spec.kind)
        self.spec = spec
        self._on_click = on_click
        self.value = None
        self.grad = None
        self.value_text = ""
        self.grad_text = ""  # "" when the node is not a forward node or has no gradient entry
        self._value_rows: tuple[str, ...] = ()
        self._grad_rows: tuple[str, ...] = ()
        self._names = tuple(name_candidates(spec.name, spec.grad_scope))
        self.stopped = False  # in the user's stop_gradients
        self.anim_stopped = False
        self.is_final = False
        self.seed = False
        self.paths = 0  # number of summed contributions (shown when > 1)
        self.unconnected = ""  # reason text when an x got no gradient
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    # ------------------------------------------------------------------ state
    @property
    def is_forward(self) -> bool:
        return self.spec.kind in FORWARD_KINDS

    def set_data(self, value, grad, has_grad: bool) -> bool:
        """Store the node's value and gradient; repaint only if the texts changed."""
        self.value, self.grad = value, grad
        vrows = tuple("= " + c for c in value_candidates(value)) if value is not None else ()
        grows: tuple[str, ...] = ()
        if self.is_forward and has_grad:
            grows = tuple("∇ " + c for c in value_candidates(grad)) if grad is not None else ("∇ None",)
        if vrows == self._value_rows and grows == self._grad_rows:
            return False
        self._value_rows, self._grad_rows = vrows, grows
        self.value_text = vrows[0][2:] if vrows else ""
        self.grad_text = grows[0] if grows else ""
        if self._hover:  # keep the tooltip of the node under the mouse current
            self.setToolTip(self.tooltip_text())
        self.update()
        return True

    def rows(self) -> list[Row]:
        """Name first; then the gradient (or the animation's word on it), the value, op and shape."""
        s = self.spec
        out = [Row(self._names, INK, 13.0, True, 0),
               Row((f"{s.op_type}  {format_shape(s.shape)}", s.op_type), MUTED, 11.0, False, 4)]
        if self._value_rows:
            out.append(Row(self._value_rows, INK, 11.0, False, 3, elide=False))
        if self.unconnected:  # an x the finished animation gave no gradient
            out.append(Row(("∇ None",), QColor("#6b7280"), 11.0, False, 2))
        elif self.state == NodeState.PENDING:  # the backward animation has not reached this node yet
            out.append(Row(("∇ ?",), QColor("#94a3b8"), 11.0, False, 2))
        elif self.state == NodeState.UNREACHED:
            out.append(Row(("∇ —  (no gradient reached)", "∇ —"), QColor("#94a3b8"), 11.0, False, 2))
        elif self._grad_rows:
            colour = ANIM_INK if self.state in (NodeState.KNOWN, NodeState.CURRENT) else GRAD_INK
            out.append(Row(self._grad_rows, colour, 11.0, False, 2, elide=False))
        return out

    def tooltip_text(self) -> str:
        s = self.spec
        lines = [f"{s.name}   ({s.op_type}, {s.kind})",
                 f"shape {format_shape(s.shape)}  dtype {s.dtype}"]
        if s.inputs:
            lines.append("inputs: " + ", ".join(s.inputs))
        if self.stopped:
            lines.append("in stop_gradients: treated as a constant, nothing flows to its inputs")
        if s.op_type == "StopGradient":
            lines.append("stop_gradient op: never passes a gradient to its input")
        lines.append("\nvalue = " + (format_full(self.value) if self.value is not None else "(not computed)"))
        if self.is_forward and (self.grad is not None or self.grad_text):
            lines.append("\ngradient = " + format_full(self.grad))
        if self.unconnected:
            lines.append("\nno gradient: " + self.unconnected)
        meaning = {"variable": "a trainable parameter: each update moves it against its gradient",
                   "constant": "a fixed value: no update ever changes it",
                   "placeholder": "fed with data at every run"}.get(s.kind)
        if meaning:
            lines.insert(1, meaning)
        if self.is_forward and s.kind == "op":
            lines.append("\n(click to toggle it in stop_gradients, where the run uses tf.gradients)")
        elif self.is_forward and s.kind == "variable":
            lines.append("\n(stop_gradients takes ops, not variables: stop the op that reads it to cut its gradient)")
        return "\n".join(lines)

    def border_pen(self, colour: QColor) -> QPen:
        if self.stopped or self.anim_stopped or self.spec.op_type == "StopGradient":
            return QPen(STOP_RED, 3.0)
        if self.is_final:
            return QPen(FINAL_GREEN, 3.2)
        return QPen(colour, 1.4)

    def badges(self) -> list[tuple[str, QColor]]:
        out = []
        if self.spec.op_type == "StopGradient":
            out.append(("stop op", STOP_RED.darker(130)))
        if self.stopped or self.anim_stopped:
            out.append(("stop", STOP_RED))
        if self.seed:
            out.append(("seed", GLOW.darker(120)))
        if self.paths > 1:
            out.append((f"Σ {self.paths} paths", GLOW.darker(120)))
        if self.is_final:
            out.append(("final", FINAL_GREEN))
        if self.unconnected:
            out.append(("no gradient", QColor("#6b7280")))
        return out

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            event.accept()  # keeps the view from starting a pan
        else:
            event.ignore()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.shape().contains(event.pos()):
            if self._on_click is not None:
                self._on_click(self.name)
        event.accept()
