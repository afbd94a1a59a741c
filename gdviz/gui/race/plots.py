"""The race's plots: overlaid loss curves, the paths in the (W1, W2) plane, and the
exponentially-weighted-average picture behind momentum.  Each racer keeps its colour in all three.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt

import pyqtgraph as pg

from gdviz.gui.widgets.plot_frame import settle
from gdviz.training.history import LossHistory, PathHistory
from gdviz.training.landscape import analyze
from gdviz.training.race_session import RACER_COLOURS, ewa, gradient_along

BACKGROUND = (24, 26, 32)
TINY = 1e-30   # log axes cannot show 0; a loss this small is drawn at the floor
#: the smoothing picture is a slow read (2000 steps of one racer): redrawn at most this often while
#: racing, which keeps the race's frame under ~15 ms on a software raster (docs/performance.md)
EWA_EVERY_S = 0.2
#: each racer's path is drawn with at most this many vertices (a software raster pays per vertex)
PATH_POINTS = 1024
#: raw gradients get a dot each only while they are few enough to tell apart
EWA_DOTS_MAX = 300


def _plot(title: str, bottom: str, left: str) -> pg.PlotWidget:
    w = pg.PlotWidget()
    w.setBackground(BACKGROUND)
    pi = w.getPlotItem()
    pi.setTitle(title, size="10pt")
    pi.setLabel("bottom", bottom)
    pi.setLabel("left", left)
    # no grid: pyqtgraph paints grid lines inside the axis items, ~10 ms per axis on a software
    # raster at this size (measured), which would halve the frame rate
    for a in ("bottom", "left"):
        pi.getAxis(a).enableAutoSIPrefix(False)
    pi.addLegend(offset=(-10, 10), labelTextSize="9pt")
    return w


class RacePlots:
    """Owns the three plot widgets and each racer's history: losses in a LossHistory and the
    path in a PathHistory, so memory and redraw cost stay bounded however long the race runs."""

    def __init__(self):
        self.loss = _plot("loss per step (log)", "step", "loss")
        self.loss.getPlotItem().setLogMode(y=True)
        self.path = _plot("paths in the (W1, W2) plane, b at its optimum", "W1", "W2")
        self.path.getPlotItem().setAspectLocked(True)
        self.ewa = _plot("momentum smooths the gradient: raw vs averaged", "step", "gradient component")
        self.heat = pg.ImageItem()
        self.path.getPlotItem().addItem(self.heat)
        self.heat.setZValue(-10)
        self.losses: list[LossHistory] = []
        self.paths: list[PathHistory] = []
        self.names: tuple[str, ...] = ()
        self.data = None
        self._curves: list[pg.PlotDataItem] = []
        self._lines: list[pg.PlotDataItem] = []
        self._heads = pg.ScatterPlotItem(size=9, pen=pg.mkPen("w"))   # every racer's current θ, one item
        self.path.getPlotItem().addItem(self._heads)
        self._marks: list = []
        self._ewa_shown = 0.0
        self.ewa_racer, self.ewa_component, self.ewa_beta = 0, 0, 0.9

    # -- a new race ---------------------------------------------------------------------------
    def start(self, names, start, theta_star, min_loss, data, tol) -> None:
        self.names, self.data = tuple(names), data
        self.theta_star, self.min_loss, self.tol = np.asarray(theta_star), float(min_loss), tol
        for w in (self.loss, self.path):
            pi = w.getPlotItem()
            for item in list(pi.listDataItems()):
                if item is not self._heads:      # the racers' markers stay (one item for all)
                    pi.removeItem(item)
            pi.legend.clear()
        for m in self._marks:
            self.path.getPlotItem().removeItem(m)
        self._heads.setData([], [])
        self.losses = [LossHistory() for _ in names]
        self.paths = [PathHistory() for _ in names]
        for p in self.paths:
            p.extend(np.asarray(start)[None, :])
        self._curves, self._lines = [], []
        self._head_brushes = [pg.mkBrush(RACER_COLOURS[i]) for i in range(len(names))]
        for i, name in enumerate(names):
            pen = pg.mkPen(RACER_COLOURS[i], width=2)
            self._curves.append(self.loss.plot([], [], pen=pen, name=name))
            self._curves[-1].setDownsampling(auto=True, method="peak")
            self._curves[-1].setClipToView(True)
            self._lines.append(self.path.plot([], [], pen=pg.mkPen(RACER_COLOURS[i], width=1), name=name,
                                              connect="finite"))
        target = pg.InfiniteLine(pos=np.log10(max(self.min_loss + tol, TINY)), angle=0,
                                 pen=pg.mkPen((200, 200, 200), style=Qt.PenStyle.DashLine),
                                 label="L* + tol", labelOpts=dict(position=0.05, color=(200, 200, 200)))
        self.loss.getPlotItem().addItem(target)
        star = pg.ScatterPlotItem([theta_star[0]], [theta_star[1]], symbol="star", size=16,
                                  brush=pg.mkBrush("#FFFFFF"), name="θ* (least squares)")
        begin = pg.ScatterPlotItem([start[0]], [start[1]], symbol="s", size=9, brush=pg.mkBrush("#999999"),
                                   name="start")
        self._marks = [target, star, begin]
        for m in (star, begin):
            self.path.getPlotItem().addItem(m)
        self._draw_landscape(start)

    def _draw_landscape(self, start) -> None:
        """Loss over (W1, W2) at b = b*: the bowl the paths descend (float64, from the data)."""
        ts, s = self.theta_star, np.asarray(start, np.float64)
        r = max(abs(s[0] - ts[0]), abs(s[1] - ts[1]), 0.1) * 1.6
        n = 120
        w1 = np.linspace(ts[0] - r, ts[0] + r, n)
        w2 = np.linspace(ts[1] - r, ts[1] + r, n)
        g1, g2 = np.meshgrid(w1, w2, indexing="ij")
        grid = np.stack([g1, g2, np.full(g1.shape, ts[2])], axis=-1)
        loss = analyze(self.data).loss(grid)
        self.heat.setImage(np.log10(loss + 1e-12), autoLevels=True)
        self.heat.setColorMap(pg.colormap.get("viridis"))
        self.heat.setOpacity(0.55)
        self.heat.setRect(w1[0], w2[0], w1[-1] - w1[0], w2[-1] - w2[0])

    # -- every update ---------------------------------------------------------------------------
    def add(self, update) -> None:
        """Store the update's losses and paths (cheap); the caller schedules :meth:`redraw`."""
        for i, f in enumerate(update.racers):
            if len(f.losses):
                self.losses[i].extend(f.losses)
            if len(f.path):
                self.paths[i].extend(f.path)

    def redraw(self, playing: bool = False) -> None:
        """Every racer's curve, path and head; the smoothing picture too unless ``playing`` and it
        was redrawn less than EWA_EVERY_S ago."""
        vb = self.loss.getPlotItem().getViewBox()
        width = max(200, int(self.loss.width()))
        heads, brushes = [], []
        for i in range(len(self.names)):
            h = self.losses[i]
            x0, x1 = (0, h.count) if vb.autoRangeEnabled()[0] else vb.viewRange()[0]
            x, y = h.curve(max(0, x0), x1 + 1, max_points=width)
            y = np.where(np.isfinite(y), np.maximum(y, TINY), np.nan)
            self._curves[i].setData(x, y, connect="finite")
            p = self.paths[i].points(max_points=PATH_POINTS)
            self._lines[i].setData(p[:, 0], p[:, 1])
            last = p[np.isfinite(p).all(axis=1)][-1:]
            if len(last):
                heads.append(last[0, :2])
                brushes.append(self._head_brushes[i])
        xy = np.asarray(heads, np.float64).reshape(-1, 2)
        self._heads.setData(xy[:, 0], xy[:, 1], brush=brushes)
        settle(self.loss)        # after every setData: one paint per frame, not two (gui/widgets/plot_frame.py)
        settle(self.path)
        if not playing or time.perf_counter() - self._ewa_shown >= EWA_EVERY_S:
            self.redraw_ewa()

    def _ewa_items(self):
        if not hasattr(self, "_ewa_raw"):
            grey = (170, 170, 170)
            self._ewa_raw = self.ewa.plot([], [], pen=pg.mkPen(grey, width=1), symbol="o", symbolSize=4,
                                          symbolBrush=grey, name="raw gradient dθ")
            self._ewa_v = self.ewa.plot([], [], name="v = β·v + (1−β)·dθ")
            self._ewa_bc = self.ewa.plot([], [], name="v / (1 − βᵗ)  (bias corrected)")
        return self._ewa_raw, self._ewa_v, self._ewa_bc

    def redraw_ewa(self) -> None:
        """Redraw the smoothing picture for the chosen racer, component and β (last 2000 steps)."""
        raw, v, bc = self._ewa_items()
        self._ewa_shown = time.perf_counter()
        p = np.empty((0, 3))
        if self.names and self.ewa_racer < len(self.paths):
            path = self.paths[self.ewa_racer]
            p = path.last(2001)[:-1]                        # the states the gradients were taken at
            p = p[np.isfinite(p).all(axis=1)]
        if len(p) == 0:
            for item in (raw, v, bc):
                item.setData([], [])
            return
        g = gradient_along(p, self.data)[:, self.ewa_component]
        t = np.arange(len(g)) + (self.paths[self.ewa_racer].count - 1 - len(g)) + 1
        colour = RACER_COLOURS[self.ewa_racer]
        raw.setData(t, g, symbol="o" if len(g) <= EWA_DOTS_MAX else None)
        v.setData(t, ewa(g, self.ewa_beta), pen=pg.mkPen(colour, width=2))
        bc.setData(t, ewa(g, self.ewa_beta, True), pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine))
