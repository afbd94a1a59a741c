"""The run loop's policy without Qt: pacing, chunking, divergence and convergence checks, and
Update assembly, for one session or several stepping in lockstep (a race).

The GUI's worker (gdviz/gui/run/worker.py) is a thin thread shell around a :class:`Runner`:
it asks :meth:`Runner.steps_due` how many updates to run, calls :meth:`Runner.run`, and
emits what :meth:`Runner.update` assembles.  Tests drive a Runner directly with a fake clock.

One loss definition (docs/architecture.md): **the loss at step k is the loss of the state after
k updates; step 0 is the start.**  A session's ``steps(n)`` returns the loss computed *before*
each update, i.e. the losses at steps ``first .. first+n-1``; the state after the last update
is step ``first+n``, whose loss is the snapshot's.  Every Update therefore ends with the point
of the current state, so the curve, its readout and the status bar show the same number.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Protocol, Sequence, runtime_checkable

import numpy as np

from gdviz.training.messages import Divergence, LogLine, Update
from gdviz.training.pacing import CONVERGENCE, PACING, Convergence, Pacing
from gdviz.training.types import Snapshot, TrainConfig, frozen_array
from gdviz.training.verdicts import (ConvergenceWatch, converged_message, divergence_cause,
                                     divergence_message, lr_limit_of, stalled_reason)

__all__ = ["Session", "Runner", "Outcome"]


@runtime_checkable
class Session(Protocol):
    """What a runner drives (``PlaneFit`` and the tests' fake session satisfy it)."""

    step_count: int
    config: TrainConfig
    diverged_at: int | None
    data: Any
    spec: Any
    record: Any
    forward_names: tuple[str, ...]

    def steps(self, n: int) -> np.ndarray: ...
    def snapshot(self) -> Snapshot: ...
    def weights(self) -> tuple[np.ndarray, np.ndarray]: ...
    def configure(self, config: TrainConfig) -> None: ...
    def set_data(self, data: Any) -> None: ...
    def reset(self) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """What one :meth:`Runner.run` did: updates applied, and why the run must pause (if so)."""

    steps: int
    divergence: Divergence | None = None
    converged: str | None = None
    first: int = 0                          # the primary session's step before the run
    losses: np.ndarray | None = None        # and the losses of its updates

    @property
    def stop(self) -> bool:
        return self.divergence is not None or self.converged is not None


class _Lane:
    """One session's pending losses and log lines since its last Update."""

    def __init__(self, session: Session, rule: Convergence):
        self.session = session
        self.pending: list[tuple[int, np.ndarray]] = []  # (step of arr[0], losses)
        self.paths: list[tuple[int, np.ndarray]] = []    # (step of rows[0], (W1, W2, b) rows) when traced
        self.log: list[LogLine] = []
        self.sent_step = -1  # step of the last point sent (-1: nothing since restart)
        self.watch = ConvergenceWatch(rule)
        self.history = None  # a LossHistory for the next Update (a reopened session's)

    def clear(self) -> None:
        self.history = None
        self.pending.clear()
        self.paths.clear()
        self.log.clear()


class Runner:
    """Paces and steps one or several sessions; assembles frozen Updates.

    Parameters
    ----------
    sessions : Session or sequence of Session
        Several sessions step together (same number of updates per chunk); the first one
        paces the run and is the one :meth:`update` reports.
    speed : float or None
        Steps per second; ``None`` for as fast as possible.
    clock : callable () -> float
        Seconds, monotonic (a fake one in tests).
    """

    def __init__(self, sessions: Session | Sequence[Session], pacing: Pacing = PACING,
                 convergence: Convergence = CONVERGENCE, speed: float | None = None,
                 clock: Callable[[], float] = time.perf_counter):
        seq = list(sessions) if isinstance(sessions, (list, tuple)) else [sessions]
        if not seq:
            raise ValueError("a runner needs at least one session")
        for s in seq:
            if not isinstance(s, Session):
                raise TypeError(f"{type(s).__name__} does not implement the Session protocol")
        self.pacing = pacing
        self.clock = clock
        self._lanes = [_Lane(s, convergence) for s in seq]
        self.speed = speed
        #: send the path of every step (and the exact state) with each Update: the parameter-
        #: space view is shown (sessions without ``steps_traced`` are never traced)
        self.trace = False
        self.per_step_s = 1e-4
        self.log_every = pacing.log_every
        self._pace_t0 = clock()
        self._pace_step0 = self.session.step_count
        self._last_emit = self._pace_t0
        self._last_emit_step = self.session.step_count

    # ------------------------------------------------------------------ state
    @property
    def session(self) -> Session:
        return self._lanes[0].session

    @property
    def sessions(self) -> tuple[Session, ...]:
        return tuple(lane.session for lane in self._lanes)

    @property
    def convergence(self) -> Convergence:
        return self._lanes[0].watch.rule

    def set_convergence(self, rule: Convergence) -> None:
        for lane in self._lanes:
            lane.watch.rule = rule
            lane.watch.reset()

    def set_speed(self, steps_per_s: float | None) -> None:
        if steps_per_s is not None and not (isinstance(steps_per_s, (int, float))
                                            and math.isfinite(steps_per_s) and steps_per_s > 0):
            raise ValueError(f"speed must be a positive number or None (max), not {steps_per_s!r}")
        self.speed = steps_per_s
        self.restart_pacing()

    def restart_pacing(self) -> None:
        self._pace_t0 = self.clock()
        self._pace_step0 = self.session.step_count

    def after_reset(self) -> None:
        """Forget pending losses, log lines and convergence history (the sessions were reset)."""
        for lane in self._lanes:
            lane.clear()
            lane.sent_step = -1
            lane.watch.reset()
        self.restart_pacing()

    def preload(self, losses, first: int = 0, path=None) -> None:
        """Losses of steps ``first, first+1, ...`` the next Update must carry (a reopened
        session's saved history, an undone start's); ``path``: (W1, W2, b) of those steps."""
        self._lanes[0].pending.append((int(first), np.asarray(losses, np.float64)))
        if path is not None:
            self._lanes[0].paths.append((int(first), np.asarray(path, np.float64).reshape(-1, 3)))

    def preload_history(self, history) -> None:
        """A reopened session's history that is only partly exact (a LossHistory): the next
        Update carries it whole (``Update.history``)."""
        self._lanes[0].history = history

    def after_jump(self) -> None:
        """The primary session travelled to another step (time travel): nothing pending is
        valid, and the next Update starts at the new step without clearing the views."""
        for lane in self._lanes:
            lane.clear()
            lane.sent_step = lane.session.step_count - 1
            lane.watch.reset()
        self.restart_pacing()

    def log_interval(self) -> int:
        speed = self.speed if self.speed is not None else 1.0 / max(self.per_step_s, 1e-7)
        return self.pacing.log_interval(speed)

    # ------------------------------------------------------------------ pacing
    def steps_due(self) -> tuple[int, float]:
        """``(n, 0)``: run ``n`` updates now; ``(0, wait)``: the next paced step is ``wait`` s away."""
        s = self.session
        self.log_every = every = self.log_interval()
        to_log = every - ((s.step_count - 1) % every) if s.step_count > 0 else 1
        if self.speed is None or not math.isfinite(self.speed):
            n = int(self.pacing.chunk_target_s / max(self.per_step_s, 1e-7))
            return max(1, min(n, to_log, 100_000)), 0.0
        speed = max(float(self.speed), 1e-3)
        done = s.step_count - self._pace_step0
        elapsed = self.clock() - self._pace_t0
        due = int(elapsed * speed) - done
        if due <= 0:
            return 0, max(0.0, (done + 1) / speed - elapsed)
        cap = max(1, int(speed * self.pacing.burst_s))  # after a stall, no long burst
        if due > cap:
            self._pace_step0 -= due - cap
            due = cap
        return max(1, min(due, to_log)), 0.0

    # ------------------------------------------------------------------ stepping
    def run(self, n: int) -> Outcome:
        """Apply ``n`` updates to every session (exceptions from a session propagate)."""
        t0 = self.clock()
        done = 0
        divergence = converged = None
        first0, losses0 = self._lanes[0].session.step_count, None
        for k, lane in enumerate(self._lanes):
            s = lane.session
            first = s.step_count
            if self.trace and hasattr(s, "steps_traced"):
                losses, thetas = s.steps_traced(n)
                lane.paths.append((first, thetas))
            else:
                losses = np.asarray(s.steps(n), dtype=np.float64).reshape(-1)
            if k == 0:
                done, losses0 = len(losses), losses
            if len(losses):
                lane.pending.append((first, losses))
            now = s.step_count
            if len(losses) and (now - 1) % self.log_every == 0:
                W, b = s.weights()
                lane.log.append(LogLine(now - 1, tuple(np.ravel(W).tolist()), tuple(np.ravel(b).tolist())))
            bad = ~np.isfinite(losses)
            if divergence is None and (bad.any() or s.diverged_at is not None):
                idx = int(np.argmax(bad)) if bad.any() else len(losses) - 1
                step = first + idx if bad.any() else int(s.diverged_at)
                loss = float(losses[idx]) if len(losses) else math.nan
                cfg = s.config
                divergence = Divergence(step, loss, divergence_message(
                    step, loss, divergence_cause(cfg), lr_limit_of(s), getattr(cfg, "lr", None),
                    float(getattr(cfg, "grad_ys", 1.0))))
            if k == 0 and len(losses):
                hit = lane.watch.feed(losses)
                if hit is not None:
                    converged = converged_message(first + hit, float(losses[hit]), lane.watch.rule,
                                                  stalled_reason(s))
        if done:
            dt = self.clock() - t0
            self.per_step_s = 0.7 * self.per_step_s + 0.3 * (dt / done)
        return Outcome(done, divergence, None if divergence else converged, first0, losses0)

    # ------------------------------------------------------------------ Updates
    def has_news(self) -> bool:
        lane = self._lanes[0]
        return bool(lane.pending or lane.log or lane.session.step_count != lane.sent_step)

    def emit_due(self, gui_idle: bool) -> bool:
        """Time for an Update while playing: often enough to look live, never flooding the GUI."""
        since = self.clock() - self._last_emit
        return since >= self.pacing.emit_interval_s and (gui_idle or since >= self.pacing.gui_wait_s)

    def update(self, playing: bool, restart: bool = False, **extra) -> Update:
        """The primary session's Update (see :meth:`updates`); ``extra`` fields (``horizon``,
        ``jumped``) are the worker's."""
        return replace(self.updates(playing, restart)[0], **extra)

    def updates(self, playing: bool, restart: bool = False) -> tuple[Update, ...]:
        """One Update per session; each ends with the loss of the current state (one definition)."""
        now = self.clock()
        step0 = self.session.step_count
        elapsed = now - self._last_emit
        rate = (step0 - self._last_emit_step) / elapsed if playing and elapsed > 0 else 0.0
        out = [self._assemble(lane, playing, restart, max(rate, 0.0)) for lane in self._lanes]
        self._last_emit = now
        self._last_emit_step = step0
        return tuple(out)

    def _assemble(self, lane: _Lane, playing: bool, restart: bool, rate: float) -> Update:
        s = lane.session
        snap = s.snapshot()
        step = s.step_count
        if step < lane.sent_step or restart:
            if step < lane.sent_step:  # the session went back under us: old losses are void
                lane.pending.clear()
            restart = True
            lane.sent_step = -1
        first = lane.sent_step + 1 if lane.sent_step < step else step
        vals = [a[max(0, first - f):] for f, a in lane.pending
                if f + len(a) > first and f < step]
        # pre-update losses run from `first` up to step-1; the current state's loss closes it
        body = np.concatenate(vals)[: max(0, step - first)] if vals else np.zeros(0, np.float64)
        history = lane.history
        if history is not None and history.count == step:   # the whole past comes as it is kept
            first, body = step, np.zeros(0, np.float64)
        elif len(body) != step - first:  # a gap (no losses kept, e.g. after restart): current only
            first, body = step, np.zeros(0, np.float64)
            history = None
        losses = np.append(body, float(snap.loss))
        path, state = np.zeros((0, 3)), None
        if self.trace and hasattr(s, "state"):
            rows = [a[max(0, first - f):] for f, a in lane.paths if f + len(a) > first and f < step]
            rows = np.concatenate(rows)[: len(body)] if rows else np.zeros((0, 3))
            W, b = s.weights()
            current = np.r_[np.ravel(W), np.ravel(b)].astype(np.float64)[None]
            path = np.vstack([rows, current]) if len(rows) == len(body) else current
            state = s.state()
        update = Update(
            snapshot=snap, losses=frozen_array(losses), first_step=first, steps_per_s=rate,
            log=tuple(lane.log), spec=s.spec, record=s.record,
            forward_names=tuple(s.forward_names), config=s.config, data=s.data,
            restart=restart, playing=playing, path=frozen_array(path), state=state, history=history,
        )
        lane.clear()
        lane.sent_step = step
        return update
