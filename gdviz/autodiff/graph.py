"""Graph, nodes and conversion of Python values to constant nodes (TF1 style).

A :class:`Graph` holds nodes in creation order.  Every node is a :class:`Tensor`: it is
both the operation and its single output, which keeps the engine small (TF's ops with
several outputs are not needed here).  Names are unique TF-style names (``add``,
``add_1``, ``gradients/MatMul_grad/MatMul``).
"""

from __future__ import annotations

import contextlib
import re
import threading
from typing import Any, Iterator

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

_FLOATS = (float16, float32, float64)


def as_dtype(dtype: Any) -> np.dtype:
    """Normalise ``dtype`` (numpy dtype, type or name) to a numpy dtype."""
    return np.dtype(dtype)


def is_floating(dtype: np.dtype) -> bool:
    return np.dtype(dtype).kind in "fc"


def is_differentiable(dtype: np.dtype) -> bool:
    """Project decision 1: floating *and integer* tensors carry gradients (not bool/str)."""
    return np.dtype(dtype).kind in "fciu"


class Tensor:
    """A graph node and its (single) output.

    Attributes
    ----------
    name : str
        Unique TF-style op name (``"MatMul"``, ``"add_1"``).
    op_type : str
        TF op type (``"MatMul"``, ``"Add"``, ``"Const"`` ...).
    inputs : tuple of Tensor
        Input nodes in argument order.
    shape : tuple
        Static shape; ``None`` entries for unknown placeholder dimensions.
    dtype : numpy.dtype
    graph : Graph
    attrs : dict
        Op attributes (``transpose_a``, ``axis``, ``value`` for constants ...).
    grad_scope : str or None
        Scope of the ``gradients()`` call that built the node, ``None`` for forward nodes.
    """

    # make numpy defer to our operators (``ndarray - Tensor`` -> Tensor.__rsub__)
    __array_priority__ = 100
    __array_ufunc__ = None

    def __init__(self, graph: "Graph", op_type: str, inputs: tuple, shape: tuple, dtype: Any,
                 name: str, attrs: dict | None = None):
        self.graph = graph
        self.op_type = op_type
        self.inputs = tuple(inputs)
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.attrs = dict(attrs or {})
        self.grad_scope = graph._grad_scope
        self.name = graph._unique_name(name)
        self.id = len(graph._nodes)
        graph._add(self)

    # --- TF-ish conveniences ------------------------------------------------------------------
    @property
    def op(self) -> "Tensor":
        return self

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def get_shape(self) -> tuple:
        return self.shape

    def eval(self, feed_dict: dict | None = None, session=None):
        """Value of this tensor in ``session`` (default: the default session)."""
        from .session import _session_or_default
        return _session_or_default(session).run(self, feed_dict)

    def run(self, feed_dict: dict | None = None, session=None) -> None:
        """Run this node as an op (``init.run()``) in ``session`` or the default session."""
        from .session import _session_or_default
        _session_or_default(session).run(self, feed_dict)

    def __repr__(self) -> str:
        return f'<tf.Tensor "{self.name}:0" shape={self.shape} dtype={self.dtype.name}>'

    # __eq__/__hash__ stay object identity (as TF1), implemented in C: plan lookups stay fast

    def __bool__(self) -> bool:
        raise TypeError(f"using a tf.Tensor ({self.name}) as a Python bool is not allowed")

    def __iter__(self):
        raise TypeError(f"'Tensor' object ({self.name}) is not iterable")


