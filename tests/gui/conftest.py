"""Fixtures for the GUI tests: settings isolation, a no-leaked-QThread guard, a fake session."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6.QtCore import QThread

from gdviz.gui import gl_check
from gdviz.training.types import PlaneData, Snapshot, TrainConfig, frozen_array, frozen_mapping

# Before pytest-qt creates the QApplication: every window's 3D view shares GL resources.
gl_check.share_gl_contexts()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test reads and writes its own settings file, never the user's."""
    path = tmp_path / "gdviz-settings.ini"
    monkeypatch.setenv("GDVIZ_SETTINGS", str(path))
    return path


def _running_qthreads() -> list[QThread]:
    main = QThread.currentThread()  # the tests run in the GUI thread
    out = []
    for obj in gc.get_objects():
        try:
            if isinstance(obj, QThread) and obj is not main and obj.isRunning():
                out.append(obj)
        except RuntimeError:  # wrapper whose C++ object is gone
            continue
    return out


@pytest.fixture(autouse=True)
def no_qthread_left_running():
    """Fail any test that leaves a QThread running (napari's rule)."""
    before = set(map(id, _running_qthreads()))
    yield
    leaked = [t for t in _running_qthreads() if id(t) not in before]
    if leaked:
        for t in leaked:  # stop them so later tests are not affected
            t.quit()
            t.wait(5000)
        names = ", ".join(t.objectName() or repr(t) for t in leaked)
        pytest.fail(f"test left {len(leaked)} QThread(s) running: {names}")


def fake_data(points: int = 50, noise: float = 0.0, seed: int = 0) -> PlaneData:
    rng = np.random.default_rng(seed)
    x = rng.random((2, points)).astype(np.float32)
    y = np.dot([0.1, 0.2], x) + 0.3 + noise * rng.standard_normal(points)
    return PlaneData(x=x, y=y, noise=noise, seed=seed)


class FakeSession:
    """numpy least squares with PlaneFit's interface, so worker tests need no engine."""

    forward_names = ("MatMul", "add", "sub", "Square", "Mean")

    def __init__(self, data: PlaneData | None = None, config: TrainConfig = TrainConfig(),
                 fail_at: int | None = None):
        self.data = data if data is not None else fake_data()
        self.config = config.validated()
        self.spec = None
        self.record = None
        self.fail_at = fail_at
        self.steps_run = 0
        self.reset()

    def reset(self) -> None:
        self.W = np.array([[-0.5, 0.8]])
        self.b = np.zeros(1)
        self.step_count = 0
        self.diverged_at = None

    def _loss_grads(self):
        x, y = self.data.x.astype(np.float64), self.data.y
        r = self.W @ x + self.b - y
        loss = float(np.mean(r**2))
        gW = 2 * (r @ x.T) / r.size * self.config.grad_ys
        gb = np.array([2 * r.mean()]) * self.config.grad_ys
        if "MatMul" in self.config.stop_gradients:
            gW = None
        return loss, gW, gb

    def _one(self) -> float:
        if self.fail_at is not None and self.step_count + 1 == self.fail_at:
            raise RuntimeError("boom")
        with np.errstate(all="ignore"):
            loss, gW, gb = self._loss_grads()
            if gW is not None:
                self.W = self.W - self.config.lr * gW
            self.b = self.b - self.config.lr * gb
        if not np.isfinite(loss) and self.diverged_at is None:
            self.diverged_at = self.step_count  # 0-based index of the bad step, as PlaneFit
        self.step_count += 1
        self.steps_run += 1
        return loss

    def weights(self):
        return self.W.copy(), self.b.copy()

    def steps(self, n: int) -> np.ndarray:
        if self.diverged_at is not None:
            return np.zeros(0)
        out = []
        for _ in range(n):
            out.append(self._one())
            if not np.isfinite(out[-1]):
                break
        return np.array(out, dtype=np.float64)

    def step(self) -> Snapshot:
        self._one()
        return self.snapshot()

    def snapshot(self) -> Snapshot:
        with np.errstate(all="ignore"):
            loss, gW, gb = self._loss_grads()
        return Snapshot(
            step=self.step_count, loss=loss, W=frozen_array(self.W), b=frozen_array(self.b),
            grad_W=None if gW is None else frozen_array(gW), grad_b=frozen_array(gb),
            values=frozen_mapping({"Mean": np.array(loss)}), grads=frozen_mapping({}),
            diverged=self.diverged_at is not None,
        )

    def configure(self, config: TrainConfig) -> None:
        self.config = config.validated()

    def set_data(self, data: PlaneData) -> None:
        self.data = data


@pytest.fixture
def fake_session_factory():
    """A factory making FakeSessions; ``.made`` lists them (for inspection after shutdown)."""

    class Factory:
        def __init__(self):
            self.made: list[FakeSession] = []
            self.kwargs = {}

        def __call__(self):
            s = FakeSession(**self.kwargs)
            self.made.append(s)
            return s

    return Factory()


@pytest.fixture
def fake_data_factory():
    """``(points, noise, seed) -> PlaneData`` without the training package's data module."""
    return fake_data


@pytest.fixture
def fake_window_factories():
    """``(session_factory, data_factory)`` for a MainWindow over FakeSessions."""
    return (lambda config, points, noise, seed: FakeSession(fake_data(points, noise, seed), config),
            fake_data)


@pytest.fixture
def window(qtbot, monkeypatch):
    """The real MainWindow over a real PlaneFit, started, shown and active; closed after the
    test, whose worker thread must then have finished.  (Test files with other needs define
    their own ``window``.)"""
    from gdviz.gui.main_window import MainWindow
    from tests.gui.windows import open_window

    monkeypatch.delenv("GDVIZ_ENGINE", raising=False)     # the app's own choice: a process
    w = open_window(qtbot, MainWindow(start=False))
    yield w
    w.close()
    assert w.controller.thread.isFinished()
    engine = w.controller.worker.process          # the app trains in a child process:
    assert engine is not None and engine.exitcode is not None   # it has left with the window
