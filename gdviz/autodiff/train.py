"""``tf.train`` optimizers with TF1's exact update rules, slot names and defaults.

Each ``apply_gradients`` adds one update node per variable (``ApplyGradientDescent``,
``ApplyMomentum``, ``ApplyRMSProp``, ``ApplyAdam``; kind "update" in drawings) and returns a
``NoOp`` named after the optimizer.  The kernels follow TF1's ``training_ops.cc`` operation
by operation in the variable's dtype, so e.g. plain gradient descent gives bit-identical
numbers to ``W.assign(W - lr * grad_W)``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import ops
from .gradients import gradients
from .graph import Tensor, is_floating
from .kernels import UPDATES
from .variables import Variable, trainable_variables

# --------------------------------------------------------------------------------- kernels


def _gd(node):
    mul, sub = np.multiply, np.subtract
    return (lambda var, lr, grad: sub(var, mul(lr, grad))), 1


def _momentum(node):
    nesterov = node.attrs["use_nesterov"]

    def apply(var, accum, lr, grad, momentum):
        accum = accum * momentum + grad
        if nesterov:
            return var - (grad * lr + accum * momentum * lr), accum
        return var - accum * lr, accum
    return apply, 2


def _rmsprop(node):
    one = np.ones((), node.dtype)

    def apply(var, ms, mom, lr, rho, momentum, epsilon, grad):
        ms = ms + (np.square(grad) - ms) * (one - rho)
        mom = mom * momentum + (grad * lr) / np.sqrt(ms + epsilon)
        return var - mom, ms, mom
    return apply, 3


def _adam(node):
    one = np.ones((), node.dtype)

    def apply(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad):
        alpha = lr * np.sqrt(one - beta2_power) / (one - beta1_power)
        m = m + (grad - m) * (one - beta1)
        v = v + (np.square(grad) - v) * (one - beta2)
        return var - (m * alpha) / (np.sqrt(v) + epsilon), m, v
    return apply, 3


UPDATES.update(ApplyGradientDescent=_gd, ApplyMomentum=_momentum, ApplyRMSProp=_rmsprop, ApplyAdam=_adam)


# --------------------------------------------------------------------------------- optimizers
class Optimizer:
    """Base class: ``minimize = compute_gradients + apply_gradients`` (TF1)."""

    def __init__(self, use_locking: bool, name: str) -> None:
        self._name = name
        self._slots: dict[tuple[str, Tensor], Variable] = {}
        self._consts: dict[tuple, Tensor] = {}

    def get_name(self) -> str:
        return self._name

    def compute_gradients(self, loss: Tensor, var_list: Sequence[Variable] | None = None,
                          grad_loss: Any = None, **_ignored: Any) -> list[tuple[Tensor | None, Variable]]:
        """``[(gradient or None, variable)]`` of ``loss`` for ``var_list`` (default: trainables).

        ``grad_loss`` is passed to ``gradients`` as the loss's grad_ys.
        """
        if not isinstance(loss, Tensor):
            raise TypeError(f"loss must be a Tensor, got {type(loss).__name__}")
        if not is_floating(loss.dtype):
            raise ValueError(f"Invalid type {loss.dtype.name} for {loss.name}, expected: float16, float32, float64.")
        var_list = list(trainable_variables(loss.graph) if var_list is None else var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:
            if not isinstance(v, Variable):
                raise TypeError(f"var_list entries must be Variables, got {v!r}")
        grads = gradients(loss, var_list, grad_ys=None if grad_loss is None else [grad_loss])
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars: Sequence[tuple[Tensor | None, Variable]], global_step: Any = None,
                        name: str | None = None) -> Tensor:
        """Add one update node per (gradient, variable) and return a NoOp running them all."""
        pairs = [(g, v) for g, v in grads_and_vars]
        if not pairs:
            raise ValueError("No variables provided.")
        live = [(g, v) for g, v in pairs if g is not None]
        if not live:
            raise ValueError(f"No gradients provided for any variable, check your graph for ops that do not support "
                             f"gradients, between variables {[v.name for _, v in pairs]} and loss.")
        name = name or self._name
        graph = live[0][1].graph
        for _g, v in live:
            self._create_slots(v)
        updates = []
        with graph.name_scope(name):
            for g, v in live:
                if g.shape != v.shape:
                    raise ValueError(f"{name}: gradient {g.name} has shape {g.shape} but variable {v.name} has "
                                     f"shape {v.shape}")
                with graph.name_scope(f"update_{v.name}"):
                    updates.append(self._apply_dense(g, v))
            updates.extend(self._finish(updates))
        if global_step is not None:
            with graph.name_scope(name):
                updates.append(global_step.assign_add(ops.constant(1, dtype=global_step.dtype)))
        return ops.no_op(updates, name=name)

    def minimize(self, loss: Tensor, global_step: Any = None, var_list: Sequence[Variable] | None = None,
                 name: str | None = None, grad_loss: Any = None, **_ignored: Any) -> Tensor:
        """One training step: the NoOp returned by ``apply_gradients(compute_gradients(...))``."""
        return self.apply_gradients(self.compute_gradients(loss, var_list, grad_loss=grad_loss),
                                    global_step=global_step, name=name)

    # --- helpers for subclasses ---------------------------------------------------------------
    def _const(self, key: str, value: Any, dtype) -> Tensor:
        """Hyperparameter ``key`` as a node of ``dtype``: a constant, or ``value`` itself if it
        is a tensor (TF1 accepts e.g. a Variable learning rate, changeable without rebuilding)."""
        k = (key, np.dtype(dtype))
        if k not in self._consts and isinstance(value, Tensor):
            if value.shape != ():
                raise ValueError(f"{self._name}: {key} {value.name} must be a scalar, has shape {value.shape}")
            self._consts[k] = value if value.dtype == k[1] else ops.cast(value, dtype, name=f"{key}_cast")
        if k not in self._consts:
            graph = ops.get_default_graph()
            with graph.absolute_scope(self._name):  # "GradientDescent/learning_rate", not per variable
                self._consts[k] = ops.constant(np.asarray(value, dtype=dtype), name=key)
        return self._consts[k]

    def _slot(self, var: Variable, slot: str, init: float, suffix: str) -> Variable:
        k = (slot, var)
        if k not in self._slots:
            self._slots[k] = Variable(np.full(var.shape, init, dtype=var.dtype), trainable=False,
                                      name=f"{var.name}/{suffix}")
        return self._slots[k]

    def get_slot(self, var: Variable, name: str) -> Variable | None:
        return self._slots.get((name, var))

    def get_slot_names(self) -> list[str]:
        return sorted({k[0] for k in self._slots})

    def variables(self) -> list[Variable]:
        return list(self._slots.values())

    def _create_slots(self, var: Variable) -> None:
        pass

    def _finish(self, updates: list[Tensor]) -> list[Tensor]:
        return []

    def _update(self, op_type: str, inputs: Sequence[Tensor], var: Variable, **attrs) -> Tensor:
        return ops._node(op_type, tuple(inputs), var.shape, var.dtype, op_type, op_type, attrs)


class GradientDescentOptimizer(Optimizer):
    """``var -= learning_rate * grad``."""

    def __init__(self, learning_rate: float, use_locking: bool = False, name: str = "GradientDescent") -> None:
        super().__init__(use_locking, name)
        self._lr = learning_rate

    def _apply_dense(self, grad, var):
        lr = self._const("learning_rate", self._lr, var.dtype)
        return self._update("ApplyGradientDescent", (var, lr, grad), var)


class MomentumOptimizer(Optimizer):
    """``accum = momentum * accum + grad; var -= lr * accum`` (Nesterov: ``var -= lr * (grad + momentum * accum)``)."""

    def __init__(self, learning_rate: float, momentum: float, use_locking: bool = False, name: str = "Momentum",
                 use_nesterov: bool = False) -> None:
        super().__init__(use_locking, name)
        self._lr, self._momentum, self._nesterov = learning_rate, momentum, bool(use_nesterov)

    def _create_slots(self, var):
        self._slot(var, "momentum", 0.0, self._name)

    def _apply_dense(self, grad, var):
        return self._update("ApplyMomentum", (var, self.get_slot(var, "momentum"),
                                              self._const("learning_rate", self._lr, var.dtype), grad,
                                              self._const("momentum", self._momentum, var.dtype)),
                            var, use_nesterov=self._nesterov)


class RMSPropOptimizer(Optimizer):
    """TF1 RMSProp: ``ms`` starts at ONES; ``ms += (g² - ms)(1 - decay)``;
    ``mom = momentum * mom + lr * g / sqrt(ms + eps)``; ``var -= mom``."""

    def __init__(self, learning_rate: float, decay: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-10,
                 use_locking: bool = False, centered: bool = False, name: str = "RMSProp") -> None:
        super().__init__(use_locking, name)
        if centered:
            raise NotImplementedError("centered RMSProp is not implemented")
        self._lr, self._decay, self._momentum, self._epsilon = learning_rate, decay, momentum, epsilon

    def _create_slots(self, var):
        self._slot(var, "rms", 1.0, self._name)
        self._slot(var, "momentum", 0.0, f"{self._name}_1")

    def _apply_dense(self, grad, var):
        c = self._const
        return self._update("ApplyRMSProp", (var, self.get_slot(var, "rms"), self.get_slot(var, "momentum"),
                                             c("learning_rate", self._lr, var.dtype),
                                             c("decay", self._decay, var.dtype),
                                             c("momentum", self._momentum, var.dtype),
                                             c("epsilon", self._epsilon, var.dtype), grad), var)


class AdamOptimizer(Optimizer):
    """TF1 Adam: ``lr_t = lr·sqrt(1-β2^t)/(1-β1^t)``; ``var -= lr_t·m/(sqrt(v)+ε)``; beta powers as variables."""

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8,
                 use_locking: bool = False, name: str = "Adam") -> None:
        super().__init__(use_locking, name)
        self._lr, self._beta1, self._beta2, self._epsilon = learning_rate, beta1, beta2, epsilon
        self._powers: tuple[Variable, Variable] | None = None

    def _create_slots(self, var):
        if self._powers is None:
            self._powers = (Variable(np.asarray(self._beta1, dtype=var.dtype), trainable=False, name="beta1_power"),
                            Variable(np.asarray(self._beta2, dtype=var.dtype), trainable=False, name="beta2_power"))
        self._slot(var, "m", 0.0, self._name)
        self._slot(var, "v", 0.0, f"{self._name}_1")

    def variables(self) -> list[Variable]:
        return list(self._powers or ()) + super().variables()

    def _apply_dense(self, grad, var):
        c = self._const
        b1p, b2p = self._powers
        if b1p.dtype != var.dtype:
            raise TypeError(f"Adam: all variables must share one dtype ({b1p.dtype.name}), "
                            f"{var.name} is {var.dtype.name}")
        return self._update("ApplyAdam", (var, self.get_slot(var, "m"), self.get_slot(var, "v"), b1p, b2p,
                                          c("learning_rate", self._lr, var.dtype), c("beta1", self._beta1, var.dtype),
                                          c("beta2", self._beta2, var.dtype), c("epsilon", self._epsilon, var.dtype),
                                          grad), var)

    def _finish(self, updates):
        b1p, b2p = self._powers
        # read at the start of the step, like the applies above, so they use the old powers
        return [b1p.assign(ops.multiply(b1p, self._const("beta1", self._beta1, b1p.dtype), name="mul")),
                b2p.assign(ops.multiply(b2p, self._const("beta2", self._beta2, b2p.dtype), name="mul_1"))]
