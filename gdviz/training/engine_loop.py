"""The training loop without Qt: one :class:`Runner` stepped between commands, its news sent out.

The GUI runs this loop either in a thread of its own process or in a child process (see
``engine_process.py``); the loop cannot tell.  It reads three flags and a queue of commands
(``play``/``pause``/``step``/``configure``/...), and reports through one callable,
``send(kind, *args)``, with ``kind`` one of :data:`MESSAGES`.

Order of messages: ``started``, then any number of the others, then ``finished`` exactly once.
``paused`` follows the last Update of a run; no Update follows it until ``resumed`` (or a
command such as Step, Reset, new data or a configuration change, each of which answers with
one Update).  Every command either takes effect and is answered by an Update, or changes nothing
and is answered by ``rejected``.
"""

from __future__ import annotations

import queue
import time
import traceback
from dataclasses import dataclass, replace
from typing import Any, Callable, Protocol

from gdviz.training.history import LossHistory
from gdviz.training.pacing import CONVERGENCE, PACING, Pacing
from gdviz.training.runner import Runner
from gdviz.training.session_ops import SessionOps

__all__ = ["EngineLoop", "Flags", "MESSAGES"]

#: what ``send`` may be called with (the worker turns each into the Qt signal of that name)
MESSAGES = ("started", "yielded", "paused", "resumed", "diverged", "rejected", "told", "converged",
            "ponged", "errored", "finished")


class _Event(Protocol):
    def set(self) -> None: ...
    def clear(self) -> None: ...
    def is_set(self) -> bool: ...


class _Commands(Protocol):
    def get(self, block: bool = True, timeout: float | None = None) -> tuple: ...
    def get_nowait(self) -> tuple: ...


@dataclass(frozen=True)
class Flags:
    """The flags the GUI sets and the loop reads between steps (``threading.Event`` in a thread,
    ``multiprocessing.Event`` across processes).

    playing : run freely while set.  stop : end the loop.  gui_idle : the GUI has shown the last
    Update (back-pressure: the loop never sends a second Update before that).
    """

    playing: _Event
    stop: _Event
    gui_idle: _Event


