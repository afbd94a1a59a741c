"""The loss curve: every step's loss, at a cost that does not grow with the run.

The losses live in a :class:`~gdviz.training.history.LossHistory`: the recent ones exactly, all
of them as a min/max envelope (0.5 B/step at most).  The curve is fed only what the visible
x-range needs at the plot's width: exact values when they fit, else per block the min and the
max (every spike kept), so a redraw costs O(pixels) at step 10^3 or 10^8, and zooming in shows
the exact values there.  NaN is drawn as a gap by pyqtgraph, and so (after its own log mapping)
are zero and negative losses in log mode; +-inf would break the axis range, so it is drawn as a
gap too (the readout still says "diverged").
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

import pyqtgraph as pg  # noqa: E402  (after PySide6 so pyqtgraph picks that binding)

from gdviz.gui.widgets.plot_frame import settle
from gdviz.training.history import LossHistory


__all__ = ["LossView"]

BACKGROUND = (24, 26, 32)
CURVE_RGB = (90, 170, 255)
MARKER_RGB = (255, 199, 64)


#: points handed to pyqtgraph per pixel of plot width (min and max of each block)
POINTS_PER_PIXEL = 2


class LossView(QWidget):
    """Loss-per-step plot with a log-y toggle and a marker at the current step.

    Buffers: ``steps`` and ``losses`` (float64, what was appended) and a display copy of the
    losses with gaps (NaN) where the current axis cannot show a value.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._hist = LossHistory()
        self._first = 0            # the step of the first stored loss
        self._log = False
        self._current: int | None = None
        self._pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)

        self.plot = pg.PlotWidget(self)
        self.plot.setBackground(BACKGROUND)
        pi = self.plot.getPlotItem()
        pi.setLabel("bottom", "step")
        pi.setLabel("left", "loss")
        # no grid: pyqtgraph paints grid lines inside its axis items, ~10 ms per axis per frame
        # on a software rasteriser (measured with py-spy), which the GUI thread cannot afford
        pi.getAxis("bottom").enableAutoSIPrefix(False)
        pi.getAxis("left").enableAutoSIPrefix(False)
        self.curve = pi.plot([], [], pen=pg.mkPen(CURVE_RGB, width=1.5))
        # why peak: a 10^6-point curve drawn at ~2 points per pixel still shows every spike
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        self.marker = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(MARKER_RGB, width=1, style=Qt.PenStyle.DashLine),
            # label left of the line: the current step is usually the newest, at the right edge
            label="step {value:.0f}", labelOpts=dict(position=0.95, color=MARKER_RGB, anchors=[(1, 0), (1, 0)]),
        )
        self.marker.setVisible(False)
        pi.addItem(self.marker, ignoreBounds=True)
        self.dot = pi.plot([], [], pen=None, symbol="o", symbolSize=7, symbolBrush=MARKER_RGB, symbolPen=None)
        pi.getViewBox().setDefaultPadding(0.04)
        self.empty_note = pg.TextItem("no steps yet: press Play or Step", color=(138, 143, 152), anchor=(0.5, 0.5))
        self.empty_note.setPos(5, 0.5)
        pi.addItem(self.empty_note, ignoreBounds=True)
        self._auto_after_small = True
        # a zoom or pan asks the history for that range at the plot's width (exact when it fits)
        pi.getViewBox().sigXRangeChanged.connect(self._on_x_range)

        self.log_box = QCheckBox("log y")
        self.log_box.setToolTip("Logarithmic loss axis (zero, negative and non-finite losses are not drawn)")
        self.log_box.toggled.connect(self.set_log_y)
        self.readout = QLabel("no steps yet")
        # a label's text must never widen the window (a long readout pushed it off a laptop screen)
        self.readout.setMinimumWidth(40)
        self.readout.setStyleSheet("color: #8a8f98")
        self.readout.setToolTip("The loss at step k is the loss of W and b after k updates "
                                "(step 0: the start) -- the same number as the status bar")
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(self.readout, 1)
        bar.addWidget(self.log_box)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.plot, 1)
        lay.addLayout(bar)

    # ---- public API -----------------------------------------------------------------------
    def append(self, losses: np.ndarray, first_step: int) -> None:
        """Add losses of steps ``first_step, first_step+1, ...``.

        Parameters
        ----------
        losses : array-like, shape (k,), any real dtype (stored as float64; inf/nan kept)
        first_step : int
            Step of ``losses[0]``.  If it is not after the last stored step (the session was
            reset and replays, or jumped back), stored values from ``first_step`` on are
            replaced, so the curve always shows one history.
        """
        vals = np.asarray(losses, dtype=np.float64).reshape(-1)
        h = self._hist
        if h.count and first_step < self._first + h.count:
            if first_step <= self._first:
                h.clear()
            else:
                h.truncate(first_step - self._first)
        if h.count == 0:
            self._first = int(first_step)
        elif first_step > self._first + h.count:        # a gap: drawn as one
            h.extend(np.full(first_step - self._first - h.count, np.nan))
        if vals.size == 0:
            self._update_readout()
            self.flush()
            return
        h.extend(vals)
        self._current = self._first + h.count - 1
        self._schedule()          # redraws the curve, the marker and the readout once

    def adopt(self, history: LossHistory) -> None:
        """Show ``history`` (steps 0 .. count-1, e.g. a reopened session's) as the curve; the
        view owns it from now on."""
        self._hist = history
        self._first = 0
        self._current = history.count - 1 if history.count else None
        self._schedule()

    def clear(self) -> None:
        """Forget every value."""
        self._hist.clear()
        self._current = None
        self.flush()

    def set_log_y(self, on: bool) -> None:
        """Log-scale the loss axis; non-positive and non-finite losses are drawn as gaps."""
        on = bool(on)
        if on != self.log_box.isChecked():
            self.log_box.blockSignals(True)
            self.log_box.setChecked(on)
            self.log_box.blockSignals(False)
        if on == self._log:
            return
        self._log = on
        self.plot.getPlotItem().setLogMode(y=on)
        self.flush()

    def set_current_step(self, step: int) -> None:
        """Move the current-step marker (``append`` also moves it to the last step).

        Only the marker, the dot and the readout depend on the current step, so the curve is
        not rebuilt (the plane tab calls this right after ``append``: that was a second
        O(pixels) redraw of an unchanged curve per refresh, 3 % of the GUI thread)."""
        step = int(step)
        if step == self._current and not self._pending:
            return                # already shown (append moved the marker there)
        self._current = step
        self._update_marker()

    def point_count(self) -> int:
        """Number of steps stored (exactly or in the envelope)."""
        return self._hist.count

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """The stored steps and losses, float64: exact while the whole run is within the
        history's exact window, else the full-resolution envelope (min/max per block)."""
        n = self._hist.count
        exact = self._hist.exact(0, n)
        if exact is not None:
            return self._first + np.arange(n, dtype=np.float64), exact
        x, y = self._hist.curve(0, n, max_points=n)
        return self._first + x, y

    def memory_bytes(self) -> int:
        """Bytes held by the loss history (bounded: see gdviz/training/history.py)."""
        return self._hist.nbytes

    def is_log_y(self) -> bool:
        return self._log

    def flush(self) -> None:
        """Hand pending appends to the plot now (normally done by a short timer)."""
        self._timer.stop()
        self._pending = False
        self._update_curve()

    # ---- internals ------------------------------------------------------------------------
    def _schedule(self) -> None:
        # a redraw is O(pixels), so appends are drawn at once (Updates arrive <= 50/s)
        self.flush()

    def _visible_range(self) -> tuple[float, float]:
        vb = self.plot.getPlotItem().getViewBox()
        n = self._hist.count
        if vb.autoRangeEnabled()[0]:
            return 0, n
        x0, x1 = vb.viewRange()[0]
        return max(0.0, x0 - self._first), min(float(n), x1 - self._first + 1)

    def _frame_small(self, n: int) -> None:
        """No data: a plain 0..10 frame and a note, not pyqtgraph's meaningless default range;
        one point: a few steps around it, not -600..600."""
        vb = self.plot.getPlotItem().getViewBox()
        self.empty_note.setVisible(n == 0)
        if n == 0:
            vb.setRange(xRange=(0, 10), yRange=(0, 1), padding=0)
            vb.enableAutoRange(x=False, y=False)
        elif n == 1:
            vb.setRange(xRange=(self._first - 1, self._first + 9), padding=0)
            vb.enableAutoRange(x=False, y=True)
        elif not vb.autoRangeEnabled()[0] and self._auto_after_small:
            vb.enableAutoRange(x=True, y=True)
        self._auto_after_small = n < 2

    def _update_curve(self) -> None:
        n = self._hist.count
        self._frame_small(n)
        if n == 0:
            self.curve.setData([], [])
            self._update_marker()
            return
        x0, x1 = self._visible_range()
        width = max(200, int(self.plot.width()))
        x, y = self._hist.curve(x0, x1, max_points=POINTS_PER_PIXEL * width)
        y = np.where(np.isinf(y), np.nan, y)
        self.curve.setData(self._first + x, y, connect="finite")
        self._update_marker()
        settle(self.plot)        # one paint per refresh, not two (gui/widgets/plot_frame.py)

    def _on_x_range(self, *_):
        vb = self.plot.getPlotItem().getViewBox()
        if not self._pending and self._hist.count and not vb.autoRangeEnabled()[0]:
            self._pending = True
            self._timer.start(30)      # coalesce a drag into a few redraws

    def _current_loss(self) -> float:
        if self._current is None:
            return math.nan
        i = self._current - self._first
        v = self._hist.exact(i, i + 1)
        return float(v[0]) if v is not None and len(v) else math.nan

    def _update_marker(self) -> None:
        # moving the marker repaints the whole plot, so it shares the curve's coalescing
        n = self._hist.count
        if self._current is None or n == 0:
            self.marker.setVisible(False)
        else:
            self.marker.setVisible(True)
            self.marker.setValue(self._current)
        loss = self._current_loss()
        if n and math.isfinite(loss) and (loss > 0 or not self._log):
            self.dot.setData([self._current], [loss])
        else:
            self.dot.setData([], [])
        self._update_readout()

    def _update_readout(self) -> None:
        n = self._hist.count
        if self._current is None or n == 0:
            self.readout.setText("no steps yet")
            return
        loss = self._current_loss()
        note = "" if math.isfinite(loss) else "  (diverged)"
        self.readout.setText(f"step {self._current}   loss {loss:.6g}{note}   ({n} points)")
