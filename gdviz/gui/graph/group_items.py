"""Boxes of name-scope groups: a folded group (:class:`GroupItem`) and the frame around an
unfolded one (:class:`FrameItem`)."""

from __future__ import annotations


import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem

from gdviz.diagram.groups import Group
from gdviz.diagram.labels import value_candidates
from gdviz.diagram.layout import H_GAP, NODE_H, NODE_W
from gdviz.gui.graph.items import GRAD_INK, INK, BoxItem, format_full
from gdviz.gui.graph.text import Row, draw_rows, line_height


GROUP_EXTRA = 0.4 * H_GAP  # scene units a folded box reaches into the gap on each side


class GroupItem(BoxItem):
    """A folded name scope (``▸ name``): its size and outputs with their values; double-click unfolds.

    ``outputs`` are ``(label, node)`` pairs: the gradients a ``gradients()`` call returns, an
    optimizer's slots and learning rate, or members read outside the group.
    """

    def __init__(self, group: Group, kind: str, outputs):
        super().__init__(group.name, kind)
        self.group = group
        self.key = group.key
        self.outputs: tuple[tuple[str, str], ...] = tuple(outputs)
        self._values: dict[str, object] = {}
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_values(self, values) -> bool:
        new = {node: values.get(node) for _label, node in self.outputs}
        if all(_same(new[k], self._values.get(k)) for k in new) and len(new) == len(self._values):
            return False
        self._values = new
        self.update()
        return True

    def output_values(self) -> list[tuple[str, str, object]]:
        """``(label, node, value)`` for each output, as the box shows them."""
        return [(label, node, self._values.get(node)) for label, node in self.outputs]

    def rows(self) -> list[Row]:
        n = len(self.group.members)
        # The ▸ stays: it is what says "double-click to unfold"; a long name is shortened in the middle.
        title = Row((f"▸ {self.name} · {n} nodes", f"▸ {self.name}"), INK, 13.0, True, 0)
        out = [title]
        for i, (label, node) in enumerate(self.outputs):
            v = self._values.get(node)
            texts = tuple(f"{label} = {c}" for c in value_candidates(v)) if v is not None else ()
            out.append(Row(texts + (label,), GRAD_INK if label.startswith("∇") else INK, 11.0, False, 1 + i,
                           elide=False))
        return out

    def tooltip_text(self) -> str:
        lines = [f"{self.name}: a folded name scope of {len(self.group.members)} nodes "
                 "(double-click to unfold; G folds or unfolds every group)"]
        for label, node, v in self.output_values():
            lines.append(f"\n{label}  ({node}) = " + (format_full(v) if v is not None else "(not computed)"))
        return "\n".join(lines)

    def box(self) -> QRectF:
        """Wider than a node by most of the gaps beside it: its texts are what the folded nodes say."""
        return QRectF(-NODE_W / 2 - GROUP_EXTRA, -NODE_H / 2, NODE_W + 2 * GROUP_EXTRA, NODE_H)

    def paint_body(self, painter: QPainter, box: QRectF, fill: QColor, pen: QPen) -> None:
        back = QPen(pen)
        back.setWidthF(1.0)
        painter.setPen(back)
        painter.setBrush(fill.darker(104))
        for k in (2, 1):  # a stack of cards: several nodes inside
            painter.drawRoundedRect(box.translated(4 * k, -4 * k), 9, 9)
        pen.setWidthF(pen.widthF() + 0.8)
        super().paint_body(painter, box, fill, pen)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()  # (the view handles double-clicks on groups: GraphView.mouseDoubleClickEvent)


class FrameItem(QGraphicsItem):
    """The outline of an unfolded group with its name on a tab; double-click the tab to fold."""

    _TAB_H = 22.0
    _GROW = 240.0  # the tab's text at 8 pt when zoomed out to 5 %, the view's limit

    def __init__(self, group: Group):
        super().__init__()
        self.group = group
        self.key = group.key
        self._rect = QRectF()
        self.drawn: list[tuple[str, float]] = []
        self._lod = 1.0
        self.setZValue(0)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setToolTip(f"{group.name}: {len(group.members)} nodes. Double-click the tab to fold them into one box.")

    def set_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = rect.adjusted(-12, -12 - self._TAB_H, 12, 12)

    def outline(self) -> QRectF:
        """The frame and its tab as last drawn (the view fits this, not the tab's whole reserve)."""
        return self._rect.united(self._tab(self._lod))

    def boundingRect(self) -> QRectF:
        # Room above for the tab's text, which grows as the view zooms out (8 pt down to 10 %).
        return self._rect.adjusted(-2, -self._GROW, 2, 2)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self._tab(self._lod))  # the tab, as last painted: the frame's inside stays pannable
        return path

    def _tab(self, lod: float) -> QRectF:
        h = min(self._TAB_H + self._GROW, max(self._TAB_H, line_height(12.0, lod) + 1.0))
        return QRectF(self._rect.left(), self._rect.top() + self._TAB_H - h, self._rect.width(), h)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(QPen(QColor("#94a3b8"), 1.2, Qt.PenStyle.DashLine))
        painter.setBrush(QColor(241, 245, 249, 120))
        painter.drawRoundedRect(self._rect, 12, 12)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        self._lod = lod  # for shape(): hit-testing the tab as drawn
        rows = [Row((f"▾ {self.group.name}  (double-click to fold)", f"▾ {self.group.name}"),
                    QColor("#334155"), 12.0, True, 0,
                    align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)]
        self.drawn = draw_rows(painter, self._tab(lod).adjusted(10, 0, 0, 0), lod, rows)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()  # (the view handles double-clicks on groups: GraphView.mouseDoubleClickEvent)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
