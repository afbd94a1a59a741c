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
