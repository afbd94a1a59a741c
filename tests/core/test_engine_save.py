"""The engine writes session files itself (issue 26): the GUI sends a path, the loop keeps the
loss history; a reopened long session's curve comes whole; what a reopened session cannot do
is said.  The loop is driven synchronously (scripted commands; no thread, no child)."""

from __future__ import annotations

import json
import queue
import threading
from functools import partial

import numpy as np

from gdviz.training.engine_loop import EngineLoop, Flags
from gdviz.training.history import LossHistory
from gdviz.training.plane_fit import new_plane_fit
from gdviz.training.session_file import load, save
from gdviz.training.types import TrainConfig


class Script:
    """The commands in order, then stop (set on the loop's flag) and a last wake."""

    def __init__(self, flags, cmds):
        self.flags, self.cmds = flags, list(cmds)

    def get(self, block=True, timeout=None):
        if self.cmds:
            return self.cmds.pop(0)
        self.flags.stop.set()
        if block and timeout is None:
            return ("wake",)
        raise queue.Empty

    def get_nowait(self):
        return self.get(block=False)


def drive(cmds):
    flags = Flags(threading.Event(), threading.Event(), threading.Event())
    sent = []
    loop = EngineLoop(partial(new_plane_fit, TrainConfig(), 100, 0.0, 0), None, flags,
                      Script(flags, cmds), lambda kind, *a: sent.append((kind, a)))
    loop.run()
    return sent


def said(sent, kind):
    return [a[0] for k, a in sent if k == kind]


def test_save_sends_only_a_path_and_the_engine_writes_its_history(tmp_path):
    path = tmp_path / "run.gdviz"
    sent = drive([("step",)] * 7 + [("save", str(path))])
    assert any("Saved the session at step 7" in t for t in said(sent, "told"))
    d = json.loads(path.read_text())
    assert d["state"]["step"] == 7 and len(d["losses"]) == 7
    fit = new_plane_fit(TrainConfig(), 100, 0.0, 0)
    np.testing.assert_array_equal(d["losses"], fit.steps(7))


def test_save_after_time_travel_keeps_the_history_to_the_step(tmp_path):
    path = tmp_path / "back.gdviz"
    drive([("step",)] * 9 + [("goto", 4), ("save", str(path))])
    d = json.loads(path.read_text())
    assert d["state"]["step"] == 4 and len(d["losses"]) == 4


def test_a_failed_save_is_answered(tmp_path):
    sent = drive([("step",), ("save", str(tmp_path / "missing" / "x.gdviz"))])
    assert any("cannot be written" in t for t in said(sent, "rejected"))


def _long_session(tmp_path):
    """A session whose history is only partly exact (a small exact window stands in for 2^18)."""
    fit = new_plane_fit(TrainConfig(), 100, 0.0, 0)
    h = LossHistory(base=64, recent=128)
    h.extend(fit.steps(300))
    path = tmp_path / "long.gdviz"
    save(path, fit, h, {"points": 100, "noise": 0.0, "seed": 0})
    assert json.loads(path.read_text())["version"] == 2
    return path, h


def test_a_reopened_long_session_shows_its_whole_curve(tmp_path):
    path, h = _long_session(tmp_path)
    sent = drive([("open", str(path), None)])
    ups = [a[0] for k, a in sent if k == "yielded"]
    u = [u for u in ups if u.snapshot.step == 300][-1]
    assert u.history is not None and u.history.count == 300
    np.testing.assert_allclose(u.history.curve()[1], h.curve()[1], rtol=1e-7)
    assert any("reach back to this step" in t for t in said(sent, "told"))


def test_a_reopened_session_says_why_it_cannot_go_back_and_exports_from_its_step(tmp_path):
    path, _ = _long_session(tmp_path)
    out = tmp_path / "h.csv"
    again = tmp_path / "again.gdviz"
    sent = drive([("open", str(path), None), ("step",), ("step",), ("goto", 100),
                  ("export", str(out)), ("save", str(again))])
    assert any("before step 300, where this session was reopened" in t for t in said(sent, "rejected"))
    assert any("from step 300" in t for t in said(sent, "told"))
    rows = out.read_text().splitlines()
    assert rows[0] == "step,loss,W1,W2,b" and rows[1].startswith("300,") and rows[-1].startswith("302,")
    s = load(again)
    assert s.state.step == 302 and s.history.count == 302   # the reopened history goes on
