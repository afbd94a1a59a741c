"""Race cost: six racers against one, headless and in the Race tab.

Prints ONE JSON line::

    {"one_racer_step_us": ..., "six_racers_step_us": ..., "six_vs_one": ...,
     "gui_six_racers_steps_per_s": ..., "gui_frames_per_s": ..., "event_loop_p99_ms": ...}

- one_racer_step_us: one step of a RaceSession holding one racer, averaged over the six kinds
  raced alone; six_racers_step_us: one lockstep step of all six (every racer one update, plus
  its path), headless, in the same run; six_vs_one is their ratio (target <= 6).
- gui_*: the Race tab with six racers (the five optimizers + gd-manual) at full pace: lockstep
  steps per second, repaints of the loss plot per second, and the 99th percentile lateness of a
  5 ms QTimer in the GUI thread.
Targets (2-core machine, Xvfb, llvmpipe): six_vs_one <= 6, frames >= 30/s.  Never a timed
assert; re-executes itself under ``xvfb-run`` when there is no display.

Usage: python benchmarks/bench_race.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

SIX = ("gd", "momentum", "nesterov", "rmsprop", "adam", "gd-manual")


def step_us(kinds, seconds: float) -> float:
    from gdviz.training import make_plane_data
    from gdviz.training.race_session import RaceSession, RacerSpec

    race = RaceSession(tuple(RacerSpec(k, lr=1e-3) for k in kinds), make_plane_data())  # no one diverges
    race.advance(50)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        race.advance(100)
        n += 100
    return (time.perf_counter() - t0) / n * 1e6


def gui(seconds: float) -> dict:
    from PySide6.QtCore import QObject, QTimer, Slot
    from PySide6.QtWidgets import QApplication

    from gdviz.gui.race.tab import PACES, RaceTab
    from gdviz.training.race_session import RacerSpec

    app = QApplication.instance() or QApplication([])
    sys.setswitchinterval(0.0005)   # as the app does while training runs (gui/run/controller.py)
    tab = RaceTab()
    tab.resize(1500, 900)
    tab.show()
    tab.set_specs(tuple(RacerSpec(k, lr=1e-3) for k in SIX))
    frames = [0]
    orig = tab.plots.loss.paintEvent

    def counting(ev):
        frames[0] += 1
        return orig(ev)

    tab.plots.loss.paintEvent = counting
    lag, marks = [], {}

    class Probe(QObject):
        @Slot()
        def tick(self):
            now = time.perf_counter()
            if "last" in marks:
                lag.append(max(0.0, (now - marks["last"]) * 1000 - 5))
            marks["last"] = now

    probe = Probe()
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(probe.tick)
    deadline = time.perf_counter() + 2.0
    while tab.last_update is None and time.perf_counter() < deadline:
        app.processEvents()
    tab.pace.setCurrentIndex(len(PACES) - 1)
    tab.toggle_play()
    app.processEvents()
    start_step, f0 = tab.last_update.step, frames[0]
    timer.start()
    t0 = time.perf_counter()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    dt = time.perf_counter() - t0
    steps = tab.last_update.step - start_step
    tab.shutdown()
    return {"gui_six_racers_steps_per_s": round(steps / dt, 1),
            "gui_frames_per_s": round((frames[0] - f0) / dt, 1),
            "event_loop_p99_ms": round(float(np.percentile(lag, 99)), 1) if lag else None}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=5.0)
    args = p.parse_args()
    if not os.environ.get("DISPLAY"):
        if shutil.which("xvfb-run") is None:
            print("bench_race: no DISPLAY and no xvfb-run", file=sys.stderr)
            return 2
        return subprocess.call(["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, *sys.argv])
    # the baseline: each of the six racing alone, averaged (gd-manual and adam cost more than gd)
    one = float(np.mean([step_us((k,), args.seconds / 12) for k in SIX]))
    six = step_us(SIX, args.seconds / 2)
    out = {"one_racer_step_us": round(one, 1), "six_racers_step_us": round(six, 1),
           "six_vs_one": round(six / one, 2)}
    out.update(gui(args.seconds))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
