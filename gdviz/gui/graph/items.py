"""Scene items of the computation-graph view: :class:`NodeItem` and :class:`EdgeItem`.

Items are created once per graph and then only *updated* (texts, shading, marks); everything
is drawn in :meth:`paint`, so no child items appear or disappear while training runs.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath,
                           QPainterPathStroker, QPen, QPolygonF)
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsSceneHoverEvent, QGraphicsSceneMouseEvent,
                               QStyleOptionGraphicsItem)

from gdviz.autodiff.describe import NodeSpec
from gdviz.diagram.layout import H_GAP, NODE_H, NODE_W


def _set_marks(item: QGraphicsItem, marks: dict) -> None:
    """Set the item attributes that differ and repaint once (none differ: no repaint)."""
    changed = False
    for key, val in marks.items():
        if getattr(item, key) != val:
            setattr(item, key, val)
            changed = True
    if changed:
        item.update()


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
GLOW = QColor("#f59e0b")  # the backward pass: "gradient known here"
FINAL_GREEN = QColor("#16a34a")
GRAD_EDGE = QColor("#9333ea")
FWD_EDGE = QColor("#1e293b")
CUT_GREY = QColor("#9ca3af")

_SMALL = 6  # arrays with at most this many entries are printed in full on the node
_MAX_INLINE = 30  # ... if the text fits in this many characters
_PAD = 7.0
_MARGIN = 14.0  # room around the box for glow and badges
_DETAIL_LOD = 0.7  # below this zoom a node shows its name and one line, in larger type


def format_value(value) -> str:
    """Compact one-line text for a node: 4 significant digits, or ``shape mean=...``.

    >>> format_value(np.array([[0.1, 0.25]]))
    '[[0.1, 0.25]]'
    """
    if value is None:
        return "None"
    a = np.asarray(value)
    if a.dtype.kind not in "biufc":
        return str(a.dtype)
    if a.ndim == 0:
        return f"{a.item():.4g}"
    if a.size <= _SMALL:
        text = np.array2string(a, separator=", ", formatter={"all": lambda v: f"{v:.4g}"})
        text = " ".join(text.split())  # one line
        if len(text) <= _MAX_INLINE:
            return text
    mean = float(np.mean(a)) if a.size else float("nan")
    if a.ndim == 1:    # "100 values" never reads as the value 100
        return f"{a.size} values, mean {mean:.4g}"
    shape = "×".join(str(d) for d in a.shape)
    return f"{shape} array, mean {mean:.4g}"


def format_full(value, threshold: int = 400) -> str:
    """The whole array for a tooltip (summarised beyond ``threshold`` entries)."""
    if value is None:
        return "None"
    a = np.asarray(value)
    body = np.array2string(a, threshold=threshold, precision=6, max_line_width=100, separator=", ")
    return f"shape {a.shape}, {a.dtype}\n{body}"


def magnitude(value) -> float | None:
    """Mean absolute value of a gradient, or None when there is none."""
    if value is None:
        return None
    a = np.asarray(value, dtype=np.float64)
    if a.size == 0:
        return 0.0
    m = float(np.mean(np.abs(a)))
    return m if math.isfinite(m) else float("inf")


@lru_cache(maxsize=64)
def _font(px: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f


class NodeItem(QGraphicsItem):
    """One graph node: a rounded box showing name, op, shape, value and (forward) gradient.

    Parameters
    ----------
    spec : NodeSpec
        What the node is; its ``kind`` picks the colours.
    on_click : callable, optional
        Called with the node name on a left click.
    """

    NAME_FONT = _font(13, bold=True)
    TEXT_FONT = _font(11)
    BADGE_FONT = _font(10, bold=True)

    def __init__(self, spec: NodeSpec, on_click: Callable[[str], None] | None = None):
        super().__init__()
        self.spec = spec
        self.name = spec.name
        self._on_click = on_click
        self.value = None
        self.grad = None
        self.value_text = ""
        self.grad_text = ""  # "" when the node is not a forward node or has no gradient entry
        self.stopped = False  # in the user's stop_gradients
        self.state = ""  # backward animation: "", "pending", "known", "current", "unreached"
        self.anim_stopped = False
        self.is_final = False
        self.seed = False
        self.paths = 0  # number of summed contributions (shown when > 1)
        self.unconnected = ""  # reason text when an x got no gradient
        self._hover = False
        self.setZValue(2)
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, False)

    # ------------------------------------------------------------------ state
    @property
    def is_forward(self) -> bool:
        return self.spec.kind in FORWARD_KINDS

    def set_data(self, value, grad, has_grad: bool) -> bool:
        """Store the node's value and gradient; repaint only if the texts changed."""
        self.value, self.grad = value, grad
        vt = format_value(value) if value is not None else ""
        gt = ""
        if self.is_forward and has_grad:
            gt = "∇ " + (format_value(grad) if grad is not None else "None")
        if vt == self.value_text and gt == self.grad_text:
            return False
        self.value_text, self.grad_text = vt, gt
        if self._hover:  # keep the tooltip of the node under the mouse current
            self.setToolTip(self.tooltip_text())
        self.update()
        return True

    def set_marks(self, **marks) -> None:
        """Set any of stopped, state, anim_stopped, is_final, seed, paths, unconnected."""
        _set_marks(self, marks)

    def tooltip_text(self) -> str:
        s = self.spec
        lines = [f"{s.name}   ({s.op_type}, {s.kind})",
                 f"shape {_shape_text(s.shape)}  dtype {s.dtype}"]
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
            lines.append("\n(manual mode: click to toggle it in stop_gradients)")
        elif self.is_forward and s.kind == "variable":
            lines.append("\n(stop_gradients takes ops, not variables: tick MatMul to cut W's gradient)")
        return "\n".join(lines)

    # ------------------------------------------------------------------ Qt overrides
    def boundingRect(self) -> QRectF:
        return QRectF(-NODE_W / 2 - _MARGIN, -NODE_H / 2 - _MARGIN, NODE_W + 2 * _MARGIN, NODE_H + 2 * _MARGIN)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self._box(), 9, 9)
        return path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        box = self._box()
        fill, border = (QColor(c) for c in KIND_COLOURS.get(self.spec.kind, KIND_COLOURS["op"]))
        if self.state in ("current", "known"):
            glow = QColor(GLOW)
            glow.setAlpha(200 if self.state == "current" else 90)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(glow)
            grow = 9 if self.state == "current" else 5
            painter.drawRoundedRect(box.adjusted(-grow, -grow, grow, grow), 13, 13)
        if self.state == "pending":
            fill = fill.lighter(103)
        pen = QPen(border, 1.4)
        if self.is_final:
            pen = QPen(FINAL_GREEN, 3.2)
        if self.stopped or self.anim_stopped or self.spec.op_type == "StopGradient":
            pen = QPen(STOP_RED, 3.0)
        if self._hover:
            pen.setWidthF(pen.widthF() + 1.0)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 9, 9)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        self._paint_texts(painter, box, lod)
        self._paint_badges(painter, box)

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

    # ------------------------------------------------------------------ drawing helpers
    def _box(self) -> QRectF:
        return QRectF(-NODE_W / 2, -NODE_H / 2, NODE_W, NODE_H)

    def _text_lines(self) -> list[tuple[str, QColor]]:
        """Lines under the name: op and shape, value, gradient (or the animation's state)."""
        lines = [(f"{self.spec.op_type}  {_shape_text(self.spec.shape)}", QColor("#475569"))]
        if self.value_text:
            lines.append(("= " + self.value_text, QColor("#0f172a")))
        if self.unconnected:  # an x the finished animation gave no gradient
            lines.append(("∇ None", QColor("#6b7280")))
        elif self.state == "pending":  # the backward animation has not reached this node yet
            lines.append(("∇ ?", QColor("#94a3b8")))
        elif self.state == "unreached":  # the finished animation never got here
            lines.append(("∇ —  (no gradient reached)", QColor("#94a3b8")))
        elif self.grad_text:
            colour = QColor("#b45309") if self.state in ("known", "current") else QColor("#7e22ce")
            lines.append((self.grad_text, colour))
        return lines

    def _short_name(self, fm: QFontMetricsF, width: float) -> str:
        name = self.name
        if fm.horizontalAdvance(name) > width and self.spec.grad_scope and name.startswith(self.spec.grad_scope + "/"):
            name = name[len(self.spec.grad_scope) + 1:]  # the scope is in the tooltip and the colour
        return fm.elidedText(name, Qt.TextElideMode.ElideLeft, width)

    def _paint_texts(self, painter: QPainter, box: QRectF, lod: float) -> None:
        inner = box.adjusted(_PAD, 4, -_PAD, -4)
        w = inner.width()
        lines = self._text_lines()
        if lod < _DETAIL_LOD:
            # Zoomed out: fewer, larger texts, so the overview stays readable.
            name_px = min(max(13.0, 10.0 / lod), 34.0)
            line_px = min(max(11.0, 9.0 / lod), 24.0)
            scope = self.spec.grad_scope
            probe = self.name[len(scope) + 1:] if scope and self.name.startswith(scope + "/") else self.name
            fits_at = 20.0 * w / max(1.0, QFontMetricsF(_font(20, True)).horizontalAdvance(probe))
            name_px = max(13.0, name_px * 0.7, min(name_px, fits_at))  # shrink a long name a little
            rows = [(self.name, _font(int(name_px), True), QColor("#0f172a"), name_px + 4)]
            if lod >= 0.22 and name_px + line_px + 14 <= NODE_H:
                text, colour = lines[-1]  # the gradient if there is one, else the value
                rows.append((text, _font(int(line_px)), colour, line_px + 4))
            top = inner.center().y() - sum(r[3] for r in rows) / 2
            for i, (text, font, colour, height) in enumerate(rows):
                fm = QFontMetricsF(font)
                painter.setFont(font)
                painter.setPen(colour)
                if i == 0 and probe != self.name:  # "Square_grad/…": the op it belongs to matters most
                    shown = fm.elidedText(probe, Qt.TextElideMode.ElideRight, w)
                elif i == 0:
                    shown = self._short_name(fm, w)
                else:
                    shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, w)
                painter.drawText(QRectF(inner.left(), top, w, height), Qt.AlignmentFlag.AlignCenter, shown)
                top += height
            return
        y = inner.top()
        painter.setFont(self.NAME_FONT)
        painter.setPen(QColor("#0f172a"))
        name = self._short_name(QFontMetricsF(self.NAME_FONT), w)
        painter.drawText(QRectF(inner.left(), y, w, 17), Qt.AlignmentFlag.AlignCenter, name)
        y += 18
        painter.setFont(self.TEXT_FONT)
        fm = QFontMetricsF(self.TEXT_FONT)
        for text, colour in lines[:3]:
            painter.setPen(colour)
            painter.drawText(QRectF(inner.left(), y, w, 15), Qt.AlignmentFlag.AlignCenter,
                             fm.elidedText(text, Qt.TextElideMode.ElideRight, w))
            y += 15

    def _badges(self) -> list[tuple[str, QColor]]:
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

    def _paint_badges(self, painter: QPainter, box: QRectF) -> None:
        painter.setFont(self.BADGE_FONT)
        fm = QFontMetricsF(self.BADGE_FONT)
        right = box.right() - 6
        for text, colour in self._badges():
            w = fm.horizontalAdvance(text) + 10
            r = QRectF(right - w, box.top() - 9, w, 16)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(r, 7, 7)
            painter.setPen(QColor("white"))
            painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
            right -= w + 4


