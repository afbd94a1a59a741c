"""The status bar's permanent fields: step, loss, W, b, steps/s, run state."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QStatusBar

from gdviz.training.messages import Update


def _num(v: float) -> str:
    # Fixed point while readable; a diverging fit reaches 1e30 and would flood the bar.
    return f"{v:.4f}" if abs(v) < 1e4 else f"{v:.3e}"


def _fmt(a) -> str:
    return "[" + ", ".join(_num(float(v)) for v in np.ravel(a)) + "]"


class StatusPanel:
    """Owns labels added to a QStatusBar (plain helper: it receives no signals itself)."""

    def __init__(self, bar: QStatusBar):
        self.bar = bar
        self._rate = 0.0
        self.state = QLabel("paused")
        self.step = QLabel("step 0")
        self.loss = QLabel("loss –")
        self.W = QLabel("W –")
        self.b = QLabel("b –")
        self.rate = QLabel("0 steps/s")
        tips = {self.state: "Playing or paused", self.step: "Updates applied so far",
                self.loss: "Loss at the current W and b: the loss at this step, as on the curve",
                self.W: "Current W (1×2)",
                self.b: "Current b", self.rate: "Measured training speed"}
        for label, tip in tips.items():
            label.setToolTip(tip)
            label.setMinimumWidth(70)
            bar.addPermanentWidget(label)
        self.W.setMinimumWidth(150)
        self.loss.setMinimumWidth(120)

    def show_update(self, u: Update) -> None:
        s = u.snapshot
        self.step.setText(f"step {s.step}")
        self.loss.setText(f"loss {s.loss:.6g}")
        self.W.setText(f"W {_fmt(s.W)}")
        self.b.setText(f"b {_fmt(s.b)}")
        if u.playing and len(u.losses):
            # Smoothed: one Update covers only ~20 ms, so raw rates jitter.
            self._rate = 0.8 * self._rate + 0.2 * u.steps_per_s if self._rate else u.steps_per_s
            self.rate.setText(f"{self._rate:,.0f} steps/s")

    def set_playing(self, playing: bool) -> None:
        self.state.setText("playing" if playing else "paused")
        if not playing:
            self._rate = 0.0
            self.rate.setText("0 steps/s")

    def set_fields_visible(self, on: bool) -> None:
        for label in (self.state, self.step, self.loss, self.W, self.b, self.rate):
            label.setVisible(on)

    def show_message(self, text: str, timeout_ms: int = 5000) -> None:
        self.bar.showMessage(text, timeout_ms)

    def clear_message(self) -> None:
        """Drop a message that is no longer true (a divergence note after Reset or Play)."""
        self.bar.clearMessage()

    def current_message(self) -> str:
        return self.bar.currentMessage()