class Graph:
    """A computation graph: nodes in creation order plus per-call gradient records."""

    def __init__(self) -> None:
        self._nodes: list[Tensor] = []
        self._by_name: dict[str, Tensor] = {}
        self._name_counts: dict[str, int] = {}
        self._prefixes: set[str] = set()  # every node name and each of its scope prefixes
        self._scope_counts: dict[str, int] = {}
        self._consumers: dict = {}
        self._scopes: list[str] = []
        self._grad_scope: str | None = None
        self.gradient_records: list = []
        self.seed: int | None = None
        self._variables: list = []
        self._op_seed_count = 0

    # --- nodes ---------------------------------------------------------------------------------
    @property
    def nodes(self) -> tuple[Tensor, ...]:
        return tuple(self._nodes)

    def get_node(self, name: str) -> Tensor:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no node named {name!r} in this graph") from None

    def get_operation_by_name(self, name: str) -> Tensor:
        return self.get_node(name)

    def get_tensor_by_name(self, name: str) -> Tensor:
        return self.get_node(name[:-2] if name.endswith(":0") else name)

    def get_operations(self) -> list[Tensor]:
        return list(self._nodes)

    def _add(self, node: Tensor) -> None:
        self._nodes.append(node)
        self._by_name[node.name] = node
        parts = node.name.split("/")
        for k in range(1, len(parts) + 1):
            self._prefixes.add("/".join(parts[:k]))
        for i in node.inputs:
            self._consumers.setdefault(i, []).append(node)

    def _unique_name(self, name: str) -> str:
        base = "/".join(self._scopes + [name]) if self._scopes else name
        if base not in self._by_name and base not in self._name_counts:
            self._name_counts[base] = 0
            return base
        i = self._name_counts.get(base, 0)
        while True:
            i += 1
            candidate = f"{base}_{i}"
            if candidate not in self._by_name and candidate not in self._name_counts:
                self._name_counts[base] = i
                self._name_counts[candidate] = 0
                return candidate

    def unique_scope(self, name: str) -> str:
        """A fresh scope name (``gradients``, ``gradients_1`` ...) that no node uses yet."""
        check_name(name, name)
        base = "/".join(self._scopes + [name]) if self._scopes else name

        def taken(cand: str) -> bool:
            return cand in self._name_counts or cand in self._prefixes

        cand, i = base, self._scope_counts.get(base, 0)
        if i:
            cand = f"{base}_{i}"
        while taken(cand):
            i += 1
            cand = f"{base}_{i}"
        self._scope_counts[base] = i
        self._name_counts[cand] = 0
        return cand

    def consumers(self, node: Tensor) -> list:
        """The nodes that take ``node`` as an input, in creation order."""
        return self._consumers.get(node, [])

    @contextlib.contextmanager
    def name_scope(self, scope: str) -> Iterator[str]:
        """Prefix the names of nodes made inside with ``scope/`` (``scope`` used as given)."""
        check_name(scope, scope)
        self._scopes.append(scope)
        try:
            yield scope
        finally:
            self._scopes.pop()

    @contextlib.contextmanager
    def _gradient_scope(self, scope: str) -> Iterator[None]:
        prev_scopes, prev_grad = self._scopes, self._grad_scope
        self._scopes, self._grad_scope = [scope], scope
        try:
            yield
        finally:
            self._scopes, self._grad_scope = prev_scopes, prev_grad

    @contextlib.contextmanager
    def absolute_scope(self, scope: str) -> Iterator[None]:
        """Name nodes made inside ``scope/...`` regardless of the enclosing scopes."""
        check_name(scope, scope)
        prev = self._scopes
        self._scopes = [scope]
        try:
            yield
        finally:
            self._scopes = prev

    def rename(self, node: Tensor, name: str) -> None:
        """Give ``node`` the fresh name made from ``name`` (absolute, no enclosing scope)."""
        self._by_name.pop(node.name, None)
        prev = self._scopes
        self._scopes = []
        try:
            node.name = self._unique_name(name)
        finally:
            self._scopes = prev
        self._by_name[node.name] = node
        parts = node.name.split("/")
        for k in range(1, len(parts) + 1):
            self._prefixes.add("/".join(parts[:k]))

    def add_variable(self, var: Tensor) -> None:
        """Record ``var`` for ``global_variables()`` / ``trainable_variables()``."""
        self._variables.append(var)

    # --- default graph -------------------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self) -> Iterator["Graph"]:
        _stack.graphs.append(self)
        try:
            yield self
        finally:
            _stack.graphs.pop()

    def next_op_seed(self) -> int:
        self._op_seed_count += 1
        return self._op_seed_count


class _Stack(threading.local):
    def __init__(self) -> None:
        self.graphs: list[Graph] = []


