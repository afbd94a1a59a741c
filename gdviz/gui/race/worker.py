"""The race's worker: relays a race engine running in a process of its own.

The racers step in a child process (``gdviz.training.race_engine.serve_race``, started through
the same forkserver as the plane fit's engine), so six racers at full pace never take the GIL
from the GUI thread.  This object lives in a ``QThread`` whose loop reads the child's messages
and emits them as signals (queued to the GUI thread).  The GUI calls its command methods
directly: each sends one message down a pipe (thread-safe, never blocks on the child).  See
docs/architecture.md ("Threads and the engine process").
"""

from __future__ import annotations

import itertools
import threading

from PySide6.QtCore import QObject, Signal, Slot

from gdviz.training import engine_process
from gdviz.training.race_engine import serve_race

_tokens = itertools.count(1)


class RaceWorker(QObject):
    """The GUI's side of the race engine.

    Signals
    -------
    started(facts)           (names, start θ, θ*, L*, data, specs) of a new race
    updated(RaceUpdate)
    failed(str)              a racer could not be built (the old race stays), or the engine died
    playing_changed(bool)
    """

    started = Signal(object)
    updated = Signal(object)
    failed = Signal(str)
    playing_changed = Signal(bool)

    def __init__(self):
        super().__init__()
        ctx = engine_process.context()
        self._cmd_r, cmd_w = ctx.Pipe(duplex=False)
        self._res_r, self._res_w = ctx.Pipe(duplex=False)
        self._commands = engine_process.PipeSender(cmd_w)
        self._child = engine_process.Child()
        self._pongs: dict[int, threading.Event] = {}

    # ---------------------------------------------------------------- GUI-thread API
    def configure(self, request) -> None:
        """``request = (specs, data, init_seed, tol)``: a new race, paused at step 0."""
        self._commands.put(("configure", request))

    def play(self) -> None:
        self._commands.put(("play",))

    def pause(self) -> None:
        self._commands.put(("pause",))

    def step_once(self) -> None:
        self._commands.put(("step",))

    def set_rate(self, steps_per_s: float) -> None:
        """Lockstep steps per second; 0 for as fast as possible."""
        self._commands.put(("rate", max(0.0, float(steps_per_s))))

    def barrier(self, timeout_s: float = 10.0) -> bool:
        """Return once the engine has handled every earlier command and the relay has emitted
        its answers (they are queued to the GUI thread before this returns)."""
        token = next(_tokens)
        done = self._pongs[token] = threading.Event()
        self._commands.put(("ping", token))
        ok = done.wait(timeout_s)
        self._pongs.pop(token, None)
        return ok

    def stop(self) -> None:
        self._commands.put(("stop",))

    @property
    def process(self):
        return self._child.process

    # ---------------------------------------------------------------- relay thread
    @Slot()
    def run(self) -> None:
        """Start the race engine and relay its messages until it finishes."""
        child = self._child
        try:
            child.relay(serve_race, "gdviz-race", (self._cmd_r, self._res_w), (self._cmd_r, self._res_w),
                        self._res_r, self._deliver)
        except Exception as exc:
            self.failed.emit(f"the race engine could not start: {type(exc).__name__}: {exc}")
        finally:
            code = child.end()
            if child.process is not None and not child.finished:
                self.failed.emit(f"the race engine stopped unexpectedly (exit code {code})")
            for event in list(self._pongs.values()):
                event.set()
            self._commands.close()
            self._res_r.close()

    def _deliver(self, kind: str, args: tuple) -> None:
        if kind == "ponged":                      # a barrier() is waiting for this token
            event = self._pongs.get(args[0])
            if event is not None:
                event.set()
            return
        getattr(self, kind).emit(*args)

    def kill(self) -> None:
        self._child.kill()
