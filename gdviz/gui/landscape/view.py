"""The parameter-space plot: the exact loss over a slice through the current θ, the path, and
the step's arrows, all in parameter units (aspect locked, so the gradient is ⟂ to the contours).

Pure numbers come from :mod:`gdviz.training.landscape`; this module only draws them.  Axis-aligned
slices (W1–W2, W1–b, W2–b) are drawn in the parameters' own values; the eigen slice in offsets
along the Hessian's two steepest directions from the current θ.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, Signal

import pyqtgraph as pg

from gdviz.training import landscape as ls
from gdviz.training.history import PathHistory

BACKGROUND = (24, 26, 32)
GRID = 128
#: one line under the plot says what each mark is (a legend box would cover the slice)
KEY_HTML = ("<span style='color:#ffffff'>— path</span> &nbsp; <span style='color:#ffd166'>- - ghost (next 300 steps)"
            "</span> &nbsp; ● current θ &nbsp; <span style='color:#ffd166'>★ θ* (least squares)</span> &nbsp; "
            "<span style='color:#ff9f9f'>✕ true (W, b)</span> &nbsp; <span style='color:#96c8ff'>··· eigen-directions"
            "</span><br><span style='color:#ff6b6b'>➜ −lr·gradient</span> &nbsp; <span style='color:#c792ea'>"
            "➜ momentum carried over</span> &nbsp; <span style='color:#ffd166'>➜ last step</span> &nbsp; "
            "<span style='color:#7fdbca'>□ RMSProp/Adam step box lr/(√v+ε)</span> &nbsp; "
            "<span style='color:#98c379'>-·- the same on centred/standardised x, in W, b units</span>")
ARROWS = {  # kind -> (colour, legend)
    "gradient": ("#ff6b6b", "−lr·gradient"),
    "velocity": ("#c792ea", "momentum carried over"),
    "step": ("#ffd166", "last step taken"),
}


class SliceGeometry:
    """Maps θ to plot coordinates for one slice kind through an origin θ."""

    def __init__(self, land: ls.Landscape, kind: str, origin: np.ndarray):
        self.land, self.kind, self.origin = land, kind, np.asarray(origin, np.float64)
        self.u, self.v, self.labels = ls.slice_directions(kind, land)
        self.axes = None if kind == "eigen" else (int(np.argmax(self.u)), int(np.argmax(self.v)))

    def to_plot(self, thetas) -> np.ndarray:
        st = ls.to_slice(self.land, self.origin, self.kind, thetas)
        if self.axes is None:
            return st
        return st + self.origin[list(self.axes)]

    def to_theta(self, x: float, y: float) -> np.ndarray:
        if self.axes is not None:
            x, y = x - self.origin[self.axes[0]], y - self.origin[self.axes[1]]
        return self.origin + x * self.u + y * self.v

    def offsets(self, x, y):
        """Plot coordinates -> (s, t) offsets along u, v."""
        if self.axes is None:
            return x, y
        return x - self.origin[self.axes[0]], y - self.origin[self.axes[1]]


class LandscapePlot(pg.PlotWidget):
    """Heatmap + contour ellipses + path + markers + arrows.  ``clicked(theta)`` on a click."""

    clicked = Signal(object)     # θ (3,) under the mouse
    dragged = Signal(object)     # θ while the button is held (ghost preview)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        pi = self.getPlotItem()
        pi.setAspectLocked(True)
        pi.getViewBox().disableAutoRange()        # the panel frames the slice; a user may zoom
        for a in ("bottom", "left"):
            pi.getAxis(a).enableAutoSIPrefix(False)
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setColorMap(pg.colormap.get("viridis"))
        self.heat.setZValue(-20)
        pi.addItem(self.heat)
        self.contours = pi.plot([], [], pen=pg.mkPen((255, 255, 255, 90), width=1), connect="finite")
        self.eigen = pi.plot([], [], pen=pg.mkPen((150, 200, 255, 110), width=1, style=Qt.PenStyle.DotLine),
                             connect="pairs", name="eigen-directions")
        self.path = pi.plot([], [], pen=pg.mkPen((255, 255, 255, 200), width=1.5), name="path")
        self.ghost = pi.plot([], [], pen=pg.mkPen((255, 209, 102, 220), width=1.5, style=Qt.PenStyle.DashLine),
                             name="ghost: next 300 steps")
        self.box = pi.plot([], [], pen=pg.mkPen("#7fdbca", width=1.5), name="step box lr/(√v+ε)")
        self.conditioned = pi.plot([], [], pen=pg.mkPen("#98c379", width=2, style=Qt.PenStyle.DashDotLine))
        self.shafts: dict[str, pg.PlotDataItem] = {}
        self.heads: dict[str, pg.ArrowItem] = {}
        for kind, (colour, label) in ARROWS.items():
            self.shafts[kind] = pi.plot([], [], pen=pg.mkPen(colour, width=2.5), name=label)
            head = pg.ArrowItem(pen=None, brush=pg.mkBrush(colour), headLen=12, tipAngle=30, pxMode=True)
            head.setVisible(False)
            pi.addItem(head)
            self.heads[kind] = head
        self.current = pg.ScatterPlotItem(size=11, brush=pg.mkBrush("#ffffff"), pen=pg.mkPen("#000000"),
                                          name="current θ")
        self.star = pg.ScatterPlotItem(size=16, symbol="star", brush=pg.mkBrush("#ffd166"), name="θ* least squares")
        self.true = pg.ScatterPlotItem(size=11, symbol="x", brush=pg.mkBrush("#ff9f9f"), pen=pg.mkPen("#ff9f9f"),
                                       name="true (W, b)")
        for item in (self.current, self.star, self.true):
            pi.addItem(item)
        self.arrow_values: dict[str, np.ndarray] = {}
        self._press = None
        self.frames_drawn = 0

    def paintEvent(self, ev):  # Qt override: counts frames for benchmarks/bench_gui.py
        super().paintEvent(ev)
        self.frames_drawn += 1

    # -- drawing ------------------------------------------------------------------------------------
    def draw_heat(self, geo: SliceGeometry, extent: tuple[float, float, float, float], levels) -> np.ndarray:
        """Loss on a GRID² grid over ``extent`` = (x0, x1, y0, y1) in plot coordinates; returns it."""
        x0, x1, y0, y1 = extent
        xs, ys = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
        s, t = geo.offsets(xs, ys)
        grid = geo.origin + s[None, :, None] * geo.u + t[:, None, None] * geo.v      # rows: y
        loss = geo.land.loss(grid)
        self.heat.setImage(np.log10(np.maximum(loss - geo.land.min_loss, 0) + 1e-12), levels=levels)
        self.heat.setRect(x0, y0, x1 - x0, y1 - y0)
        self.grid_axes, self.grid_loss = (xs, ys), loss
        return loss

    def draw_contours(self, geo: SliceGeometry, levels) -> None:
        st = ls.slice_contours(geo.land, geo.origin, geo.kind, levels)
        if len(st) and geo.axes is not None:
            st = st + geo.origin[list(geo.axes)]
        self.contours.setData(st[:, 0] if len(st) else [], st[:, 1] if len(st) else [])

    def draw_markers(self, geo: SliceGeometry, current, true_theta) -> None:
        c = geo.to_plot(np.asarray(current)[None])[0]
        self.current.setData([c[0]], [c[1]])
        st = geo.to_plot(geo.land.theta_star[None])[0]
        self.star.setData([st[0]], [st[1]])
        if true_theta is None:
            self.true.setData([], [])
        else:
            tt = geo.to_plot(np.asarray(true_theta, np.float64)[None])[0]
            self.true.setData([tt[0]], [tt[1]])
        q = geo.land.eigenvectors
        span = 3.0 * np.max(np.abs(self.heat.boundingRect().getRect()[2:])) if self.heat.image is not None else 1.0
        segs = []
        for k in range(3):
            a = geo.to_plot(np.stack([geo.land.theta_star - span * q[:, k], geo.land.theta_star + span * q[:, k]]))
            segs.append(a)
        e = np.concatenate(segs)
        self.eigen.setData(e[:, 0], e[:, 1])

    def draw_path(self, geo: SliceGeometry, path: PathHistory, current) -> None:
        pts = path.points()
        cur = np.asarray(current, np.float64)[None]
        if not len(pts) or not np.array_equal(pts[-1], cur[0]):      # the path may end at θ already
            pts = np.concatenate([pts, cur]) if len(pts) else cur
        p = geo.to_plot(pts)
        self.path.setData(p[:, 0], p[:, 1], connect="finite")

    def draw_ghost(self, geo: SliceGeometry, thetas) -> None:
        if thetas is None or len(thetas) == 0:
            self.ghost.setData([], [])
            return
        p = geo.to_plot(thetas)
        self.ghost.setData(p[:, 0], p[:, 1], connect="finite")

    def draw_conditioned(self, geo: SliceGeometry, thetas) -> None:
        """The same optimizer on centred/standardised x, mapped back to W, b (green)."""
        if thetas is None or len(thetas) == 0:
            self.conditioned.setData([], [])
            return
        p = geo.to_plot(thetas)
        self.conditioned.setData(p[:, 0], p[:, 1], connect="finite")

    def draw_arrows(self, geo: SliceGeometry, start, vectors: dict[str, np.ndarray | None]) -> None:
        """Arrows tip to tail from ``start`` in the order of ``vectors`` (θ-space vectors)."""
        self.arrow_values = {k: v for k, v in vectors.items() if v is not None}
        tail = np.asarray(start, np.float64)
        for kind in ARROWS:
            vec = vectors.get(kind)
            if vec is None or not np.all(np.isfinite(vec)):
                self.shafts[kind].setData([], [])
                self.heads[kind].setVisible(False)
                continue
            base = tail if kind != "step" else np.asarray(start) - vec    # the last step ends here
            a, b = geo.to_plot(np.stack([base, base + vec]))
            self.shafts[kind].setData([a[0], b[0]], [a[1], b[1]])
            d = b - a
            self.heads[kind].setVisible(bool(np.hypot(*d) > 0))
            self.heads[kind].setPos(b[0], b[1])
            self.heads[kind].setStyle(angle=180 + math.degrees(math.atan2(-d[1], d[0])))
            if kind != "step":
                tail = base + vec

    def draw_box(self, geo: SliceGeometry, centre, half) -> None:
        """The per-coordinate step box of RMSProp/Adam (axis-aligned slices only)."""
        if half is None or geo.axes is None:
            self.box.setData([], [])
            return
        c = geo.to_plot(np.asarray(centre)[None])[0]
        hx, hy = half[geo.axes[0]], half[geo.axes[1]]
        self.box.setData([c[0] - hx, c[0] + hx, c[0] + hx, c[0] - hx, c[0] - hx],
                         [c[1] - hy, c[1] - hy, c[1] + hy, c[1] + hy, c[1] - hy])

    # -- mouse: a click sets the start; Shift+drag previews it (ghost) and sets it on release --------
    def _view_point(self, ev):
        p = self.getPlotItem().getViewBox().mapSceneToView(self.mapToScene(ev.position().toPoint()))
        return p.x(), p.y()

    def mousePressEvent(self, ev):  # Qt override
        if ev.button() == Qt.MouseButton.LeftButton and ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._press = "drag"
            self.dragged.emit(self._view_point(ev))
            ev.accept()
            return
        self._press = ev.position() if ev.button() == Qt.MouseButton.LeftButton else None
        super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev):  # Qt override
        if self._press == "drag":
            self.dragged.emit(self._view_point(ev))
            ev.accept()
            return
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev):  # Qt override
        press, self._press = self._press, None
        if press == "drag":
            self.clicked.emit(self._view_point(ev))
            ev.accept()
            return
        super().mouseReleaseEvent(ev)
        if press is not None and (ev.position() - press).manhattanLength() < 5:   # a click, not a pan
            self.clicked.emit(self._view_point(ev))
