"""A spin box over one range of :mod:`gdviz.limits`, showing numbers the way gdviz prints them.

The range is the one the command line and the settings file accept, so a value in force is
always one the box can show: no clamped ``0.0001`` while the run uses ``1e-6``, no
``0.5000`` where the rest of the app says ``0.5``.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox

from gdviz.formatting import format_number
from gdviz.limits import LIMITS

_DECIMALS = 12  # finer than float32: every value in force is representable


class NumberSpin(QDoubleSpinBox):
    """``QDoubleSpinBox`` on ``LIMITS[name]``; ``special`` is the text shown at ``low`` (e.g. "TF default")."""

    def __init__(self, name: str, step: float, tip: str, special: str = "", low: float | None = None):
        super().__init__()
        limit = LIMITS[name]
        self.setDecimals(_DECIMALS)
        self.setRange(limit.low if low is None else low, limit.high)
        self.setSingleStep(step)
        self.setKeyboardTracking(True)
        self.setToolTip(f"{tip} (range {limit.range_text()})")
        if special:
            self.setSpecialValueText(special)

    def textFromValue(self, value: float) -> str:
        return format_number(value, 8)

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        t = text.strip()
        if t == self.specialValueText() and t:
            return QValidator.State.Acceptable, text, pos
        try:
            v = float(t)
        except ValueError:
            partial = t in ("", "-", "+", ".", "-.", "+.") or t.lower().endswith(("e", "e-", "e+"))
            return (QValidator.State.Intermediate if partial else QValidator.State.Invalid), text, pos
        if not math.isfinite(v) or not self.minimum() <= v <= self.maximum():
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos
