"""Launching the real ``gdviz`` process: what a user sees when the GUI cannot start."""

from __future__ import annotations

import os
import subprocess
import sys


def test_gui_without_a_display_exits_1_instead_of_qt_aborting():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    p = subprocess.run([sys.executable, "-m", "gdviz"], capture_output=True, text=True,
                       timeout=60, env=env)
    assert p.returncode == 1
    assert "no display" in p.stderr and "xvfb-run" in p.stderr and "--headless" in p.stderr
    assert "Traceback" not in p.stderr


def test_the_window_has_the_gdviz_icon(qtbot):
    from gdviz.gui.main_window import MainWindow

    w = MainWindow(start=False)
    qtbot.addWidget(w)
    icon = w.windowIcon()
    assert not icon.isNull() and icon.pixmap(48, 48).width() == 48


def test_launching_from_the_menu_entry_opens_the_app(tmp_path):
    """The desktop file's Exec line (as a launcher runs it) starts the app under this X server;
    --record makes it train two steps, save a GIF and quit by itself."""
    import os
    import shlex
    import subprocess

    from gdviz import desktop

    desktop.install(tmp_path / "xdg")
    line = next(ln for ln in (tmp_path / "xdg" / "applications" / "gdviz.desktop").read_text().splitlines()
                if ln.startswith("Exec="))
    gif = tmp_path / "launched.gif"
    argv = [a for a in shlex.split(line[len("Exec="):]) if a != "%f"] + ["--record", str(gif), "--steps", "2"]
    env = dict(os.environ, GDVIZ_SETTINGS=str(tmp_path / "s.ini"))
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Recorded 3 frames" in out.stdout and gif.stat().st_size > 0
