"""The tutorial's plane fit as one object the CLI and the GUI worker drive.

The model is the tutorial's, built in a private ``tf.Graph``::

    b = tf.Variable(tf.zeros([1]));  W = tf.Variable(<uniform(-1, 1), shape (1, 2)>)
    y = tf.matmul(W, x_data) + b
    loss = tf.reduce_mean(tf.square(y - y_data))

updated either by ``tf.train.<Optimizer>(lr).minimize(loss, grad_loss=grad_ys)`` ("optimizer"
mode) or by ``tf.gradients(loss, [W, b], grad_ys, stop_gradients)`` and explicit assigns
("manual" mode).  The learning rate lives in a non-trainable Variable, so a new rate applies
at the next step without rebuilding.  Any other change rebuilds the graph (a few ms) and
carries every Variable over by name: W, b and the optimizer slots that keep their meaning
(``W/Momentum`` ... are named alike in both modes), so a rebuild never loses momentum.
"""

from __future__ import annotations

import math

import numpy as np

from gdviz.autodiff.describe import GradientRecord, GraphSpec
from gdviz.training.data import make_plane_data
from gdviz.training.model import PlaneModel, check_stop_names, model_spec
from gdviz.training.snapshots import SnapshotFetcher
from gdviz.training.types import PlaneData, Snapshot, TrainConfig, TrainState, frozen_array, frozen_mapping

# Changing only these fields of a TrainConfig never rebuilds the graph.
_LIVE_FIELDS = ("lr",)


