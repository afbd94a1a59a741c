"""TF1's update rules built by hand from ``assign`` ops, for the "manual" update mode.

The tutorial's second program replaces ``optimizer.minimize(loss)`` by
``grad_W, grad_b = tf.gradients(loss, [W, b])`` and ``W.assign(W - lr * grad_W)``.  Here the
same is done for every optimizer the app offers: each rule is written with the arithmetic
of TF1's C++ kernels (``ApplyGradientDescent``, ``ApplyMomentum``, ``ApplyRMSProp``,
``ApplyAdam``), with slot Variables initialised as TF1 does (RMSProp's mean square at ones,
Adam's beta powers at beta1 / beta2), so a user can see every update as graph nodes.
"""

from __future__ import annotations

import numpy as np

import gdviz.autodiff as tf
from gdviz.training.types import TrainConfig

#: TF1 default epsilons (``TrainConfig.epsilon = None`` means these).
DEFAULT_EPSILON = {"rmsprop": 1e-10, "adam": 1e-8}


def epsilon_of(config: TrainConfig) -> float:
    return DEFAULT_EPSILON.get(config.optimizer, 0.0) if config.epsilon is None else config.epsilon


def make_optimizer(config: TrainConfig, lr):
    """The ``tf.train`` optimizer for ``config``, reading its learning rate from tensor ``lr``.

    As in TF1, the learning rate may be a tensor: a Variable here, so a new rate applies at
    the next step without rebuilding the graph.
    """
    name = config.optimizer
    if name == "gd":
        return tf.train.GradientDescentOptimizer(lr)
    if name in ("momentum", "nesterov"):
        return tf.train.MomentumOptimizer(lr, config.momentum, use_nesterov=name == "nesterov")
    if name == "rmsprop":
        return tf.train.RMSPropOptimizer(lr, decay=config.decay, momentum=config.momentum,
                                         epsilon=epsilon_of(config))
    if name == "adam":
        return tf.train.AdamOptimizer(lr, beta1=config.beta1, beta2=config.beta2,
                                      epsilon=epsilon_of(config))
    raise ValueError(f"unknown optimizer {name!r}")


def _slot(var, name: str, value: float = 0.0):
    """A non-trainable slot Variable shaped like ``var`` (named like TF1's ``W/Momentum``)."""
    init = np.full(var.shape, value, dtype=var.dtype)
    return tf.Variable(init, trainable=False, name=f"{var.name}/{name}")


#: Name scope of each rule's nodes, as the tf.train optimizer names its own.
SCOPES = {"gd": "GradientDescent", "momentum": "Momentum", "nesterov": "Momentum",
          "rmsprop": "RMSProp", "adam": "Adam"}


def manual_updates(config: TrainConfig, lr, grads_and_vars) -> list:
    """Assign ops applying ``config.optimizer``'s TF1 rule to each ``(grad, var)``.

    Slots are named as the tf.train optimizers name theirs (``W/Momentum``, ``W/Adam_1``,
    ``beta1_power``), so their values can carry over between the two modes; the arithmetic
    of the rule for W sits in the name scope ``<Optimizer>/update_W``.

    Parameters
    ----------
    config : TrainConfig
    lr : Tensor, scalar float32
        The learning rate.
    grads_and_vars : list of (Tensor or None, Variable)
        A ``None`` gradient (path cut by stop_gradients) leaves its variable unchanged.

    Returns
    -------
    list of Tensor
        The ops to run once per step (variable assigns, then slot bookkeeping).
    """
    pairs = [(g, v) for g, v in grads_and_vars if g is not None]
    if not pairs:
        return []
    opt, dt = config.optimizer, np.float32
    graph = pairs[0][1].graph
    scope = SCOPES[opt]
    updates = []
    if opt == "adam":
        b1, b2, eps = dt(config.beta1), dt(config.beta2), dt(epsilon_of(config))
        b1p = tf.Variable(b1, trainable=False, name="beta1_power")
        b2p = tf.Variable(b2, trainable=False, name="beta2_power")
        with graph.name_scope(scope):
            alpha = lr * tf.sqrt(dt(1) - b2p) / (dt(1) - b1p)
    for g, v in pairs:
        if opt == "gd":
            with graph.name_scope(f"{scope}/update_{v.name}"):
                updates.append(v.assign(v - lr * g))
        elif opt in ("momentum", "nesterov"):
            mu = dt(config.momentum)
            accum = _slot(v, "Momentum")
            with graph.name_scope(f"{scope}/update_{v.name}"):
                new_accum = accum.assign(accum * mu + g)
                if opt == "nesterov":
                    updates.append(v.assign(v - (g * lr + new_accum * mu * lr)))
                else:
                    updates.append(v.assign(v - new_accum * lr))
        elif opt == "rmsprop":
            rho, eps, mu = dt(config.decay), dt(epsilon_of(config)), dt(config.momentum)
            ms = _slot(v, "RMSProp", 1.0)  # TF1 starts the mean square at ones
            mom = _slot(v, "RMSProp_1")
            with graph.name_scope(f"{scope}/update_{v.name}"):
                new_ms = ms.assign(ms + (tf.square(g) - ms) * (dt(1) - rho))
                new_mom = mom.assign(mom * mu + (g * lr) / tf.sqrt(new_ms + eps))
                updates.append(v.assign(v - new_mom))
        elif opt == "adam":
            m, s = _slot(v, "Adam"), _slot(v, "Adam_1")
            with graph.name_scope(f"{scope}/update_{v.name}"):
                new_m = m.assign(m + (g - m) * (dt(1) - b1))
                new_s = s.assign(s + (tf.square(g) - s) * (dt(1) - b2))
                updates.append(v.assign(v - (new_m * alpha) / (tf.sqrt(new_s) + eps)))
        else:
            raise ValueError(f"unknown optimizer {opt!r}")
    if opt == "adam":  # the beta powers advance once per step; this run still reads the old
        with graph.name_scope(scope):
            updates += [b1p.assign(b1p * b1), b2p.assign(b2p * b2)]
    return updates
