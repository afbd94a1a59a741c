"""The main window: wiring only.  Views show Updates, controls emit intents, the controller
talks to the worker thread.  Nothing here trains or computes.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from gdviz.gui.run.controller import TrainingController
from gdviz.gui.widgets.controls import ControlPanel
from gdviz.training.messages import Divergence, Update
from gdviz.gui.plane.tab import PlaneFitTab
from gdviz.gui.playground.panel import PlaygroundPanel
from gdviz.gui.race.tab import RaceTab
from gdviz.gui.files import FileActions
from gdviz.gui.settings import (AppState, load_geometry, load_state, open_settings, save_geometry,
                                save_state)
from gdviz.gui.status import StatusPanel
from gdviz.training.types import TrainConfig

TITLE = "gdviz — plane fit"
SessionFactory = Callable[[TrainConfig, int, float, int], Any]


PER_OPTIMIZER_KEY = "optimizer/per_optimizer"


class _FocusedWidgetKeeps(QObject):
    """A focused slider, spin box or combo box keeps its arrow keys: the window's Step (→)
    shortcut must not steal them (with the Speed slider focused, → moves the slider)."""

    KEYS = {Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home,
            Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}

    def eventFilter(self, obj, event) -> bool:  # Qt override
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in self.KEYS:
            event.accept()          # the widget gets the key press; no shortcut fires
        return False


def default_session_factory(config: TrainConfig, points: int, noise: float, seed: int):
    """A real PlaneFit on the tutorial's data (imported here: the engine loads on first use)."""
    from gdviz.training import PlaneFit, make_plane_data

    return PlaneFit(make_plane_data(points, noise, seed), config, init_seed=seed)


def default_data_factory(points: int, noise: float, seed: int):
    from gdviz.training import make_plane_data

    return make_plane_data(points, noise, seed)


