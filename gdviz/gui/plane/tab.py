"""The "Plane fit" tab: 3D plane, loss curve, graph, log and the divergence banner.

It only *shows* Updates.  The 3D plane follows every one; the heavier views (loss curve, graph
texts, log) at most every ``Pacing.slow_views_s`` while playing -- the GUI thread shares the GIL with
the worker -- and at once when paused or stepping, so nothing is ever held back at rest.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QTabWidget, QVBoxLayout, QWidget

from gdviz.training.pacing import PACING
from gdviz.training.messages import Update

#: While playing, the loss curve, graph texts and log refresh at most this often.
SLOW_VIEWS_S = PACING.slow_views_s
#: While playing, the parameter-space panel redraws at most this often (its redraw, a heat map,
#: contours, path and arrows, then a software repaint of the plot, took ~1/3 of the GUI thread
#: at 50 Updates/s); the path of the Updates in between is handed over with the next one.
PARAM_VIEW_S = 0.04


class PlaneFitTab(QWidget):
    """Views of the plane fit; :meth:`show_update` returns True when the slow views refreshed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from gdviz.gui.graph.view import GraphView
        from gdviz.gui.plane.loss_view import LossView
        from gdviz.gui.plane.view import make_plane_view

        self.plane_view = make_plane_view()
        gl_widget = getattr(self.plane_view, "view", None)
        if gl_widget is not None and gl_widget.inherits("QOpenGLWidget"):
            # Its own native window: otherwise every repaint of *any* widget (labels, the loss
            # curve) re-composites the whole window through GL, which in software GL
            # (llvmpipe, Xvfb) took ~30 ms a frame; native, it is about half that.
            gl_widget.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
        self.loss_view = LossView()
        self.graph_view = GraphView()
        # The gradient band below the forward graph: half as wide, so it reads in this pane.
        self.graph_view.set_backward_placement("below")
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fde2e2; color: #7a1010; padding: 6px; "
                                  "border: 1px solid #d03030;")
        self.banner.hide()
        self.log_pane = QPlainTextEdit()
        self.log_pane.setReadOnly(True)
        self.log_pane.setMaximumBlockCount(5000)  # a long run must not grow memory
        self.log_pane.setToolTip("The tutorial's print(step, W, b), every 20 steps "
                                 "(every 200, 2000... above 1000 steps/s)")
        self.log_pane.setStyleSheet("font-family: monospace;")
        # like a terminal: lines never wrap (scroll sideways), and the pane follows the newest
        # line unless the user has scrolled up to read an older one
        self.log_pane.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        # An empty white pane looks broken before the first step: say what will appear.
        self.log_pane.setPlaceholderText("step  W  b\n\nThe tutorial's print(step, W, b) "
                                         "appears here every 20 steps. Press Play.")
        # Top: the 3D plane beside the loss curve.  Bottom: the graph, laid out left to right
        # and so wanting width, beside the narrow log.
        from gdviz.gui.landscape.panel import ParameterSpacePanel

        self.param_panel = ParameterSpacePanel()
        # Data space or parameter space, the user's choice (a tab each, sharing the place)
        self.space_tabs = QTabWidget()
        self.space_tabs.addTab(self.plane_view, "Data space (3D)")
        self.space_tabs.addTab(self.param_panel, "Parameter space")
        self.space_tabs.setTabToolTip(0, "the points and the fitted plane y = W·x + b")
        self.space_tabs.setTabToolTip(1, "the loss over (W1, W2, b): where gradient descent actually walks")
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.space_tabs)
        top.addWidget(self.loss_view)
        self._top = top
        top.setSizes([560, 540])
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.graph_view)
        bottom.addWidget(self.log_pane)
        bottom.setSizes([800, 300])
        main = QSplitter(Qt.Orientation.Vertical)
        main.addWidget(top)
        main.addWidget(bottom)
        main.setSizes([470, 380])
        self.splitters = (top, bottom, main)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.banner)
        lay.addWidget(main, 1)
        self._data = None
        self._spec = None
        self._animated = None  # the snapshot whose backward pass the graph is animating
        self.latest: Update | None = None
        self._pending_losses: list[tuple[int, np.ndarray]] = []
        self._pending_log: list = []
        self._slow_shown = 0.0
        self._param_shown = 0.0
        self._param_held: Update | None = None
        self._param_paths: list[np.ndarray] = []
        self._param_timer = QTimer(self)        # a held-back Update is shown even if none follows
        self._param_timer.setSingleShot(True)
        self._param_timer.timeout.connect(self._show_param_held)

    def set_parameter_space_beside(self, on: bool) -> None:
        """Show the parameter space beside the 3D view (on) or in place of it, as a tab (off)."""
        panel = self.param_panel
        if on and panel.parent() is not self._top:
            self.space_tabs.removeTab(self.space_tabs.indexOf(panel))
            self._top.insertWidget(1, panel)
            panel.show()
        elif not on and panel.parent() is self._top:
            self.space_tabs.addTab(panel, "Parameter space")
        self.space_tabs.tabBar().setVisible(not on)

    def parameter_space_shown(self) -> bool:
        return self.param_panel.isVisibleTo(self)

    def show_update(self, u: Update) -> bool:
        snap = u.snapshot
        if u.restart:
            self._pending_losses.clear()
            self._pending_log.clear()
            self.loss_view.clear()
            if u.history is not None:                  # a reopened long session's history
                self.loss_view.adopt(u.history)
            if self.log_pane.toPlainText():
                self.log_pane.appendPlainText("--- reset: back to step 0 ---")
        if u.data is not None and u.data is not self._data:
            self._data = u.data
            self.plane_view.set_data(u.data)
        self.plane_view.set_snapshot(snap)
        if self.param_panel.isVisible() or u.restart or u.jumped or len(u.path):
            self._param_update(u)
        if u.jumped:                                   # time travel: the curve ends at the new step
            self._pending_losses.clear()
            self.loss_view.append(np.zeros(0), snap.step)
        if len(u.losses):
            self._pending_losses.append((u.first_step, u.losses))
        self._pending_log.extend(u.log)
        self.latest = u
        now = time.perf_counter()
        structural = u.restart or u.jumped or (u.spec is not None and u.spec is not self._spec)
        if not u.playing or structural or now - self._slow_shown >= SLOW_VIEWS_S:
            self._slow_shown = now
            self.flush()
            return True
        return False

    def _param_update(self, u: Update) -> None:
        """Hand ``u`` to the parameter-space panel, at most every PARAM_VIEW_S while playing."""
        if u.restart or u.jumped:                 # the panel forgets the path: so do we
            self._param_paths.clear()
        if len(u.path):
            self._param_paths.append(u.path)
        if u.restart or u.jumped or not u.playing or time.perf_counter() - self._param_shown >= PARAM_VIEW_S:
            self._show_param(u)
        else:
            self._param_held = u
            if not self._param_timer.isActive():
                self._param_timer.start(int(PARAM_VIEW_S * 1000))

    def _show_param_held(self) -> None:
        if self._param_held is not None:
            self._show_param(self._param_held)

    def _show_param(self, u: Update) -> None:
        self._param_timer.stop()
        self._param_held = None
        paths, self._param_paths = self._param_paths, []
        if len(paths) > 1 or (paths and paths[0] is not u.path):
            u = replace(u, path=np.concatenate(paths))    # every step's row, in order
        self._param_shown = time.perf_counter()
        self.param_panel.show_update(u)

    def flush(self) -> None:
        """Show everything held back (the loss curve, graph texts, log) now."""
        if self._param_held is not None:
            self._show_param(self._param_held)
        u = self.latest
        if u is None:
            return
        snap = u.snapshot
        # One definition everywhere (docs/architecture.md): each Update's losses end with the
        # current state's, so the curve, its readout and the status bar agree.  One append, one redraw.
        if self._pending_losses:
            first = self._pending_losses[0][0]
            self.loss_view.append(np.concatenate([ls for _, ls in self._pending_losses]), first)
            self._pending_losses.clear()
        self.loss_view.set_current_step(snap.step)
        if u.spec is not None:
            if self._animated is not None and self._animated is not snap:
                # Reset, a step or a reopened session: the animation showed a state that is gone.
                self._animated = None
                self.graph_view.clear_backward()
            if u.spec is not self._spec:
                self._spec = u.spec
                self.graph_view.set_graph(u.spec, u.record)
                self.graph_view.set_stopped(u.config.stop_gradients)
            self.graph_view.set_values(snap.values, snap.grads)
        if self._pending_log:
            bar = self.log_pane.verticalScrollBar()
            at_end = bar.value() >= bar.maximum() - 2
            kept = bar.value()
            self.log_pane.appendPlainText("\n".join(line.text() for line in self._pending_log))
            self._pending_log.clear()
            bar.setValue(bar.maximum() if at_end else kept)

    def animate_backward(self) -> str:
        """Load the backward-pass animation of the step's ``gradients()`` call.

        Returns a message for the status bar.  The graph view takes focus, so its keys
        (→/Space next, ← back, Home restart, Esc leave) step through the animation.
        """
        u = self.latest
        if u is None or u.record is None or u.spec is None:
            return "No gradients() call to animate yet: press Step first"
        self.flush()  # the animation must start from this step's values
        self._animated = u.snapshot
        self.graph_view.start_backward(u.record)
        self.graph_view.setFocus()
        return (f"Backward pass of step {u.snapshot.step}: {self.graph_view.backward_length()} "
                "nodes; → or Space for the next one, Esc to leave")

    def export_graph(self, path: str) -> str:
        """Write the graph view to ``path`` (PNG or SVG by extension); returns a message."""
        export = self.graph_view.export_svg if path.lower().endswith(".svg") else self.graph_view.export_png
        try:
            export(path)
        except OSError as exc:
            return f"Could not export the graph: {exc}"
        return f"Saved the graph to {path}"

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def hide_banner(self) -> None:
        self.banner.hide()
