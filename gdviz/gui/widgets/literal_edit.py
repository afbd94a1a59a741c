"""A line edit for a number or an array literal, validated as the person types.

Invalid text turns the field red and says why, with the position, in a visible label
(:attr:`LiteralEdit.error_label`, placed beside or below the field by its owner), the tooltip
and :meth:`LiteralEdit.error_text`; the last valid value stays in force: a typo never changes
what training uses.  The slot never lets an exception escape into Qt.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from gdviz.limits import LIMITS
from gdviz.literal import LiteralError, format_array, parse_literal

_INVALID_STYLE = "QLineEdit { background: #ffe0e0; border: 1px solid #d03030; color: #801010; }"
_LABEL_STYLE = "color: #b91c1c;"


class LiteralEdit(QLineEdit):
    """Validated field holding one array.

    Signals
    -------
    value_changed(object)
        Emitted with the new ndarray each time the text becomes a *different* valid value.
    validity_changed(bool)
        Emitted when the field turns valid or invalid.
    """

    value_changed = Signal(object)
    validity_changed = Signal(bool)

    def __init__(
        self,
        value=1.0,
        expected_shape: tuple[int, ...] | None = (),
        allow_scalar_broadcast: bool = True,
        parent: QWidget | None = None,
        limit: str | None = None,
    ):
        super().__init__(parent)
        self._expected_shape = expected_shape
        self._limit = limit  # a name in gdviz.limits.LIMITS every entry must satisfy
        self._broadcast = allow_scalar_broadcast
        self._value = np.asarray(value)
        self._error = ""
        self._help = "a number or an array literal such as [[1, 2]]"
        #: The reason the text is invalid, shown next to the field (hidden while valid).
        self.error_label = QLabel(parent)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(_LABEL_STYLE)
        self.error_label.setVisible(False)
        self.setText(format_array(self._value))
        self.setToolTip(self._help)
        self.textChanged.connect(self._on_text_changed)

    # -- public API ---------------------------------------------------------------------------
    def value(self) -> np.ndarray:
        """The last valid value (a read-only view)."""
        v = self._value.view()
        v.setflags(write=False)
        return v

    def is_valid(self) -> bool:
        return not self._error

    def error_text(self) -> str:
        """Why the current text is invalid, or ``""``."""
        return self._error

    def set_expected_shape(self, shape: tuple[int, ...] | None) -> None:
        """Require this shape (``None``: any shape); re-validates the current text."""
        self._expected_shape = None if shape is None else tuple(shape)
        self._on_text_changed(self.text())

    def set_value(self, value) -> None:
        """Show ``value`` programmatically (emits ``value_changed`` if it differs)."""
        self.setText(format_array(np.asarray(value)))

    def set_help(self, text: str) -> None:
        """Tooltip shown while the field is valid."""
        self._help = text
        if not self._error:
            self.setToolTip(text)

    # -- validation ---------------------------------------------------------------------------
    def check(self, text: str) -> np.ndarray:
        """Parse and shape-check ``text``; raises ``ValueError`` with the reason."""
        value = parse_literal(text)
        shape = self._expected_shape
        if shape is not None and value.shape != shape:
            if not (self._broadcast and value.ndim == 0):
                raise ValueError(f"shape {value.shape} does not match the expected shape {shape}")
        if self._limit is not None:
            for v in value.reshape(-1).tolist():  # Python numbers: ints stay ints
                LIMITS[self._limit].check(v)
        return value

    @Slot(str)
    def _on_text_changed(self, text: str) -> None:
        try:
            value = self.check(text)
        except LiteralError as exc:
            self._set_error(f"{exc.reason} at {exc.where()}")
            return
        except ValueError as exc:
            self._set_error(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a slot must never raise into Qt
            self._set_error(f"cannot read this value ({type(exc).__name__})")
            return
        was_invalid = bool(self._error)
        self._error = ""
        self.setStyleSheet("")
        self.error_label.clear()
        self.error_label.setVisible(False)
        self.setToolTip(self._help)
        if was_invalid:
            self.validity_changed.emit(True)
        if value.shape != self._value.shape or not np.array_equal(value, self._value):
            self._value = value
            self.value_changed.emit(value)

    def _set_error(self, reason: str) -> None:
        was_valid = not self._error
        self._error = reason
        self.setStyleSheet(_INVALID_STYLE)
        self.setToolTip(f"Invalid: {reason}\nStill using: {format_array(self._value)}")
        self.error_label.setText(f"{reason}; still using {_short(format_array(self._value))}")
        if self.error_label.parent() is not None:  # an unplaced label must not become a window
            self.error_label.setVisible(True)
        if was_valid:
            self.validity_changed.emit(False)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
