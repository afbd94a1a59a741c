"""One built plane-fit graph: the tutorial's model, its update step, its session.

A :class:`PlaneModel` is immutable in structure: :class:`~gdviz.training.PlaneFit` builds a
new one for every change except the learning rate, carrying Variables over by name.
"""

from __future__ import annotations

import numpy as np

import gdviz.autodiff as tf
from gdviz.autodiff.describe import GradientRecord, GraphSpec, node_kind, spec_from_nodes
from gdviz.training.manual import make_optimizer, manual_updates
from gdviz.training.rules import parse_rule, rule_updates
from gdviz.training.types import PlaneData, TrainConfig


def _ancestors(fetches) -> set[str]:
    """Names of ``fetches`` and every node they depend on."""
    seen: set[str] = set()
    stack = list(fetches)
    while stack:
        node = stack.pop()
        if node.name not in seen:
            seen.add(node.name)
            stack.extend(node.inputs)
    return seen


#: The forward ops of the tutorial's model, in creation order: the names stop_gradients may take
#: (a test checks every built model has exactly these).  Settings are checked against them
#: before any model exists.
STOP_NAMES = ("MatMul", "add", "sub", "Square", "Mean")


def _op_ancestors(loss) -> tuple[str, ...]:
    """Forward op nodes the loss depends on, in creation order (what stop_gradients may name)."""
    seen = _ancestors([loss])
    return tuple(n.name for n in loss.graph.nodes if n.name in seen
                 and n.op_type not in ("Const", "VariableV2", "Placeholder"))


def check_stop_names(config: TrainConfig, valid: tuple[str, ...]) -> None:
    unknown = [n for n in config.stop_gradients if n not in valid]
    if unknown:
        raise ValueError(
            f"unknown stop_gradients node{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))}; valid names: {', '.join(valid)}")


def model_spec(model: "PlaneModel") -> GraphSpec:
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


class PlaneModel:
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
            check_stop_names(config, self.forward_names)
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
                if config.rule:
                    self.train = rule_updates(parse_rule(config.rule), self.W, self.b, gW, gb, self.lr)
                else:
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
