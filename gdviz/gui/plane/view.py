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
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont, QMatrix4x4, QPainter, QVector3D
from PySide6.QtOpenGL import QOpenGLPaintDevice
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

import pyqtgraph as pg  # noqa: E402  (after PySide6 so pyqtgraph picks that binding)
import pyqtgraph.opengl as gl  # noqa: E402

from gdviz.gui.gl_check import opengl_available
from gdviz.training.landscape import reference_plane
from gdviz.training.types import PlaneData, Snapshot

__all__ = ["PlaneView", "FallbackPlaneView", "make_plane_view", "opengl_available", "plane_heights"]

GRID = 11  # vertices per side of the fitted plane: a flat plane needs few, and its grid lines match the floor's
BACKGROUND = (24, 26, 32)
POINT_RGBA = (1.0, 0.78, 0.25, 1.0)        # warm amber: stands out against the blue plane
PLANE_RGBA = (0.25, 0.55, 1.0, 0.42)       # translucent blue, points stay visible through it
PLANE_EDGE_RGBA = (0.55, 0.75, 1.0, 0.55)
TRUE_RGBA = (0.72, 0.72, 0.76, 0.65)       # grey wireframe
RESID_RGBA = (1.0, 0.36, 0.36, 0.85)       # thin red
DRAW_LIMIT = 1e3  # |z| clamp for drawing only: float32 GL buffers overflow on a diverged fit
NO_GL_NOTE = "3D view unavailable (no OpenGL): showing a 2D view"


