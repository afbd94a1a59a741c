"""The Race tab: choose racers (presets, any optimizer, Ng's momentum, your own rule), run them
in lockstep in a worker thread, and watch loss curves, paths, the leaderboard and the EWA view."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Callable

from PySide6.QtCore import QCoreApplication, QThread, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QSplitter,
                               QTabWidget, QVBoxLayout, QWidget)

from gdviz.gui.race.board import RaceBoard
from gdviz.gui.race.plots import RacePlots
from gdviz.gui.race.rule_dialog import RuleDialog
from gdviz.gui.race.worker import RaceWorker
from gdviz.training.race import MAX_RACERS, RACER_NAMES
from gdviz.training.race_session import PRESETS, RACER_COLOURS, RacerSpec

#: steps per second offered by the pace box; 0 = as fast as the machine goes
PACES = (("2 steps/s", 2.0), ("10 steps/s", 10.0), ("50 steps/s", 50.0), ("500 steps/s", 500.0), ("max", 0.0))
DEFAULT_PRESET = "Five optimizers"
TOLERANCES = (1e-3, 1e-6, 1e-9, 1e-12)
REDRAW_MS = 16   # at most ~60 redraws a second (a screen's rate)


def _tutorial_source():
    from gdviz.training import make_plane_data

    return make_plane_data(), 0


def describe_data(data) -> str:
    """Which data the race fits, in a few words."""
    n = getattr(data, "points", None)
    if n is None:
        return ""
    if getattr(data, "true_W", None) is None:
        return f"data: loaded file, {n} points"
    return f"data: generated, {n} points, noise {data.noise:g}, seed {data.seed}"


class RaceTab(QWidget):
    #: a short sentence for the status bar
    message = Signal(str)

    def __init__(self, source: Callable[[], tuple[object, int]] | None = None):
        """``source()`` gives the (data, init_seed) a new race starts from (default: the
        tutorial's data, seed 0); it is asked again at every Reset."""
        super().__init__()
        self._source = source or _tutorial_source
        self.specs: tuple[RacerSpec, ...] = PRESETS[DEFAULT_PRESET]
        self.playing = False
        self.last_update = None
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_MS)
        self._redraw.timeout.connect(self.redraw)
        self._redrawn = 0.0
        self._build()
        self._thread = QThread(self)
        self._thread.setObjectName("gdviz-race")
        self.worker = RaceWorker()
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.run)
        self.worker.started.connect(self.on_started)
        self.worker.updated.connect(self.on_update)
        self.worker.failed.connect(self.on_failed)
        self.worker.playing_changed.connect(self.on_playing_changed)
        self.worker.set_rate(PACES[1][1])     # waits in the pipe until the engine starts
        self._started = False

    def ensure_started(self) -> None:
        """Build the first race (done when the tab is first shown, so start-up stays fast)."""
        if not self._started:
            self._started = True
            self._thread.start()               # the race engine's process starts with the tab
            self.restart()

    def showEvent(self, event) -> None:  # Qt override
        self.ensure_started()
        super().showEvent(event)

    # -- widgets ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.preset = QComboBox()
        self.preset.addItems(list(PRESETS))
        self.preset.setCurrentText(DEFAULT_PRESET)
        self.preset.setToolTip("ready-made races; choosing one replaces the racers")
        self.preset.activated.connect(self.on_preset)
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("run every racer in lockstep (Space)")
        self.play_button.clicked.connect(self.toggle_play)
        step = QPushButton("Step")
        step.setToolTip("one update for every racer")
        step.clicked.connect(self.worker_step)
        reset = QPushButton("Reset")
        reset.setToolTip("back to the common start, step 0")
        reset.clicked.connect(self.restart)
        self.pace = QComboBox()
        for text, _ in PACES:
            self.pace.addItem(text)
        self.pace.setCurrentIndex(1)
        self.pace.setToolTip("how fast the race runs")
        self.pace.currentIndexChanged.connect(self.on_pace)
        self.tol = QComboBox()
        for t in TOLERANCES:
            self.tol.addItem(f"{t:g}", t)
        self.tol.setCurrentIndex(TOLERANCES.index(1e-6))
        self.tol.setToolTip("a racer has arrived when its loss − L* ≤ tol; changing it restarts")
        self.tol.activated.connect(self.restart)
        self.step_label = QLabel("step 0")
        self.step_label.setMinimumWidth(self.step_label.fontMetrics().horizontalAdvance("step 000000000"))
        self.data_label = QLabel("")
        self.data_label.setToolTip("the data every racer fits: the Plane fit tab's data in use "
                                   "(a loaded file or the generated points), taken at each Reset")
        top = QHBoxLayout()
        for w in (QLabel("Preset"), self.preset, self.play_button, step, reset, QLabel("Pace"), self.pace,
                  QLabel("tol"), self.tol, self.step_label, self.data_label):
            top.addWidget(w)
        top.addStretch(1)

        self.add_kind = QComboBox()
        self.add_kind.addItems(list(RACER_NAMES))
        self.add_kind.setToolTip("gd…adam: TF1 optimizers; -manual: the same update built from tf.gradients "
                                 "+ assign; ng-momentum(-bc): Andrew Ng's momentum (α = lr, β = momentum)")
        add = QPushButton("Add racer")
        add.setToolTip("add the racer chosen at the left (at most six)")
        add.clicked.connect(self.on_add)
        rule = QPushButton("Write a rule…")
        rule.setToolTip("race your own update rule, written like the tutorial's assign lines")
        rule.clicked.connect(self.on_write_rule)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("remove the racer selected in the table")
        self.remove_button.clicked.connect(self.on_remove)
        self.ewa_racer = QComboBox()
        self.ewa_racer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.ewa_racer.setToolTip("whose gradients the EWA view smooths")
        self.ewa_racer.currentIndexChanged.connect(self.on_ewa_changed)
        self.ewa_component = QComboBox()
        self.ewa_component.addItems(["W1", "W2", "b"])
        self.ewa_component.setToolTip("which component of the gradient the EWA view shows")
        self.ewa_component.currentIndexChanged.connect(self.on_ewa_changed)
        self.beta = QDoubleSpinBox()
        self.beta.setRange(0.0, 0.999)
        self.beta.setDecimals(3)
        self.beta.setSingleStep(0.05)
        self.beta.setValue(0.9)
        self.beta.setToolTip("β of the average drawn: larger β, smoother and later")
        self.beta.valueChanged.connect(self.on_ewa_changed)
        buttons = QHBoxLayout()
        for w in (self.add_kind, add, rule, self.remove_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        ewa_bar = QHBoxLayout()
        for w in (QLabel("EWA of"), self.ewa_racer, self.ewa_component, QLabel("β"), self.beta):
            ewa_bar.addWidget(w)
        ewa_bar.addStretch(1)

        self.board = RaceBoard()
        self.board.edited.connect(self.on_edited)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #e06c6c")
        self.plots = RacePlots()

        racers = QWidget()
        rl = QVBoxLayout(racers)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(buttons)
        rl.addWidget(self.board, 1)
        rl.addWidget(self.error)
        smoothing = QWidget()
        sl = QVBoxLayout(smoothing)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addLayout(ewa_bar)
        sl.addWidget(self.plots.ewa, 1)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(racers)
        left.addWidget(smoothing)
        left.setSizes([300, 500])
        # The 3D view is built the first time its tab is shown: a QOpenGLWidget anywhere in the
        # window (even hidden) makes Qt composite the whole window through GL, which on a
        # software rasteriser cost the Plane-fit tab half its frame rate (measured: 30 -> 13 fps).
        self.planes = None
        self._planes_holder = QWidget()
        QVBoxLayout(self._planes_holder).setContentsMargins(0, 0, 0, 0)
        self.space = QTabWidget()
        self.space.addTab(self.plots.path, "Paths in (W1, W2)")
        self.space.addTab(self._planes_holder, "Planes in 3D")
        self.space.currentChanged.connect(self.redraw)
        self.board.itemSelectionChanged.connect(self.redraw)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.plots.loss)
        right.addWidget(self.space)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)

    # -- racers -------------------------------------------------------------------------------------
    def set_specs(self, specs) -> bool:
        """Race these racers from step 0; refuse (and keep the current race) if one cannot run."""
        specs = tuple(specs)
        try:
            if not 1 <= len(specs) <= MAX_RACERS:
                raise ValueError(f"a race has 1 to {MAX_RACERS} racers")
            for s in specs:
                s.racer()
        except Exception as e:
            self.show_error(str(e))
            self._reshow()
            return False
        self.specs = specs
        self.restart()
        return True

    def _names(self) -> tuple[str, ...]:
        return tuple(s.label or s.kind for s in self.specs)

    @Slot()
    def restart(self) -> None:
        if not self._started:          # before the tab is first shown: ensure_started() will
            return
        self.show_error("")
        data, init_seed = self._source()
        self.worker.configure((self.specs, data, init_seed, float(self.tol.currentData())))

    @Slot(int)
    def on_preset(self, index: int) -> None:
        self.board.discard_edit()    # an editor left open would write into the new racers' cells
        self.set_specs(PRESETS[self.preset.itemText(index)])

    @Slot()
    def on_add(self) -> None:
        if len(self.specs) >= MAX_RACERS:
            self.show_error(f"at most {MAX_RACERS} racers: remove one first")
            return
        self.set_specs(self.specs + (RacerSpec(self.add_kind.currentText()),))

    @Slot()
    def on_remove(self) -> None:
        row = self.board.currentRow()
        if row < 0 or len(self.specs) <= 1:
            self.show_error("select a racer to remove (a race keeps at least one)")
            return
        self.set_specs(self.specs[:row] + self.specs[row + 1:])

    @Slot()
    def on_write_rule(self) -> None:
        if len(self.specs) >= MAX_RACERS:
            self.show_error(f"at most {MAX_RACERS} racers: remove one first")
            return
        dlg = RuleDialog(self)
        if dlg.exec():
            name, text = dlg.rule()
            self.set_specs(self.specs + (RacerSpec("rule", rule=text, label=name),))

    def _reshow(self) -> None:
        """Put the racers' lr/m back and keep the leaderboard's numbers (never blank until a step)."""
        self.board.show_specs(self.specs, self._names())
        if self.last_update is not None and len(self.last_update.racers) == len(self.specs):
            self.board.show_update(self.last_update)

    @Slot(int, int, str)
    def on_edited(self, row: int, column: int, text: str) -> None:
        if not 0 <= row < len(self.specs) or (column == 2 and self.specs[row].effective()[1] is None):
            self._reshow()           # a cell that is not this racer's to edit: nothing to refuse
            return
        if not text.strip():
            self._reshow()           # an emptied cell is no edit: the value stays, no message
            return
        try:
            value = float(text)
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            self.show_error(f"{text!r} is not a number: the racer keeps its value")
            self._reshow()
            return
        spec = self.specs[row]
        spec = replace(spec, lr=value) if column == 1 else replace(spec, momentum=value)
        self.set_specs(self.specs[:row] + (spec,) + self.specs[row + 1:])

    # -- play ---------------------------------------------------------------------------------------
    @Slot()
    def toggle_play(self) -> None:
        (self.worker.pause if self.playing else self.worker.play)()

    @Slot(bool)
    def on_playing_changed(self, playing: bool) -> None:
        self.playing = playing
        self.play_button.setText("Pause" if playing else "Play")
        if not playing:
            self.redraw()          # nothing held back once paused
        if not playing and self.last_update is not None and self.last_update.finished:
            self.message.emit("Race over: every racer arrived within tol or diverged")

    @Slot(object)
    def on_started(self, facts) -> None:
        names, start, theta_star, min_loss, data, specs = facts
        self.board.show_specs(specs, names)
        self.plots.start(names, start, theta_star, min_loss, data, float(self.tol.currentData()))
        self._data = data
        self.data_label.setText(describe_data(data))
        if self.planes is not None:
            self.planes.set_data(data)
        with_m = [i for i, s in enumerate(specs) if s.uses_momentum or s.kind == "rule"]
        self.ewa_racer.blockSignals(True)
        self.ewa_racer.clear()
        for i in (with_m or range(len(names))):
            self.ewa_racer.addItem(names[i], i)
        self.ewa_racer.blockSignals(False)
        self.on_ewa_changed()

    @Slot(object)
    def on_update(self, update) -> None:
        """Store at once (cheap); draw at most every REDRAW_MS, so the GUI never falls behind."""
        self.last_update = update
        self.plots.add(update)
        if not self._redraw.isActive():
            # at most one redraw per REDRAW_MS, counted from the last one (not from this update:
            # that would add a whole interval to every frame and halve the rate)
            since_ms = (time.perf_counter() - self._redrawn) * 1000
            self._redraw.start(max(0, int(REDRAW_MS - since_ms)))

    @Slot()
    def redraw(self) -> None:
        self._redrawn = time.perf_counter()
        if self.last_update is None:
            return
        self.plots.redraw(playing=self.playing)
        if self.space.currentWidget() is self._planes_holder:
            self._ensure_planes()
            self._draw_planes()
        self.board.show_update(self.last_update)
        self.step_label.setText(f"step {self.last_update.step}")

    @Slot(str)
    def on_failed(self, text: str) -> None:
        self.show_error(text)

    @Slot()
    def on_ewa_changed(self, *_):
        i = self.ewa_racer.currentData()
        self.plots.ewa_racer = 0 if i is None else int(i)
        self.plots.ewa_component = self.ewa_component.currentIndex()
        self.plots.ewa_beta = float(self.beta.value())
        self.plots.redraw_ewa()

    def selected_racer(self) -> int:
        row = self.board.currentRow()
        return row if 0 <= row < len(self.plots.paths) else 0

    def _ensure_planes(self) -> None:
        if self.planes is not None:
            return
        from gdviz.gui.plane.view import make_plane_view

        self.planes = make_plane_view()
        gl_widget = getattr(self.planes, "view", None)
        if gl_widget is not None and gl_widget.inherits("QOpenGLWidget"):
            gl_widget.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)   # see plane/tab.py
        self.planes.setToolTip("each racer's fitted plane: the racer selected in the table solid, "
                               "the others as faint wireframes in their colours")
        self._planes_holder.layout().addWidget(self.planes)
        if getattr(self, "_data", None) is not None:
            self.planes.set_data(self._data)

    def _draw_planes(self) -> None:
        """The selected racer's plane solid, the others faint, each at its current W, b."""
        current = [p.last(1)[0] for p in self.plots.paths]
        sel = self.selected_racer()
        self.planes.set_fit(current[sel][:2], current[sel][2:])
        others = []
        for i, theta in enumerate(current):
            if i != sel:
                c = QColor(RACER_COLOURS[i])
                others.append((theta[:2], theta[2:], (c.redF(), c.greenF(), c.blueF(), 0.55)))
        self.planes.set_other_planes(others)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        if text:
            self.message.emit(text)

    def worker_step(self) -> None:
        self.worker.step_once()

    def on_pace(self, index: int) -> None:
        self.worker.set_rate(PACES[index][1])

    def worker_barrier(self) -> None:
        """Return once the engine has handled everything sent to it and its results are shown."""
        self.ensure_started()
        self.worker.barrier()
        QCoreApplication.processEvents()
        self.redraw()

    def shutdown(self) -> None:
        """Stop the worker and join its thread (call before the window closes)."""
        if self._thread.isRunning():
            self.worker.stop()
            self._thread.quit()                  # (the relay's thread idles in its event loop after)
            if not self._thread.wait(5000):      # an engine stuck in a step: end it
                self.worker.kill()
                self._thread.wait(5000)