_stack = _Stack()
_global_default = [Graph()]


def get_default_graph() -> Graph:
    """The innermost ``Graph.as_default()`` graph of this thread, else the global one."""
    return _stack.graphs[-1] if _stack.graphs else _global_default[0]


def reset_default_graph() -> None:
    """Replace the global default graph by a new, empty one."""
    if _stack.graphs:
        raise AssertionError("Do not use tf.reset_default_graph() inside a `with graph.as_default()` block")
    _global_default[0] = Graph()


def set_random_seed(seed: int) -> None:
    """Graph-level seed: random ops without their own seed become deterministic."""
    get_default_graph().seed = int(seed)


_NAME_RE = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$")


def check_name(name: str | None, default: str) -> str:
    if name is None:
        return default
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValueError(f"'{name}' is not a valid node name")
    return name


def fit_dtype(value: Any, dtype: Any, what: str = "value") -> np.ndarray:
    """``value`` as an array of ``dtype``; ``ValueError`` instead of silent integer wrap-around.

    An integer target refuses values outside its range, non-finite values and fractions (as TF
    refuses a constant that does not fit its dtype).
    """
    dt = as_dtype(dtype)
    try:
        arr = np.asarray(value)
    except OverflowError as e:
        raise ValueError(f"{what} {value!r} does not fit in {dt.name}") from e
    if dt.kind in "iu" and arr.dtype.kind in "iufO" and arr.size:
        try:
            lo, hi = arr.min(), arr.max()
        except TypeError as e:
            raise TypeError(f"cannot convert {what} {value!r} to {dt.name}") from e
        info = np.iinfo(dt)
        if arr.dtype.kind in "fO" and not (np.all(np.isfinite(arr.astype(np.float64)))):
            raise ValueError(f"{what} {value!r} is not finite and does not fit in {dt.name}")
        if int(lo) < info.min or int(hi) > info.max:
            raise ValueError(f"{what} {value!r} is out of range for {dt.name} "
                             f"[{info.min}, {info.max}]; pass a wider dtype (e.g. int64 or float)")
    if arr.dtype == object:
        raise ValueError(f"{what} {value!r} does not fit in {dt.name}")
    return np.asarray(arr, dtype=dt)


def constant_value_dtype(value: Any, dtype: Any = None) -> np.ndarray:
    """numpy array for a constant: Python floats -> float32, ints -> int32 (TF's choice).

    Integers that do not fit the chosen integer dtype raise ``ValueError`` (never wrap).
    """
    if dtype is not None:
        return fit_dtype(value, dtype, "constant")
    try:
        arr = np.asarray(value)
    except OverflowError as e:
        raise ValueError(f"constant {value!r} does not fit in int64") from e
    if arr.dtype == object:
        raise ValueError(f"constant {value!r} is not a number array that fits in int64 or float64")
    if arr.dtype == np.float64 and not isinstance(value, np.ndarray) and not isinstance(value, np.floating):
        arr = arr.astype(np.float32)  # Python floats / lists of them
    elif arr.dtype == np.int64 and not isinstance(value, (np.ndarray, np.integer)):
        arr = fit_dtype(arr, np.int32, "constant")  # Python ints / lists of them (TF's int32)
    elif arr.dtype.kind not in "fciub":
        raise TypeError(f"cannot convert {value!r} (dtype {arr.dtype}) to a tensor")
    return arr


def convert_to_tensor(value: Any, dtype: Any = None, name: str = "Const") -> Tensor:
    """Return ``value`` if it is a node; otherwise a new ``Const`` node holding it.

    Python floats become float32 and Python ints int32 (TF's defaults) unless ``dtype`` is
    given; numpy arrays keep their dtype unless ``dtype`` is given.
    """
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype != as_dtype(dtype):
            raise TypeError(f"Tensor {value.name} has dtype {value.dtype.name}, expected {as_dtype(dtype).name}")
        return value
    if value is None:
        raise TypeError("cannot convert None to a tensor")
    from .ops import constant
    return constant(value, dtype=dtype, name=name)
