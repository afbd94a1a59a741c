"""The command line ends cleanly: Ctrl+C, a reader that goes away, a full disk, no X server.
No traceback, the conventional exit status, and every printed line whole."""

from __future__ import annotations

import os
import select
import re
import signal
import subprocess
import sys

import pytest

LINE = re.compile(r"^\d+ \[\[[-+0-9.e ]+\]\] \[[-+0-9.e ]+\]$")
LONG_RUN = ["--headless", "--steps", "100000000", "--every", "1"]


def _gdviz(*args, **kw) -> subprocess.Popen:
    env = {**os.environ, **kw.pop("env", {})}
    return subprocess.Popen([sys.executable, "-m", "gdviz", *args], env=env, text=True, **kw)


def test_ctrl_c_exits_130_without_a_traceback_and_no_cut_line():
    p = _gdviz(*LONG_RUN, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # it is running and printing; wait for output without reading it, so that `out` below holds
    # every byte written (a readline here would keep the rest of its chunk, which communicate loses)
    assert select.select([p.stdout], [], [], 60)[0]
    first = ""
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130
    assert "Traceback" not in err and "gdviz: interrupted" in err
    lines = (first + out).splitlines()
    assert lines and all(LINE.match(ln) for ln in lines), [ln for ln in lines if not LINE.match(ln)][:3]


def test_a_reader_that_goes_away_exits_141_without_a_traceback():
    p = _gdviz(*LONG_RUN, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert LINE.match(p.stdout.readline().rstrip("\n"))  # like `| head -1`
    p.stdout.close()
    with p.stderr:
        err = p.stderr.read()
    assert p.wait(timeout=60) == 141
    assert "Traceback" not in err and "Exception ignored" not in err


@pytest.mark.parametrize("args", [["--headless"], ["--headless", "--analyze"], ["--headless", "--race", "gd"]])
def test_a_full_disk_is_one_line_and_status_1(args):
    if not os.path.exists("/dev/full"):
        pytest.fail("this test needs /dev/full (Linux)")
    with open("/dev/full", "w") as full:
        p = _gdviz(*args, stdout=full, stderr=subprocess.PIPE)
        err = p.communicate(timeout=120)[1]
    assert p.returncode == 1
    assert err.strip() == "gdviz: cannot write the output: No space left on device"


def test_an_unreachable_x_display_gets_gdvizs_own_message():
    env = {"DISPLAY": ":4321", "QT_QPA_PLATFORM": "", "WAYLAND_DISPLAY": ""}
    p = _gdviz(stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 1
    assert "gdviz: cannot connect to the X display ':4321'" in err and "xvfb-run" in err
    assert "Aborted" not in err and "qt.qpa" not in err


def test_a_session_saved_to_a_pipe_writes_into_it_never_replaces_it(tmp_path):
    """save() renamed a temporary file over the target: a FIFO (or, run as root, /dev/null)
    was replaced by a regular file.  A FIFO stands in for the device: a regression here cannot
    break the machine."""
    import json
    import stat
    import threading

    fifo = tmp_path / "session.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    p = _gdviz("--headless", "--steps", "3", "--save-session", str(fifo),
               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.communicate(timeout=120)[1]
    reader.join(timeout=60)
    assert p.returncode == 0 and err == ""
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(got[0])["format"] == "gdviz-session"