class EngineLoop:
    """Runs a session made by ``session_factory`` until ``flags.stop`` is set.

    Parameters
    ----------
    session_factory : callable () -> Session
        Called once, inside :meth:`run` (so the session lives where the loop runs).
    data_factory : callable (points, noise, seed) -> PlaneData or None
        Used by the ``data`` command.
    flags : Flags
    commands : queue-like of tuples
        ``get(timeout=...)`` / ``get_nowait()`` raising ``queue.Empty``.
    send : callable (kind, *args)
    speed : float or None
        Steps per second, ``None`` for as fast as possible.
    pacing : Pacing
    """

    def __init__(self, session_factory: Callable[[], Any], data_factory: Callable[[int, float, int], Any] | None,
                 flags: Flags, commands: _Commands, send: Callable[..., None], speed: float | None = None,
                 pacing: Pacing = PACING):
        self._session_factory = session_factory
        self._data_factory = data_factory
        self.flags = flags
        self._commands = commands
        self._send = send
        self._speed = speed
        self.pacing = pacing
        self.runner: Runner | None = None
        # Time travel and files: checkpoints, the furthest step reached, the data's origin.
        self.ops = SessionOps()

    # ---------------------------------------------------------------- the loop
    def run(self) -> None:
        self._send("started")
        try:
            self.runner = Runner(self._session_factory(), self.pacing, CONVERGENCE, self._speed)
            self.ops.restarted(self.runner.session)
            self._emit_update(restart=True)
            self._loop()
        except Exception as exc:  # the factory itself failed: nothing to train
            self._send("errored", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
        finally:
            self.runner = None
            self._send("finished")

    def _loop(self) -> None:
        r, f = self.runner, self.flags
        # What the GUI was last told: None before the first pass, so a Play that arrived before
        # the loop started is acknowledged ("resumed") like one that arrives later.
        announced_pause: bool | None = None
        while not f.stop.is_set():
            self._drain_commands()
            if f.stop.is_set():
                break
            if not f.playing.is_set():
                if announced_pause is not True:
                    self._flush()
                    self._send("paused")
                    announced_pause = True
                # Blocks without spinning until play/step/any command arrives.
                self._handle(self._commands.get())
                continue
            if announced_pause is not False:
                announced_pause = False
                r.restart_pacing()
                self._send("resumed")
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
                # In a thread, the engine (pure Python) would hold the GIL nearly all the time
                # and the GUI would get too little of it (0 in a process of its own).
                time.sleep(self.pacing.yield_s)
            # Never more than one Update in flight: while the GUI is still showing the last
            # one, keep training and let the losses pile up for the next (none is lost).
            if r.emit_due(f.gui_idle.is_set()):
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
                self._send("ponged", cmd[1])
                return
            if kind == "speed":
                r.set_speed(cmd[1])
                return
            if kind == "autostop":
                r.set_convergence(replace(r.convergence, enabled=cmd[1]))
                return
            if kind == "generator":
                self.ops.generator = cmd[1]
                return
            if kind == "trace":
                was, r.trace = r.trace, cmd[1]
                if r.trace and not was:
                    self._emit_update()    # the current state starts the path the view draws
                return
            if kind in ("goto", "save", "export", "open", "start", "undo_start", "tutorial_start"):
                self._file_or_travel(kind, cmd[1:])
                return
            if kind == "step":
                r.log_every = self.pacing.log_every  # stepping by hand: the tutorial's interval
                n = int(cmd[1]) if len(cmd) > 1 else 1
                if n < 1:
                    raise ValueError(f"step needs a count >= 1, not {n}")
                self._run_steps(n)
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
            self._send("rejected", str(exc))
            return
        except Exception as exc:
            self.flags.playing.clear()
            self._send("errored", f"{type(exc).__name__} during {kind}: {exc}")
            return
        r.restart_pacing()
        self._emit_update()  # every command is answered by one Update showing its effect

    def _run_steps(self, n: int) -> None:
        r = self.runner
        try:
            out = r.run(n)
            self.ops.stepped(r.session, out.first, out.losses)
        except Exception as exc:
            self._flush()
            self.flags.playing.clear()
            self._send("errored", f"{type(exc).__name__} at step {r.session.step_count}: {exc}")
            return
        if out.stop:
            self._flush()
            self.flags.playing.clear()
            if out.divergence is not None:
                self._send("diverged", out.divergence)
            else:
                self._send("converged", out.converged)

    def _flush(self) -> None:
        """Send one Update if anything happened since the last one."""
        if self.runner is not None and self.runner.has_news():
            self._emit_update()

    def _emit_update(self, restart: bool = False, jumped: bool = False) -> None:
        if self.runner is None:
            return
        update = self.runner.update(self.flags.playing.is_set(), restart, horizon=self.ops.horizon, jumped=jumped)
        self.flags.gui_idle.clear()
        self._send("yielded", update)

    # ---------------------------------------------------------------- time travel, files
    def _file_or_travel(self, kind: str, args: tuple) -> None:
        """goto / start / save / export / open (SessionOps does them); answer with an Update or a sentence."""
        r, ops = self.runner, self.ops
        s = r.session
        if kind == "goto":
            ops.goto(s, *args)
            r.after_jump()
            self._emit_update(jumped=True)
        elif kind in ("start", "tutorial_start"):
            if kind == "tutorial_start":
                from gdviz.training.plane_fit import initial_start

                W0, b0 = initial_start(getattr(s, "init_seed", 0))
                args = (W0.ravel().tolist(), float(b0[0]))
            ops.start(s, *args)
            r.after_reset()
            self._emit_update(restart=True)
        elif kind == "undo_start":
            text, losses, thetas = ops.undo_start(s)
            r.after_reset()
            if losses is not None:
                r.preload(losses, path=thetas)          # the curve and the path come back
            self._emit_update(restart=True)
            self._send("told", text)
        elif kind == "save":
            self._send("told", ops.save(args[0], s))     # the history is kept here: only a path came
        elif kind == "export":
            self._send("told", ops.export(args[0], s))
        else:
            text, history = ops.open(args[0], s, *args[1:])
            r.after_reset()
            if isinstance(history, LossHistory):        # partly exact: sent whole, once
                r.preload_history(history)
            elif history is not None:
                r.preload(history)                      # the curve shows the saved history
            self._emit_update(restart=True)
            self._send("told", text)
