"""GUI speed and memory: the real window training at full speed, against the same run headless.

Prints ONE JSON line::

    {"headless_steps_per_s": ..., "gui_steps_per_s": ..., "gui_vs_headless": ...,
     "frames_per_s": ..., "event_loop_p50_ms": ..., "event_loop_p99_ms": ..., "rss_growth_mb": ...,
     "windows": {"first_10pct": {...}, "last_10pct": {...}}, ...}

- headless_steps_per_s: the same PlaneFit (same data, config, chunking) driven without Qt
  (``--tab race``: the same six racers' lockstep steps).
- gui_steps_per_s: steps the worker thread did while the window was showing them.
- frames_per_s: repaints of the 3D plane view (``frames_drawn``) per second.
- event_loop_p50_ms / p99_ms: percentiles of how late a 5 ms QTimer in the GUI thread fired.
- rss_growth_mb: resident memory at the end minus after warm-up (engine_rss_growth_mb: the same
  for the training process, when it is a child; the RSS target counts both).
- windows: the same figures over the first and the last 10 % of the measured time, so growth
  with the length of the run shows (issue 14: they should match within noise).

``--tab race`` measures the Race tab instead, six racers at full pace (steps are lockstep steps,
frames are repaints of the race's loss plot).  Targets (2-core machine, Xvfb, llvmpipe):
gui >= 0.7 x headless, fps >= 50, p99 <= 30 ms, the last 10 % like the first, rss growth
<= 100 MB over ``--steps 10000000``.  Re-executes itself under ``xvfb-run`` when there is no
display.  Never a timed assert: it reports, the README quotes it.

Usage: python benchmarks/bench_gui.py [--seconds 10 | --steps N] [--warmup 1.5] [--tab plane|race]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

from probe import Recorder, count_paints, needs_display, reexec_under_xvfb


def headless_rate(seconds: float, chunk: int = 256) -> float:
    """Steps per second of a fresh PlaneFit with the app's default config, no Qt."""
    from gdviz.training import PlaneFit, TrainConfig, make_plane_data

    fit = PlaneFit(make_plane_data(100, 0.0, 0), TrainConfig(), init_seed=0)
    fit.steps(200)  # warm the compiled plan
    done, t0 = 0, time.perf_counter()
    last_snap = t0
    while (now := time.perf_counter()) - t0 < seconds:
        done += len(fit.steps(chunk))
        if now - last_snap >= 0.02:  # the worker takes one snapshot per Update (~50/s): be fair
            fit.snapshot()
            last_snap = now
    return done / (time.perf_counter() - t0)


RACERS = ("gd", "momentum", "nesterov", "rmsprop", "adam", "gd-manual")   # --tab race


def headless_race_rate(seconds: float) -> float:
    """Lockstep steps per second of the same six racers as ``--tab race``, no Qt."""
    from gdviz.training import make_plane_data
    from gdviz.training.race_session import RaceSession, RacerSpec

    race = RaceSession(tuple(RacerSpec(k, lr=1e-3) for k in RACERS), make_plane_data())
    race.advance(50)
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        race.advance(64)
        done += 64
    return done / (time.perf_counter() - t0)


