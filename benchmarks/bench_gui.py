"""GUI speed and memory: the real window training at full speed, against the same run headless.

Prints ONE JSON line::

    {"headless_steps_per_s": ..., "gui_steps_per_s": ..., "gui_vs_headless": ...,
     "frames_per_s": ..., "event_loop_p99_ms": ..., "rss_growth_mb": ..., ...}

- headless_steps_per_s: the same PlaneFit (same data, config, chunking) driven without Qt.
- gui_steps_per_s: steps the worker thread did while the window was showing them.
- frames_per_s: repaints of the 3D plane view (``frames_drawn``) per second.
- event_loop_p99_ms: 99th percentile of how late a 5 ms QTimer in the GUI thread fired.
- rss_growth_mb: resident memory at the end minus after warm-up.

Targets (2-core machine, Xvfb, llvmpipe): gui >= 0.5 x headless, fps >= 30, p99 <= 50 ms,
rss growth <= 50 MB over ``--steps 1000000``.  Re-executes itself under ``xvfb-run`` when
there is no display.  Never a timed assert: it reports, the README quotes it.

Usage: python benchmarks/bench_gui.py [--seconds 10] [--steps N] [--warmup 1.5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _reexec_under_xvfb() -> int:
    if shutil.which("xvfb-run") is None:
        print("bench_gui: no DISPLAY and no xvfb-run (install xvfb)", file=sys.stderr)
        return 2
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, *sys.argv]
    env = dict(os.environ, GDVIZ_BENCH_CHILD="1")
    return subprocess.call(cmd, env=env)


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


def gui_run(seconds: float, max_steps: int | None, warmup: float) -> dict:
    from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Slot
    from PySide6.QtWidgets import QApplication

    from gdviz.gui.gl_check import share_gl_contexts
    from gdviz.gui.main_window import MainWindow

    share_gl_contexts()
    app = QApplication.instance() or QApplication([])
    win = MainWindow(start=False)
    win.controls.set_speed(None)
    win.controller.set_speed(None)
    win.show()

    class Probe(QObject):
        """All measuring happens in GUI-thread slots."""

        def __init__(self):
            super().__init__()
            self.late: list[float] = []
            self.clock = QElapsedTimer()
            self.last = 0
            self.phase = "warmup"
            self.mark: dict = {}
            self.step = 0
            self.result: dict = {}

        @Slot(object)
        def on_update(self, u):
            self.step = u.snapshot.step

        @Slot()
        def on_tick(self):
            now = self.clock.nsecsElapsed()
            if self.phase == "measure":
                self.late.append(max(0.0, (now - self.last) / 1e6 - 5.0))
            self.last = now
            if self.phase == "measure" and max_steps is not None and self.step >= max_steps:
                self.finish()

        @Slot()
        def start_measuring(self):
            self.mark = dict(t=time.perf_counter(), step=self.step,
                             frames=win.plane_view.frames_drawn, rss=_rss_mb())
            self.phase = "measure"
            if max_steps is None:
                QTimer.singleShot(int(seconds * 1000), self.finish)

        @Slot()
        def finish(self):
            if self.phase != "measure":
                return
            self.phase = "done"
            dt = time.perf_counter() - self.mark["t"]
            self.result = dict(
                gui_steps_per_s=(self.step - self.mark["step"]) / dt,
                frames_per_s=(win.plane_view.frames_drawn - self.mark["frames"]) / dt,
                event_loop_p99_ms=float(np.percentile(self.late, 99)) if self.late else None,
                rss_growth_mb=_rss_mb() - self.mark["rss"],
                gui_seconds=dt, gui_steps=self.step,
            )
            win.close()
            app.quit()

    probe = Probe()
    win.controller.update_ready.connect(probe.on_update)
    tick = QTimer()
    tick.setTimerType(Qt.TimerType.PreciseTimer)
    tick.setInterval(5)
    tick.timeout.connect(probe.on_tick)
    probe.clock.start()
    tick.start()
    win.controller.start()
    win.controller.play()
    QTimer.singleShot(int(warmup * 1000), probe.start_measuring)
    app.exec()
    tick.stop()
    return probe.result


def main() -> int:
    # (GDVIZ_SWITCH_INTERVAL lets the README's comparison be reproduced; see gdviz/training/pacing.py.)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10.0, help="measured GUI time (default 10)")
    p.add_argument("--steps", type=int, default=None,
                   help="instead of --seconds, run until this many steps (e.g. 1000000 for RSS)")
    p.add_argument("--warmup", type=float, default=1.5, help="seconds before measuring")
    args = p.parse_args()
    if not os.environ.get("DISPLAY") and not os.environ.get("GDVIZ_BENCH_CHILD"):
        return _reexec_under_xvfb()
    # Never read or write the user's settings: a saved slow speed would skew everything.
    tmp = tempfile.mkdtemp(prefix="gdviz-bench-")
    os.environ["GDVIZ_SETTINGS"] = os.path.join(tmp, "settings.ini")
    headless = headless_rate(min(args.seconds, 5.0))
    gui = gui_run(args.seconds, args.steps, args.warmup)
    out = dict(headless_steps_per_s=round(headless, 1))
    out.update({k: (round(v, 2) if isinstance(v, float) else v) for k, v in gui.items()})
    out["gui_vs_headless"] = round(gui["gui_steps_per_s"] / headless, 3)
    out["targets_met"] = dict(
        gui_ge_half_headless=out["gui_vs_headless"] >= 0.5,
        fps_ge_30=gui["frames_per_s"] >= 30,
        p99_le_50ms=gui["event_loop_p99_ms"] is not None and gui["event_loop_p99_ms"] <= 50,
        rss_le_50mb=gui["rss_growth_mb"] <= 50,
    )
    print(json.dumps(out))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
