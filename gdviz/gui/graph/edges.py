"""Edges of the computation-graph view: an arrow per input, shaded by the gradient flowing back."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from gdviz.diagram.layout import H_GAP, NODE_W
from gdviz.gui.graph.marks import set_marks

GLOW = QColor("#f59e0b")  # the backward pass: "gradient known here"
GRAD_EDGE = QColor("#9333ea")
FWD_EDGE = QColor("#1e293b")
CUT_GREY = QColor("#9ca3af")

_EDGE_MARGIN = 30.0  # an edge's bounding rect reaches this far beyond its path


def _visible(scene_width: float, screen_px: float, lod: float) -> float:
    """A width in scene units that is at least ``screen_px`` pixels on screen (within the margin)."""
    return min(max(scene_width, screen_px / max(lod, 1e-3)), _EDGE_MARGIN)


def _half_width(item) -> float:
    box = getattr(item, "box", None)
    return box().width() / 2 if box is not None else NODE_W / 2


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

    def __init__(self, src: QGraphicsItem, dst: QGraphicsItem, gradient: bool = False):
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
        src_w, dst_w = _half_width(self.src), _half_width(self.dst)  # a group box is wider
        if abs(dp.x() - sp.x()) < NODE_W:
            # Same column (a forward value used by a gradient op below it): bulge out into
            # the gap right of the column instead of running through the nodes in between.
            a, b = sp + QPointF(src_w, 0), dp + QPointF(dst_w + 2, 0)
            path = QPainterPath(a)
            reach = H_GAP * 0.6
            path.cubicTo(QPointF(a.x() + reach, a.y()), QPointF(b.x() + reach, b.y()), b)
            self._dirs = (QPointF(1, 0), QPointF(-1, 0))
        else:
            sign = 1.0 if dp.x() > sp.x() else -1.0
            a, b = sp + QPointF(sign * src_w, 0), dp - QPointF(sign * (dst_w + 2), 0)
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
        set_marks(self, marks)

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
