"""The plane-fit scene: data points, the fitted plane, the true plane and the residuals.

``make_plane_view()`` returns the 3D :class:`PlaneView` (pyqtgraph.opengl) when OpenGL works,
else the 2D :class:`FallbackPlaneView` with a visible note.  Both have the same API:
``set_data``, ``set_snapshot``, ``set_show_true_plane``, ``set_show_residuals``,
``surface_heights``, ``frames_drawn``, ``scene_item_count``.

Scene coordinates are the data's own: GL x = x1, GL y = x2, GL z = y.  Every scene item is
created once in ``__init__``; data and snapshots only call ``setData`` on them, so a long run
never grows the scene.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFont, QMatrix4x4, QPainter, QVector3D
from PySide6.QtOpenGL import QOpenGLPaintDevice
from PySide6.QtWidgets import QVBoxLayout, QWidget

import pyqtgraph as pg  # noqa: E402,F401  (after PySide6 so pyqtgraph picks that binding)
import pyqtgraph.opengl as gl  # noqa: E402

from gdviz.gui.gl_check import opengl_available
from gdviz.gui.plane.common import (  # noqa: F401  (re-exported: tests and callers use these names)
    BACKGROUND, DRAW_LIMIT, GRID, NO_GL_NOTE, PLANE_EDGE_RGBA, PLANE_RGBA, POINT_RGBA, RESID_RGBA, TRUE_RGBA,
    _grid_axes, _PlaneViewBase, _predict, plane_heights, plane_wire)
from gdviz.gui.plane.fallback import FallbackPlaneView
from gdviz.training.landscape import reference_plane
from gdviz.training.types import PlaneData

__all__ = ["PlaneView", "FallbackPlaneView", "make_plane_view", "opengl_available", "plane_heights"]


def window_point(view: gl.GLViewWidget, item_transform: QMatrix4x4, pos) -> QPointF:
    """Where the 3-D point ``pos`` (item coordinates) lands in ``view``'s widget pixels.

    Built from pyqtgraph's public camera state (``opts['distance']``, ``opts['fov']``,
    ``viewMatrix()``) with the same frustum GLViewWidget uses, because the projection helpers
    differ between pyqtgraph releases (``projectionMatrix``'s signature changed in 0.14 and
    ``GLTextItem.compute_projection`` exists only there).
    """
    w, h = max(view.width(), 1), max(view.height(), 1)
    near = view.opts["distance"] * 0.001
    r = near * math.tan(0.5 * math.radians(view.opts["fov"]))
    t = r * h / w
    projection = QMatrix4x4()
    projection.frustum(-r, r, -t, t, near, view.opts["distance"] * 1000.0)
    to_window = QMatrix4x4()
    to_window.viewport(0.0, float(h), float(w), -float(h))
    return (to_window * projection * view.viewMatrix() * item_transform).map(QVector3D(*pos)).toPointF()


class _Label(gl.GLTextItem):
    """GLTextItem that paints into the current GL framebuffer, not "the widget".

    Why: pyqtgraph paints labels with ``QPainter(view)``; while Qt grabs a window
    (``QWidget.grab``, the app's screenshots) painters on the widget are redirected to the grab
    image and then covered by the GL image, so every label vanished from screenshots.  A
    ``QOpenGLPaintDevice`` draws into the bound framebuffer on screen and in grabs alike.

    Labels of one view are painted together: the first visible one opens one painter and draws
    every visible sibling's text, the others skip.  Each ``QPainter.end()`` on a GL device
    flushes its text to GL; seven of them per frame were 5 % of the GUI thread under llvmpipe.
    """

    def __init__(self, *args, siblings: list | None = None, **kw):
        super().__init__(*args, **kw)
        self.siblings = siblings if siblings is not None else []
        self.siblings.append(self)

    def paint(self):  # pyqtgraph GLGraphicsItem override
        shown = [it for it in self.siblings if it.visible() and it.text and it.view() is self.view()]
        if not shown or shown[0] is not self:
            return
        self.setupGLState()
        view = self.view()
        device = QOpenGLPaintDevice(view.deviceWidth(), view.deviceHeight())
        device.setDevicePixelRatio(view.devicePixelRatioF())
        painter = QPainter(device)
        try:
            painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
            for it in shown:
                painter.setPen(it.color)
                painter.setFont(it.font)
                painter.drawText(window_point(view, it.viewTransform(), it.pos), it.text)
        finally:
            painter.end()


class _CountingGLView(gl.GLViewWidget):
    """GLViewWidget that counts real repaints (the benchmark's frames/s) and resets on double-click."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.frames_drawn = 0
        self.home = dict(pos=pg.Vector(0.5, 0.5, 0.3), distance=2.25, elevation=22, azimuth=-122)

    def paintGL(self):  # Qt override: keep Qt's name
        super().paintGL()
        self.frames_drawn += 1

    def mouseDoubleClickEvent(self, ev):  # Qt override: back to the home camera
        self.setCameraPosition(**self.home)
        ev.accept()


class PlaneView(_PlaneViewBase):
    """3D plane-fit view (pyqtgraph.opengl).  Drag: orbit; wheel: zoom; double-click: reset camera."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = _CountingGLView(self)
        self.view.setBackgroundColor(BACKGROUND)
        self.view.setCameraPosition(**self.view.home)
        self.view.setMinimumSize(240, 200)
        self._other_items: list = []
        self._build_items()
        self._draw()

        self.toggles.hint.setText("drag: orbit · wheel: zoom · double-click: reset")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.toggles)

    # ---- scene, created once ------------------------------------------------------------
    def _build_items(self) -> None:
        v = self.view
        floor = gl.GLGridItem(color=(255, 255, 255, 34))
        floor.setSize(1, 1)
        floor.setSpacing(0.1, 0.1)
        floor.translate(0.5, 0.5, -0.002)  # a hair below z=0 so a plane at y=0 does not z-fight it
        v.addItem(floor)
        axes = np.array([[0, 0, 0], [1.1, 0, 0], [0, 0, 0], [0, 1.1, 0], [0, 0, 0], [0, 0, 1.0]], float)
        colors = np.array([[0.95, 0.45, 0.45, 1]] * 2 + [[0.45, 0.9, 0.5, 1]] * 2 + [[0.5, 0.7, 1, 1]] * 2)
        v.addItem(gl.GLLinePlotItem(pos=axes, color=colors, mode="lines", width=2, antialias=True))
        font = QFont("DejaVu Sans", 11)
        small = QFont("DejaVu Sans", 8)
        labels: list = []       # painted together, one painter per frame
        for text, pos, color in (("x1", (1.15, 0, 0), (242, 115, 115)), ("x2", (0, 1.15, 0), (115, 230, 128)),
                                 ("y", (0, 0, 1.05), (128, 178, 255))):
            v.addItem(_Label(pos=pos, text=text, color=color, font=font, siblings=labels))
        for text, pos in (("0", (0, 0, 0)), ("1", (1, 0, 0)), ("1", (0, 1, 0)), ("1", (0, 0, 1))):
            v.addItem(_Label(pos=pos, text=text, color=(150, 155, 165), font=small, siblings=labels))
        # why depth values: translucent items must be drawn after what they cover, so the
        # points and residuals (opaque-ish) go first and the fitted plane last.
        self.points = gl.GLScatterPlotItem(pos=np.zeros((0, 3)), color=POINT_RGBA, size=7, pxMode=True)
        self.points.setGLOptions("translucent")
        self.residuals = gl.GLLinePlotItem(pos=np.zeros((0, 3)), color=RESID_RGBA, mode="lines",
                                           width=1.5, antialias=True, glOptions="translucent")
        self.true_plane = gl.GLLinePlotItem(pos=np.zeros((0, 3)), color=TRUE_RGBA, mode="lines",
                                            width=1, antialias=True, glOptions="translucent")
        self.surface = gl.GLSurfacePlotItem(
            x=self._x1, y=self._x2, z=self._draw_z(self._heights), computeNormals=False,
            color=PLANE_RGBA, glOptions="translucent", showGrid=True, lineColor=PLANE_EDGE_RGBA,
        )
        self.true_plane.setDepthValue(1)
        self.surface.setDepthValue(2)
        for item in (self.points, self.residuals, self.true_plane, self.surface):
            v.addItem(item)

    @staticmethod
    def _draw_z(z: np.ndarray) -> np.ndarray:
        return np.clip(np.nan_to_num(z, nan=0.0, posinf=DRAW_LIMIT, neginf=-DRAW_LIMIT),
                       -DRAW_LIMIT, DRAW_LIMIT).astype(np.float32)

    @property
    def frames_drawn(self) -> int:
        """Number of times the GL widget has actually painted."""
        return self.view.frames_drawn

    def scene_item_count(self) -> int:
        """Top-level items in the GL scene (constant after construction)."""
        return len(self.view.items)

    def reset_camera(self) -> None:
        """Back to the default framing of the unit cube."""
        self.view.setCameraPosition(**self.view.home)

    def _on_data(self, data: PlaneData) -> None:
        x = np.asarray(data.x, dtype=np.float64)
        y = np.asarray(data.y, dtype=np.float64).reshape(-1)
        self.points.setData(pos=np.column_stack([x[0], x[1], y]).astype(np.float32))
        self.surface.setData(x=self._x1, y=self._x2)
        self.true_plane.setData(pos=self._true_plane_lines(data))

    def _draw(self) -> None:
        shown = self._has_fit and bool(np.isfinite(self._heights).all())
        self.surface.setData(z=self._draw_z(self._heights))
        self.surface.setVisible(shown)  # a diverged plane is not drawn rather than drawn wrong
        if self._data is not None:
            x = np.asarray(self._data.x, dtype=np.float64)
            y = np.asarray(self._data.y, dtype=np.float64).reshape(-1)
            seg = np.empty((2 * x.shape[1], 3), dtype=np.float32)
            seg[0::2, 0] = seg[1::2, 0] = x[0]
            seg[0::2, 1] = seg[1::2, 1] = x[1]
            seg[0::2, 2] = y
            seg[1::2, 2] = self._draw_z(_predict(self._data, self._W, self._b))
            self.residuals.setData(pos=seg)
        self.residuals.setVisible(self._show_resid and shown)
        self.true_plane.setVisible(self._show_true)

    def _true_plane_lines(self, data: PlaneData, n: int = 11) -> np.ndarray:
        """Wireframe segments of the true plane over the data range, shape (4n(n-1), 3)."""
        W, b, label = reference_plane(data)
        self.toggles.set_reference_label(label)
        return plane_wire(W, b, data, n)

    def _draw_others(self) -> None:
        while len(self._other_items) < len(self._others):
            item = gl.GLLinePlotItem(pos=np.zeros((0, 3)), mode="lines", width=1, antialias=True,
                                     glOptions="translucent")
            item.setDepthValue(1)
            self.view.addItem(item)
            self._other_items.append(item)
        for i, item in enumerate(self._other_items):
            if i < len(self._others) and self._data is not None:
                W, b, rgba = self._others[i]
                ok = bool(np.isfinite(W).all() and np.isfinite(b).all())
                if ok:
                    item.setData(pos=self._draw_z_pos(plane_wire(W, b, self._data, 7)), color=rgba)
                item.setVisible(ok)
            else:
                item.setVisible(False)

    def _draw_z_pos(self, seg: np.ndarray) -> np.ndarray:
        seg = seg.copy()
        seg[:, 2] = self._draw_z(seg[:, 2])
        return seg



def make_plane_view(parent: QWidget | None = None) -> PlaneView | FallbackPlaneView:
    """The 3D view when OpenGL works here, else the 2D fallback (which shows why)."""
    if opengl_available():
        try:
            return PlaneView(parent)
        except Exception:  # noqa: BLE001 - GL can still fail at widget creation; never crash
            pass
    return FallbackPlaneView(parent)

