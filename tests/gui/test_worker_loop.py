"""The training worker and its controller, driven with a fake session (no engine, no window)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PySide6.QtCore import QObject, QThread, Slot
from PySide6.QtWidgets import QApplication

from gdviz.gui.run.controller import TrainingController
from gdviz.gui.run.worker import Divergence, Update
from gdviz.training.types import TrainConfig

_tokens = itertools.count(1)


class Recorder(QObject):
    """Collects what the controller forwards, in @Slot methods (run in the receiver's thread)."""

    def __init__(self):
        super().__init__()
        self.updates: list[Update] = []
        self.playing: list[bool] = []
        self.divergences: list[Divergence] = []
        self.messages: list[str] = []
        self.threads: set = set()
        self.pongs: list[int] = []

    @Slot(object)
    def on_update(self, u):
        self.threads.add(QThread.currentThread())
        self.updates.append(u)

    @Slot(bool)
    def on_playing(self, on):
        self.playing.append(on)

    @Slot(object)
    def on_diverged(self, d):
        self.divergences.append(d)

    @Slot(str)
    def on_message(self, m):
        self.messages.append(m)

    @Slot(int)
    def on_pong(self, t):
        self.pongs.append(t)

    def losses(self) -> np.ndarray:
        return np.concatenate([u.losses for u in self.updates]) if self.updates else np.zeros(0)


@pytest.fixture
def rig(qtbot, fake_session_factory, fake_data_factory):
    """A started controller over a FakeSession, and a recorder of its signals."""
    ctl = TrainingController(fake_session_factory, fake_data_factory)
    rec = Recorder()
    ctl.update_ready.connect(rec.on_update)
    ctl.playing_changed.connect(rec.on_playing)
    ctl.diverged.connect(rec.on_diverged)
    ctl.message.connect(rec.on_message)
    ctl.worker.ponged.connect(rec.on_pong)
    with qtbot.waitSignal(ctl.update_ready, timeout=5000):
        ctl.start()
    ctl.set_auto_stop(False)  # the fake converges within ~100 steps; these tests run longer
    yield ctl, rec, fake_session_factory
    assert ctl.shutdown()


def curve(rec) -> dict[int, float]:
    """Step -> loss as the loss view would hold it (a re-sent step's newest value wins)."""
    out: dict[int, float] = {}
    for u in rec.updates:
        if u.restart:
            out.clear()
        for k, v in enumerate(u.losses):
            out[u.first_step + k] = float(v)
    return out


def barrier(qtbot, ctl, rec):
    """Wait until the worker has processed every earlier command (and emitted what they caused)."""
    token = next(_tokens)
    ctl.worker.ping(token)
    qtbot.waitUntil(lambda: token in rec.pongs, timeout=5000)


def test_signals_in_strict_order_on_start(qtbot, fake_session_factory):
    ctl = TrainingController(fake_session_factory)
    with qtbot.waitSignals(
        [ctl.worker.started, ctl.worker.yielded, ctl.worker.paused], order="strict", timeout=5000
    ):
        ctl.start()
    with qtbot.waitSignals([ctl.worker.finished, ctl.stopped], order="strict", timeout=5000):
        assert ctl.shutdown()
    assert ctl.thread.isFinished()


def test_first_update_is_a_restart_at_step_zero(rig):
    ctl, rec, _ = rig
    u = rec.updates[0]
    # One loss definition: the point of step 0 (the start) is the snapshot's loss.
    assert u.restart and u.snapshot.step == 0 and u.first_step == 0
    assert u.losses.tolist() == [pytest.approx(u.snapshot.loss)]
    assert not u.losses.flags.writeable


def test_play_sends_every_loss_in_order_and_loss_falls(qtbot, rig):
    ctl, rec, _ = rig
    ctl.set_speed(None)
    ctl.play()
    qtbot.waitUntil(lambda: len(rec.losses()) >= 300, timeout=10000)
    with qtbot.waitSignal(ctl.playing_changed, timeout=5000):
        ctl.pause()
    # The curve never loses a point: each Update continues right after the previous one's
    # current step (or re-sends it) and ends with the current state's loss.
    last = 0
    for u in rec.updates[1:]:
        assert u.first_step in (last, last + 1)
        assert u.first_step + len(u.losses) - 1 == u.snapshot.step
        assert u.losses[-1] == pytest.approx(u.snapshot.loss)
        last = u.snapshot.step
    losses = np.array(list(curve(rec).values()))
    assert losses[-1] < losses[0] / 10
    assert rec.threads == {QApplication.instance().thread()}


def test_slot_runs_in_gui_thread_not_worker_thread(qtbot, rig):
    ctl, rec, _ = rig
    ctl.step()
    barrier(qtbot, ctl, rec)
    assert rec.threads == {QThread.currentThread()}
    assert ctl.thread not in rec.threads


def test_pause_really_pauses(qtbot, rig):
    ctl, rec, factory = rig
    ctl.play()
    qtbot.waitUntil(lambda: len(rec.losses()) >= 50, timeout=10000)
    with qtbot.waitSignal(ctl.playing_changed, timeout=5000) as blocker:
        ctl.pause()
    assert blocker.args == [False]
    count, steps = len(rec.updates), factory.made[0].step_count
    for _ in range(5):  # five full worker polls, each answered only after any pending Update
        barrier(qtbot, ctl, rec)
    assert len(rec.updates) == count
    assert factory.made[0].step_count == steps
    # Every step taken before the pause reached the GUI.
    assert rec.updates[-1].snapshot.step == steps == len(curve(rec)) - 1


def test_step_while_paused_does_exactly_one(qtbot, rig):
    ctl, rec, factory = rig
    before = factory.made[0].step_count
    with qtbot.waitSignal(ctl.update_ready, timeout=5000) as blocker:
        ctl.step()
    barrier(qtbot, ctl, rec)
    u = blocker.args[0]
    assert factory.made[0].step_count == before + 1
    assert u.snapshot.step == before + 1 and len(u.losses) == 1 and u.first_step == before + 1
    assert u.losses[0] == pytest.approx(u.snapshot.loss)
    assert not u.playing


def test_reset_restarts_history(qtbot, rig):
    ctl, rec, factory = rig
    for _ in range(3):
        ctl.step()
    barrier(qtbot, ctl, rec)
    with qtbot.waitSignal(ctl.update_ready, timeout=5000) as blocker:
        ctl.reset()
    u = blocker.args[0]
    assert u.restart and u.snapshot.step == 0 and len(u.losses) == 1 and u.first_step == 0
    np.testing.assert_allclose(u.snapshot.W, [[-0.5, 0.8]])


def test_configure_applies_between_steps_and_invalid_is_rejected(qtbot, rig):
    ctl, rec, factory = rig
    with qtbot.waitSignal(ctl.update_ready, timeout=5000) as blocker:
        ctl.set_config(TrainConfig(lr=0.1))
    assert blocker.args[0].config.lr == 0.1
    bad = TrainConfig(lr=-1.0)  # constructed fine, rejected by validated()
    with qtbot.waitSignal(ctl.message, timeout=5000) as blocker:
        ctl.set_config(bad)
    assert "learning rate" in blocker.args[0]
    barrier(qtbot, ctl, rec)
    assert factory.made[0].config.lr == 0.1


def test_divergence_pauses_with_message_and_reset_recovers(qtbot, rig):
    ctl, rec, factory = rig
    ctl.set_config(TrainConfig(lr=50.0))
    with qtbot.waitSignal(ctl.playing_changed, timeout=5000):
        ctl.play()
    if not rec.divergences:  # (it may already have diverged while we waited)
        with qtbot.waitSignals([ctl.diverged, ctl.playing_changed], order="strict", timeout=10000):
            pass
    qtbot.waitUntil(lambda: rec.playing[-1] is False, timeout=5000)
    d = rec.divergences[0]
    assert d.step == factory.made[0].diverged_at
    assert f"step {d.step}" in d.message and "lower the learning rate" in d.message
    assert rec.playing[-1] is False and not ctl.is_playing()
    ctl.set_config(TrainConfig(lr=0.5))
    barrier(qtbot, ctl, rec)
    with qtbot.waitSignal(ctl.update_ready, timeout=5000) as blocker:
        ctl.reset()
    assert np.isfinite(blocker.args[0].snapshot.loss)
    ctl.step()
    barrier(qtbot, ctl, rec)
    assert np.isfinite(rec.updates[-1].losses).all()


def test_error_in_a_step_pauses_and_reports(qtbot, rig):
    ctl, rec, factory = rig
    factory.made[0].fail_at = 3
    ctl.play()
    qtbot.waitUntil(lambda: bool(rec.messages), timeout=5000)
    assert "boom" in rec.messages[0] and "step 2" in rec.messages[0]  # 0-based, 3rd update
    barrier(qtbot, ctl, rec)
    assert not ctl.is_playing()


def test_new_data_reaches_the_session(qtbot, rig):
    ctl, rec, factory = rig
    with qtbot.waitSignal(ctl.update_ready, timeout=5000):
        ctl.new_data(30, 0.1, 7)
    assert factory.made[0].data.points == 30 and factory.made[0].data.seed == 7


def test_paced_speed_runs_and_log_lines_every_twenty_steps(qtbot, rig):
    ctl, rec, _ = rig
    ctl.set_speed(500.0)  # <= 1000 steps/s: the tutorial's own interval of 20
    ctl.play()
    qtbot.waitUntil(lambda: len(rec.losses()) >= 45, timeout=10000)
    with qtbot.waitSignal(ctl.playing_changed, timeout=5000):
        ctl.pause()
    logs = [line for u in rec.updates for line in u.log]
    assert [line.step for line in logs[:3]] == [0, 20, 40]
    assert logs[0].text().startswith("0 [[")


def test_shutdown_while_running_finishes_thread(qtbot, fake_session_factory):
    ctl = TrainingController(fake_session_factory)
    with qtbot.waitSignal(ctl.worker.yielded, timeout=5000):
        ctl.start()
    ctl.play()
    qtbot.waitUntil(lambda: fake_session_factory.made[0].step_count > 10, timeout=5000)
    assert ctl.shutdown()
    assert ctl.thread.isFinished() and not ctl.is_running()


def test_auto_stop_pauses_a_converged_fit_with_a_message(qtbot, rig):
    ctl, rec, factory = rig
    ctl.set_auto_stop(True)
    ctl.set_speed(None)
    with qtbot.waitSignal(ctl.message, timeout=20000) as blocker:
        ctl.play()
    assert "Converged at step" in blocker.args[0]
    qtbot.waitUntil(lambda: not ctl.is_playing(), timeout=5000)


def test_auto_stop_off_keeps_running(qtbot, rig):
    ctl, rec, factory = rig
    ctl.set_speed(None)
    ctl.play()
    qtbot.waitUntil(lambda: factory.made[0].step_count > 3000, timeout=20000)
    assert ctl.is_playing() and not any("Converged" in m for m in rec.messages)
    with qtbot.waitSignal(ctl.playing_changed, timeout=5000):
        ctl.pause()


def test_negative_grad_ys_divergence_blames_ascent_not_the_rate(qtbot, rig):
    ctl, rec, factory = rig
    ctl.set_config(TrainConfig(lr=0.5, grad_ys=-1.0))
    ctl.set_speed(None)
    with qtbot.waitSignal(ctl.diverged, timeout=60000) as blocker:
        ctl.play()
    d = blocker.args[0]
    assert d.step == factory.made[0].diverged_at
    assert "grad_ys is negative" in d.message and "lower the learning rate" not in d.message


def test_gil_switch_interval_is_restored_when_the_run_ends(qtbot, fake_session_factory):
    import sys

    before = sys.getswitchinterval()
    ctl = TrainingController(fake_session_factory)
    with qtbot.waitSignal(ctl.update_ready, timeout=5000):
        ctl.start()
    assert sys.getswitchinterval() == min(before, ctl.worker.pacing.switch_interval_s)
    assert ctl.shutdown()
    assert sys.getswitchinterval() == before
