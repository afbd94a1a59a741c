"""Race cost: six racers against one, headless and in the Race tab.

Prints ONE JSON line::

    {"one_racer_step_us": ..., "six_racers_step_us": ..., "six_vs_one": ...,
     "gui_six_racers_steps_per_s": ..., "gui_frames_per_s": ..., "event_loop_p50_ms": ...,
     "event_loop_p99_ms": ..., "rss_growth_mb": ...}

- one_racer_step_us: one step of a RaceSession holding one racer, averaged over the six kinds
  raced alone; six_racers_step_us: one lockstep step of all six (every racer one update, plus
  its path), headless, in the same run; six_vs_one is their ratio (target <= 6).
- gui_*: the Race tab with six racers (the five optimizers + gd-manual) at full pace: lockstep
  steps per second, repaints of the loss plot per second, and the 99th percentile lateness of a
  5 ms QTimer in the GUI thread (measured by benchmarks/probe.py, as bench_gui.py does).
Targets (2-core machine, Xvfb, llvmpipe): six_vs_one <= 6, frames >= 30/s.  Never a timed
assert; re-executes itself under ``xvfb-run`` when there is no display.

Usage: python benchmarks/bench_race.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from probe import Recorder, count_paints, needs_display, reexec_under_xvfb

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
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gdviz.gui.race.tab import PACES, RaceTab
    from gdviz.training.race_session import RacerSpec

    app = QApplication.instance() or QApplication([])
    sys.setswitchinterval(0.0005)   # as the app does while training runs (gui/run/controller.py)
    tab = RaceTab()
    tab.resize(1500, 900)
    tab.show()
    tab.set_specs(tuple(RacerSpec(k, lr=1e-3) for k in SIX))
    frames = count_paints(tab.plots.loss)
    deadline = time.perf_counter() + 2.0
    while tab.last_update is None and time.perf_counter() < deadline:
        app.processEvents()
    tab.pace.setCurrentIndex(len(PACES) - 1)
    tab.toggle_play()
    app.processEvents()
    rec = Recorder(lambda: tab.last_update.step, lambda: frames[0])
    rec.install()
    rec.start()

    def finish():
        rec.stop()
        app.quit()

    QTimer.singleShot(int(seconds * 1000), finish)
    app.exec()
    rec.uninstall()
    tab.shutdown()
    out = rec.summary()
    return {"gui_six_racers_steps_per_s": out["gui_steps_per_s"], "gui_frames_per_s": out["frames_per_s"],
            "event_loop_p50_ms": out["event_loop_p50_ms"], "event_loop_p99_ms": out["event_loop_p99_ms"],
            "rss_growth_mb": out["rss_growth_mb"]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=5.0)
    args = p.parse_args()
    if needs_display():
        return reexec_under_xvfb("bench_race")
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