class PlaneFit:
    """The plane-fit training session (one owner at a time, e.g. the GUI's worker thread).

    Parameters
    ----------
    data : PlaneData, optional
        Defaults to ``make_plane_data()`` (100 points, seed 0).
    config : TrainConfig
        Validated on entry (``ValueError`` if invalid).
    init_seed : int
        Seed of the ``np.random.default_rng`` drawing W's initial value, uniform in [-1, 1).

    Attributes
    ----------
    step_count : int
        Updates applied so far.
    diverged_at : int or None
        Index of the step whose loss was non-finite; further steps do nothing until reset().
    """

    def __init__(self, data: PlaneData | None = None, config: TrainConfig = TrainConfig(),
                 init_seed: int = 0):
        if data is not None and not isinstance(data, PlaneData):
            raise TypeError(f"data must be a PlaneData, not {type(data).__name__}")
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig, not {type(config).__name__}")
        self._data = make_plane_data() if data is None else data
        self.init_seed = int(init_seed)
        W0, b0 = initial_start(self.init_seed)
        self._W0, self._b0 = frozen_array(W0), frozen_array(b0)
        self.step_count = 0
        self.diverged_at: int | None = None
        self._config = config.validated()
        self._install(PlaneModel(self._data, self._config, self._W0, self._b0))

    # --- read-only views ------------------------------------------------------------------------
    @property
    def data(self) -> PlaneData:
        return self._data

    @property
    def config(self) -> TrainConfig:
        return self._config

    @property
    def graph(self):
        return self._model.graph

    @property
    def spec(self) -> GraphSpec:
        """Every node a training step runs (forward, gradient and update nodes), for drawing."""
        return self._spec

    @property
    def record(self) -> GradientRecord:
        """What the model's ``gradients()`` call did (stops, cut edges, backward order)."""
        return self._model.record

    @property
    def forward_names(self) -> tuple[str, ...]:
        """Forward op nodes a user may name in ``stop_gradients`` (MatMul, add, sub, ...)."""
        return self._model.forward_names

    # --- training -------------------------------------------------------------------------------
    def step(self) -> Snapshot:
        """Apply one update (unless diverged) and return the snapshot after it."""
        self.steps(1)
        return self.snapshot()

    def steps(self, n: int) -> np.ndarray:
        """Apply up to ``n`` updates; return their losses (float64, pre-update values).

        Stops early at the first non-finite loss: that loss is the last element returned,
        ``diverged_at`` is set to its step, and later calls return an empty array until
        :meth:`reset`.  Never raises for divergence.
        """
        n = int(n)
        if n <= 0 or self.diverged_at is not None:
            return np.empty(0, np.float64)
        losses = np.empty(n, np.float64)
        run, fetches, isfinite = self._model.sess.run, self._model.step_fetches, math.isfinite
        self._snap = None
        with np.errstate(all="ignore"):  # overflow is reported as divergence, not warnings
            for i in range(n):
                loss = float(run(fetches)[-1])
                losses[i] = loss
                if not isfinite(loss):
                    self.diverged_at = self.step_count
                    self.step_count += 1
                    return losses[: i + 1]
                self.step_count += 1
        return losses

    def steps_traced(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Like :meth:`steps`, and also the path: ``(losses, thetas)`` where ``thetas[i]`` is
        (W1, W2, b) of the state ``losses[i]`` is the loss of (the state after ``step_count + i``
        updates, counted before this call), float64 copies of the float32 values.

        W and b are fetched in the same run as the update (the engine reads variables before
        it assigns them, like the loss), so tracing costs two small fetches per step.
        """
        n = int(n)
        if n <= 0 or self.diverged_at is not None:
            return np.empty(0, np.float64), np.empty((0, 3), np.float64)
        losses = np.empty(n, np.float64)
        thetas = np.empty((n, 3), np.float64)
        m = self._model
        run, fetches, isfinite = m.sess.run, (*m.step_fetches, m.W, m.b), math.isfinite
        self._snap = None
        with np.errstate(all="ignore"):
            for i in range(n):
                *_, loss, W, b = run(fetches)
                loss = float(loss)
                losses[i] = loss
                thetas[i, :2] = np.ravel(W)
                thetas[i, 2] = np.ravel(b)[0]
                self.step_count += 1
                if not isfinite(loss):
                    self.diverged_at = self.step_count - 1
                    return losses[: i + 1], thetas[: i + 1]
        return losses, thetas

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """Current ``(W, b)``: float32 arrays of shapes (1, 2) and (1,), private copies."""
        return self._model.weights()

    def snapshot(self) -> Snapshot:
        """The current state, frozen (one extra ``sess.run``; cached until the state changes)."""
        if self._snap is None:
            with np.errstate(all="ignore"):
                self._snap = self._fetcher.snapshot(self.step_count, self.diverged_at is not None)
        return self._snap

    # --- changes --------------------------------------------------------------------------------
    def configure(self, config: TrainConfig) -> None:
        """Apply ``config``; an invalid one raises ``ValueError`` and changes nothing.

        lr applies live; any other change rebuilds the graph keeping W, b, the step count
        and the optimizer slots whose names survive (a new optimizer starts fresh slots).
        """
        if not isinstance(config, TrainConfig):
            raise TypeError(f"configure expects a TrainConfig, not {type(config).__name__}")
        config = config.validated()
        check_stop_names(config, self.forward_names)
        old = self._config
        live = _LIVE_FIELDS
        if old.mode == config.mode == "optimizer":
            live += ("stop_gradients",)  # only manual mode's tf.gradients call uses them
        if all(getattr(old, f) == getattr(config, f)
               for f in config.__dataclass_fields__ if f not in live):
            self._model.set_lr(config.lr)
            self._config = config
            self._snap = None
            return
        # Built before anything is swapped, so a failure leaves the old model in place.
        model = PlaneModel(self._data, config, self._W0, self._b0, self._model.state())
        self._config = config
        self._install(model)

    def set_data(self, data: PlaneData) -> None:
        """Fit ``data`` from now on, keeping W, b, the step count and the config."""
        if not isinstance(data, PlaneData):
            raise TypeError(f"set_data expects a PlaneData, not {type(data).__name__}")
        model = PlaneModel(data, self._config, self._W0, self._b0, self._model.state())
        self._data = data
        self._install(model)

    def reset(self) -> None:
        """W and b back to their initial values, step 0, divergence and slots cleared."""
        self._install(PlaneModel(self._data, self._config, self._W0, self._b0))
        self.step_count = 0
        self.diverged_at = None

    def start(self) -> tuple[np.ndarray, np.ndarray]:
        """The ``(W, b)`` step 0 starts from (and Reset returns to), read-only."""
        return self._W0, self._b0

    def set_start(self, W, b) -> None:
        """Start again from step 0 at ``W`` (two values) and ``b`` (one value); Reset returns
        here from now on.  Non-finite or float32-overflowing values raise ``ValueError`` and
        change nothing."""
        W = np.asarray(W, np.float64).reshape(-1)
        b = np.asarray(b, np.float64).reshape(-1)
        if W.shape != (2,) or b.shape != (1,):
            raise ValueError(f"a start needs 2 values of W and 1 of b, not {W.size} and {b.size}")
        if not (np.isfinite(W).all() and np.isfinite(b).all()) or max(np.abs(W).max(), abs(b[0])) > 1e30:
            raise ValueError("a start must be finite numbers no larger than 1e30")
        self._W0 = frozen_array(W.astype(self._W0.dtype).reshape(self._W0.shape))
        self._b0 = frozen_array(b.astype(self._b0.dtype).reshape(self._b0.shape))
        self.reset()

    # --- exact state (time travel, session files) ------------------------------------------------
    def state(self) -> TrainState:
        """The whole state a future step depends on (W, b, every optimizer slot, the step)."""
        return TrainState(self.step_count, self.diverged_at, self._config,
                          frozen_mapping(self._model.state()))

    def restore(self, state: TrainState) -> None:
        """Go back (or forward) to ``state`` exactly; stepping on from it is bit-identical to the
        run that produced it.  Invalid states raise ``ValueError`` and change nothing."""
        if not isinstance(state, TrainState):
            raise TypeError(f"restore expects a TrainState, not {type(state).__name__}")
        config = state.config.validated()
        variables = {k: np.asarray(v) for k, v in state.variables.items()}
        for name in ("W", "b"):
            if name not in variables:
                raise ValueError(f"state has no value for {name}")
        model = PlaneModel(self._data, config, self._W0, self._b0, variables)
        missing = [v.name for v in model.variables
                   if v.name not in variables and v.name != model.lr.name]
        wrong = [f"{v.name} {np.shape(variables[v.name])} (expected {v.shape})"
                 for v in model.variables
                 if v.name in variables and np.shape(variables[v.name]) != tuple(v.shape)]
        if missing or wrong:
            model.sess.close()
            if wrong:
                raise ValueError(f"state has the wrong shape for {', '.join(wrong)}")
            model.sess.close()
            raise ValueError(f"state has no value for {', '.join(missing)}")
        self._config = config
        self._install(model)
        self.step_count = int(state.step)
        self.diverged_at = None if state.diverged_at is None else int(state.diverged_at)

    # --- internals ------------------------------------------------------------------------------
    def _install(self, model: PlaneModel) -> None:
        old = getattr(self, "_model", None)
        spec = model_spec(model)
        fetcher = SnapshotFetcher(model, spec)
        self._model, self._spec, self._fetcher, self._snap = model, spec, fetcher, None
        if old is not None and old is not model:
            old.sess.close()


def initial_start(init_seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's start for ``init_seed``: W uniform in [-1, 1) (float32, shape (1, 2)), b 0."""
    W0 = np.random.default_rng(int(init_seed)).uniform(-1.0, 1.0, (1, 2)).astype(np.float32)
    return W0, np.zeros((1,), np.float32)


def new_plane_fit(config: TrainConfig, points: int, noise: float, seed: int) -> PlaneFit:
    """The app's session: a PlaneFit on the tutorial's data drawn with ``(points, noise, seed)``,
    its W initialised from ``seed`` (module-level, so the GUI can send it to an engine process)."""
    return PlaneFit(make_plane_data(points, noise, seed), config, init_seed=seed)
