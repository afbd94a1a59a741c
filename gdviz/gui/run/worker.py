"""The training worker: runs a plane-fit session in its own thread, talks to the GUI by signals.

Ownership (docs/architecture.md, "Threads"): the session is created *inside* the worker thread and only the
worker ever touches it.  The GUI talks to the worker through two thread-safe channels read
between steps -- a :class:`threading.Event` for play/pause, another for stop, and a
:class:`queue.SimpleQueue` of commands -- because a worker busy in its loop never runs queued
slot calls.  The worker talks back with signals only, carrying frozen values (:class:`Update`,
:class:`Divergence`), emitted at most once per ``EMIT_INTERVAL_S`` (throttled at the source),
each Update carrying *every* loss since the previous one so the loss curve never drops a point.

Signal order: ``started``, then ``yielded``/``paused``/``resumed``/``diverged``/``rejected``/
``errored`` any number of times, then ``finished`` exactly once.  ``paused`` is emitted after
the last Update of a run; no Update follows it until ``resumed`` (or a command such as Step,
Reset, new data or a configuration change, each of which answers with one Update).
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
import traceback
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from gdviz.training.messages import Divergence, LogLine, Update, divergence_message
from gdviz.training.timeline import Timeline
from gdviz.training.types import TrainConfig, frozen_array

__all__ = ["TrainingWorker", "Update", "Divergence", "LogLine"]

#: Minimum time between two Updates (the GUI repaints at most ~50 times a second).
EMIT_INTERVAL_S = 0.02
#: At full speed, aim for chunks of steps this long so pause/commands are read often.
CHUNK_TARGET_S = 0.004
#: Pause after each chunk of steps, handing the GIL to the GUI thread.
YIELD_S = float(os.environ.get("GDVIZ_WORKER_YIELD", "0.0005"))
#: Longest time without an Update when the GUI does not acknowledge them (see gui_done).
GUI_WAIT_S = 1.0
#: The tutorial prints ``step W b`` every this many steps.
LOG_EVERY = 20


class TrainingWorker(QObject):
    """Runs a session in the thread it has been moved to.

    Parameters
    ----------
    session_factory : callable () -> session
        Called once, in the worker thread, to build the session (a ``PlaneFit`` or anything
        with its interface: ``step``, ``steps``, ``snapshot``, ``configure``, ``reset``,
        ``set_data``, ``step_count``, ``config``, ``spec``, ``record``, ``forward_names``).
    data_factory : callable (points, noise, seed) -> PlaneData
        Used by :meth:`new_data` (runs in the worker thread too).
    speed : float or None
        Steps per second, ``None`` for as fast as possible.
    """

    started = Signal()
    yielded = Signal(object)  # Update
    paused = Signal()
    resumed = Signal()
    diverged = Signal(object)  # Divergence
    rejected = Signal(str)  # a command was invalid and changed nothing
    told = Signal(str)  # a command's outcome worth a sentence (file saved, data loaded, warnings)
    ponged = Signal(int)  # answer to ping(): every earlier command and Update is done
    errored = Signal(str)  # an unexpected error in a step; training paused
    finished = Signal()

    def __init__(
        self,
        session_factory: Callable[[], Any],
        data_factory: Callable[[int, float, int], Any] | None = None,
        speed: float | None = None,
    ):
        super().__init__()
        self._session_factory = session_factory
        self._data_factory = data_factory
        self._playing = threading.Event()
        # Back-pressure: cleared when an Update is sent, set by the GUI once it has shown it;
        # the worker sends no new Update before that, so the GUI's queue never floods.
        self._gui_idle = threading.Event()
        self._gui_idle.set()
        self._stop = threading.Event()
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._speed = speed
        # Everything below is touched only by the worker thread once run() starts.
        self._session = None
        self._pending: list[np.ndarray] = []
        self._pending_first = 1
        self._log: list[LogLine] = []
        self._last_emit = 0.0
        self._last_emit_step = 0
        self._last_step_sent = 0
        self._per_step_s = 1e-4
        self._pace_t0 = 0.0
        self._pace_step0 = 0
        self._log_every = LOG_EVERY
        # The parameter-space view: the path of every step (when traced) and exact checkpoints
        # for time travel (always kept: a few small arrays every `every` steps).
        self._trace = False
        self._paths: list[np.ndarray] = []
        self._timeline = Timeline()
        self._horizon = 0          # the furthest step reached since the last reset
        self._generator: dict | None = None   # generator settings of the data, None for a file

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
        """Time travel: put the session in its exact state after ``step`` updates."""
        self._playing.clear()
        self._commands.put(("goto", int(step)))

    def open_file(self, path: str, columns=None) -> None:
        """Load a CSV/TSV data file or a .gdviz session (in the worker thread: no freeze)."""
        self._playing.clear()
        self._commands.put(("open", str(path), columns))

    def save_session(self, path: str, losses) -> None:
        """Save data, settings, the exact state and ``losses`` (the curve's history)."""
        self._commands.put(("save", str(path), np.asarray(losses, np.float64)))

    def export_history(self, path: str) -> None:
        """Write step, loss, W1, W2, b of every step so far as CSV (replayed exactly)."""
        self._commands.put(("export", str(path)))

    def set_start(self, W, b) -> None:
        """Start again from step 0 at this W (2 values) and b."""
        self._commands.put(("start", np.asarray(W, np.float64).ravel().tolist(), float(np.ravel(b)[0])))

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
            self._session = self._session_factory()
            self._last_step_sent = self._session.step_count
            self._restart_timeline()
            self._emit_update(restart=True)
            self._loop()
        except Exception as exc:  # the factory itself failed: nothing to train
            self.errored.emit(f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
        finally:
            self._session = None
            self.finished.emit()

    def _loop(self) -> None:
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
                self._restart_pacing()
                self.resumed.emit()
            n = self._steps_due()
            if n == 0:
                continue
            self._run_steps(n)
            if YIELD_S > 0:
                # The engine is pure Python: without a pause the worker holds the GIL nearly
                # all the time and the GUI (painting, the loss curve) gets too little of it.
                time.sleep(YIELD_S)
            since = time.perf_counter() - self._last_emit
            # Never more than one Update in flight: while the GUI is still showing the last
            # one, keep training and let the losses pile up for the next (none is lost).  The
            # long timeout only matters for a worker without a GUI acknowledging Updates.
            if since >= EMIT_INTERVAL_S and (self._gui_idle.is_set() or since >= GUI_WAIT_S):
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
        s = self._session
        try:
            if kind == "wake":
                return
            if kind == "ping":
                self.ponged.emit(cmd[1])
                return
            if kind == "speed":
                self._speed = cmd[1]
                self._restart_pacing()
                return
            if kind == "trace":
                self._trace = cmd[1]
                return
            if kind == "step":
                self._log_every = LOG_EVERY  # stepping by hand: the tutorial's own interval
                self._run_steps(1)
            elif kind == "configure":
                s.configure(cmd[1])
                if hasattr(s, "state"):
                    self._timeline.forget_after(s.step_count)     # the future is rewritten from here
                    self._horizon = s.step_count
                    self._timeline.observe(s, pin=True)
            elif kind == "goto":
                self._goto(cmd[1])
                return
            elif kind == "save":
                from gdviz.training.session_file import save

                save(cmd[1], s, cmd[2], self._generator)
                self.told.emit(f"Saved the session at step {s.step_count} to {cmd[1]}")
                return
            elif kind == "export":
                self._export(cmd[1])
                return
            elif kind == "open":
                self._open(cmd[1], cmd[2])
                return
            elif kind in ("reset", "start"):
                if kind == "start":
                    s.set_start(cmd[1], cmd[2])               # raises ValueError on bad values
                else:
                    s.reset()
                self._pending.clear()
                self._log.clear()
                self._paths.clear()
                self._restart_timeline()
                self._restart_pacing()
                self._emit_update(restart=True)
                return
            elif kind == "data":
                if self._data_factory is None:
                    raise ValueError("no data factory: this session cannot make new data")
                s.set_data(self._data_factory(cmd[1], cmd[2], cmd[3]))
                self._generator = {"points": cmd[1], "noise": cmd[2], "seed": cmd[3]}
                self._restart_timeline()
            else:
                raise ValueError(f"unknown worker command {kind!r}")
        except ValueError as exc:
            self.rejected.emit(str(exc))
            return
        except Exception as exc:
            self._playing.clear()
            self.errored.emit(f"{type(exc).__name__} during {kind}: {exc}")
            return
        self._restart_pacing()
        self._emit_update()  # every command is answered by one Update showing its effect

    def _restart_timeline(self) -> None:
        s = self._session
        self._timeline.clear()
        self._horizon = s.step_count
        if hasattr(s, "state"):
            self._timeline.observe(s, pin=True)

    def _goto(self, step: int) -> None:
        """Jump to ``step`` (0 .. the furthest step reached) and answer with one Update."""
        s = self._session
        if not hasattr(s, "state"):
            raise ValueError("this session cannot travel in time")
        if not 0 <= step <= self._horizon:
            raise ValueError(f"step {step} is outside the run (0 to {self._horizon})")
        self._pending.clear()
        self._log.clear()
        self._paths.clear()
        self._timeline.goto(s, step)
        self._restart_pacing()
        self._emit_update(jumped=True)

    def set_generator(self, generator: dict | None) -> None:
        """What made the initial data (saved in sessions instead of the points themselves)."""
        self._generator = generator

    def _open(self, path: str, columns=None) -> None:
        """Load a file; on any error the session is untouched and the error is reported."""
        from pathlib import Path

        from gdviz.training.datafile import load_csv
        from gdviz.training.session_file import load

        s = self._session
        if Path(path).suffix.lower() == ".gdviz":
            session = load(path)                        # raises SessionFileError: nothing changed
            backup = (s.data, s.start(), s.state())
            try:
                s.set_data(session.data)
                s.set_start(*session.start)
                s.restore(session.state)
            except ValueError:
                s.set_data(backup[0])
                s.set_start(*backup[1])
                s.restore(backup[2])
                raise
            self._generator = session.generator
            history = session.losses[: s.step_count]
            text = f"Opened session {path} at step {s.step_count}"
        else:
            loaded = load_csv(path, columns)             # raises DataFileError: nothing changed
            s.set_data(loaded.data)
            s.reset()
            self._generator = None
            history = np.zeros(0)
            text = f"Loaded {loaded.data.points} points from {path}"
            if loaded.warnings:
                text += ". Warning: " + "; ".join(loaded.warnings)
        self._pending.clear()
        self._log.clear()
        self._paths.clear()
        self._restart_timeline()
        if len(history) == s.step_count and len(history):
            self._pending.append(np.asarray(history, np.float64))
        self._restart_pacing()
        self._emit_update(restart=True)
        self.told.emit(text)

    def _export(self, path: str) -> None:
        from gdviz.training.plane_fit import PlaneFit

        s = self._session
        scratch = PlaneFit(s.data, s.config)
        losses, thetas = self._timeline.replay_traced(scratch, s.step_count)
        W, b = s.weights()
        rows = np.column_stack([np.arange(len(losses) + 1), np.r_[losses, s.snapshot().loss],
                                np.vstack([thetas, np.r_[np.ravel(W), np.ravel(b)]])])
        try:
            with open(path, "w") as f:
                f.write("step,loss,W1,W2,b\n")
                for r in rows:
                    f.write(f"{int(r[0])},{float(r[1])!r},{float(r[2])!r},{float(r[3])!r},{float(r[4])!r}\n")
        except OSError as e:
            raise ValueError(f"{path}: cannot be written ({e.strerror or e})") from None
        self.told.emit(f"Exported {len(rows)} steps (step, loss, W1, W2, b) to {path}")

    @staticmethod
    def _lr_limit(s) -> float | None:
        """The optimizer's linear stability limit on the session's data, if it has one."""
        from gdviz.training import landscape as ls

        cfg, data = getattr(s, "config", None), getattr(s, "data", None)
        if cfg is None or data is None or cfg.optimizer not in ls.LINEAR:
            return None
        try:
            return ls.lr_limits(ls.analyze(data).eigenvalues, cfg.momentum)[cfg.optimizer]
        except Exception:       # a fake session in tests, degenerate data: no limit to name
            return None

    def horizon(self) -> int:
        """The furthest step reached since the last reset (worker thread's view)."""
        return self._horizon

    def _restart_pacing(self) -> None:
        self._pace_t0 = time.perf_counter()
        self._pace_step0 = self._session.step_count if self._session is not None else 0

    def _log_interval(self) -> int:
        """The tutorial logs every 20 steps; above ~1000 steps/s that floods the pane (and
        costs a ``weights()`` run per 20 steps), so log every 200, 2000... steps instead --
        always a subset of the tutorial's own lines."""
        speed = self._speed if self._speed is not None else 1.0 / max(self._per_step_s, 1e-7)
        every = LOG_EVERY
        while speed > 1000 * every / LOG_EVERY:
            every *= 10
        return every

    def _steps_due(self) -> int:
        """How many updates to run now (0 after waiting for a paced step or a command)."""
        s = self._session
        self._log_every = every = self._log_interval()
        to_log = every - ((s.step_count - 1) % every) if s.step_count > 0 else 1
        to_log = min(to_log, self._timeline.due(s.step_count))   # chunks end on checkpoints too
        if self._speed is None or not math.isfinite(self._speed):
            n = int(CHUNK_TARGET_S / max(self._per_step_s, 1e-7))
            return max(1, min(n, to_log, 100_000))
        speed = max(float(self._speed), 1e-3)
        done = s.step_count - self._pace_step0
        due = int((time.perf_counter() - self._pace_t0) * speed) - done
        if due <= 0:
            wait = (done + 1) / speed - (time.perf_counter() - self._pace_t0)
            # Wait for the next step's time, but wake at once for a command (no busy loop);
            # never wait past the next emit so a slow speed still shows its step promptly.
            try:
                cmd = self._commands.get(timeout=max(0.0, min(wait, 0.1)))
            except queue.Empty:
                return 0
            self._handle(cmd)
            return 0
        # After a stall (a slow snapshot, a busy machine) do not burst more than ~0.1 s worth.
        cap = max(1, int(speed * 0.1))
        if due > cap:
            self._pace_step0 -= due - cap
            due = cap
        return max(1, min(due, to_log))

    def _run_steps(self, n: int) -> None:
        s = self._session
        first = s.step_count  # 0-based index of the first step run now
        t0 = time.perf_counter()
        try:
            if self._trace and hasattr(s, "steps_traced"):
                losses, path = s.steps_traced(n)
                self._paths.append(path)
            else:
                losses = np.asarray(s.steps(n), dtype=np.float64)
        except Exception as exc:
            self._flush()
            self._playing.clear()
            self.errored.emit(f"{type(exc).__name__} at step {s.step_count}: {exc}")
            return
        dt = time.perf_counter() - t0
        if len(losses):
            # Smoothed cost of one step, to size the next chunk at full speed.
            self._per_step_s = 0.7 * self._per_step_s + 0.3 * (dt / len(losses))
            self._pending.append(losses)
        done = s.step_count
        if hasattr(s, "state"):
            self._timeline.observe(s)
            self._horizon = max(self._horizon, done)
        # Chunks end on log boundaries (see _steps_due), so this catches every tutorial line.
        if len(losses) and (done - 1) % self._log_every == 0:
            # PlaneFit.weights() is one small run; snapshot() would also fetch every value.
            W, b = s.weights() if hasattr(s, "weights") else (s.snapshot().W, s.snapshot().b)
            self._log.append(
                LogLine(done - 1, tuple(np.ravel(W).tolist()), tuple(np.ravel(b).tolist()))
            )
        bad = ~np.isfinite(losses)
        if bad.any() or getattr(s, "diverged_at", None) is not None:
            idx = int(np.argmax(bad)) if bad.any() else len(losses) - 1
            step = first + idx if bad.any() else int(s.diverged_at)
            loss = float(losses[idx]) if len(losses) else float("nan")
            self._flush()
            self._playing.clear()
            self.diverged.emit(Divergence(step, loss, divergence_message(step, loss, s.config, self._lr_limit(s))))

    def _flush(self) -> None:
        """Emit one Update if anything happened since the last one."""
        s = self._session
        if s is not None and (self._pending or self._log or s.step_count != self._last_step_sent):
            self._emit_update()

    def _emit_update(self, restart: bool = False, jumped: bool = False) -> None:
        s = self._session
        if s is None:
            return
        now = time.perf_counter()
        step = s.step_count
        if step < self._last_step_sent and not jumped:
            restart = True
            self._pending.clear()
            self._log.clear()
            self._paths.clear()
        losses = np.concatenate(self._pending) if self._pending else np.zeros(0, np.float64)
        first = step - len(losses)
        path = np.concatenate(self._paths) if self._paths else np.zeros((0, 3))
        elapsed = now - self._last_emit
        rate = (step - self._last_emit_step) / elapsed if self._playing.is_set() and elapsed > 0 else 0.0
        update = Update(
            snapshot=s.snapshot(),
            losses=frozen_array(losses),
            first_step=first,
            steps_per_s=max(rate, 0.0),
            log=tuple(self._log),
            spec=getattr(s, "spec", None),
            record=getattr(s, "record", None),
            forward_names=tuple(getattr(s, "forward_names", ())),
            config=s.config,
            data=getattr(s, "data", None),
            restart=restart,
            playing=self._playing.is_set(),
            path=frozen_array(path),
            state=s.state() if (self._trace and hasattr(s, "state")) else None,
            horizon=self._horizon,
            jumped=jumped,
        )
        self._pending.clear()
        self._log.clear()
        self._paths.clear()
        self._last_emit = now
        self._last_emit_step = step
        self._last_step_sent = step
        self._gui_idle.clear()
        self.yielded.emit(update)