class MainWindow(QMainWindow):
    """The app window; ``presets`` (from the command line) override the saved settings."""

    def __init__(self, session_factory: SessionFactory | None = None,
                 data_factory: Callable[[int, float, int], Any] | None = None,
                 presets: dict | None = None, scene: str = "plane", start: bool = True,
                 open_path: str | None = None):
        super().__init__()
        self.setWindowTitle(TITLE)
        self.setAcceptDrops(True)   # drop a CSV or a .gdviz session onto the window
        from gdviz.gui.app_icon import app_icon

        self.setWindowIcon(app_icon())
        self._settings, self._settings_lost = open_settings()
        state, problems = load_state(self._settings)
        if self._settings_lost:  # not an ini file, or a directory: defaults, and that file left alone
            problems = [self._settings_lost + "; using the defaults, and changes will not be kept", *problems]
        self._state = self._apply_presets(state, presets or {})
        self._closing = False
        factory = session_factory or default_session_factory
        s = self._state
        self.controller = TrainingController(
            lambda: factory(s.config, s.points, s.noise, s.seed),
            data_factory or default_data_factory, speed=s.speed, parent=self)
        self._build_views()
        self._build_controls()
        self._keys = _FocusedWidgetKeeps(self)
        for w in self.controls.findChildren(QWidget):
            if isinstance(w, (QAbstractSlider, QAbstractSpinBox, QComboBox)):
                w.installEventFilter(self._keys)
        self._restore_per_optimizer()
        self._build_menus()
        self._connect()
        self._restore_view_state()
        geo, win = load_geometry(self._settings)
        restored = geo is not None and self.restoreGeometry(geo)
        self.fit_to_screen(restored)
        if win is not None:
            self.restoreState(win)
        self.tabs.setCurrentIndex(1 if scene == "playground" else 0)
        # Write once now, so a settings file that cannot be written is reported at launch.
        self._save_problem = save_state(self._settings, self._state)
        if self._save_problem:
            problems = [*problems, self._save_problem + "; changes will not be kept"]
        if problems:
            self.status.show_message("Settings: " + "; ".join(problems), 15000)
        app = QApplication.instance()
        if app is not None:  # quitting without closing the window must still stop the thread
            app.aboutToQuit.connect(self.on_about_to_quit)
        self.controller.set_generator({"points": s.points, "noise": s.noise, "seed": s.seed})
        if start:
            self.controller.start()
        if open_path:
            self.files.open_path(open_path)

    # ------------------------------------------------------------------ building
    @staticmethod
    def _apply_presets(state: AppState, p: dict) -> AppState:
        from dataclasses import replace

        cfg = {k: p[k] for k in ("mode", "optimizer", "lr", "momentum") if p.get(k) is not None}
        if cfg:
            state = replace(state, config=replace(state.config, **cfg).validated())
        data = {k: p[k] for k in ("points", "noise", "seed") if p.get(k) is not None}
        return replace(state, **data)

    def _build_views(self) -> None:
        self.plane_tab = PlaneFitTab()
        t = self.plane_tab
        # Short names for the views (tests, the benchmark and the screenshot script use them).
        self.plane_view, self.loss_view, self.graph_view = t.plane_view, t.loss_view, t.graph_view
        self.banner, self.log_pane = t.banner, t.log_pane
        self.tabs = QTabWidget()
        self.tabs.addTab(t, "Plane fit")
        self.tabs.addTab(PlaygroundPanel(), "Playground")
        self.race_tab = RaceTab(self._race_source)
        self.race_tab.message.connect(self.on_message)
        self.tabs.addTab(self.race_tab, "Race")
        self.setCentralWidget(self.tabs)
        self.status = StatusPanel(self.statusBar())

    def fit_to_screen(self, restored: bool = False) -> None:
        """First launch: 90 % of the screen's free area (never a fixed size that a 1366×768 laptop
        cannot show).  A restored geometry is clamped to the screen it is on now."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            self.resize(1500, 920)
            return
        avail = screen.availableGeometry()
        if not restored:
            w = min(max(int(avail.width() * 0.9), self.minimumSizeHint().width()), avail.width())
            h = min(int(avail.height() * 0.9), avail.height())
            self.resize(w, h)
            self.move(avail.x() + (avail.width() - w) // 2, avail.y() + (avail.height() - h) // 2)
            return
        if self.isMaximized() or self.isFullScreen():
            return
        g = self.frameGeometry()
        w, h = min(g.width(), avail.width()), min(g.height(), avail.height())
        if (w, h) != (g.width(), g.height()):
            self.resize(w - (g.width() - self.width()), h - (g.height() - self.height()))
        x = min(max(g.x(), avail.x()), avail.right() - w + 1)
        y = min(max(g.y(), avail.y()), avail.bottom() - h + 1)
        self.move(x, y)

    def _restore_per_optimizer(self) -> None:
        """Each optimizer's own hyper-parameters, as last used (a corrupt value is ignored)."""
        raw = self._settings.value(PER_OPTIMIZER_KEY, "")
        try:
            table = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            table = {}
        form = self.controls.optimizer_form
        form.set_per_optimizer(table if isinstance(table, dict) else {})
        form.set_values(self._state.config)

    def _race_source(self):
        """The race starts from the data and initial W the plane fit uses."""
        st = self._state
        return default_data_factory(st.points, st.noise, st.seed), st.seed

    def _build_controls(self) -> None:
        self.controls = ControlPanel()
        self.controls.set_config(self._state.config)
        self.controls.set_speed(self._state.speed)
        self.controls.set_data_params(self._state.points, self._state.noise, self._state.seed)
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.dock = QDockWidget("Controls", self)
        self.dock.setObjectName("controls-dock")
        self.dock.setWidget(scroll)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        # Wide enough for the controls' own minimum: the scroll area never scrolls sideways.
        scroll.setMinimumWidth(self.controls.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width() + 4)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)

    def _action(self, menu, text, slot, shortcut=None, checkable=False, tip=""):
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setCheckable(checkable)
        act.setToolTip(tip or text)
        act.setStatusTip(tip or text)
        (act.toggled if checkable else act.triggered).connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        f = bar.addMenu("&File")
        self.files = FileActions(self, f)
        self.act_screenshot = self._action(f, "Save screenshot…", self.save_screenshot_dialog,
                                           tip="Save a PNG of the window")
        self._action(f, "Export graph…", self.export_graph_dialog,
                     tip="Save the computation graph as PNG or SVG")
        self._action(f, "Record…", self.record_dialog,
                     tip="Record a panel while training, as an animated GIF or an MP4 video")
        f.addSeparator()
        self.act_quit = self._action(f, "Quit", self.close, QKeySequence.StandardKey.Quit)
        self.act_quit.setShortcut(QKeySequence("Ctrl+Q"))
        r = bar.addMenu("&Run")
        self.act_play = self._action(r, "Play / Pause", self.on_play, "Space")
        self.act_step = self._action(r, "Step", self.on_step, "Right", tip="One update")
        self.act_reset = self._action(r, "Reset", self.on_reset, "R")
        self.act_auto_stop = self._action(
            r, "Stop when converged", self.on_auto_stop, checkable=True,
            tip="Pause by itself once the loss stops changing (off: run until paused)")
        r.addSeparator()
        self.act_backward = self._action(
            r, "Animate backward pass", self.on_animate_backward, "Ctrl+B",
            tip="Pause and step through this step's gradients() call node by node (→, ←, Esc)")
        v = bar.addMenu("&View")
        self.act_true = self._action(v, "True plane", self.on_show_true_plane, checkable=True,
                                     tip="Show the plane that generated the data")
        self.act_resid = self._action(v, "Residuals", self.on_show_residuals, checkable=True,
                                      tip="Lines from each point to the fitted plane")
        self.act_logy = self._action(v, "Log-y loss", self.on_log_y, checkable=True,
                                     tip="Logarithmic loss axis")
        self.act_grads = self._action(v, "Show gradient nodes", self.on_show_gradients,
                                      checkable=True, tip="Draw the nodes gradients() added")
        self.act_beside = self._action(v, "Parameter space beside the 3D view", self.on_param_beside,
                                       checkable=True,
                                       tip="Show the loss landscape next to the data instead of in a tab")
        v.addSeparator()
        v.addAction(self.dock.toggleViewAction())
        h = bar.addMenu("&Help")
        self._action(h, "Getting started", self.show_guide, "F1",
                     tip="What each panel shows and what to try first")
        self._action(h, "About", self.on_about)

    def _connect(self) -> None:
        c, ctl = self.controller, self.controls
        c.update_ready.connect(self.on_update)
        c.playing_changed.connect(self.on_playing_changed)
        c.diverged.connect(self.on_diverged)
        c.message.connect(self.on_message)
        ctl.play_clicked.connect(self.on_play)
        ctl.step_clicked.connect(self.on_step)
        ctl.reset_clicked.connect(self.on_reset)
        ctl.speed_changed.connect(self.on_speed)
        ctl.config_changed.connect(self.on_config)
        ctl.new_data_clicked.connect(self.on_new_data)
        ctl.message.connect(self.on_message)
        self.graph_view.node_clicked.connect(self.on_node_clicked)
        self.tabs.currentChanged.connect(self.on_tab_changed)
        pp = self.plane_tab.param_panel
        pp.start_requested.connect(self.on_start_requested)
        pp.goto_requested.connect(self.controller.goto)
        pp.config_requested.connect(self.on_config_requested)
        self.plane_tab.space_tabs.currentChanged.connect(self.on_space_changed)
        toggles = getattr(self.plane_view, "toggles", None)
        if toggles is not None:  # the view's own checkboxes and the View menu stay in step
            toggles.true_plane.toggled.connect(self.act_true.setChecked)
            toggles.residuals.toggled.connect(self.act_resid.setChecked)
        self.loss_view.log_box.toggled.connect(self.act_logy.setChecked)

    def _restore_view_state(self) -> None:
        s = self._state
        for act, on in ((self.act_true, s.show_true_plane), (self.act_resid, s.show_residuals),
                        (self.act_logy, s.log_y), (self.act_grads, s.show_gradients),
                        (self.act_auto_stop, s.auto_stop)):
            with QSignalBlocker(act):
                act.setChecked(on)
        # Apply to the views even when unchanged from the actions' defaults.
        self.plane_view.set_show_true_plane(s.show_true_plane)
        self.plane_view.set_show_residuals(s.show_residuals)
        self.loss_view.set_log_y(s.log_y)
        self.controller.set_auto_stop(s.auto_stop)
        self.graph_view.set_show_gradients(s.show_gradients)

    # ------------------------------------------------------------------ intents
    @Slot()
    def on_play(self) -> None:
        self.plane_tab.hide_banner()
        self.graph_view.clear_backward()  # live values and a frozen animation do not mix
        self.controller.toggle()

    @Slot()
    def on_animate_backward(self) -> None:
        self.controller.pause()
        self.status.show_message(self.plane_tab.animate_backward(), 8000)

    @Slot()
    def on_step(self) -> None:
        self.controller.step()

    @Slot()
    def on_reset(self) -> None:
        self.plane_tab.hide_banner()
        self.status.clear_message()  # "Diverged at step k" is no longer true
        self.controller.reset()

    @Slot(object)
    def on_speed(self, speed) -> None:
        self.controller.set_speed(speed)
        self._save(speed=speed)

    @Slot(object)
    def on_config(self, config: TrainConfig) -> None:
        self.controller.set_config(config)
        self._save(config=config)
        self._settings.setValue(PER_OPTIMIZER_KEY, json.dumps(self.controls.optimizer_form.per_optimizer()))
        if self.plane_tab.param_panel.isVisible():      # the ghost: where this change leads
            self.plane_tab.param_panel.preview(config)

    @Slot(object, object)
    def on_start_requested(self, W, b) -> None:
        self.plane_tab.hide_banner()
        self.controller.set_start(W, b)
        self.status.show_message(f"Start set to W = [{W[0]:.4g}, {W[1]:.4g}], b = {b[0]:.4g}", 5000)

    @Slot(object)
    def on_config_requested(self, config: TrainConfig) -> None:
        """A change asked for by the parameter-space panel (optimal lr, the (lr, m) map)."""
        self.controls.set_config(config)
        self.on_config(config)

    @Slot(int)
    def on_space_changed(self, index: int = 0) -> None:
        """Trace the path of every step only while the parameter space is shown (+24 % a step)."""
        t = self.plane_tab
        self.controller.set_trace(self.act_beside.isChecked() or t.space_tabs.currentWidget() is t.param_panel)

    @Slot(bool)
    def on_param_beside(self, on: bool) -> None:
        self.plane_tab.set_parameter_space_beside(on)
        self.on_space_changed()

    @Slot(int, float, int)
    def on_new_data(self, points: int, noise: float, seed: int) -> None:
        self.controller.new_data(points, noise, seed)
        self._save(points=points, noise=noise, seed=seed)

    @Slot(str)
    def on_node_clicked(self, name: str) -> None:
        self.controls.toggle_stop(name)

    @Slot(bool)
    def on_show_true_plane(self, on: bool) -> None:
        self.plane_view.set_show_true_plane(on)
        self._save(show_true_plane=on)

    @Slot(bool)
    def on_show_residuals(self, on: bool) -> None:
        self.plane_view.set_show_residuals(on)
        self._save(show_residuals=on)

    @Slot(bool)
    def on_log_y(self, on: bool) -> None:
        self.loss_view.set_log_y(on)
        self._save(log_y=on)

    @Slot(bool)
    def on_auto_stop(self, on: bool) -> None:
        self.controller.set_auto_stop(on)
        self._save(auto_stop=on)

    @Slot(bool)
    def on_show_gradients(self, on: bool) -> None:
        self.graph_view.set_show_gradients(on)
        self._save(show_gradients=on)

    @Slot(int)
    def on_tab_changed(self, index: int) -> None:
        plane = index == 0
        # The controls, run keys and status fields belong to the plane fit only: on the
        # Playground tab, R or Space must not reset or run a fit nobody is looking at.
        self.dock.setVisible(plane)
        for act in (self.act_play, self.act_step, self.act_reset, self.act_backward):
            act.setEnabled(plane)
        self.status.set_fields_visible(plane)

    @Slot()
    def show_guide(self) -> None:
        from gdviz.gui.guide import GuideDialog

        if getattr(self, "_guide", None) is None:
            self._guide = GuideDialog(self)
        self._guide.show()
        self._guide.raise_()

    def show_guide_on_first_launch(self) -> None:
        """Once per user: the guide opens beside the window the first time gdviz starts."""
        from gdviz.gui.guide import SHOWN_KEY

        if self._settings.value(SHOWN_KEY, "") != "yes":
            self._settings.setValue(SHOWN_KEY, "yes")
            self.show_guide()

    @Slot()
    def on_about(self) -> None:
        from gdviz import __version__

        QMessageBox.about(self, "About gdviz", (
            f"<h3>gdviz {__version__}</h3>"
            "<p>Watch and steer gradient descent: the TensorFlow tutorial's plane fit "
            "y = 0.1·x1 + 0.2·x2 + 0.3 on a small TF1-style numpy autodiff, with the loss landscape, "
            "the computation graph and its gradients, and optimizers racing side by side.</p>"
            "<p>For learning and teaching how gradients flow, what learning rates and momentum do, "
            "and what <code>tf.gradients(ys, xs, grad_ys, stop_gradients)</code> means.</p>"
            "<p>Licence: MIT. Documentation: the README and <code>docs/</code> in the project; "
            "Help → Getting started inside the app.</p>"))

    @Slot()
    def export_graph_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export graph", "gdviz-graph.png",
                                              "PNG image (*.png);;SVG vector image (*.svg)")
        if path:
            self.status.show_message(self.plane_tab.export_graph(path), 5000)

    @Slot()
    def record_dialog(self) -> None:
        from gdviz.gui.record_dialog import RecordDialog

        RecordDialog(self).exec()

    @Slot()
    def save_screenshot_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", "gdviz.png", "PNG (*.png)")
        if path:
            ok = self.grab().save(path)
            self.status.show_message(f"Saved {path}" if ok else f"Could not save {path}", 5000)

    # ------------------------------------------------------------------ worker -> views
    # ------------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event) -> None:  # Qt override
        if FileActions.accepts(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # Qt override
        self.files.drop(event.mimeData())
        event.acceptProposedAction()

    @Slot(object)
    def on_update(self, u: Update) -> None:
        if u.restart and u.config != self.controls.config():   # an opened session brings its own
            self.controls.set_config(u.config)
            self._save(config=u.config)
        if self.plane_tab.show_update(u):  # the slow views refreshed: so do these
            self._show_side_panels(u)

    def _show_side_panels(self, u: Update) -> None:
        self.controls.set_forward_names(u.forward_names)
        self.controls.grad_readout.show_snapshot(u.snapshot, u.record)
        self.status.show_update(u)

    @Slot(bool)
    def on_playing_changed(self, playing: bool) -> None:
        if not playing and self.plane_tab.latest is not None:  # nothing held back once paused
            self.plane_tab.flush()
            self._show_side_panels(self.plane_tab.latest)
        self.controls.set_playing(playing)
        self.status.set_playing(playing)
        if playing:
            self.status.clear_message()  # a paused-state note is stale once playing

    @Slot(object)
    def on_diverged(self, d: Divergence) -> None:
        self.plane_tab.show_banner(d.message)  # the full message; the status bar is narrow
        self.status.show_message(f"Diverged at step {d.step}: paused", 0)

    @Slot(str)
    def on_message(self, text: str) -> None:
        self.status.show_message(text, 10000)

    # ------------------------------------------------------------------ settings + close
    def _save(self, **changes) -> None:
        from dataclasses import replace

        self._state = replace(self._state, **changes)
        if not self._closing:
            problem = save_state(self._settings, self._state)
            if problem and problem != self._save_problem:  # say it once, not at every change
                self.status.show_message("Settings: " + problem, 15000)
            self._save_problem = problem

    @Slot()
    def on_heartbeat(self) -> None:
        """Does nothing: lets Python run pending signal handlers (see app._close_on_ctrl_c)."""

    @Slot()
    def on_about_to_quit(self) -> None:
        self.controller.shutdown()
        self.race_tab.shutdown()

    def closeEvent(self, event) -> None:  # Qt override
        self._closing = True
        problem = self._settings_lost or save_state(self._settings, self._state)
        if problem:  # the window is going: the terminal is the last place to say it
            print(f"gdviz: settings not saved: {problem}", file=sys.stderr)
        else:
            save_geometry(self._settings, self.saveGeometry(), self.saveState())
        self.controller.shutdown()
        self.race_tab.shutdown()
        super().closeEvent(event)
