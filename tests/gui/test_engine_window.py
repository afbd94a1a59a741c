"""The window's engine runs in a child process: it trains there, stops with the window, and
its death is reported, never a freeze or a crash."""

from __future__ import annotations

import os

import pytest

from gdviz.gui.main_window import MainWindow, default_engine
from gdviz.gui.run.controller import TrainingController
from tests.gui.windows import barrier, last


def test_closing_the_window_ends_the_engine_cleanly(qtbot):
    from tests.gui.windows import open_window

    w = open_window(qtbot, MainWindow(start=False))
    engine = w.controller.worker.process
    w.controller.set_speed(None)
    w.controller.play()                 # closed while training at full speed
    qtbot.waitUntil(lambda: last(w).snapshot.step > 10, timeout=10000)
    w.close()
    assert w.controller.thread.isFinished() and engine.exitcode == 0


def test_the_app_trains_in_a_child_process(qtbot, window):
    engine = window.controller.worker.process
    assert window.controller.worker.engine == "process"
    assert engine.is_alive() and engine.pid != os.getpid()
    window.controller.set_speed(None)
    window.controller.play()
    qtbot.waitUntil(lambda: last(window).snapshot.step > 50, timeout=10000)
    window.controller.pause()
    barrier(qtbot, window)
    u = last(window)
    assert u.losses[-1] == pytest.approx(u.snapshot.loss)
    steps, losses = window.loss_view.data()
    assert steps[-1] == u.snapshot.step and losses[-1] == pytest.approx(u.snapshot.loss, rel=1e-6)


def test_a_dead_engine_is_reported_and_the_window_lives_on(qtbot, window):
    messages = []
    window.controller.message.connect(messages.append)
    playing = []
    window.controller.playing_changed.connect(playing.append)
    window.controller.play()                               # killed while training
    qtbot.waitUntil(lambda: playing[-1:] == [True], timeout=10000)
    with qtbot.waitSignal(window.controller.stopped, timeout=10000):
        window.controller.worker.process.kill()
    assert playing[-1] is False                            # the window no longer claims to play
    step = last(window).snapshot.step
    assert any("training engine stopped unexpectedly" in m for m in messages)
    assert "training engine stopped" in window.statusBar().currentMessage()
    window.controller.play()          # commands to a dead engine change nothing, raise nothing
    window.controller.step()
    assert last(window).snapshot.step == step
    window.tabs.setCurrentIndex(2)    # the rest of the window still works
    window.tabs.setCurrentIndex(0)


def test_a_factory_that_cannot_cross_to_a_process_gets_a_clear_message(qtbot):
    ctl = TrainingController(lambda: None, engine="process")
    messages = []
    ctl.message.connect(messages.append)
    with qtbot.waitSignal(ctl.stopped, timeout=20000):
        ctl.start()
    assert ctl.shutdown()
    assert messages and messages[0].startswith("the training engine could not start")


def test_custom_factories_train_in_a_thread_and_the_environment_can_choose(monkeypatch):
    assert default_engine() == "process"
    assert default_engine(lambda *a: None) == "thread"        # need not pickle
    monkeypatch.setenv("GDVIZ_ENGINE", "thread")
    assert default_engine() == "thread"
    monkeypatch.setenv("GDVIZ_ENGINE", "bogus")               # ignored: the default stands
    assert default_engine() == "process"
    with pytest.raises(ValueError, match="engine must be one of"):
        MainWindow(start=False, engine="gpu")