def gui_run(seconds: float, max_steps: int | None, warmup: float, tab: str = "plane", space: str = "data",
            speed: float | None = None) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gdviz.gui.gl_check import share_gl_contexts
    from gdviz.gui.main_window import MainWindow

    share_gl_contexts()
    app = QApplication.instance() or QApplication([])
    win = MainWindow(start=False)
    win.controls.set_speed(speed)
    win.controller.set_speed(speed)
    win.controller.set_auto_stop(False)   # the default fit converges by step ~170: keep it running
    win.show()
    if space == "param":     # the parameter-space panel shown (traced path, landscape redraws)
        win.plane_tab.space_tabs.setCurrentWidget(win.plane_tab.param_panel)
    elif space == "both":
        win.act_beside.setChecked(True)
    race = None
    if tab == "race":
        from gdviz.gui.race.tab import PACES
        from gdviz.training.race_session import RacerSpec

        race = win.race_tab
        win.tabs.setCurrentWidget(race)
        race.set_specs(tuple(RacerSpec(k, lr=1e-3) for k in RACERS))   # nobody diverges or stops
        race.pace.setCurrentIndex(len(PACES) - 1)
        frames = count_paints(race.plots.loss)

    def step_now() -> int:
        if race is not None:
            return race.last_update.step if race.last_update is not None else 0
        u = win.controller.last_update()
        return u.snapshot.step if u is not None else 0

    def frames_now() -> int:
        if race is not None:
            return frames[0]
        if space == "param":
            return win.plane_tab.param_panel.plot.frames_drawn
        return win.plane_view.frames_drawn

    def engine_pid():
        proc = (race.worker if race is not None else win.controller.worker).process
        return None if proc is None else proc.pid

    rec = Recorder(step_now, frames_now, engine_pid=engine_pid)
    result: dict = {}

    def start_measuring():
        rec.start()
        if max_steps is None:
            QTimer.singleShot(int(seconds * 1000), finish)
        else:
            watch.start()

    def check_steps():
        if step_now() >= max_steps:
            finish()

    def finish():
        if not rec.measuring:
            return
        watch.stop()
        rec.stop()
        result.update(rec.summary())
        result["gui_steps"] = step_now()
        if race is None:
            mem = win.loss_view.memory_bytes() if hasattr(win.loss_view, "memory_bytes") else None
            result["loss_history_mb"] = None if mem is None else round(mem / 1e6, 1)
        else:
            held = sum(h.nbytes for h in (*race.plots.losses, *race.plots.paths))
            result["race_histories_mb"] = round(held / 1e6, 1)
        win.close()
        app.quit()

    watch = QTimer()                 # --steps: stop at the step count (checked 50 times a second)
    watch.setInterval(20)
    watch.timeout.connect(check_steps)
    rec.install()
    if race is None:
        win.controller.start()
        win.controller.play()
    else:
        QTimer.singleShot(300, race.toggle_play)
    QTimer.singleShot(int(warmup * 1000), start_measuring)
    app.exec()
    rec.uninstall()
    return result


def main() -> int:
    # (GDVIZ_SWITCH_INTERVAL lets the README's comparison be reproduced; see gdviz/training/pacing.py.)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10.0, help="measured GUI time (default 10)")
    p.add_argument("--steps", type=int, default=None,
                   help="instead of --seconds, run until this many steps (up to 10000000, for growth)")
    p.add_argument("--warmup", type=float, default=1.5, help="seconds before measuring")
    p.add_argument("--tab", choices=("plane", "race"), default="plane",
                   help="plane: the Plane-fit tab (3D, loss, graph); race: six racers")
    p.add_argument("--space", choices=("data", "param", "both"), default="data",
                   help="plane tab: the 3D view, the parameter-space panel, or both side by side")
    p.add_argument("--engine", choices=("process", "thread"), default=None,
                   help="where training runs (default: the app's, a child process)")
    p.add_argument("--speed", type=float, default=None,
                   help="steps per second instead of full speed (the GUI's cost with a light engine)")
    args = p.parse_args()
    if needs_display():
        return reexec_under_xvfb("bench_gui")
    # Never read or write the user's settings: a saved slow speed would skew everything.
    if args.engine:
        os.environ["GDVIZ_ENGINE"] = args.engine
    tmp = tempfile.mkdtemp(prefix="gdviz-bench-")
    os.environ["GDVIZ_SETTINGS"] = os.path.join(tmp, "settings.ini")
    rate = headless_race_rate if args.tab == "race" else headless_rate
    headless = rate(min(args.seconds, 5.0))
    gui = gui_run(args.seconds, args.steps, args.warmup, args.tab, args.space, args.speed)
    out = dict(tab=args.tab, space=args.space, engine=os.environ.get("GDVIZ_ENGINE") or "process",
               headless_steps_per_s=round(headless, 1))
    out.update(gui)
    if gui.get("gui_steps_per_s"):
        out["gui_vs_headless"] = round(gui["gui_steps_per_s"] / headless, 3)
    p99 = gui["event_loop_p99_ms"]
    out["targets_met"] = dict(
        gui_ge_0_7_headless=out.get("gui_vs_headless", 1.0) >= 0.7,
        fps_ge_50=(gui["frames_per_s"] or 0) >= 50,
        p99_le_30ms=p99 is not None and p99 <= 30,
        rss_le_100mb=gui["rss_growth_mb"] + (gui.get("engine_rss_growth_mb") or 0) <= 100,
    )
    print(json.dumps(out))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
