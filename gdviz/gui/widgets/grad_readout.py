"""The gradient readout: what ``tf.gradients(loss, [W, b])`` gave at the current W and b.

A gradient that is ``None`` (no path, or the path cut by stop_gradients) is shown as
"None — not connected" with the reason from the GradientRecord, as docs/gradients.md describes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QWidget

NOT_CONNECTED = "None — not connected"


def format_grad(value, reason: str | None = None) -> str:
    if value is None:
        return NOT_CONNECTED + (f" ({reason})" if reason else "")
    a = np.asarray(value, dtype=np.float64)
    body = ", ".join(f"{v:.4g}" for v in a.ravel())
    return f"[[{body}]]" if a.ndim == 2 else f"[{body}]"


class GradReadout(QGroupBox):
    """Two labels: d loss / d W and d loss / d b."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Gradients at the current W, b", parent)
        form = QFormLayout(self)
        self.grad_W = QLabel("–")
        self.grad_b = QLabel("–")
        for label in (self.grad_W, self.grad_b):
            label.setWordWrap(True)
            label.setToolTip("tf.gradients(loss, [W, b], grad_ys, stop_gradients) at the current "
                             "W and b; None when no gradient reaches the variable")
        form.addRow("grad_W", self.grad_W)
        form.addRow("grad_b", self.grad_b)

    def show_snapshot(self, snap, record=None) -> None:
        reasons = dict(getattr(record, "unconnected", ()) or ())
        self.grad_W.setText(format_grad(snap.grad_W, reasons.get("W")))
        self.grad_b.setText(format_grad(snap.grad_b, reasons.get("b")))
