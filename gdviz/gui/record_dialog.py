"""File → Record…: choose the file, the panel, the steps, frames and size; progress and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QProgressBar, QPushButton, QSpinBox, QVBoxLayout)

from gdviz.gui.record import PANELS, Recorder


class RecordDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.setWindowTitle("Record")
        self.w = window
        self.path = QLineEdit("gdviz-run.gif")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.panel = QComboBox()
        self.panel.addItems(list(PANELS))
        self.steps = QSpinBox()
        self.steps.setRange(1, 100_000)
        self.steps.setValue(100)
        self.every = QSpinBox()
        self.every.setRange(1, 10_000)
        self.every.setValue(1)
        self.fps = QSpinBox()
        self.fps.setRange(1, 60)
        self.fps.setValue(10)
        self.fps.setToolTip("Playback speed. A GIF stores its delay in hundredths of a second, so it "
                            "plays at most 50 frames per second; an MP4 plays at exactly this rate.")
        self.width = QSpinBox()
        self.width.setRange(0, 3840)
        self.width.setSpecialValueText("as shown")
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("File (.gif or .mp4)", row)
        form.addRow("Panel", self.panel)
        form.addRow("Steps to record", self.steps)
        form.addRow("A frame every … steps", self.every)
        form.addRow("Frames per second", self.fps)
        form.addRow("Width in pixels", self.width)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.record = self.buttons.addButton("Record", QDialogButtonBox.ButtonRole.AcceptRole)
        self.record.clicked.connect(self._start)
        self.buttons.rejected.connect(self._cancel)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self.rec: Recorder | None = None

    @Slot()
    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Record to", self.path.text(),
                                              "Animated GIF (*.gif);;MP4 video (*.mp4)")
        if path:
            self.path.setText(path)

    @Slot()
    def _start(self) -> None:
        try:
            self.rec = Recorder(self.w, self.path.text().strip(), self.steps.value(), self.every.value(),
                                self.fps.value(), self.panel.currentText(), self.width.value() or None)
            self.rec.progress.connect(self._on_progress)
            self.rec.finished.connect(self._on_finished)
            self.rec.start()
        except ValueError as e:
            self.status.setText(str(e))
            self.rec = None
            return
        self.record.setEnabled(False)
        self.progress.setRange(0, self.steps.value())

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setValue(done)

    @Slot(str, bool)
    def _on_finished(self, message: str, ok: bool) -> None:
        self.status.setText(message)
        self.w.status.show_message(message, 8000)
        self.rec = None
        self.record.setEnabled(True)

    @Slot()
    def _cancel(self) -> None:
        if self.rec is not None:
            self.rec.cancel()
        else:
            self.reject()
