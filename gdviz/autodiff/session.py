"""``Session``: runs fetches by compiling each distinct fetch set once into a flat plan.

A plan is a generated Python function (source built from node ids only, never from user
text) whose body is one line per node: constant subgraphs are folded at compile time,
uniform constants that only scale an operand become scalars, element-wise ops write into
temporaries that nothing else uses, and variable values are rebound, never mutated.  A
step therefore never re-walks the graph and builds no per-step dicts.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator

import numpy as np


from . import errors
from .graph import Graph, Tensor, get_default_graph
from .planner import compile_plan


class _Defaults(threading.local):
    def __init__(self) -> None:
        self.sessions: list["Session"] = []


_defaults = _Defaults()


def get_default_session() -> "Session | None":
    return _defaults.sessions[-1] if _defaults.sessions else None


def _session_or_default(session: "Session | None") -> "Session":
    s = session or get_default_session()
    if s is None:
        raise ValueError("Cannot evaluate tensor using `eval()` / `run()`: No default session is registered. "
                         "Use `with sess.as_default()` or pass an explicit session")
    return s


class Session:
    """Runs graph nodes; holds this session's variable values.

    Parameters
    ----------
    target, config : ignored (TF1 compatibility)
    graph : Graph, optional
        Default: the default graph at construction time.
    """

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None) -> None:
        self.graph = graph if graph is not None else get_default_graph()
        self._store: dict[int, np.ndarray] = {}   # variable node id -> current value (rebound on update)
        self._plans: dict[Any, Any] = {}
        self._rngs: dict[int, np.random.Generator] = {}
        self.compile_count = 0
        self._closed = False
        self._ctx: list = []

    # --- running -------------------------------------------------------------------------------
    def run(self, fetches: Any, feed_dict: dict | None = None, options: Any = None, run_metadata: Any = None):
        """Values of ``fetches`` (a node, a name, or nested list/tuple/dict of them).

        Ops without a value (``NoOp``, ``init``, ``train``) give ``None``.  Returned arrays are
        never aliases of the session's state or of fed arrays.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if feed_dict:
            key = (_fetch_key(fetches), tuple(feed_dict))
        else:
            key = fetches if isinstance(fetches, Tensor) else _fetch_key(fetches)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._compile(fetches, feed_dict)
        try:
            if plan.feeds:
                return plan.fn(self._store, tuple([conv(feed_dict[k]) for k, conv in plan.feeds]))
            return plan.fn(self._store, ())
        except KeyError as exc:
            self._raise_uninitialized(plan, exc)

    def _compile(self, fetches: Any, feed_dict: dict | None):
        self.compile_count += 1
        feeds = {}
        for k in (feed_dict or {}):
            node = self._resolve(k, "Cannot interpret feed_dict key as Tensor")
            feeds[k] = node
        return compile_plan(self, fetches, feeds)

    def _resolve(self, item: Any, what: str) -> Tensor:
        if isinstance(item, Tensor):
            node = item
        elif isinstance(item, str):
            try:
                node = self.graph.get_tensor_by_name(item)
            except KeyError:
                raise ValueError(f"{what}: the name '{item}' refers to a Tensor which does not exist.") from None
        elif item is None:
            raise TypeError(f"Fetch argument None has invalid type {type(None)}")
        else:
            raise TypeError(f"Fetch argument {item!r} has invalid type {type(item)}, must be a string or Tensor.")
        if node.graph is not self.graph:
            raise ValueError(f"Tensor {node.name} is not an element of this graph.")
        return node

    def _raise_uninitialized(self, plan, exc: KeyError):
        for vid, name in plan.var_reads:
            if vid not in self._store:
                raise errors.FailedPreconditionError(
                    f"Attempting to use uninitialized value {name}\n\t [[node {name}]]") from None
        raise exc

    def rng_for(self, node: Tensor) -> np.random.Generator:
        rng = self._rngs.get(node.id)
        if rng is None:
            seed, gseed = node.attrs.get("seed"), node.attrs.get("graph_seed")
            if seed is None and gseed is None:
                rng = np.random.default_rng()
            else:
                rng = np.random.default_rng([gseed or 0, seed or 0, node.id])
            self._rngs[node.id] = rng
        return rng

    # --- lifetime / defaults -------------------------------------------------------------------
    def close(self) -> None:
        self._closed = True
        self._store.clear()
        self._plans.clear()

    @contextlib.contextmanager
    def as_default(self) -> Iterator["Session"]:
        _defaults.sessions.append(self)
        try:
            yield self
        finally:
            _defaults.sessions.remove(self)

    def __enter__(self) -> "Session":
        graph_ctx, sess_ctx = self.graph.as_default(), self.as_default()
        graph_ctx.__enter__()
        sess_ctx.__enter__()
        self._ctx.append((graph_ctx, sess_ctx))
        return self

    def __exit__(self, *exc) -> None:
        graph_ctx, sess_ctx = self._ctx.pop()
        sess_ctx.__exit__(*exc)
        graph_ctx.__exit__(*exc)
        self.close()


class InteractiveSession(Session):
    """A session that installs itself as the default session on construction."""

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None) -> None:
        super().__init__(target, graph, config)
        _defaults.sessions.append(self)

    def close(self) -> None:
        if self in _defaults.sessions:
            _defaults.sessions.remove(self)
        super().close()


def _fetch_key(fetches: Any):
    """Hashable description of a fetch structure (lists and tuples differ; dicts keep order)."""
    t = type(fetches)
    if t is list or t is tuple:
        key = (t, tuple(fetches), 1)   # flat list of nodes: cheap
        try:
            hash(key)
            return key
        except TypeError:   # nested lists / dicts inside
            pass
        return (t, tuple(_fetch_key(f) for f in fetches), 2)
    if isinstance(fetches, dict):
        return (dict, tuple((k, _fetch_key(v)) for k, v in fetches.items()))
    if isinstance(fetches, (list, tuple)):   # namedtuple and other subclasses
        return (t, tuple(_fetch_key(f) for f in fetches), 2)
    return fetches
