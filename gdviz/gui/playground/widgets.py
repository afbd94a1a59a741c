"""Editors used by the playground panel: program text, name checklists, grad_ys, stops.

Each widget emits one "changed" signal after a *user* edit; programmatic updates are done
under a :class:`QSignalBlocker` so they never echo back into a recomputation.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontDatabase, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QPlainTextEdit, QTableWidget, QTableWidgetItem, QTextEdit, QWidget)

from gdviz.gui.widgets.literal_edit import LiteralEdit

_ERROR_LINE = QColor("#fde2e2")
_ERROR_CHAR = QColor("#f87171")


def mono_font() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    return font


class LinesLabel(QLabel):
    """A word-wrapped label of a fixed number of lines.

    A wrapped QLabel reports height-for-width, which makes a QScrollArea lay out the whole
    column by preferred heights and show a needless scroll bar; this one does not.
    """

    def __init__(self, lines: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setFixedHeight(lines * self.fontMetrics().lineSpacing() + 4)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def hasHeightForWidth(self) -> bool:
        return False


class ProgramEditor(QPlainTextEdit):
    """Plain-text program editor that can highlight an error's line and column."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFont(mono_font())
        # long lines wrap (visually only: positions are the text's): no sideways scrolling at
        # 1366x768, where the editor is ~400 px wide
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setTabChangesFocus(True)
        self._error_at: tuple[int, int] | None = None

    def error_position(self) -> tuple[int, int] | None:
        """1-based ``(line, col)`` highlighted now, or ``None``."""
        return self._error_at

    def show_error(self, line: int | None, col: int | None) -> None:
        """Tint ``line`` and mark the character at ``col`` (1-based); ``None`` clears."""
        if line is None:
            self._error_at = None
            self.setExtraSelections([])
            return
        self._error_at = (line, col or 1)
        block = self.document().findBlockByNumber(max(line - 1, 0))
        if not block.isValid():
            block = self.document().lastBlock()
        whole = QTextEdit.ExtraSelection()
        whole.format.setBackground(_ERROR_LINE)
        whole.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        whole.cursor = QTextCursor(block)
        char = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setBackground(_ERROR_CHAR)
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor("#b91c1c"))
        char.format = fmt
        cursor = QTextCursor(block)
        offset = min(max((col or 1) - 1, 0), max(block.length() - 1, 0))
        cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.MoveAnchor, offset)
        cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor, 1)
        char.cursor = cursor
        self.setExtraSelections([whole, char])


class NameChecklist(QListWidget):
    """Checkable list of names; ``changed`` carries the checked names in list order."""

    changed = Signal(tuple)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.itemChanged.connect(self._on_item_changed)

    def set_names(self, names: Iterable[str], checked: Iterable[str], hints: Mapping[str, str] | None = None) -> None:
        """Show ``names`` with ``checked`` ticked (no signal)."""
        checked = set(checked)
        hints = hints or {}
        names = tuple(names)
        with QSignalBlocker(self):
            if names == self.names():  # same names: keep the items (and the keyboard focus)
                for i, n in enumerate(names):
                    self.item(i).setCheckState(Qt.CheckState.Checked if n in checked else Qt.CheckState.Unchecked)
                    self.item(i).setToolTip(hints.get(n, ""))
                return
            self.clear()
            for n in names:
                item = QListWidgetItem(n, self)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if n in checked else Qt.CheckState.Unchecked)
                if n in hints:
                    item.setToolTip(hints[n])

    def names(self) -> tuple[str, ...]:
        return tuple(self.item(i).text() for i in range(self.count()))

    def checked(self) -> tuple[str, ...]:
        return tuple(self.item(i).text() for i in range(self.count())
                     if self.item(i).checkState() == Qt.CheckState.Checked)

    def set_checked(self, name: str, on: bool) -> None:
        """Tick or untick ``name`` as a user would (emits ``changed``)."""
        for i in range(self.count()):
            if self.item(i).text() == name:
                self.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    @Slot(QListWidgetItem)
    def _on_item_changed(self, _item) -> None:
        self.changed.emit(self.checked())


