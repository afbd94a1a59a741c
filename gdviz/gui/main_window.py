"""The main window: wiring only.  Views show Updates, controls emit intents, the controller
talks to the worker thread.  Nothing here trains or computes.
"""

from __future__ import annotations

import os
from functools import partial
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from gdviz.gui.run.controller import TrainingController
from gdviz.gui.run.worker import ENGINES
from gdviz.gui.widgets.controls import ControlPanel
from gdviz.training.messages import Divergence, Update
from gdviz.gui.plane.tab import PlaneFitTab
from gdviz.gui.playground.panel import PlaygroundPanel
from gdviz.gui.race.tab import RaceTab
from gdviz.gui.files import FileActions
from gdviz.gui.menus import WindowMenus
from gdviz.gui.status import StatusPanel
from gdviz.gui.window_settings import WindowMemory
from gdviz.training.data import make_plane_data
from gdviz.training.plane_fit import new_plane_fit
from gdviz.training.types import TrainConfig

TITLE = "gdviz — plane fit"
SessionFactory = Callable[[TrainConfig, int, float, int], Any]


class _FocusedWidgetKeeps(QObject):
    """A focused slider, spin box or combo box keeps its arrow keys: the window's Step (→)
    shortcut must not steal them (with the Speed slider focused, → moves the slider)."""

    KEYS = {Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home,
            Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}

    def eventFilter(self, obj, event) -> bool:  # Qt override
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in self.KEYS:
            event.accept()          # the widget gets the key press; no shortcut fires
        return False


# The app's own factories live in the Qt-free training package: an engine process imports them
# by name without loading Qt.
default_session_factory = new_plane_fit
default_data_factory = make_plane_data


def default_engine(session_factory=None) -> str:
    """Where training runs: in a process of its own (the default: the GUI and the engine never
    wait for each other's GIL), or in a thread for a custom factory (which need not pickle).
    ``GDVIZ_ENGINE=thread`` or ``process`` overrides it (benchmarks compare the two)."""
    chosen = os.environ.get("GDVIZ_ENGINE", "")
    if chosen in ENGINES:
        return chosen
    return "process" if session_factory is None else "thread"


class MainWindow(QMainWindow):
    """The app window; ``presets`` (from the command line) override the saved settings."""

    def __init__(self, session_factory: SessionFactory | None = None,
                 data_factory: Callable[[int, float, int], Any] | None = None,
                 presets: dict | None = None, scene: str = "plane", start: bool = True,
                 open_path: str | None = None, engine: str | None = None):
        super().__init__()
        self.setWindowTitle(TITLE)
        self.setAcceptDrops(True)   # drop a CSV or a .gdviz session onto the window
        from gdviz.gui.app_icon import app_icon

        self.setWindowIcon(app_icon())
        self.memory = WindowMemory(presets)
        self._settings = self.memory.settings  # (files.py keeps the recent files there)
        s = self._state
        self.controller = TrainingController(
            partial(session_factory or default_session_factory, s.config, s.points, s.noise, s.seed),
            data_factory or default_data_factory, speed=s.speed, parent=self,
            engine=engine or default_engine(session_factory))
        self._build_views()
        self._build_controls()
        self._keys = _FocusedWidgetKeeps(self)
        for w in self.controls.findChildren(QWidget):
            if isinstance(w, (QAbstractSlider, QAbstractSpinBox, QComboBox)):
                w.installEventFilter(self._keys)
        self.controls.optimizer_form.set_per_optimizer(self.memory.per_optimizer())
        self.controls.optimizer_form.set_values(self._state.config)
        self.menus = m = WindowMenus(self)
        self.files = m.files
        # The actions under the names the tests, the screenshot script and the benchmarks use.
        self.act_play, self.act_step, self.act_reset, self.act_backward = m.play, m.step, m.reset, m.backward
        self.act_auto_stop, self.act_true, self.act_resid = m.auto_stop, m.true_plane, m.residuals
        self.act_logy, self.act_grads, self.act_beside, self.act_quit = m.logy, m.grads, m.beside, m.quit
        self._connect()
        self._restore_view_state()
        geo, win = self.memory.geometry()
        restored = geo is not None and self.restoreGeometry(geo)
        self.fit_to_screen(restored)
        if win is not None:
            self.restoreState(win)
        self.tabs.setCurrentIndex(1 if scene == "playground" else 0)
        self.on_tab_changed(self.tabs.currentIndex())  # a state saved on the Race tab hid the dock
        if self.memory.problems:
            self.status.show_message("Settings: " + "; ".join(self.memory.problems), 15000)
        app = QApplication.instance()
        if app is not None:  # quitting without closing the window must still stop the thread
            app.aboutToQuit.connect(self.on_about_to_quit)
        self.controller.set_generator({"points": s.points, "noise": s.noise, "seed": s.seed})
        if start:
            self.controller.start()
        if open_path:
            self.files.open_path(open_path)

    # ------------------------------------------------------------------ building
    @property
    def _state(self):
        """The values in force (kept by :class:`WindowMemory`)."""
        return self.memory.state

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

    def _race_source(self):
        """The race starts from the data in use by the plane fit (a loaded file too) and its initial W."""
        st = self._state
        u = self.controller.last_update()
        data = getattr(u, "data", None)
        return (data if data is not None else default_data_factory(st.points, st.noise, st.seed)), st.seed

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
        self._controls_wanted = True   # View → Controls (not closable: Qt greys its action out)
        self.dock.toggleViewAction().triggered.connect(self._on_controls_toggled)

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
        self.memory.save_per_optimizer(self.controls.optimizer_form.per_optimizer())
        if self.plane_tab.param_panel.isVisible():      # the ghost: where this change leads
            self.plane_tab.param_panel.request_ghost(config)

    @Slot(object, object)
    def on_start_requested(self, W, b) -> None:
        self.plane_tab.hide_banner()
        self.controller.set_start(W, b)
        self.status.show_message(f"Start set to W = [{W[0]:.4g}, {W[1]:.4g}], b = {b[0]:.4g} "
                                 "(Edit → Undo new start: Ctrl+Z)", 8000)

    @Slot()
    def on_undo_start(self) -> None:
        self.plane_tab.hide_banner()
        self.controller.undo_start()

    @Slot()
    def on_tutorial_start(self) -> None:
        self.plane_tab.hide_banner()
        self.controller.tutorial_start()
        self.status.show_message("Back to the tutorial's start (Edit → Undo new start: Ctrl+Z)", 8000)

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
        self.dock.setVisible(plane and self._controls_wanted)
        self.dock.toggleViewAction().setEnabled(plane)
        for act in (self.act_play, self.act_step, self.act_reset, self.act_backward):
            act.setEnabled(plane)
        self.status.set_fields_visible(plane)

    @Slot(bool)
    def _on_controls_toggled(self, on: bool) -> None:
        self._controls_wanted = on
        self.on_tab_changed(self.tabs.currentIndex())

    def show_guide_on_first_launch(self) -> None:
        self.menus.show_guide_on_first_launch()

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
        problem = self.memory.save(**changes)
        if problem:
            self.status.show_message("Settings: " + problem, 15000)

    @Slot()
    def on_heartbeat(self) -> None:
        """Does nothing: lets Python run pending signal handlers (see app._close_on_ctrl_c)."""

    @Slot()
    def on_about_to_quit(self) -> None:
        self.controller.shutdown()
        self.race_tab.shutdown()

    def closeEvent(self, event) -> None:  # Qt override
        self.memory.close(self.saveGeometry(), self.saveState())
        self.controller.shutdown()
        self.race_tab.shutdown()
        super().closeEvent(event)
