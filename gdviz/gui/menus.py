"""The window's menus and the dialogs they open (screenshot, graph export, record, guide, about).

:class:`WindowMenus` builds File / Run / View / Help on a :class:`~gdviz.gui.main_window.MainWindow`
and keeps the actions; the Run and View actions call the window's own slots (they change the
run or the views), the dialogs live here.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gdviz.gui.files import FileActions

ABOUT = (
    "<h3>gdviz {version}</h3>"
    "<p>Watch and steer gradient descent: the TensorFlow tutorial's plane fit "
    "y = 0.1·x1 + 0.2·x2 + 0.3 on a small TF1-style numpy autodiff, with the loss landscape, "
    "the computation graph and its gradients, and optimizers racing side by side.</p>"
    "<p>For learning and teaching how gradients flow, what learning rates and momentum do, "
    "and what <code>tf.gradients(ys, xs, grad_ys, stop_gradients)</code> means.</p>"
    "<p>Licence: MIT. Documentation: the README and <code>docs/</code> in the project; "
    "Help → Getting started inside the app.</p>")


class WindowMenus(QObject):
    """File, Run, View and Help on ``window``; the actions are attributes (``reset``, ``logy`` …)."""

    def __init__(self, window):
        super().__init__(window)
        self.w = w = window
        self._guide = None
        bar = w.menuBar()
        f = bar.addMenu("&File")
        self.files = FileActions(w, f)
        self.screenshot = self._action(f, "Save screenshot…", self.save_screenshot_dialog,
                                       tip="Save a PNG of the window")
        self._action(f, "Export graph…", self.export_graph_dialog, tip="Save the computation graph as PNG or SVG")
        self._action(f, "Record…", self.record_dialog,
                     tip="Record a panel while training, as an animated GIF or an MP4 video")
        f.addSeparator()
        self.quit = self._action(f, "Quit", w.close, "Ctrl+Q")
        e = bar.addMenu("&Edit")
        self.undo_start = self._action(
            e, "Undo new start", w.on_undo_start, "Ctrl+Z",
            tip="Put back the start, the run and its history that a click on the landscape replaced")
        self.tutorial_start = self._action(
            e, "Tutorial start", w.on_tutorial_start,
            tip="Start again from the tutorial's own W and b (undoable)")
        r = bar.addMenu("&Run")
        self.play = self._action(r, "Play / Pause", w.on_play, "Space")
        self.step = self._action(r, "Step", w.on_step, "Right", tip="One update")
        self.reset = self._action(r, "Reset", w.on_reset, "R")
        self.auto_stop = self._action(r, "Stop when converged", w.on_auto_stop, checkable=True,
                                      tip="Pause by itself once the loss stops changing (off: run until paused)")
        r.addSeparator()
        self.backward = self._action(
            r, "Animate backward pass", w.on_animate_backward, "Ctrl+B",
            tip="Pause and step through this step's gradients() call node by node (→, ←, Esc)")
        v = bar.addMenu("&View")
        self.true_plane = self._action(v, "True plane", w.on_show_true_plane, checkable=True,
                                       tip="Show the plane that generated the data")
        self.residuals = self._action(v, "Residuals", w.on_show_residuals, checkable=True,
                                      tip="Lines from each point to the fitted plane")
        self.logy = self._action(v, "Log-y loss", w.on_log_y, checkable=True, tip="Logarithmic loss axis")
        self.grads = self._action(v, "Show gradient nodes", w.on_show_gradients, checkable=True,
                                  tip="Draw the nodes gradients() added")
        self.beside = self._action(v, "Parameter space beside the 3D view", w.on_param_beside, checkable=True,
                                   tip="Show the loss landscape next to the data instead of in a tab")
        v.addSeparator()
        v.addAction(w.dock.toggleViewAction())
        h = bar.addMenu("&Help")
        self._action(h, "Getting started", self.show_guide, "F1", tip="What each panel shows and what to try first")
        self._action(h, "About", self.on_about)

    def _action(self, menu, text, slot, shortcut=None, checkable=False, tip=""):
        act = QAction(text, self.w)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setCheckable(checkable)
        act.setToolTip(tip or text)
        act.setStatusTip(tip or text)
        (act.toggled if checkable else act.triggered).connect(slot)
        menu.addAction(act)
        return act

    # ------------------------------------------------------------------ dialogs
    @Slot()
    def show_guide(self) -> None:
        from gdviz.gui.guide import GuideDialog

        if self._guide is None:
            self._guide = GuideDialog(self.w)
        self._guide.show()
        self._guide.raise_()

    def show_guide_on_first_launch(self) -> None:
        """Once per user: the guide opens beside the window the first time gdviz starts."""
        from gdviz.gui.guide import SHOWN_KEY

        settings = self.w.memory.settings
        if settings.value(SHOWN_KEY, "") != "yes":
            settings.setValue(SHOWN_KEY, "yes")
            self.show_guide()

    @Slot()
    def on_about(self) -> None:
        from gdviz import __version__

        QMessageBox.about(self.w, "About gdviz", ABOUT.format(version=__version__))

    @Slot()
    def export_graph_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.w, "Export graph", "gdviz-graph.png",
                                              "PNG image (*.png);;SVG vector image (*.svg)")
        if path:
            self.w.status.show_message(self.w.plane_tab.export_graph(path), 5000)

    @Slot()
    def record_dialog(self) -> None:
        from gdviz.gui.record_dialog import RecordDialog

        RecordDialog(self.w).exec()

    @Slot()
    def save_screenshot_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.w, "Save screenshot", "gdviz.png", "PNG (*.png)")
        if path:
            ok = self.w.grab().save(path)
            self.w.status.show_message(f"Saved {path}" if ok else f"Could not save {path}", 5000)
