"""The (lr, m) map of Momentum/Nesterov: convergence factor per step, the stability boundary, and
the settings in force; a click sets both."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal

import pyqtgraph as pg

from gdviz.training import landscape as ls

N = 64
M_MAX = 0.99


class StabilityMap(pg.PlotWidget):
    picked = Signal(float, float)      # lr, momentum

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground((24, 26, 32))
        pi = self.getPlotItem()
        pi.setLabels(bottom="learning rate", left="momentum m")
        pi.setTitle("convergence factor per step (darker is faster; white line: stability limit)", size="9pt")
        self.img = pg.ImageItem(axisOrder="row-major")
        self.img.setColorMap(pg.colormap.get("magma"))
        pi.addItem(self.img)
        self.limit = pi.plot([], [], pen=pg.mkPen("w", width=2))
        self.here = pg.ScatterPlotItem(size=12, brush=pg.mkBrush("#7fdbca"), pen=pg.mkPen("k"))
        pi.addItem(self.here)
        self.note = pg.TextItem("", color=(220, 220, 220), anchor=(0, 0))
        pi.addItem(self.note)
        self.land = None
        self.optimizer = "momentum"
        self.rates = None
        self._key = None

    def set_landscape(self, land) -> None:
        self.land, self._key = land, None

    def set_config(self, config) -> None:
        if self.land is None:
            return
        key = (config.optimizer, id(self.land))
        if key != self._key:
            self._key = key
            self.optimizer = config.optimizer
            self._draw_map()
        self.here.setData([config.lr], [config.momentum])

    def _lr_max(self) -> float:
        return 1.2 * 2 * (1 + M_MAX) / self.land.eigenvalues[-1]

    def _draw_map(self) -> None:
        lam = self.land.eigenvalues
        if self.optimizer not in ("momentum", "nesterov"):
            self.img.clear()
            self.limit.setData([], [])
            self.note.setText(f"{self.optimizer}: no momentum to choose" if self.optimizer == "gd"
                              else f"{self.optimizer}: no linear stability limit")
            self.rates = None
            return
        self.note.setText("")
        self.lrs = np.linspace(self._lr_max() / N, self._lr_max(), N)
        self.ms = np.linspace(0, M_MAX, N)
        self.rates = ls.rate_map(self.optimizer, self.lrs, self.ms, lam)         # (lr, m)
        self.img.setImage(np.minimum(self.rates.T, 1.05), levels=(0.0, 1.05))    # rows: m
        self.img.setRect(0, 0, self._lr_max(), M_MAX)
        m = np.linspace(0, M_MAX, 100)
        lim = [ls.lr_limits(lam, mm)[self.optimizer] for mm in m]
        self.limit.setData(lim, m)

    def best_nesterov(self) -> tuple[float, float]:
        """The (lr, m) of the fastest convergence on the map (Nesterov has no closed form here)."""
        if self.rates is None:
            self.optimizer = "nesterov"
            self._draw_map()
        i, j = np.unravel_index(np.argmin(self.rates), self.rates.shape)
        return float(self.lrs[i]), float(self.ms[j])

    def mousePressEvent(self, ev):  # Qt override
        if ev.button() == Qt.MouseButton.LeftButton and self.rates is not None:
            p = self.getPlotItem().getViewBox().mapSceneToView(self.mapToScene(ev.position().toPoint()))
            if 0 < p.x() <= self._lr_max() and 0 <= p.y() <= M_MAX:
                self.picked.emit(float(p.x()), float(p.y()))
                ev.accept()
                return
        super().mousePressEvent(ev)
