"""The loss curve: every step's loss, kept forever, readable at 10^6 steps.

One ``PlotDataItem`` is fed from a preallocated float64 buffer that doubles when full (amortised
O(1) per value, never drops one).  pyqtgraph's peak downsampling plus clip-to-view keep a repaint
cheap however long the run.  Losses are stored exactly as given.  NaN is drawn as a gap by
pyqtgraph, and so (after its own log mapping) are zero and negative losses in log mode; only
+-inf would break the axis range, so while the stored history holds an inf (a diverged run, until
Reset replays over it) the curve is fed a copy with inf -> NaN.  Otherwise it is fed a view of
the buffer: no second 10^6-value array.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

import pyqtgraph as pg  # noqa: E402  (after PySide6 so pyqtgraph picks that binding)

from gdviz.training.pacing import PACING  # noqa: E402


__all__ = ["LossView"]

BACKGROUND = (24, 26, 32)
CURVE_RGB = (90, 170, 255)
MARKER_RGB = (255, 199, 64)
INITIAL_CAPACITY = 4096


def redraw_delay_ms(points: int) -> int:
    """How long an append may wait before the curve is re-fed to pyqtgraph.

    Why: handing pyqtgraph n points costs O(n) (finiteness checks, log mapping, peak
    downsampling), ~25 ms at 10^6 on this machine.  Snapshots arrive every ~16-30 ms, so at that
    size the curve alone would eat the GUI thread; coalescing appends keeps it to a few redraws a
    second while short runs still update at once.  The stored data is never delayed.
    """
    return PACING.curve_redraw_delay_ms(points)


class LossView(QWidget):
    """Loss-per-step plot with a log-y toggle and a marker at the current step.

    Buffers: ``steps`` and ``losses`` (float64, what was appended) and a display copy of the
    losses with gaps (NaN) where the current axis cannot show a value.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._cap = INITIAL_CAPACITY
        self._n = 0
        self._steps = np.empty(self._cap, dtype=np.float64)
        self._loss = np.empty(self._cap, dtype=np.float64)
        self._first_inf: int | None = None  # index of the first +-inf stored, if any
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
        pi.showGrid(x=True, y=True, alpha=0.15)
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

        self.log_box = QCheckBox("log y")
        self.log_box.setToolTip("Logarithmic loss axis (zero, negative and non-finite losses are not drawn)")
        self.log_box.toggled.connect(self.set_log_y)
        self.readout = QLabel("no steps yet")
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
            reset and replays), stored values from ``first_step`` on are replaced, so the curve
            always shows one history.
        """
        vals = np.asarray(losses, dtype=np.float64).reshape(-1)
        if self._n and first_step <= self._steps[self._n - 1]:
            self._n = int(np.searchsorted(self._steps[: self._n], first_step, side="left"))
            if self._first_inf is not None and self._first_inf >= self._n:
                self._first_inf = None  # the replay overwrote the divergence
        k = vals.size
        if k == 0:
            return
        self._reserve(self._n + k)
        sl = slice(self._n, self._n + k)
        self._steps[sl] = np.arange(first_step, first_step + k, dtype=np.float64)
        self._loss[sl] = vals
        inf = np.isinf(vals)
        if self._first_inf is None and inf.any():
            self._first_inf = self._n + int(np.argmax(inf))
        self._n += k
        self._current = first_step + k - 1
        self._update_readout()
        self._schedule()

    def clear(self) -> None:
        """Forget every value (capacity is kept)."""
        self._n = 0
        self._first_inf = None
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
        """Move the current-step marker (``append`` also moves it to the last step)."""
        self._current = int(step)
        self._update_readout()
        self._schedule()

    def point_count(self) -> int:
        """Number of stored (step, loss) values."""
        return self._n

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the stored steps and losses, each shape (point_count,), float64."""
        return self._steps[: self._n].copy(), self._loss[: self._n].copy()

    def is_log_y(self) -> bool:
        return self._log

    def flush(self) -> None:
        """Hand pending appends to the plot now (normally done by a short timer)."""
        self._timer.stop()
        self._pending = False
        self._update_curve()

    # ---- internals ------------------------------------------------------------------------
    def _reserve(self, need: int) -> None:
        if need <= self._cap:
            return
        cap = self._cap
        while cap < need:
            cap *= 2
        for name in ("_steps", "_loss"):
            old = getattr(self, name)
            new = np.empty(cap, dtype=np.float64)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)
        self._cap = cap

    def _schedule(self) -> None:
        delay = redraw_delay_ms(self._n)
        if delay == 0:
            self.flush()
        elif not self._pending:
            self._pending = True
            self._timer.start(delay)

    def _update_curve(self) -> None:
        n = self._n
        # views, not copies: pyqtgraph keeps references, and we only ever write past n (or
        # over a replayed tail, which is re-fed right after)
        y = self._loss[:n]
        if self._first_inf is not None:
            y = np.where(np.isinf(y), np.nan, y)
        self.curve.setData(self._steps[:n], y, connect="finite")
        self._update_marker()

    def _update_marker(self) -> None:
        # moving the marker repaints the whole plot, so it shares the curve's coalescing
        if self._current is None or self._n == 0:
            self.marker.setVisible(False)
        else:
            self.marker.setVisible(True)
            self.marker.setValue(self._current)
        i = self._index_of_current()
        if i >= 0 and np.isfinite(self._loss[i]) and (self._loss[i] > 0 or not self._log):
            self.dot.setData([self._steps[i]], [self._loss[i]])
        else:
            self.dot.setData([], [])
        self._update_readout()

    def _index_of_current(self) -> int:
        """Index of the last stored step <= the current step, or -1."""
        if self._current is None or self._n == 0:
            return -1
        return int(np.searchsorted(self._steps[: self._n], self._current, side="right")) - 1

    def _update_readout(self) -> None:
        if self._current is None or self._n == 0:
            self.readout.setText("no steps yet")
            return
        i = self._index_of_current()
        loss = self._loss[i] if i >= 0 else math.nan
        note = "" if math.isfinite(loss) else "  (diverged)"
        self.readout.setText(f"step {self._current}   loss {loss:.6g}{note}   ({self._n} points)")
