"""The 2D stand-in for the 3D plane view when OpenGL is missing: predicted vs actual y."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

import pyqtgraph as pg  # noqa: E402  (after PySide6 so pyqtgraph picks that binding)

from gdviz.gui.plane.common import BACKGROUND, NO_GL_NOTE, _PlaneViewBase, _predict
from gdviz.training.landscape import reference_plane
from gdviz.training.types import PlaneData


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

