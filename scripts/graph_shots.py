"""Screenshots of the computation-graph pane for every optimizer and update mode, as a new user
sees it: the real window at its first-launch size on a 1366x768 and a 1920x1080 screen.

    python scripts/graph_shots.py [--out assets/graph-views.png] [--dir /tmp/graph-shots]

Each screen size runs in its own Xvfb.  The individual shots go to ``--dir``; ``--out`` is one
contact sheet of all of them (rows: GD, Momentum, Adam; columns: optimizer/manual mode at each
screen size).  A throw-away settings file keeps the user's settings out of it.
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
SCREENS = ("1366x768", "1920x1080")
OPTIMIZERS = ("gd", "momentum", "adam")
MODES = ("optimizer", "manual")


def shoot(screen: str, out_dir: Path) -> int:
    """In this process (a display is set): one shot per optimizer and mode."""
    os.environ["GDVIZ_SETTINGS"] = os.path.join(tempfile.mkdtemp(prefix="gdviz-graph-"), "s.ini")
    from PySide6.QtWidgets import QApplication

    from gdviz.gui.gl_check import share_gl_contexts
    from gdviz.gui.main_window import MainWindow

    share_gl_contexts()
    app = QApplication([])
    for optimizer in OPTIMIZERS:
        for mode in MODES:
            win = MainWindow(presets={"mode": mode, "optimizer": optimizer}, start=False)
            win.fit_to_screen()
            win.show()
            win.controller.start()
            for _ in range(3):
                win.controller.step()
            while (win.controller.last_update() is None or win.controller.last_update().snapshot.step < 3):
                app.processEvents()
            win.plane_tab.flush()
            for _ in range(5):
                app.processEvents()
            path = out_dir / f"graph-{screen}-{mode}-{optimizer}.png"
            win.graph_view.grab().save(str(path))
            print(f"saved {path} ({win.graph_view.width()}x{win.graph_view.height()} px pane)")
            win.close()
            app.processEvents()
    return 0


def contact_sheet(out_dir: Path, out: Path) -> None:
    from PIL import Image, ImageDraw

    shots = {(s, m, o): Image.open(out_dir / f"graph-{s}-{m}-{o}.png") for s in SCREENS for m in MODES
             for o in OPTIMIZERS}
    col_w = {s: max(im.width for (sc, _m, _o), im in shots.items() if sc == s) for s in SCREENS}
    row_h = max(im.height for im in shots.values())
    cols = [(s, m) for s in SCREENS for m in MODES]
    pad, title = 8, 22
    width = sum(col_w[s] + pad for s, _m in cols) + pad
    height = len(OPTIMIZERS) * (row_h + pad + title) + pad
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    for r, o in enumerate(OPTIMIZERS):
        x = pad
        y = pad + r * (row_h + pad + title)
        for s, m in cols:
            draw.text((x, y + 4), f"{o}, {m} mode, {s} screen", fill="black")
            sheet.paste(shots[(s, m, o)], (x, y + title))
            x += col_w[s] + pad
    sheet.save(out)
    print(f"saved {out}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(ROOT / "assets" / "graph-views.png"))
    p.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "gdviz-graph-shots"))
    p.add_argument("--screen", help=argparse.SUPPRESS)  # internal: shoot at this size, here
    args = p.parse_args()
    out_dir = Path(args.dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.screen:
        return shoot(args.screen, out_dir)
    if shutil.which("xvfb-run") is None:
        print("graph_shots: needs xvfb-run (install xvfb)", file=sys.stderr)
        return 2
    for screen in SCREENS:
        status = subprocess.call(["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24", sys.executable, __file__,
                                  "--dir", str(out_dir), "--screen", screen])
        if status:
            return status
    contact_sheet(out_dir, Path(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
