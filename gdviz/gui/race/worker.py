"""The race's worker: a :class:`~gdviz.training.race_session.RaceSession` in its own thread.

The worker object lives in a ``QThread``; its ``QTimer`` (a child, so it moves with it) ticks
every ~20 ms and advances the race by as many lockstep steps as the pace allows, bounded so one
tick never holds the thread for long.  Commands arrive as queued signals between ticks; results
leave as frozen :class:`~gdviz.training.race_session.RaceUpdate` values.  See docs/architecture.md
(threads) for the rules this follows.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from gdviz.training.race_session import RaceSession

TICK_MS = 20
#: at most this long per tick at full speed, so pause/reset are answered within a tick
TICK_BUDGET_S = 0.006


class RaceWorker(QObject):
    """Owns the RaceSession (created in the worker thread by :meth:`configure`).

    Signals
    -------
    started(RaceSession-facts tuple)  (names, start θ, θ*, L*, data) of a new race
    updated(RaceUpdate)
    failed(str)                       a racer could not be built; the old race stays
    playing_changed(bool)
    """

    started = Signal(object)
    updated = Signal(object)
    failed = Signal(str)
    playing_changed = Signal(bool)

    def __init__(self):
        super().__init__()
        self._race: RaceSession | None = None
        self._rate = 20.0           # steps per second; 0 = as fast as possible
        self._credit = 0.0
        self._step_cost = 1e-4      # running estimate of one lockstep step, seconds
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0

    @Slot(object)
    def configure(self, request) -> None:
        """``request = (specs, data, init_seed, tol)``: start a new race, paused at step 0."""
        specs, data, init_seed, tol = request
        try:
            race = RaceSession(specs, data, init_seed=init_seed, tol=tol)
        except Exception as e:        # a bad racer: say why, keep the current race
            self.failed.emit(f"{type(e).__name__}: {e}")
            return
        self.pause()
        self._race = race
        self.started.emit((race.names, race.start, race.theta_star, race.min_loss, race.data, race.specs))
        self.updated.emit(race.advance(0))

    @Slot()
    def play(self) -> None:
        if self._race is None or self._timer.isActive():
            return
        self._credit, self._last = 0.0, time.perf_counter()
        self._timer.start()
        self.playing_changed.emit(True)

    @Slot()
    def pause(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.playing_changed.emit(False)

    @Slot()
    def step_once(self) -> None:
        if self._race is not None:
            self.pause()
            self.updated.emit(self._race.advance(1))

    @Slot(float)
    def set_rate(self, steps_per_s: float) -> None:
        self._rate = max(0.0, float(steps_per_s))

    @Slot()
    def ping(self) -> None:
        """Does nothing: a blocking call to it returns once earlier commands are handled."""

    @Slot()
    def stop(self) -> None:
        self._timer.stop()

    def steps_for_tick(self, elapsed: float) -> int:
        """How many lockstep steps this tick runs (pure arithmetic, tested directly)."""
        cap = max(1, int(TICK_BUDGET_S / max(self._step_cost, 1e-7)))
        if self._rate <= 0:
            return cap
        self._credit = min(self._credit + self._rate * elapsed, float(cap))
        n = int(self._credit)
        self._credit -= n
        return n

    @Slot()
    def _tick(self) -> None:
        now = time.perf_counter()
        n = self.steps_for_tick(now - self._last)
        self._last = now
        if n == 0 or self._race is None:
            return
        t0 = time.perf_counter()
        u = self._race.advance(n)
        self._step_cost = 0.8 * self._step_cost + 0.2 * (time.perf_counter() - t0) / n
        self.updated.emit(u)
        if u.finished:
            self.pause()