class SeedEditor(QWidget):
    """One row per y: a "set" tick (off = default ones) and a :class:`LiteralEdit`.

    Signals
    -------
    changed(str, object)
        ``(y, grad_y)`` with ``grad_y`` an ndarray, or ``None`` for the default ones.
    """

    changed = Signal(str, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(2, 1)
        self._rows: dict[str, tuple[QCheckBox, LiteralEdit, QLabel]] = {}
        self._key: tuple = ()
        self._empty = QLabel("choose at least one y")
        self._empty.setStyleSheet("color: #64748b;")
        self._grid.addWidget(self._empty, 0, 0, 1, 3)

    def set_ys(self, ys: Iterable[str], shapes: Mapping[str, tuple], seeds: Mapping[str, object]) -> None:
        """Rows for ``ys`` with each field expecting y's shape; rebuilt only on change."""
        ys = tuple(ys)
        key = tuple((y, tuple(shapes[y])) for y in ys)
        if key == self._key:
            return
        self._key = key
        for box, edit, label in self._rows.values():
            for w in (box, edit, label, edit.error_label):
                self._grid.removeWidget(w)
                w.hide()  # gone from the screen now, not at the next deferred delete
                w.setParent(None)
                w.deleteLater()
        self._rows = {}
        self._empty.setVisible(not ys)
        for r, y in enumerate(ys, start=1):
            shape = tuple(shapes[y])
            seed = seeds.get(y)
            box = QCheckBox(y)
            box.setToolTip(f"Tick to give {y} its own grad_y; unticked uses ones of shape {shape}")
            edit = LiteralEdit(value=np.ones(shape, dtype=np.int64) if seed is None else np.asarray(seed),
                               expected_shape=shape)
            edit.set_help(f"grad_y for {y}: a number (broadcast) or an array of shape {shape}")
            edit.set_expected_shape(shape)  # validates a kept value whose y changed shape: red
            label = QLabel(f"shape {shape}")
            label.setStyleSheet("color: #64748b;")
            with QSignalBlocker(box):
                box.setChecked(seed is not None)
            edit.setEnabled(seed is not None)
            box.toggled.connect(lambda on, y=y: self._emit(y))
            edit.value_changed.connect(lambda _v, y=y: self._emit(y))
            self._grid.addWidget(box, r, 0)
            self._grid.addWidget(edit, r, 1)
            self._grid.addWidget(label, r, 2)
            self._grid.addWidget(edit.error_label, r, 3)  # why the text is invalid, beside the field
            for w in (box, edit, label):
                w.show()  # a layout shows new children only at the next event-loop turn
            self._rows[y] = (box, edit, label)

    def editor(self, y: str) -> LiteralEdit:
        return self._rows[y][1]

    def toggle(self, y: str) -> QCheckBox:
        return self._rows[y][0]

    def _emit(self, y: str) -> None:
        box, edit, _label = self._rows[y]
        edit.setEnabled(box.isChecked())
        self.changed.emit(y, np.array(edit.value()) if box.isChecked() else None)


class StopsTable(QTableWidget):
    """Rows of names with two ticks: ``stop_gradients`` and "insert stop_gradient op".

    Signals
    -------
    changed(tuple, tuple)
        ``(stop_gradients, stop_gradient_ops)`` after a user tick.
    """

    changed = Signal(tuple, tuple)
    COLUMNS = ("tensor", "stop_gradients", "stop_gradient op")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels(self.COLUMNS)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2):
            self.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.horizontalHeaderItem(1).setToolTip(
            "gradients(..., stop_gradients=[...]): this call treats the tensor as a constant")
        self.horizontalHeaderItem(2).setToolTip(
            "t = tf.stop_gradient(...): the graph itself gets a StopGradient node, for every call")
        self.itemChanged.connect(self._on_item_changed)

    def set_rows(self, names: Iterable[str], stops: Iterable[str], ops: Iterable[str]) -> None:
        stops, ops = set(stops), set(ops)
        names = list(names) + sorted(stops - set(names))  # inner nodes stopped by a click
        if names == [self.item(r, 0).text() for r in range(self.rowCount())]:
            with QSignalBlocker(self):  # same rows: only the ticks change (keeps focus)
                for r, n in enumerate(names):
                    for c, on in ((1, n in stops), (2, n in ops)):
                        self.item(r, c).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            return
        with QSignalBlocker(self):
            self.setRowCount(len(names))
            for r, n in enumerate(names):
                label = QTableWidgetItem(n)
                label.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.setItem(r, 0, label)
                for c, on in ((1, n in stops), (2, n in ops)):
                    item = QTableWidgetItem()
                    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                    if c == 2 and r >= len(names) - len(stops - set(names)) and n not in ops:
                        flags = Qt.ItemFlag.NoItemFlags  # ops can be inserted on defined names only
                    item.setFlags(flags)
                    item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                    self.setItem(r, c, item)
        self.resizeRowsToContents()

    def ticked(self, column: int) -> tuple[str, ...]:
        return tuple(self.item(r, 0).text() for r in range(self.rowCount())
                     if self.item(r, column) is not None and self.item(r, column).checkState() == Qt.CheckState.Checked)

    def set_ticked(self, name: str, column: int, on: bool) -> None:
        """Tick as a user would (emits ``changed``)."""
        for r in range(self.rowCount()):
            if self.item(r, 0).text() == name:
                self.item(r, column).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    @Slot(QTableWidgetItem)
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() in (1, 2):
            self.changed.emit(self.ticked(1), self.ticked(2))
