"""The training worker: runs a plane-fit session in its own thread, talks to the GUI by signals.

Ownership (docs/architecture.md, "Threads"): the session is created *inside* the worker thread and only the
worker ever touches it.  The GUI talks to the worker through two thread-safe channels read
between steps -- a :class:`threading.Event` for play/pause, another for stop, and a
:class:`queue.SimpleQueue` of commands -- because a worker busy in its loop never runs queued
slot calls.  The worker talks back with signals only, carrying frozen values (:class:`Update`,
:class:`Divergence`), emitted at most once per ``Pacing.emit_interval_s`` (throttled at the source),
each Update carrying *every* loss since the previous one so the loss curve never drops a point.
The policy (pacing, chunking, divergence and convergence, Update assembly) is
:class:`gdviz.training.runner.Runner`; this class only owns the thread-facing channels.

Signal order: ``started``, then ``yielded``/``paused``/``resumed``/``diverged``/``rejected``/
``errored`` any number of times, then ``finished`` exactly once.  ``paused`` is emitted after
the last Update of a run; no Update follows it until ``resumed`` (or a command such as Step,
Reset, new data or a configuration change, each of which answers with one Update).
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from dataclasses import replace
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from gdviz.training.messages import Divergence, LogLine, Update
from gdviz.training.pacing import CONVERGENCE, PACING, Pacing
from gdviz.training.runner import Runner
from gdviz.training.session_ops import SessionOps
from gdviz.training.types import TrainConfig

__all__ = ["TrainingWorker", "Update", "Divergence", "LogLine"]

class TrainingWorker(QObject):
    """Runs a :class:`Runner` over a session in the thread it has been moved to.

    Parameters
    ----------
    session_factory : callable () -> Session
        Called once, in the worker thread, to build the session (a ``PlaneFit`` or anything
        implementing :class:`gdviz.training.runner.Session`).
    data_factory : callable (points, noise, seed) -> PlaneData
        Used by :meth:`new_data` (runs in the worker thread too).
    speed : float or None
        Steps per second, ``None`` for as fast as possible.
    pacing : Pacing
        The run's timing policy.
    """

    started = Signal()
    yielded = Signal(object)  # Update
    paused = Signal()
    resumed = Signal()
    diverged = Signal(object)  # Divergence
    rejected = Signal(str)  # a command was invalid and changed nothing
    told = Signal(str)  # a command's outcome worth a sentence (file saved, data loaded, warnings)
    converged = Signal(str)  # the fit converged and auto-stop paused it
    ponged = Signal(int)  # answer to ping(): every earlier command and Update is done
    errored = Signal(str)  # an unexpected error in a step; training paused
    finished = Signal()

    def __init__(
        self,
        session_factory: Callable[[], Any],
        data_factory: Callable[[int, float, int], Any] | None = None,
        speed: float | None = None,
        pacing: Pacing = PACING,
    ):
        super().__init__()
        self._session_factory = session_factory
        self._data_factory = data_factory
        self.pacing = pacing
        self._playing = threading.Event()
        # Back-pressure: cleared when an Update is sent, set by the GUI once it has shown it;
        # the worker sends no new Update before that, so the GUI's queue never floods.
        self._gui_idle = threading.Event()
        self._gui_idle.set()
        self._stop = threading.Event()
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._speed = speed
        self._convergence = CONVERGENCE
        self.runner: Runner | None = None  # touched only by the worker thread once run() starts
        # Time travel and files (Qt-free): checkpoints, the furthest step reached, the data's origin.
        self.ops = SessionOps()

    # ---------------------------------------------------------------- GUI-thread API (thread-safe)
    def play(self) -> None:
        self._playing.set()
        self._commands.put(("wake",))

    def pause(self) -> None:
        self._playing.clear()
        self._commands.put(("wake",))

    def is_playing(self) -> bool:
        return self._playing.is_set()

    def step_once(self) -> None:
        """Pause, then do exactly one update."""
        self._playing.clear()
        self._commands.put(("step",))

    def set_speed(self, steps_per_s: float | None) -> None:
        self._commands.put(("speed", steps_per_s))

    def set_auto_stop(self, on: bool) -> None:
        """Pause by itself once the fit has converged (on by default)."""
        self._commands.put(("autostop", bool(on)))

    def configure(self, config: TrainConfig) -> None:
        self._commands.put(("configure", config))

    def reset(self) -> None:
        self._commands.put(("reset",))

    def new_data(self, points: int, noise: float, seed: int) -> None:
        self._commands.put(("data", int(points), float(noise), int(seed)))

    def set_trace(self, on: bool) -> None:
        """Send the path of every step in each Update (the parameter-space view is shown)."""
        self._commands.put(("trace", bool(on)))

    def goto(self, step: int) -> None:
        """Time travel: put the session in its exact state after ``step`` updates (pauses)."""
        self._playing.clear()
        self._commands.put(("goto", int(step)))

    def set_start(self, W, b) -> None:
        """Start again from step 0 at this W (2 values) and b."""
        import numpy as np

        self._commands.put(("start", np.asarray(W, np.float64).ravel().tolist(), float(np.ravel(b)[0])))

    def open_file(self, path: str, columns=None) -> None:
        """Load a CSV/TSV data file or a .gdviz session (in the worker thread: no freeze)."""
        self._playing.clear()
        self._commands.put(("open", str(path), columns))

    def save_session(self, path: str, losses) -> None:
        """Save data, settings, the exact state and ``losses`` (the curve's history)."""
        self._commands.put(("save", str(path), losses))

    def export_history(self, path: str) -> None:
        """Write step, loss, W1, W2, b of every step so far as CSV (replayed exactly)."""
        self._commands.put(("export", str(path)))

    def set_generator(self, generator: dict | None) -> None:
        """What made the initial data (saved in sessions instead of the points); before start."""
        self.ops.generator = generator

    def gui_done(self) -> None:
        """The GUI has handled the last Update (called by the controller's slot)."""
        self._gui_idle.set()

    def ping(self, token: int) -> None:
        """Ask for ``ponged(token)``: a barrier for tests and the benchmark."""
        self._commands.put(("ping", int(token)))

    def request_stop(self) -> None:
        self._stop.set()
        self._playing.clear()
        self._commands.put(("wake",))

    # ---------------------------------------------------------------- worker thread
    @Slot()
    def run(self) -> None:
        """The loop; connected to ``QThread.started``."""
        self.started.emit()
        try:
            self.runner = Runner(self._session_factory(), self.pacing, self._convergence, self._speed)
            self.ops.restarted(self.runner.session)
            self._emit_update(restart=True)
            self._loop()
        except Exception as exc:  # the factory itself failed: nothing to train
            self.errored.emit(f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
        finally:
            self.runner = None
            self.finished.emit()

    def _loop(self) -> None:
        r = self.runner
        announced_pause = False
        while not self._stop.is_set():
            self._drain_commands()
            if self._stop.is_set():
                break
            if not self._playing.is_set():
                if not announced_pause:
                    self._flush()
                    self.paused.emit()
                    announced_pause = True
                # Blocks without spinning until play/step/any command arrives.
                self._handle(self._commands.get())
                continue
            if announced_pause:
                announced_pause = False
                r.restart_pacing()
                self.resumed.emit()
            n, wait = r.steps_due()
            n = min(n, self.ops.timeline.due(r.session.step_count))     # chunks end on checkpoints
            if n == 0:
                # Wait for the next paced step, but wake at once for a command (no busy loop).
                try:
                    self._handle(self._commands.get(timeout=min(wait, 0.1)))
                except queue.Empty:
                    pass
                continue
            self._run_steps(n)
            if self.pacing.yield_s > 0:
                # The engine is pure Python: without a pause the worker holds the GIL nearly
                # all the time and the GUI (painting, the loss curve) gets too little of it.
                time.sleep(self.pacing.yield_s)
            # Never more than one Update in flight: while the GUI is still showing the last
            # one, keep training and let the losses pile up for the next (none is lost).
            if r.emit_due(self._gui_idle.is_set()):
                self._flush()
        self._flush()

    def _drain_commands(self) -> None:
        while True:
            try:
                cmd = self._commands.get_nowait()
            except queue.Empty:
                return
            self._handle(cmd)

    def _handle(self, cmd: tuple) -> None:
        kind = cmd[0]
        r = self.runner
        s = r.session
        try:
            if kind == "wake":
                return
            if kind == "ping":
                self.ponged.emit(cmd[1])
                return
            if kind == "speed":
                r.set_speed(cmd[1])
                return
            if kind == "autostop":
                r.set_convergence(replace(r.convergence, enabled=cmd[1]))
                return
            if kind == "trace":
                was, r.trace = r.trace, cmd[1]
                if r.trace and not was:
                    self._emit_update()    # the current state starts the path the view draws
                return
            if kind in ("goto", "save", "export", "open", "start"):
                self._file_or_travel(kind, cmd[1:])
                return
            if kind == "step":
                r.log_every = self.pacing.log_every  # stepping by hand: the tutorial's interval
                self._run_steps(1)
            elif kind == "configure":
                s.configure(cmd[1])
                self.ops.configured(s)
            elif kind == "reset":
                s.reset()
                r.after_reset()
                self.ops.restarted(s)
                self._emit_update(restart=True)
                return
            elif kind == "data":
                if self._data_factory is None:
                    raise ValueError("no data factory: this session cannot make new data")
                data = self._data_factory(cmd[1], cmd[2], cmd[3])
                self.ops.new_data(s, data, {"points": cmd[1], "noise": cmd[2], "seed": cmd[3]})
            else:
                raise ValueError(f"unknown worker command {kind!r}")
        except ValueError as exc:
            self.rejected.emit(str(exc))
            return
        except Exception as exc:
            self._playing.clear()
            self.errored.emit(f"{type(exc).__name__} during {kind}: {exc}")
            return
        r.restart_pacing()
        self._emit_update()  # every command is answered by one Update showing its effect

    def _run_steps(self, n: int) -> None:
        r = self.runner
        try:
            out = r.run(n)
            self.ops.stepped(r.session)
        except Exception as exc:
            self._flush()
            self._playing.clear()
            self.errored.emit(f"{type(exc).__name__} at step {r.session.step_count}: {exc}")
            return
        if out.stop:
            self._flush()
            self._playing.clear()
            if out.divergence is not None:
                self.diverged.emit(out.divergence)
            else:
                self.converged.emit(out.converged)

    def _flush(self) -> None:
        """Emit one Update if anything happened since the last one."""
        if self.runner is not None and self.runner.has_news():
            self._emit_update()

    def _emit_update(self, restart: bool = False, jumped: bool = False) -> None:
        if self.runner is None:
            return
        update = self.runner.update(self._playing.is_set(), restart, horizon=self.ops.horizon, jumped=jumped)
        self._gui_idle.clear()
        self.yielded.emit(update)

    # ---------------------------------------------------------------- time travel, files
    def _file_or_travel(self, kind: str, args: tuple) -> None:
        """goto / start / save / export / open (SessionOps does them); answer with an Update or a sentence."""
        r, ops = self.runner, self.ops
        s = r.session
        if kind == "goto":
            ops.goto(s, *args)
            r.after_jump()
            self._emit_update(jumped=True)
        elif kind == "start":
            ops.start(s, *args)
            r.after_reset()
            self._emit_update(restart=True)
        elif kind == "save":
            self.told.emit(ops.save(args[0], s, args[1]))
        elif kind == "export":
            self.told.emit(ops.export(args[0], s))
        else:
            text, history = ops.open(args[0], s, *args[1:])
            r.after_reset()
            if history is not None:
                r.preload(history)                      # the curve shows the saved history
            self._emit_update(restart=True)
            self.told.emit(text)
