"""The racers table: who races (kind, lr, momentum, editable) and the live leaderboard."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from gdviz.training.race_session import RACER_COLOURS, RacerSpec

COLUMNS = ("racer", "lr / α", "m / β", "steps to tol", "loss", "diverged at", "max |Δθ| vs #1")
TIPS = (
    "the racer's update rule; its colour is used in every plot",
    "learning rate (for Ng's momentum: α); double-click to edit, the race restarts",
    "TF momentum m, or Ng's β (only for momentum racers); double-click to edit",
    "updates until loss − L* ≤ tol (L*: the least-squares minimum); – = not yet",
    "loss of the current state",
    "the step at which the loss became inf/nan",
    "largest distance in (W1, W2, b) from racer #1 over every step so far: 0 means the same path",
)
EDITABLE = (1, 2)


def _num(v: float | None, fmt: str = "{:.4g}") -> str:
    if v is None:
        return "–"
    if not math.isfinite(v):
        return str(v)
    return fmt.format(v)


class RaceBoard(QTableWidget):
    """One row per racer.  ``edited(row, column, text)`` asks for a new lr or momentum."""

    edited = Signal(int, int, str)

    def __init__(self):
        super().__init__(0, len(COLUMNS))
        self.setHorizontalHeaderLabels(COLUMNS)
        for c, tip in enumerate(TIPS):
            self.horizontalHeaderItem(c).setToolTip(tip)
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setStretchLastSection(True)
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self._filling = False
        self.itemChanged.connect(self._on_item_changed)

    def discard_edit(self) -> None:
        """Close an open cell editor without writing its text anywhere."""
        if self.state() == QAbstractItemView.State.EditingState:
            self._filling = True
            try:
                editor = self.indexWidget(self.currentIndex())
                if editor is not None:
                    self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                else:
                    self.setCurrentItem(None)
            finally:
                self._filling = False

    def show_specs(self, specs: tuple[RacerSpec, ...], names: tuple[str, ...]) -> None:
        self.discard_edit()
        self._filling = True
        try:
            self.setRowCount(len(specs))
            for r, (spec, name) in enumerate(zip(specs, names)):
                lr, m = spec.effective()
                cells = (name, _num(lr), _num(m) if m is not None else "", "–", "", "", "")
                for c, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                    if c == 1 or (c == 2 and m is not None):   # lr always; momentum where used
                        flags |= Qt.ItemFlag.ItemIsEditable
                    item.setFlags(flags)
                    if c == 0:
                        item.setForeground(QColor(RACER_COLOURS[r]))
                        item.setToolTip(spec.rule or name)
                    if c >= 3:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.setItem(r, c, item)
        finally:
            self._filling = False

    def show_update(self, update) -> None:
        self._filling = True
        try:
            for r, f in enumerate(update.racers):
                s = f.standing
                texts = (_num(s.steps_to_tol, "{}"), _num(s.final_loss, "{:.3e}"), _num(s.diverged_at, "{}"),
                         _num(f.distance, "{:.2e}") if r else "(reference)")
                for c, text in zip(range(3, 7), texts):
                    item = self.item(r, c)
                    if item is not None and item.text() != text:
                        item.setText(text)
        finally:
            self._filling = False

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() in EDITABLE:
            self.edited.emit(item.row(), item.column(), item.text())
