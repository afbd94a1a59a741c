"""What the GUI benchmarks measure, in one place (bench_gui.py and bench_race.py use it).

- **event-loop lag**: a 5 ms precise QTimer in the GUI thread; each tick records how late it
  fired (ms beyond 5).  p50/p99 of that is how long the GUI thread was busy elsewhere.
- **steps and frames**: every 4th tick samples ``step_now()`` and ``frames_now()`` (the caller's
  counters), so rates come out per time window.
- **RSS**: resident memory when measuring starts and when it ends, of the GUI process and (when
  training runs in a child process) of the engine's.

:meth:`Recorder.summary` reports the whole measured run and its first and last 10 %, so growth
with the length of the run shows.  Nothing here asserts: benchmarks report, the README quotes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from typing import Callable

import numpy as np

SCREEN = "1600x1000x24"


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of this process (or of process ``pid``), MB."""
    try:
        with open(f"/proc/{pid or 'self'}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def needs_display() -> bool:
    """True when this process has no display and is not already the xvfb-run child."""
    return not os.environ.get("DISPLAY") and not os.environ.get("GDVIZ_BENCH_CHILD")


def reexec_under_xvfb(name: str) -> int:
    """Run this same command again under ``xvfb-run`` (a software X server); its exit code."""
    if shutil.which("xvfb-run") is None:
        print(f"{name}: no DISPLAY and no xvfb-run (install xvfb)", file=sys.stderr)
        return 2
    cmd = ["xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}", sys.executable, *sys.argv]
    return subprocess.call(cmd, env=dict(os.environ, GDVIZ_BENCH_CHILD="1"))


def _pct(values, q):
    return round(float(np.percentile(values, q)), 2) if values else None


class _Rows:
    """Samples in a preallocated, pre-touched array: the probe's own memory must not show as the
    app's growth (a list of tuples grew ~100 B per 5 ms tick, 30 MB over a 10^8-step run)."""

    def __init__(self, capacity: int, width: int):
        self._a = np.full((capacity, width), np.nan)   # touched now, before the first RSS reading
        self._n = 0

    def append(self, row) -> None:
        if self._n < len(self._a):                     # full (over an hour of ticks): stop adding
            self._a[self._n] = row
            self._n += 1

    def rows(self) -> np.ndarray:
        return self._a[: self._n]


class Recorder:
    """Time-stamped samples of a GUI run, summarised per time window.

    ``step_now`` and ``frames_now`` are read in the GUI thread every ``every`` ticks.
    """

    def __init__(self, step_now: Callable[[], int], frames_now: Callable[[], int],
                 interval_ms: int = 5, every: int = 4, engine_pid: Callable[[], int | None] = lambda: None):
        self.step_now, self.frames_now = step_now, frames_now
        self.engine_pid = engine_pid     # the training process, when it is not this one
        self.interval_ms, self.every = interval_ms, every
        self.late = _Rows(1 << 20, 2)     # (t, ms late), every tick
        self.marks = _Rows(1 << 18, 3)    # (t, step, frames), every `every` ticks
        self.rss = _Rows(1 << 15, 2)      # (t, GUI process RSS MB), every 100 ticks
        self.measuring = False
        self.t0 = self.t1 = 0.0
        self.rss0 = self.rss1 = 0.0
        self.engine_rss0 = self.engine_rss1 = float("nan")
        self._ticks = 0
        self._last: float | None = None
        self._timer = self._owner = None

    # -- driving ------------------------------------------------------------------------------
    def install(self) -> None:
        """Start the GUI-thread timer (call from the GUI thread, with a QApplication)."""
        from PySide6.QtCore import QObject, Qt, QTimer, Slot

        rec = self

        class _Tick(QObject):
            @Slot()
            def tick(self):
                rec.tick(time.perf_counter())

        self._owner = _Tick()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(self.interval_ms)
        self._timer.timeout.connect(self._owner.tick)
        self._timer.start()

    def uninstall(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def tick(self, t: float) -> None:
        if self.measuring and self._last is not None:
            self.late.append((t, max(0.0, (t - self._last) * 1000.0 - self.interval_ms)))
            self._ticks += 1
            if self._ticks % self.every == 0:
                self.marks.append((t, self.step_now(), self.frames_now()))
            if self._ticks % 100 == 0:
                self.rss.append((t, rss_mb()))
        self._last = t

    def start(self) -> None:
        self.t0, self.rss0 = time.perf_counter(), rss_mb()
        if self.engine_pid():
            self.engine_rss0 = rss_mb(self.engine_pid())
        self.marks.append((self.t0, self.step_now(), self.frames_now()))
        self.measuring = True

    def stop(self) -> None:
        if not self.measuring:
            return
        self.measuring = False
        self.t1, self.rss1 = time.perf_counter(), rss_mb()
        if self.engine_pid():
            self.engine_rss1 = rss_mb(self.engine_pid())
        self.marks.append((self.t1, self.step_now(), self.frames_now()))

    # -- reporting ----------------------------------------------------------------------------
    def window(self, t0: float, t1: float) -> dict:
        """p50/p99 lag, steps/s and frames/s over ``[t0, t1]``."""
        la = self.late.rows()
        late = la[(la[:, 0] >= t0) & (la[:, 0] < t1), 1].tolist()
        ma = self.marks.rows()
        inside = ma[(ma[:, 0] >= t0) & (ma[:, 0] <= t1)].tolist()
        out = dict(event_loop_p50_ms=_pct(late, 50), event_loop_p99_ms=_pct(late, 99))
        ra = self.rss.rows()
        rss = ra[(ra[:, 0] >= t0) & (ra[:, 0] <= t1), 1].tolist()
        if rss:
            out["rss_mb"] = round(rss[-1], 1)          # at the window's end
        if len(inside) >= 2:
            (ta, sa, fa), (tb, sb, fb) = inside[0], inside[-1]
            out.update(steps_per_s=round((sb - sa) / (tb - ta), 1), frames_per_s=round((fb - fa) / (tb - ta), 1))
        return out

    def summary(self) -> dict:
        """The whole measured run, and its first and last 10 %."""
        t0, t1 = self.t0, self.t1
        whole = self.window(t0, t1 + 1)
        tenth = (t1 - t0) / 10
        return dict(
            gui_steps_per_s=whole.get("steps_per_s"), frames_per_s=whole.get("frames_per_s"),
            event_loop_p50_ms=whole["event_loop_p50_ms"], event_loop_p99_ms=whole["event_loop_p99_ms"],
            rss_growth_mb=round(self.rss1 - self.rss0, 1), gui_seconds=round(t1 - t0, 1),
            engine_rss_mb=None if self.engine_rss1 != self.engine_rss1 else round(self.engine_rss1, 1),
            engine_rss_growth_mb=(None if self.engine_rss1 != self.engine_rss1
                                  else round(self.engine_rss1 - self.engine_rss0, 1)),
            windows=dict(first_10pct=self.window(t0, t0 + tenth), last_10pct=self.window(t1 - tenth, t1 + 1)),
        )


def count_paints(widget) -> list[int]:
    """Wrap ``widget.paintEvent`` so it counts real repaints; returns the one-element counter."""
    frames = [0]
    paint = widget.paintEvent

    def counting(ev):
        frames[0] += 1
        return paint(ev)

    widget.paintEvent = counting
    return frames
