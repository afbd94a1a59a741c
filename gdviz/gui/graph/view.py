"""The computation-graph view: zoom, fit, keys, overlays and export over a :class:`GraphScene`.

Keys (when the view has focus): ``Right``/``Space`` next backward step, ``Left`` one step back,
``Home`` restart the animation, ``Esc`` leave it, ``F`` fit, ``+``/``-`` zoom, ``0`` 100 %,
``B`` gradient nodes right of / below the forward graph, ``G`` unfold every group / back to
the default folding.  Double-click a ``▸`` group box to unfold it, the tab of
an unfolded group to fold it.  While a backward animation is loaded the view keeps
Right/Left/Space/Home for itself even if the window binds them as shortcuts.

The view re-fits whenever the picture changes (a new graph, fold/unfold, ``B``) and, until the
user zooms or pans, when it is resized.  The scene's own API (``set_graph``, ``set_values``,
``node_item`` …) is reachable on the view too (see :data:`FORWARDED`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QTransform, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

from gdviz.gui.graph import export
from gdviz.gui.graph.group_items import FrameItem, GroupItem
from gdviz.gui.graph.overlays import Overlays
from gdviz.gui.graph.scene import GraphScene

_MIN_SCALE, _MAX_SCALE = 0.05, 6.0
_BACKGROUND = QColor("#fbfbfd")
_ANIM_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_Space, Qt.Key.Key_Home)

#: GraphScene methods callable on the view as well (the app and the tests use them there).
FORWARDED = frozenset({
    "set_graph", "set_values", "set_stopped", "stopped", "cut_edges", "set_show_gradients", "show_gradients",
    "set_backward_placement", "backward_placement", "set_folded", "set_backward_folded_by_default",
    "toggle_group", "toggle_all_groups",
    "folded_groups", "group_names", "start_backward", "backward_step", "backward_back", "backward_reset",
    "clear_backward", "backward_position", "backward_length", "highlighted", "backward_caption",
    "node_item", "group_item", "frame_item", "edge_item", "drawn_boxes", "node_names",
})


class GraphView(QGraphicsView):
    """Shows a :class:`GraphScene` (``self.graph``).

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
        self.graph = GraphScene(self)
        self.setScene(self.graph)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(_BACKGROUND)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._auto_fit = True  # until the user zooms or pans, keep the whole graph in view
        self._was_animating = False
        g = self.graph
        self._overlays = Overlays(self.viewport(), {"restart": g.backward_reset, "back": g.backward_back,
                                                    "step": g.backward_step, "leave": g.clear_backward})
        self.stepper_buttons = self._overlays.buttons
        g.node_clicked.connect(self.node_clicked)
        g.relaid.connect(self._on_relaid)
        g.animation_changed.connect(self._on_animation_changed)

    def __getattr__(self, name: str):
        if name in FORWARDED:
            return getattr(self.graph, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def scene_item_count(self) -> int:
        return len(self.graph.items())

    def _content_rect(self) -> QRectF:
        return self.graph.content_rect()

    def _on_relaid(self) -> None:
        self._auto_fit = True  # the picture changed: show all of it (B used to leave it cut off)
        boxes = self.graph.drawn_boxes()
        self._overlays.set_legend({b.kind for b in boxes}, groups=bool(self.graph.group_names()),
                                  gradients=self.graph.show_gradients())
        self._place_overlays()
        if self.isVisible():
            self.fit()

    def _on_animation_changed(self) -> None:
        pos, n = self.graph.backward_position(), self.graph.backward_length()
        self.stepper_buttons["step"].setEnabled(pos < n)
        self.stepper_buttons["back"].setEnabled(pos > 0)
        self.backward_changed.emit(pos, n)
        self._overlays.set_caption(self.graph.backward_caption())
        self._place_overlays()
        loaded = self.graph.animating()
        if loaded != self._was_animating:
            self._was_animating = loaded
            if self._auto_fit and self.isVisible():
                self.fit()  # make (or give back) room for the caption

    def _place_overlays(self) -> None:
        self._overlays.place(self.graph.animating(), self.graph.has_graph())

    def fit(self) -> None:
        """Zoom so the whole visible graph fits between the overlays (never beyond 150 %)."""
        rect = self.graph.content_rect()
        if rect.isEmpty():
            return
        rect = rect.adjusted(-10, -10, 10, 10)
        self._place_overlays()
        view = QRectF(self.viewport().rect())
        room = view.adjusted(0, self._overlays.top_room(self.graph.animating()), 0, -self._overlays.bottom_room())
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

    def mouseDoubleClickEvent(self, event) -> None:
        # Handled here, not by the items: the box double-clicked disappears as it unfolds,
        # which must not leave the scene with a stale mouse grabber.
        for item in self.items(event.position().toPoint()):
            if isinstance(item, (GroupItem, FrameItem)) and item.isVisible():
                if isinstance(item, GroupItem) or item.shape().contains(item.mapFromScene(
                        self.mapToScene(event.position().toPoint()))):
                    self.graph.toggle_group(item.key)
                    event.accept()
                    return
        super().mouseDoubleClickEvent(event)

    def event(self, event: QEvent) -> bool:
        # Keep the animation keys while an animation is loaded, even if the window binds them.
        if event.type() == QEvent.Type.ShortcutOverride and self.graph.backward_length():
            if isinstance(event, QKeyEvent) and event.key() in _ANIM_KEYS:
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        frames = self.graph.backward_length()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Space) and frames:
            self.graph.backward_step()
        elif key == Qt.Key.Key_Left and frames:
            self.graph.backward_back()
        elif key == Qt.Key.Key_Home and frames:
            self.graph.backward_reset()
        elif key == Qt.Key.Key_Escape and self.graph.animating():
            self.graph.clear_backward()
        elif key == Qt.Key.Key_B:
            self.graph.set_backward_placement("below" if self.graph.backward_placement() == "right" else "right")
        elif key == Qt.Key.Key_G and self.graph.group_names():
            self.graph.toggle_all_groups()
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
    def _export_source(self) -> QRectF:
        source = self.graph.content_rect().adjusted(-16, -16, 16, 16)
        return source if not source.isEmpty() else QRectF(0, 0, 200, 100)

    def export_png(self, path: str | Path, scale: float = 2.0) -> None:
        """Render the graph as shown (groups folded as on screen) to a PNG, ``scale`` px per scene unit."""
        export.export_png(self.graph, self._export_source(), path, scale)

    def export_svg(self, path: str | Path) -> None:
        """Write the graph as shown as SVG (vector; texts stay text)."""
        shown = [i.name for i in self.graph.drawn_boxes()]
        export.export_svg(self.graph, self._export_source(), path, "Nodes: " + ", ".join(shown))
