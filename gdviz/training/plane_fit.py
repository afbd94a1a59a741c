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

import gdviz.autodiff as tf
from gdviz.autodiff.describe import GradientRecord, GraphSpec, node_kind, spec_from_nodes
from gdviz.training.data import make_plane_data
from gdviz.training.manual import make_optimizer, manual_updates
from gdviz.training.snapshots import SnapshotFetcher
from gdviz.training.types import PlaneData, Snapshot, TrainConfig, frozen_array

# Changing only these fields of a TrainConfig never rebuilds the graph.
_LIVE_FIELDS = ("lr",)


def _ancestors(fetches) -> set[str]:
    """Names of ``fetches`` and every node they depend on."""
    seen: set[str] = set()
    stack = list(fetches)
    while stack:
        node = stack.pop()
        if node.name not in seen:
            seen.add(node.name)
            stack.extend(node.inputs)
            stack.extend(getattr(node, "control_inputs", ()))
    return seen


def _op_ancestors(loss) -> tuple[str, ...]:
    """Forward op nodes the loss depends on, in creation order (what stop_gradients may name)."""
    seen = _ancestors([loss])
    return tuple(n.name for n in loss.graph.nodes if n.name in seen
                 and n.op_type not in ("Const", "VariableV2", "Placeholder"))


def _check_stop_names(config: TrainConfig, valid: tuple[str, ...]) -> None:
    unknown = [n for n in config.stop_gradients if n not in valid]
    if unknown:
        raise ValueError(
            f"unknown stop_gradients node{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))}; valid names: {', '.join(valid)}")


def _model_spec(model: "_Model") -> GraphSpec:
    """What to draw: every node a step runs plus all nodes of the gradients() call.

    Gradient nodes a step does not need (cut off by stop_gradients) are kept so the view can
    show them.  Ops that are not on the way to the loss and not gradients are the update
    rule (manual mode's ``W - lr * grad``), so they get kind "update", like the optimizers'
    Apply* nodes.
    """
    graph, record = model.graph, model.record
    seeds = list(model.step_fetches) + [n for n in graph.nodes if n.grad_scope == record.scope]
    wanted = _ancestors(seeds)
    forward = _ancestors([model.loss])

    def kind(node) -> str:
        k = node_kind(node)
        return "update" if k == "op" and node.name not in forward else k

    return spec_from_nodes((n for n in graph.nodes if n.name in wanted), kind)


class _Model:
    """One built graph: its nodes, session and the fetches of a training step.

    ``state`` maps Variable names to values to start from (``W``, ``b`` and optimizer slots
    such as ``W/Momentum``, ``beta1_power``); Variables not in it start at their TF1 initial
    values (W0, b0 here, slots as the optimizer initialises them).
    """

    def __init__(self, data: PlaneData, config: TrainConfig, W0: np.ndarray, b0: np.ndarray,
                 state: dict[str, np.ndarray] | None = None):
        state = dict(state or {})
        self.graph = g = tf.Graph()
        with g.as_default():
            # Tutorial order (b before W); constants named so the graph view reads well.
            x_data = tf.constant(np.asarray(data.x, np.float32), name="x_data")
            # TF1 converts the float64 y_data to y's float32 in ``y - y_data``; do it up front.
            y_data = tf.constant(np.asarray(data.y, np.float32), name="y_data")
            self.b = tf.Variable(np.array(state.pop("b", b0), np.float32), name="b")
            self.W = tf.Variable(np.array(state.pop("W", W0), np.float32), name="W")
            y = tf.matmul(self.W, x_data) + self.b
            self.loss = tf.reduce_mean(tf.square(y - y_data))
            self.forward_names = _op_ancestors(self.loss)
            _check_stop_names(config, self.forward_names)
            # A Variable, so a new rate applies at the next step with no rebuild (free at run
            # time).  grad_ys stays a constant: as a Variable it would block the engine's
            # constant folding of the backward pass (+40% per step); changing it rebuilds.
            self.lr = tf.Variable(np.float32(config.lr), trainable=False, name="learning_rate")
            state.pop(self.lr.name, None)
            grad_ys = tf.constant(np.float32(config.grad_ys), name="grad_ys")
            if config.mode == "optimizer":
                opt = make_optimizer(config, self.lr)
                self.train = [opt.minimize(self.loss, var_list=[self.W, self.b],
                                           grad_loss=grad_ys)]
            else:
                stops = [g.get_node(n) for n in config.stop_gradients]
                gW, gb = tf.gradients(self.loss, [self.W, self.b], grad_ys=grad_ys,
                                      stop_gradients=stops)
                self.train = manual_updates(config, self.lr, [(gW, self.W), (gb, self.b)])
            self.record: GradientRecord = g.gradient_records[-1]
            self.variables = tf.global_variables(g)
            init = tf.global_variables_initializer()
            # Live learning rate and carried-over slots are set through placeholders, so no
            # node is added after the session starts.
            self._lr_value = tf.placeholder(tf.float32, shape=(), name="set_learning_rate")
            self._set_lr = self.lr.assign(self._lr_value)
            restore = {}
            for v in self.variables:
                value = state.get(v.name)
                if value is not None and np.shape(value) == v.shape:
                    ph = tf.placeholder(v.dtype, shape=v.shape, name=f"restore/{v.name}")
                    restore[v.assign(ph)] = (ph, value)
        self.step_fetches = self.train + [self.loss]
        self.sess = tf.Session(graph=g)
        self.sess.run(init)
        if restore:
            self.sess.run(list(restore), {ph: value for ph, value in restore.values()})

    def set_lr(self, lr: float) -> None:
        self.sess.run(self._set_lr, {self._lr_value: np.float32(lr)})

    def state(self) -> dict[str, np.ndarray]:
        """Every Variable's current value by name (W, b, learning_rate, slots)."""
        return dict(zip((v.name for v in self.variables), self.sess.run(self.variables)))

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        W, b = self.sess.run([self.W, self.b])
        return W, b


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
        self._data = make_plane_data() if data is None else data
        self.init_seed = int(init_seed)
        rng = np.random.default_rng(self.init_seed)
        self._W0 = frozen_array(rng.uniform(-1.0, 1.0, (1, 2)).astype(np.float32))
        self._b0 = frozen_array(np.zeros((1,), np.float32))
        self.step_count = 0
        self.diverged_at: int | None = None
        self._config = config.validated()
        self._install(_Model(self._data, self._config, self._W0, self._b0))

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
        config = config.validated()
        self._check_stop_names(config)
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
        model = _Model(self._data, config, self._W0, self._b0, self._model.state())
        self._config = config
        self._install(model)

    def set_data(self, data: PlaneData) -> None:
        """Fit ``data`` from now on, keeping W, b, the step count and the config."""
        if not isinstance(data, PlaneData):
            raise TypeError(f"set_data expects a PlaneData, not {type(data).__name__}")
        model = _Model(data, self._config, self._W0, self._b0, self._model.state())
        self._data = data
        self._install(model)

    def reset(self) -> None:
        """W and b back to their initial values, step 0, divergence and slots cleared."""
        self._install(_Model(self._data, self._config, self._W0, self._b0))
        self.step_count = 0
        self.diverged_at = None

    # --- internals ------------------------------------------------------------------------------
    def _install(self, model: _Model) -> None:
        old = getattr(self, "_model", None)
        self._model = model
        self._spec = _model_spec(model)
        self._fetcher = SnapshotFetcher(model, self._spec)
        self._snap = None
        if old is not None and old is not model:
            old.sess.close()

    def _check_stop_names(self, config: TrainConfig) -> None:
        _check_stop_names(config, self.forward_names)
