"""The controller: owns the worker thread and is the GUI's single door to training.

Views and controls never touch the worker: controls emit intents, the main window calls the
controller, and the controller forwards the worker's frozen messages as its own signals from
``@Slot`` methods that run in the GUI thread (PySide6 runs lambdas and plain functions
connected to a cross-thread signal in the *sender's* thread, so none are used here).
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from gdviz.training.messages import Divergence, Update
from gdviz.gui.run.worker import TrainingWorker
from gdviz.training.pacing import PACING
from gdviz.training.types import TrainConfig


def shorten_gil_switch_interval(interval_s: float = PACING.switch_interval_s) -> float | None:
    """Let the GUI thread get the GIL back quickly from the busy worker; return the interval
    to restore when the run ends (``None``: nothing was changed).

    A thread engine (the plane fit's ``engine="thread"``; the app's default is a process, which
    needs none of this) is pure Python, so it holds the GIL almost all the time.  Each time the
    GUI thread releases it (every PyOpenGL call, many Qt calls) it then waits up to the switch
    interval to get it back; a frame making ~100 such calls took ~0.25 s at CPython's default
    5 ms (the 3D view fell to ~5 fps).  0.5 ms keeps the GUI fluid at a small cost to the worker.
    """
    old = sys.getswitchinterval()
    if old > interval_s:
        sys.setswitchinterval(interval_s)
        return old
    return None


class TrainingController(QObject):
    """Start, steer and stop a :class:`TrainingWorker` in its own :class:`QThread`.

    Signals
    -------
    update_ready(Update)       every Update from the worker (GUI thread)
    playing_changed(bool)      the worker acknowledged play (True) or pause (False)
    diverged(Divergence)       the loss became non-finite; training is paused
    message(str)               a rejected command or an error, for the status bar
    stopped()                  the worker loop ended (after :meth:`shutdown`)
    """

    update_ready = Signal(object)
    playing_changed = Signal(bool)
    diverged = Signal(object)
    message = Signal(str)
    stopped = Signal()

    def __init__(
        self,
        session_factory: Callable[[], Any],
        data_factory: Callable[[int, float, int], Any] | None = None,
        speed: float | None = None,
        parent: QObject | None = None,
        engine: str = "thread",
    ):
        super().__init__(parent)
        self._worker = TrainingWorker(session_factory, data_factory, speed, engine=engine)
        # No Qt parent: the thread must outlive nothing by accident; shutdown() ends it.
        self._thread = QThread()
        self._thread.setObjectName("gdviz-training")
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.yielded.connect(self._on_yielded)
        self._worker.paused.connect(self._on_paused)
        self._worker.resumed.connect(self._on_resumed)
        self._worker.diverged.connect(self._on_diverged)
        self._worker.rejected.connect(self._on_rejected)
        self._worker.told.connect(self._on_rejected)       # a sentence for the status bar, too
        self._worker.converged.connect(self._on_rejected)  # a status message, like a rejection
        self._worker.errored.connect(self._on_errored)
        self._worker.finished.connect(self._on_finished)
        self._playing = False
        self._last: Update | None = None
        self._running = False
        self._ended = False          # the worker said finished: no engine answers any more
        self._old_switch: float | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if not self._running:
            self._running = True
            if self._worker.engine == "thread":   # a child process has a GIL of its own
                self._old_switch = shorten_gil_switch_interval(self._worker.pacing.switch_interval_s)
            self._thread.start()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop the loop and wait for the thread; True when it has finished."""
        if not self._running:
            return True
        self._worker.request_stop()
        self._thread.quit()
        ok = self._thread.wait(timeout_ms)
        if not ok and self._worker.engine == "process":   # a child stuck in a step: end it
            self._worker.kill()
            ok = self._thread.wait(timeout_ms)
        self._running = not ok
        if ok and self._old_switch is not None:  # the process-wide setting goes back
            sys.setswitchinterval(self._old_switch)
            self._old_switch = None
        return bool(ok)

    @property
    def thread(self) -> QThread:
        return self._thread

    @property
    def worker(self) -> TrainingWorker:
        return self._worker

    def is_running(self) -> bool:
        return self._running and self._thread.isRunning()

    # ------------------------------------------------------------------ intents
    def play(self) -> None:
        self._worker.play()

    def pause(self) -> None:
        self._worker.pause()

    def toggle(self) -> None:
        if self._worker.is_playing():
            self.pause()
        else:
            self.play()

    def is_playing(self) -> bool:
        """The requested state (the acknowledged one arrives as ``playing_changed``)."""
        return self._worker.is_playing()

    def step(self, n: int = 1) -> None:
        """Pause and do exactly ``n`` updates (one command, answered by one Update)."""
        self._worker.step_once(n)

    def reset(self) -> None:
        self._worker.reset()

    def set_config(self, config: TrainConfig) -> None:
        self._worker.configure(config)

    def set_speed(self, steps_per_s: float | None) -> None:
        self._worker.set_speed(steps_per_s)

    def set_auto_stop(self, on: bool) -> None:
        """Pause by itself when the fit has converged (with a message); off runs for ever."""
        self._worker.set_auto_stop(on)

    def new_data(self, points: int, noise: float, seed: int) -> None:
        self._worker.new_data(points, noise, seed)

    def open_file(self, path: str, columns=None) -> None:
        """Load a CSV/TSV data file (``columns``: x1, x2, y indices when it has more than three)
        or a .gdviz session; errors arrive as ``message`` and change nothing."""
        self._worker.open_file(path, columns)

    def engine_gone(self) -> str | None:
        """Why no file command can be carried out (the engine has ended), else None."""
        proc = self._worker.process
        if self._ended or (proc is not None and not proc.is_alive()):
            return "the training engine has stopped"
        if not self._running:
            return "the training engine is not running"
        return None

    def save_session(self, path: str, losses=None) -> None:
        """Ask the engine to write the session (it keeps the state and the loss history: only
        the path crosses); the answer arrives as ``message`` (saved, or why not).  ``losses``
        is ignored (kept for old callers)."""
        why = self.engine_gone()
        if why:
            self.message.emit(f"Session not saved: {why}, so nothing was written to {path}; "
                              "restart gdviz to train and save again")
            return
        self._worker.save_session(path)

    def export_history(self, path: str) -> None:
        why = self.engine_gone()
        if why:
            self.message.emit(f"History not exported: {why}, so nothing was written to {path}")
            return
        self._worker.export_history(path)

    def set_generator(self, generator: dict | None) -> None:
        self._worker.set_generator(generator)

    def set_trace(self, on: bool) -> None:
        """Ask for the path of every step (and the exact state) in each Update."""
        self._worker.set_trace(on)

    def goto(self, step: int) -> None:
        """Time travel to the exact state after ``step`` updates (pauses)."""
        self._worker.goto(step)

    def set_start(self, W, b) -> None:
        """Start again from step 0 at (W, b)."""
        self._worker.set_start(W, b)

    def undo_start(self) -> None:
        """Undo the last new start: the previous start, state and history come back."""
        self._worker.undo_start()

    def tutorial_start(self) -> None:
        """Start again from the tutorial's start (W from the init seed, b = 0)."""
        self._worker.tutorial_start()

    def last_update(self) -> Update | None:
        return self._last

    # ------------------------------------------------------------------ worker -> GUI
    @Slot(object)
    def _on_yielded(self, update: Update) -> None:
        self._last = update
        self.update_ready.emit(update)  # direct connections: the views are updated on return
        self._worker.gui_done()

    @Slot()
    def _on_paused(self) -> None:
        self._playing = False
        self.playing_changed.emit(False)

    @Slot()
    def _on_resumed(self) -> None:
        self._playing = True
        self.playing_changed.emit(True)

    @Slot(object)
    def _on_diverged(self, info: Divergence) -> None:
        self.diverged.emit(info)

    @Slot(str)
    def _on_rejected(self, text: str) -> None:
        self.message.emit(text)

    @Slot(str)
    def _on_errored(self, text: str) -> None:
        self.message.emit(text)

    @Slot()
    def _on_finished(self) -> None:
        self._ended = True
        if self._playing:              # an engine that died mid-run: the window shows paused
            self._on_paused()
        self._thread.quit()
        self.stopped.emit()