def plane_heights(W: np.ndarray, b: np.ndarray, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """Heights of the plane ``y = W[0,0]*x1 + W[0,1]*x2 + b`` on a grid.

    Parameters
    ----------
    W : array, shape (1, 2);  b : array, shape (1,) or scalar
    x1 : array, shape (n1,);  x2 : array, shape (n2,)

    Returns
    -------
    ndarray, shape (n1, n2), float64 — ``z[i, j]`` is the height at ``(x1[i], x2[j])``.
    """
    w = np.asarray(W, dtype=np.float64).reshape(-1)
    b0 = float(np.asarray(b, dtype=np.float64).reshape(-1)[0])
    with np.errstate(all="ignore"):  # a diverged W gives inf/nan heights; that is the truth
        return (w[0] * np.asarray(x1, np.float64)[:, None]
                + w[1] * np.asarray(x2, np.float64)[None, :] + b0)


def plane_wire(W: np.ndarray, b: np.ndarray, data: PlaneData, n: int = 11) -> np.ndarray:
    """Wireframe segments of the plane ``y = W.x + b`` over the data's x range, (4n(n-1), 3)."""
    a1, a2 = _grid_axes(data, n)
    z = plane_heights(W, b, a1, a2)
    X1, X2 = np.meshgrid(a1, a2, indexing="ij")
    P = np.stack([X1, X2, z], axis=-1)
    along1 = np.stack([P[:-1, :], P[1:, :]], axis=2).reshape(-1, 3)
    along2 = np.stack([P[:, :-1], P[:, 1:]], axis=2).reshape(-1, 3)
    return np.concatenate([along1, along2]).astype(np.float32)


def _grid_axes(data: PlaneData | None, n: int = GRID) -> tuple[np.ndarray, np.ndarray]:
    """The x1 and x2 samples spanning the data (the unit square when there is no data)."""
    if data is None or data.points == 0:
        lo1, hi1, lo2, hi2 = 0.0, 1.0, 0.0, 1.0
    else:
        x = np.asarray(data.x, dtype=np.float64)
        lo1, hi1 = float(x[0].min()), float(x[0].max())
        lo2, hi2 = float(x[1].min()), float(x[1].max())
        if hi1 - lo1 < 1e-9:
            lo1, hi1 = lo1 - 0.5, hi1 + 0.5
        if hi2 - lo2 < 1e-9:
            lo2, hi2 = lo2 - 0.5, hi2 + 0.5
    return np.linspace(lo1, hi1, n), np.linspace(lo2, hi2, n)


def _predict(data: PlaneData, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Model output per point, shape (N,), float64."""
    w = np.asarray(W, dtype=np.float64).reshape(-1)
    b0 = float(np.asarray(b, dtype=np.float64).reshape(-1)[0])
    x = np.asarray(data.x, dtype=np.float64)
    with np.errstate(all="ignore"):
        return w[0] * x[0] + w[1] * x[1] + b0


class _Toggles(QWidget):
    """Legend row that doubles as the two view toggles (so the view works on its own)."""

    def __init__(self, owner, parent=None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        self.legend = legend = QLabel(
            "<span style='color:#ffc740'>&#9679;</span> data &nbsp; "
            "<span style='color:#4a8cff'>&#9632;</span> fitted plane"
        )
        self.true_plane = QCheckBox("true plane")
        self.true_plane.setToolTip("Show the plane that generated the data (grey wireframe)")
        self.residuals = QCheckBox("residuals")
        self.residuals.setToolTip("Show each point's error: a red line from the point to the fitted plane")
        self.hint = QLabel()
        self.hint.setMinimumWidth(20)      # clipped, never widening the window
        self.hint.setStyleSheet("color: #8a8f98")
        for w in (legend, self.true_plane, self.residuals):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.hint)
        self.true_plane.setChecked(True)
        self.residuals.setChecked(True)
        self.true_plane.toggled.connect(owner.set_show_true_plane)
        self.residuals.toggled.connect(owner.set_show_residuals)

    def set_reference_label(self, label: str) -> None:
        """'true plane' for generated data, 'least-squares plane' for loaded data."""
        self.true_plane.setText(label)
        self.true_plane.setToolTip("Show the plane that generated the data (grey wireframe)" if label == "true plane"
                                   else "Show the least-squares plane of this data (grey wireframe): "
                                        "loaded data has no true plane")

    def sync(self, true_plane: bool, residuals: bool) -> None:
        """Reflect programmatic changes without echoing them back as signals."""
        for box, on in ((self.true_plane, true_plane), (self.residuals, residuals)):
            box.blockSignals(True)
            box.setChecked(on)
            box.blockSignals(False)


class _PlaneViewBase(QWidget):
    """State and public API shared by the 3D and the 2D view; subclasses only draw.

    Subclasses implement ``_on_data(data)`` (data-dependent items), ``_draw()`` (fit-dependent
    items and visibility, from ``_W``, ``_b``, ``_heights``, ``_has_fit``, ``_show_*``),
    ``frames_drawn``, ``scene_item_count`` and ``reset_camera``.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._data: PlaneData | None = None
        self._W = np.zeros((1, 2))
        self._b = np.zeros(1)
        self._x1, self._x2 = _grid_axes(None)
        self._heights = plane_heights(self._W, self._b, self._x1, self._x2)
        self._show_true = True
        self._show_resid = True
        self._has_fit = False  # no fit is drawn until the first snapshot says where it is
        self._others: list = []
        self.toggles = _Toggles(self)

    def surface_heights(self) -> np.ndarray:
        """The fitted plane's z grid, shape (GRID, GRID), float64 (exact, may be non-finite)."""
        return self._heights.copy()

    def grid_axes(self) -> tuple[np.ndarray, np.ndarray]:
        """The x1 and x2 samples of the surface grid, each shape (GRID,), float64."""
        return self._x1.copy(), self._x2.copy()

    def set_data(self, data: PlaneData) -> None:
        """Show a new data set; the surface grid spans its x1/x2 range."""
        self._data = data
        self._x1, self._x2 = _grid_axes(data)
        self._on_data(data)
        self._refresh()

    def set_snapshot(self, snap: Snapshot) -> None:
        """Move the fitted plane and residuals to the snapshot's W and b (updates only)."""
        self.set_fit(snap.W, snap.b)

    def set_fit(self, W, b) -> None:
        """Move the fitted plane and residuals to ``W`` (2 values) and ``b``."""
        self._W = np.asarray(W, dtype=np.float64).reshape(1, 2)
        self._b = np.asarray(b, dtype=np.float64).reshape(-1)[:1]
        self._has_fit = True
        self._refresh()

    def set_other_planes(self, planes) -> None:
        """Faint wireframes of other fits (the race's other racers): ``[(W, b, rgba), ...]``,
        rgba floats in [0, 1].  The 2D fallback does not draw them."""
        self._others = [(np.asarray(W, np.float64).reshape(1, 2), np.asarray(b, np.float64).reshape(-1)[:1],
                         tuple(rgba)) for W, b, rgba in planes]
        self._draw_others()

    def _draw_others(self) -> None:
        """Subclasses that can draw other planes override this."""

    def set_show_true_plane(self, on: bool) -> None:
        self._show_true = bool(on)
        self._draw()
        self.toggles.sync(self._show_true, self._show_resid)

    def set_show_residuals(self, on: bool) -> None:
        self._show_resid = bool(on)
        self._draw()
        self.toggles.sync(self._show_true, self._show_resid)

    def _refresh(self) -> None:
        self._heights = plane_heights(self._W, self._b, self._x1, self._x2)
        self._draw()

    def _on_data(self, data: PlaneData) -> None:
        raise NotImplementedError

    def _draw(self) -> None:
        raise NotImplementedError


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


class _CountingPlot(pg.PlotWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.frames_drawn = 0

    def paintEvent(self, ev):  # Qt override: keep Qt's name
        super().paintEvent(ev)
        self.frames_drawn += 1


class FallbackPlaneView(_PlaneViewBase):
    """2D stand-in when OpenGL is missing: predicted vs actual y, the identity line, residuals."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.note = QLabel(NO_GL_NOTE)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setStyleSheet("background:#4a3b12; color:#ffd479; padding:4px;")
        self.plot = _CountingPlot(self)
        self.plot.setBackground(BACKGROUND)
        pi = self.plot.getPlotItem()
        pi.setLabel("bottom", "actual y")
        pi.setLabel("left", "predicted ŷ")
        for side in ("bottom", "left"):
            pi.getAxis(side).enableAutoSIPrefix(False)  # "(x0.001)" reads as noise to a learner
        pi.showGrid(x=True, y=True, alpha=0.15)
        pi.addLegend(offset=(10, 10))
        pen_id = pg.mkPen((150, 155, 165), width=1, style=Qt.PenStyle.DashLine)
        self.identity = pi.plot([], [], pen=pen_id, name="perfect fit (ŷ = y)")
        self.residuals = pi.plot([], [], pen=pg.mkPen((255, 92, 92, 200), width=1), connect="pairs",
                                 name="residuals")
        self.true_plane = pi.plot([], [], pen=None, symbol="o", symbolSize=6, symbolBrush=None,
                                  symbolPen=pg.mkPen((185, 185, 195)), name="true plane: ŷ vs y")
        self.points = pi.plot([], [], pen=None, symbol="o", symbolSize=7,
                              symbolBrush=(255, 199, 64), symbolPen=None, name="fitted plane: ŷ vs y")

        self.toggles.legend.hide()  # the plot has its own legend
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.note)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.toggles)

    @property
    def frames_drawn(self) -> int:
        """Number of times the plot has actually painted."""
        return self.plot.frames_drawn

    def scene_item_count(self) -> int:
        """Items in the plot (constant after construction)."""
        return len(self.plot.getPlotItem().items)

    def reset_camera(self) -> None:
        """Auto-range the plot again."""
        self.plot.getPlotItem().enableAutoRange()

    def _on_data(self, data: PlaneData) -> None:
        y = np.asarray(data.y, dtype=np.float64).reshape(-1)
        if y.size:
            lo, hi = float(y.min()), float(y.max())
            pad = 0.1 * (hi - lo) + 1e-3
            self.identity.setData([lo - pad, hi + pad], [lo - pad, hi + pad])
        W, b, label = reference_plane(data)
        self.toggles.set_reference_label(label)
        self.true_plane.setData(y, _predict(data, W, b))
        self.true_plane.opts["name"] = f"{label}: ŷ vs y"

    def _draw(self) -> None:
        self.true_plane.setVisible(self._show_true)
        self.residuals.setVisible(self._show_resid)
        if self._data is None:
            return
        y = np.asarray(self._data.y, dtype=np.float64).reshape(-1)
        pred = _predict(self._data, self._W, self._b)
        if not self._has_fit or not np.isfinite(pred).all():  # unknown or diverged: draw nothing
            self.points.setData([], [])
            self.residuals.setData([], [])
            return
        self.points.setData(y, pred)
        seg_y = np.empty(2 * y.size)
        seg_y[0::2] = y
        seg_y[1::2] = pred
        self.residuals.setData(np.repeat(y, 2), seg_y)


def make_plane_view(parent: QWidget | None = None) -> PlaneView | FallbackPlaneView:
    """The 3D view when OpenGL works here, else the 2D fallback (which shows why)."""
    if opengl_available():
        try:
            return PlaneView(parent)
        except Exception:  # noqa: BLE001 - GL can still fail at widget creation; never crash
            pass
    return FallbackPlaneView(parent)
