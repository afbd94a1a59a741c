"""The race's engine without Qt: its pace, and its loop in a process of its own.

:class:`RacePacer` turns elapsed time into lockstep steps (a pace in steps/s, or "as fast as
possible" in bounded chunks).  :func:`serve_race` is the main of the race's child process
(started by ``gdviz.gui.race.worker`` through ``engine_process.context()``): it reads commands
from one pipe and sends ``(kind, args)`` messages through another, like the plane fit's engine
(docs/architecture.md, "Threads and the engine process").

Commands: ``("configure", (specs, data, init_seed, tol))``, ``("play",)``, ``("pause",)``,
``("step",)``, ``("rate", steps_per_s)`` (0: as fast as possible), ``("ping", token)``, ``("stop",)``.
Messages: ``started`` (the new race's facts), ``updated`` (a RaceUpdate), ``failed`` (a racer
could not be built; the old race stays), ``playing_changed``, ``ponged``, ``finished``.
"""

from __future__ import annotations

import signal
import time

from gdviz.training.race_session import RaceSession

#: the loop looks at its pipe and sends an update about this often while racing
TICK_S = 0.016
#: at most this long stepping per tick at full speed, so commands are answered within a tick
TICK_BUDGET_S = 0.014


class RacePacer:
    """How many lockstep steps a tick runs, from the pace and a running estimate of their cost."""

    def __init__(self, rate: float = 20.0, budget_s: float = TICK_BUDGET_S):
        self.rate = rate             # steps per second; 0 = as fast as possible
        self.budget_s = budget_s
        self.credit = 0.0
        self.step_cost = 1e-4        # seconds per lockstep step (running estimate)

    def steps_for_tick(self, elapsed: float) -> int:
        cap = max(1, int(self.budget_s / max(self.step_cost, 1e-7)))
        if self.rate <= 0:
            return cap
        self.credit = min(self.credit + self.rate * elapsed, float(cap))
        n = int(self.credit)
        self.credit -= n
        return n

    def measured(self, n: int, seconds: float) -> None:
        if n > 0:
            self.step_cost = 0.8 * self.step_cost + 0.2 * seconds / n


def facts(race: RaceSession) -> tuple:
    """What the GUI needs to draw a new race: (names, start θ, θ*, L*, data, specs)."""
    return (race.names, race.start, race.theta_star, race.min_loss, race.data, race.specs)


def serve_race(commands, results) -> None:
    """The race process's main: one RaceSession, advanced on a clock, until ``stop`` or until
    the GUI's end of the command pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl+C is the GUI's; it stops us through the pipe
    race: RaceSession | None = None
    pacer = RacePacer()
    playing = False
    last = time.perf_counter()

    def send(kind: str, *args) -> bool:
        try:
            results.send((kind, args))
            return True
        except (OSError, ValueError):
            return False

    def set_playing(on: bool) -> None:
        nonlocal playing, last
        if on != playing:
            playing = on
            pacer.credit, last = 0.0, time.perf_counter()
            send("playing_changed", on)

    try:
        while True:
            wait = max(0.0, last + TICK_S - time.perf_counter()) if playing else None
            try:
                ready = commands.poll(wait)
                cmd = commands.recv() if ready else None
            except (EOFError, OSError):
                return                                    # the GUI is gone
            if cmd is not None:
                kind = cmd[0]
                if kind == "stop":
                    return
                if kind == "configure":
                    specs, data, init_seed, tol = cmd[1]
                    try:
                        new = RaceSession(specs, data, init_seed=init_seed, tol=tol)
                    except Exception as e:                 # a bad racer: say why, keep the race
                        send("failed", f"{type(e).__name__}: {e}")
                        continue
                    set_playing(False)
                    race = new
                    send("started", facts(race))
                    send("updated", race.advance(0))
                elif kind == "play":
                    set_playing(race is not None)
                elif kind == "pause":
                    set_playing(False)
                elif kind == "step" and race is not None:
                    set_playing(False)
                    send("updated", race.advance(1))
                elif kind == "rate":
                    pacer.rate = max(0.0, float(cmd[1]))
                elif kind == "ping":
                    send("ponged", cmd[1])
                continue
            if not playing or race is None:
                continue
            now = time.perf_counter()
            n = pacer.steps_for_tick(now - last)
            last = now
            if n == 0:
                continue
            t0 = time.perf_counter()
            u = race.advance(n)
            pacer.measured(n, time.perf_counter() - t0)
            if not send("updated", u):
                return
            if u.finished:
                set_playing(False)
    finally:
        send("finished")
        results.close()
