"""Every timing knob of a training run in one frozen object (was spread over four GUI files).

The numbers are policy, not physics: they decide how often the GUI is told, how long a chunk
of steps may hold the interpreter, and how fast a learner's first run goes.  ``Pacing`` is
immutable; a variant is ``dataclasses.replace(PACING, ...)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Pacing:
    """Timing of a run (seconds unless named otherwise).

    Attributes
    ----------
    default_speed : float
        Steps per second of a fresh window: slow enough to follow the first steps by eye.
    emit_interval_s : float
        Minimum time between two Updates: the GUI repaints at most 60 times a second (a screen's rate).
    chunk_target_s : float
        At full speed, chunks of steps last about this long, so pause/commands are read often.
    yield_s : float
        Sleep after each chunk, handing the GIL to the GUI thread.
    gui_wait_s : float
        Longest time without an Update when the GUI does not acknowledge them.
    burst_s : float
        After a stall, never run more than this much time's worth of paced steps at once.
    log_every : int
        The tutorial prints ``step W b`` every this many steps.
    switch_interval_s : float
        CPython GIL switch interval while a run is live (restored when it ends).
    slow_views_s : float
        The plane tab refreshes its slow views (3D, graph, log) at most this often.
    """

    default_speed: float = 5.0
    emit_interval_s: float = 1 / 60
    chunk_target_s: float = 0.004
    yield_s: float = float(os.environ.get("GDVIZ_WORKER_YIELD", "0.0005"))
    gui_wait_s: float = 1.0
    burst_s: float = 0.1
    log_every: int = 20
    switch_interval_s: float = float(os.environ.get("GDVIZ_SWITCH_INTERVAL", "0.0005"))
    slow_views_s: float = 0.1

    def log_interval(self, steps_per_s: float) -> int:
        """The tutorial logs every 20 steps; above ~1000 steps/s that floods the pane, so log
        every 200, 2000... steps instead -- always a subset of the tutorial's own lines."""
        every = self.log_every
        while steps_per_s > 1000 * every / self.log_every:
            every *= 10
        return every


@dataclass(frozen=True)
class Convergence:
    """When a run stops by itself: the loss stopped moving, or it reached (almost) zero.

    Converged after ``patience`` consecutive steps with ``|L_k - L_{k-1}| <= rel_tol * |L_k|``,
    or as soon as ``L_k <= abs_tol``.  ``enabled=False`` runs for ever (until paused).
    """

    enabled: bool = True
    rel_tol: float = 1e-7
    patience: int = 20
    abs_tol: float = 1e-12


PACING = Pacing()
CONVERGENCE = Convergence()
