"""Make the README's screenshot: the real window, ~300 steps into the tutorial's plane fit.

    python scripts/screenshot.py [--out assets/screenshot.png] [--steps 300] [--scene plane]

Runs under ``xvfb-run`` by itself when there is no display.  Uses a throw-away settings file so
the picture never depends on (or changes) the user's saved settings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(ROOT / "assets" / "screenshot.png"))
    p.add_argument("--steps", type=int, default=300, help="steps to play before the shot")
    p.add_argument("--scene", choices=("plane", "playground", "race"), default="plane")
    p.add_argument("--preset", default="Five optimizers", help="race scene: the preset raced")
    p.add_argument("--race-view", choices=("paths", "planes"), default="paths",
                   help="race scene: the bottom-right view shown")
    p.add_argument("--mode", choices=("optimizer", "manual"), default="manual",
                   help="manual shows the gradient nodes tf.gradients added (default)")
    p.add_argument("--size", default="1500x920", help="window size WxH, or 'auto': as on a first launch")
    p.add_argument("--screen", default="1600x1000", help="the Xvfb screen WxH when there is no display")
    p.add_argument("--space", choices=("data", "param"), default="data",
                   help="plane scene: the 3D data space or the parameter space")
    p.add_argument("--optimizer", default=None, help="plane scene: the optimizer (e.g. momentum)")
    p.add_argument("--lr", type=float, default=None, help="plane scene: the learning rate")
    p.add_argument("--speed", type=float, default=200, help="plane scene: steps per second")
    args = p.parse_args()
    if not os.environ.get("DISPLAY"):
        if shutil.which("xvfb-run") is None:
            print("screenshot: no DISPLAY and no xvfb-run (install xvfb)", file=sys.stderr)
            return 2
        return subprocess.call(["xvfb-run", "-a", "-s", f"-screen 0 {args.screen}x24",
                                sys.executable, *sys.argv])
    os.environ["GDVIZ_SETTINGS"] = os.path.join(tempfile.mkdtemp(prefix="gdviz-shot-"), "s.ini")

    from PySide6.QtCore import QObject, QTimer, Slot
    from PySide6.QtWidgets import QApplication

    from gdviz.gui.gl_check import share_gl_contexts
    from gdviz.gui.main_window import MainWindow

    share_gl_contexts()
    app = QApplication([])
    presets = dict(mode=args.mode)
    if args.optimizer:
        presets["optimizer"] = args.optimizer
    if args.lr is not None:
        presets["lr"] = args.lr
    win = MainWindow(presets=presets, scene="plane" if args.scene == "race" else args.scene, start=False)
    if args.size != "auto":
        w, h = (int(v) for v in args.size.split("x"))
        win.resize(w, h)
    win.controls.set_speed(args.speed)
    win.controller.set_speed(args.speed)  # fast enough, yet the curve shows the early descent
    if args.space == "param":
        win.plane_tab.space_tabs.setCurrentWidget(win.plane_tab.param_panel)
    win.act_logy.setChecked(True)  # the loss falls over ~15 decades: log-y shows all of it
    win.act_auto_stop.setChecked(False)  # run to --steps even after the fit has converged
    win.show()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    class Shooter(QObject):
        @Slot(object)
        def on_update(self, u):
            if u.snapshot.step >= args.steps and win.controller.is_playing():
                win.controller.pause()

        @Slot(bool)
        def on_playing(self, playing):
            if not playing and (win.controller.last_update() or None) is not None \
                    and win.controller.last_update().snapshot.step >= args.steps:
                QTimer.singleShot(600, self.shoot)  # let the views repaint

        @Slot()
        def shoot(self):
            screen = win.screen()
            ok = screen.grabWindow(0).save(str(out)) if args.size == "auto" else win.grab().save(str(out))
            print(f"{'saved' if ok else 'FAILED to save'} {out}")
            win.close()
            app.exit(0 if ok else 1)

    shooter = Shooter()
    win.controller.update_ready.connect(shooter.on_update)
    win.controller.playing_changed.connect(shooter.on_playing)
    win.controller.start()
    if args.scene == "plane":
        win.controller.play()
    elif args.scene == "race":
        race = win.race_tab
        win.tabs.setCurrentWidget(race)
        race.preset.setCurrentText(args.preset)
        race.on_preset(race.preset.currentIndex())
        race.pace.setCurrentIndex(3)
        race.space.setCurrentIndex(0 if args.race_view == "paths" else 1)

        class RaceShooter(QObject):
            done = False

            @Slot(object)
            def on_update(self, u):
                if u.step == 0 and not race.playing:
                    race.toggle_play()
                elif u.step >= args.steps and race.playing and not self.done:
                    self.done = True
                    race.toggle_play()
                    QTimer.singleShot(600, shooter.shoot)

        race_shooter = RaceShooter()
        race.worker.updated.connect(race_shooter.on_update)
    else:
        QTimer.singleShot(1500, shooter.shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
