"""File menu entries for your own data and sessions: Open data…, Open session…, Save session…,
Export history…, recent files and drag-and-drop.  Loading runs in the worker thread, so a big
file never freezes the window; any error is reported and changes nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel

RECENT_KEY = "files/recent"
MAX_RECENT = 8
DATA_FILTER = "Data files (*.csv *.tsv *.txt);;All files (*)"
SESSION_FILTER = "gdviz sessions (*.gdviz)"


def _first_row(path) -> list[str] | None:
    """The first row's fields (header or data), cheaply; None when unreadable (the loader says why)."""
    from gdviz.training.datafile import _delimiter

    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            head = f.read(65536)
    except OSError:
        return None
    lines = [ln for ln in head.splitlines() if ln.strip()]
    if not lines:
        return None
    return [c.strip() for c in lines[0].split(_delimiter(head))]


class ColumnPicker(QDialog):
    """Which columns are x1, x2 and y."""

    def __init__(self, parent, header: list[str]):
        super().__init__(parent)
        self.setWindowTitle("Choose the columns")
        form = QFormLayout(self)
        form.addRow(QLabel(f"The file has {len(header)} columns. Which ones are x1, x2 and y?"))
        self.combos = []
        for i, role in enumerate(("x1", "x2", "y")):
            c = QComboBox()
            c.addItems([f"{k + 1}: {h}" for k, h in enumerate(header)])
            guess = next((k for k, h in enumerate(header) if h.lower() == role), min(i, len(header) - 1))
            c.setCurrentIndex(guess if role != "y" or guess != i else len(header) - 1)
            form.addRow(role, c)
            self.combos.append(c)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def columns(self) -> tuple[int, int, int]:
        return tuple(c.currentIndex() for c in self.combos)

    @classmethod
    def ask(cls, parent, header) -> tuple[int, int, int] | None:
        dlg = cls(parent, header)
        return dlg.columns() if dlg.exec() else None


class FileActions(QObject):
    """Owns the File menu's data/session entries of ``window`` (a MainWindow)."""

    def __init__(self, window, menu):
        super().__init__(window)
        self.w = window
        self.act_open_data = self._add(menu, "Open data…", self.open_data_dialog, "Ctrl+O",
                                       "Fit your own CSV/TSV file with columns x1, x2, y")
        self.act_open_session = self._add(menu, "Open session…", self.open_session_dialog, "Ctrl+Shift+O",
                                          "Reopen a saved run and continue it exactly")
        self.act_save_session = self._add(menu, "Save session…", self.save_session_dialog, "Ctrl+S",
                                          "Save the data, settings, exact state and loss history")
        self.act_export = self._add(menu, "Export history as CSV…", self.export_dialog, None,
                                    "Write step, loss, W1, W2, b of every step so far")
        self.recent_menu = menu.addMenu("Recent files")
        self._fill_recent()
        menu.addSeparator()

    def _add(self, menu, text, slot, shortcut, tip) -> QAction:
        a = QAction(text, self.w)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.setStatusTip(tip)
        a.setToolTip(tip)
        a.triggered.connect(slot)
        menu.addAction(a)
        return a

    # -- opening ---------------------------------------------------------------------------------
    def open_path(self, path: str) -> None:
        """Open a data file or a session (by its suffix); a data file with more than three
        columns first asks which are x1, x2 and y."""
        columns = None
        if Path(path).suffix.lower() != ".gdviz":
            header = _first_row(path)
            if header is not None and len(header) > 3:
                columns = ColumnPicker.ask(self.w, header)
                if columns is None:
                    return                      # cancelled: nothing changes
        # loading runs in the worker thread; say so at once (a 10^6-row file takes a few seconds)
        self.w.status.show_message(f"Loading {Path(path).name}…", 0)
        self.w.controller.open_file(str(path), columns)
        self._remember(str(path))

    @Slot()
    def open_data_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.w, "Open data", "", DATA_FILTER)
        if path:
            self.open_path(path)

    @Slot()
    def open_session_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.w, "Open session", "", SESSION_FILTER)
        if path:
            self.open_path(path)

    @Slot()
    def save_session_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.w, "Save session", "run.gdviz", SESSION_FILTER)
        if path:
            self.save_session(path)

    def save_session(self, path: str) -> None:
        if not path.endswith(".gdviz"):
            path += ".gdviz"
        self.w.controller.save_session(path)   # the engine writes it: it keeps the state and losses
        self._remember(path)

    @Slot()
    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.w, "Export history", "gdviz-history.csv", "CSV (*.csv)")
        if path:
            self.w.controller.export_history(path)

    # -- recent files ------------------------------------------------------------------------------
    def recent(self) -> list[str]:
        v = self.w._settings.value(RECENT_KEY, [])
        if isinstance(v, str):
            v = [v]
        return [p for p in (v or []) if isinstance(p, str)][:MAX_RECENT]

    def _remember(self, path: str) -> None:
        path = str(Path(path).resolve())
        items = [path] + [p for p in self.recent() if p != path]
        self.w._settings.setValue(RECENT_KEY, items[:MAX_RECENT])
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        items = self.recent()
        for p in items:
            a = self.recent_menu.addAction(Path(p).name)
            a.setToolTip(p)
            a.setData(p)
            a.triggered.connect(self._open_recent)
        self.recent_menu.setEnabled(bool(items))

    @Slot()
    def _open_recent(self) -> None:
        a = self.sender()
        if a is not None and a.data():
            self.open_path(a.data())

    # -- drag and drop (the window forwards its events) --------------------------------------------
    @staticmethod
    def accepts(mime) -> bool:
        return mime.hasUrls() and len(mime.urls()) == 1 and mime.urls()[0].isLocalFile()

    def drop(self, mime) -> None:
        if self.accepts(mime):
            self.open_path(mime.urls()[0].toLocalFile())