def _shape_text(shape: tuple) -> str:
    if shape == ():
        return "scalar"
    return "(" + ",".join("?" if d is None else str(d) for d in shape) + ")"


_EDGE_MARGIN = 30.0  # an edge's bounding rect reaches this far beyond its path


def _visible(scene_width: float, screen_px: float, lod: float) -> float:
    """A width in scene units that is at least ``screen_px`` pixels on screen (within the margin)."""
    return min(max(scene_width, screen_px / max(lod, 1e-3)), _EDGE_MARGIN)


def _curve_to(path: QPainterPath, q: QPointF, vertical: bool = False) -> None:
    """S-curve from the path's end to ``q``, leaving and arriving horizontally (or vertically)."""
    p = path.currentPosition()
    if vertical:
        dy = (q.y() - p.y()) / 2
        path.cubicTo(QPointF(p.x(), p.y() + dy), QPointF(q.x(), q.y() - dy), q)
    else:
        dx = (q.x() - p.x()) / 2
        path.cubicTo(QPointF(p.x() + dx, p.y()), QPointF(q.x() - dx, q.y()), q)


class EdgeItem(QGraphicsItem):
    """An arrow from ``src`` to ``dst`` (the forward direction), optionally through bend points.

    ``strength`` in [0, 1] (or None) sets pen width and opacity: the log-scaled size of the
    gradient flowing back along the edge.  ``cut`` draws it dashed grey; ``glow`` (1 = already
    travelled, 2 = this animation frame) underlays an amber band and a backward arrowhead.
    """

    ARROW = 9.0

    def __init__(self, src: NodeItem, dst: NodeItem, gradient: bool = False):
        super().__init__()
        self.src, self.dst = src, dst
        self.gradient = gradient  # drawn in the gradient colour
        self.strength: float | None = None
        self.static_cut = False  # from set_stopped / stop_gradient ops
        self.anim_cut = False  # from the backward animation
        self.glow = 0
        self._bends: tuple[tuple[float, float], ...] = ()
        self._path = QPainterPath()
        self._dirs = (QPointF(1, 0), QPointF(1, 0))  # unit directions at the start and the end
        self._size = self.ARROW
        self.setZValue(1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)

    @property
    def cut(self) -> bool:
        return self.static_cut or self.anim_cut

    def set_route(self, bends) -> None:
        self._bends = tuple(bends)
        self.adjust()

    def adjust(self) -> None:
        """Recompute the path after an end node moved.

        Edges normally run left to right (source's right side to destination's left side);
        in a mirrored backward band they run right to left, and between nodes stacked in one
        column they run vertically.
        """
        self.prepareGeometryChange()
        sp, dp = self.src.pos(), self.dst.pos()
        half_w = NODE_W / 2
        if abs(dp.x() - sp.x()) < NODE_W:
            # Same column (a forward value used by a gradient op below it): bulge out into
            # the gap right of the column instead of running through the nodes in between.
            a, b = sp + QPointF(half_w, 0), dp + QPointF(half_w + 2, 0)
            path = QPainterPath(a)
            reach = H_GAP * 0.6
            path.cubicTo(QPointF(a.x() + reach, a.y()), QPointF(b.x() + reach, b.y()), b)
            self._dirs = (QPointF(1, 0), QPointF(-1, 0))
        else:
            sign = 1.0 if dp.x() > sp.x() else -1.0
            a, b = sp + QPointF(sign * half_w, 0), dp - QPointF(sign * (half_w + 2), 0)
            path = QPainterPath(a)
            # Across a layer the edge runs straight through its bend slot (which the layout
            # keeps clear of nodes); it curves only between layers, never under a node.
            for x, y in self._bends:
                _curve_to(path, QPointF(x - sign * half_w, y))
                path.lineTo(QPointF(x + sign * half_w, y))
            _curve_to(path, b)
            self._dirs = (QPointF(sign, 0), QPointF(sign, 0))
        self._path = path

    def set_marks(self, **marks) -> None:
        """Set any of strength, static_cut, anim_cut, glow."""
        _set_marks(self, marks)

    def pen(self, lod: float = 1.0) -> QPen:
        """Pen for the edge at zoom ``lod``: widths never drop below what the eye can see."""
        if self.cut:
            return QPen(CUT_GREY, _visible(1.6, 1.2, lod), Qt.PenStyle.DashLine)
        colour = QColor(GRAD_EDGE if self.gradient else FWD_EDGE)
        t = self.strength
        if t is None:
            colour.setAlpha(110 if self.gradient else 150)
            return QPen(colour, _visible(1.3, 1.0, lod))
        colour.setAlpha(int(55 + 200 * t))
        return QPen(colour, _visible(0.8 + 4.2 * t, 0.9 + 2.6 * t, lod))

    def boundingRect(self) -> QRectF:
        m = _EDGE_MARGIN
        return self._path.boundingRect().adjusted(-m, -m, m, m)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(8)
        return stroker.createStroke(self._path)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if self.glow:
            band = QColor(GLOW)
            band.setAlpha(170 if self.glow == 2 else 80)
            width = _visible(9.0, 5.0, lod) if self.glow == 2 else _visible(6.0, 3.5, lod)
            painter.setPen(QPen(band, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self._path)
        self._size = _visible(self.ARROW, 6.0, lod)
        pen = self.pen(lod)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        start_dir, end_dir = self._dirs
        self._arrow(painter, self._path.pointAtPercent(1.0), end_dir, pen.color())
        if self.glow and not self.cut:  # the gradient travels the other way
            start = self._path.pointAtPercent(0.0) - start_dir * 2
            self._arrow(painter, start, -start_dir, GLOW.darker(130))

    def _arrow(self, painter: QPainter, tip: QPointF, direction: QPointF, colour: QColor) -> None:
        """Filled arrowhead with its tip at ``tip`` pointing along the unit vector ``direction``."""
        a = self._size
        back = tip - direction * a
        side = QPointF(-direction.y(), direction.x()) * (a / 2)
        poly = QPolygonF([tip, back + side, back - side])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        painter.drawPolygon(poly)
