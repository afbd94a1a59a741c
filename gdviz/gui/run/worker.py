"""The training worker: runs a plane-fit session's loop, in a thread or in a process of its own,
and talks to the GUI by signals.

Ownership (docs/architecture.md, "Threads and the engine process"): the session is created where
the loop runs -- in the worker's thread (``engine="thread"``) or in a child process
(``engine="process"``, the app's default: training and the GUI then never wait for each other's
GIL) -- and only the loop ever touches it.  The loop itself is :class:`EngineLoop` (Qt-free,
gdviz/training/engine_loop.py), the same in both.

The GUI talks to the loop through thread- (or process-) safe channels read between steps -- a
``playing`` and a ``stop`` flag and a queue (or pipe) of commands -- because a loop busy stepping
never runs queued slot calls.  The loop talks back with frozen values only (:class:`Update`,
:class:`Divergence`), at most one Update per ``Pacing.emit_interval_s`` and never a second one
before the GUI has shown the first (``gui_done``), each carrying *every* loss since the previous
one so the loss curve never drops a point.  In process mode the worker's thread relays the
child's messages as the same signals, so nothing downstream can tell the two apart.

Signal order: ``started``, then ``yielded``/``paused``/``resumed``/``diverged``/``rejected``/
``errored`` any number of times, then ``finished`` exactly once.  ``paused`` is emitted after
the last Update of a run; no Update follows it until ``resumed`` (or a command such as Step,
Reset, new data or a configuration change, each of which answers with one Update).
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from gdviz.training.engine_loop import EngineLoop, Flags
from gdviz.training.messages import Divergence, LogLine, Update
from gdviz.training.pacing import PACING, Pacing
from gdviz.training.types import TrainConfig

__all__ = ["TrainingWorker", "Update", "Divergence", "LogLine", "ENGINES"]

ENGINES = ("thread", "process")


class TrainingWorker(QObject):
    """Runs an :class:`EngineLoop` over a session, in the thread it has been moved to or in a
    child process that this thread relays.

    Parameters
    ----------
    session_factory : callable () -> Session
        Called once where the loop runs (a ``PlaneFit`` or anything implementing
        :class:`gdviz.training.runner.Session`); for ``engine="process"`` it must pickle
        (a module-level function or a ``functools.partial`` of one).
    data_factory : callable (points, noise, seed) -> PlaneData
        Used by :meth:`new_data` (where the loop runs; pickles too in process mode).
    speed : float or None
        Steps per second, ``None`` for as fast as possible.
    pacing : Pacing
        The run's timing policy.
    engine : "thread" or "process"
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
        engine: str = "thread",
    ):
        super().__init__()
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
        self._session_factory = session_factory
        self._data_factory = data_factory
        self._speed = speed
        self.pacing = pacing
        self.engine = engine
        self._child = None
        if engine == "process":
            from gdviz.training import engine_process

            self._flags, self._cmd_r, self._res_w, self._commands, self._res_r = engine_process.new_channels()
        else:
            # Back-pressure: gui_idle is cleared when an Update is sent, set by the GUI once it
            # has shown it; the loop sends no new Update before that, so the GUI never floods.
            self._flags = Flags(threading.Event(), threading.Event(), threading.Event())
            self._flags.gui_idle.set()
            self._commands = queue.SimpleQueue()

    # ---------------------------------------------------------------- GUI-thread API (thread-safe)
    def _put(self, cmd: tuple) -> None:
        self._commands.put(cmd)

    def play(self) -> None:
        self._flags.playing.set()
        self._put(("wake",))

    def pause(self) -> None:
        self._flags.playing.clear()
        self._put(("wake",))

    def is_playing(self) -> bool:
        return self._flags.playing.is_set()

    def step_once(self, n: int = 1) -> None:
        """Pause, then do exactly ``n`` updates (default one)."""
        self._flags.playing.clear()
        self._put(("step", int(n)) if n != 1 else ("step",))

    def set_speed(self, steps_per_s: float | None) -> None:
        self._put(("speed", steps_per_s))

    def set_auto_stop(self, on: bool) -> None:
        """Pause by itself once the fit has converged (on by default)."""
        self._put(("autostop", bool(on)))

    def configure(self, config: TrainConfig) -> None:
        self._put(("configure", config))

    def reset(self) -> None:
        self._put(("reset",))

    def new_data(self, points: int, noise: float, seed: int) -> None:
        self._put(("data", int(points), float(noise), int(seed)))

    def set_trace(self, on: bool) -> None:
        """Send the path of every step in each Update (the parameter-space view is shown)."""
        self._put(("trace", bool(on)))

    def goto(self, step: int) -> None:
        """Time travel: put the session in its exact state after ``step`` updates (pauses)."""
        self._flags.playing.clear()
        self._put(("goto", int(step)))

    def set_start(self, W, b) -> None:
        """Start again from step 0 at this W (2 values) and b."""
        import numpy as np

        self._put(("start", np.asarray(W, np.float64).ravel().tolist(), float(np.ravel(b)[0])))

    def undo_start(self) -> None:
        """Put back the start, state and history the last new start replaced (refused if none)."""
        self._put(("undo_start",))

    def tutorial_start(self) -> None:
        """Start again from step 0 at the tutorial's own start (undoable like any new start)."""
        self._put(("tutorial_start",))

    def open_file(self, path: str, columns=None) -> None:
        """Load a CSV/TSV data file or a .gdviz session (where the loop runs: no freeze)."""
        self._flags.playing.clear()
        self._put(("open", str(path), columns))

    def save_session(self, path: str, losses=None) -> None:
        """Save data, settings, the exact state and the loss history, all kept where the loop
        runs: only the path crosses (``losses`` is ignored, kept for old callers)."""
        self._put(("save", str(path)))

    def export_history(self, path: str) -> None:
        """Write step, loss, W1, W2, b of every step so far as CSV (replayed exactly)."""
        self._put(("export", str(path)))

    def set_generator(self, generator: dict | None) -> None:
        """What made the initial data (saved in sessions instead of the points)."""
        self._put(("generator", None if generator is None else dict(generator)))

    def gui_done(self) -> None:
        """The GUI has handled the last Update (called by the controller's slot)."""
        self._flags.gui_idle.set()

    def ping(self, token: int) -> None:
        """Ask for ``ponged(token)``: a barrier for tests and the benchmark."""
        self._put(("ping", int(token)))

    def request_stop(self) -> None:
        self._flags.stop.set()
        self._flags.playing.clear()
        self._put(("wake",))

    @property
    def process(self):
        """The engine's child process (``multiprocessing.Process``), None in thread mode or before start."""
        return None if self._child is None else self._child.process

    def kill(self) -> None:
        """End a child engine that did not stop when asked (process mode; shutdown's last resort)."""
        if self._child is not None:
            self._child.kill()

    # ---------------------------------------------------------------- worker thread
    @Slot()
    def run(self) -> None:
        """The loop (or the relay of the child's); connected to ``QThread.started``."""
        if self.engine == "thread":
            EngineLoop(self._session_factory, self._data_factory, self._flags, self._commands,
                       self._emit, self._speed, self.pacing).run()
        else:
            self._relay()

    def _emit(self, kind: str, *args) -> None:
        getattr(self, kind).emit(*args)

    def _relay(self) -> None:
        """Start the engine process and turn its messages into this worker's signals until it
        says ``finished`` (or dies: then ``errored`` and ``finished`` all the same)."""
        from gdviz.training import engine_process

        codec = engine_process.UpdateCodec()

        def deliver(kind: str, args: tuple) -> None:
            if kind == "yielded":
                args = (codec.decode(args[0]),)
            self._emit(kind, *args)

        child = self._child = engine_process.Child()
        try:
            child.relay(engine_process.serve, "gdviz-engine",
                        (self._session_factory, self._data_factory, self._speed, self.pacing,
                         self._flags, self._cmd_r, self._res_w),
                        (self._cmd_r, self._res_w), self._res_r, deliver)
        except Exception as exc:        # the engine could not start (e.g. a factory that will not pickle)
            self.errored.emit(f"the training engine could not start: {type(exc).__name__}: {exc}")
        finally:
            code = child.end()
            if not child.finished and code not in (None, 0):
                self.errored.emit(f"the training engine stopped unexpectedly (exit code {code}); "
                                  "the window keeps what it shows; restart the app to train again")
            self._commands.close()
            self._res_r.close()
            self.finished.emit()
