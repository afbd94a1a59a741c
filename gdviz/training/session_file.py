"""Session files (``.gdviz``): a run you can reopen and continue exactly.

The format is JSON (documented in docs/session-format.md): readable, diffable, safe to open (no
pickle), and exact, because every float is written with ``repr`` (shortest round-trip) and float32
values survive float32 → float64 → text → float64 → float32 unchanged.  A file holds the data (or
its generator settings), the configuration, the start, the exact state (W, b, every optimizer slot,
the step) and the loss history.  Files from a newer format version, truncated or corrupt files are
refused with a :class:`SessionFileError`; nothing is changed.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from gdviz.training.history import LossHistory
from gdviz.training.types import PlaneData, TrainConfig, TrainState

FORMAT = "gdviz-session"
VERSION = 2          # 2: the loss history as it is kept ("history"); files that need no more say 1
MAX_BYTES = 512 * 1024 * 1024


class SessionFileError(ValueError):
    def __init__(self, path, message: str):
        super().__init__(f"{path}: {message}")
        self.path, self.message = str(path), message


@dataclass(frozen=True)
class Session:
    data: PlaneData
    generator: dict | None          # {"points", "noise", "seed"} when the data was generated
    init_seed: int
    start: tuple[np.ndarray, np.ndarray]
    state: TrainState
    losses: np.ndarray              # loss of the state after 0, 1, ... updates (as far as kept)
    history: LossHistory | None = None   # the whole history as kept (exact tail, min/max blocks)


def _array(a) -> dict:
    a = np.asarray(a)
    return {"dtype": a.dtype.name, "shape": list(a.shape), "values": _numbers(a)}


def _numbers(values) -> list:
    """Floats for JSON: NaN and ±inf (a diverged run) are not JSON, so they are written null."""
    return [v if math.isfinite(v) else None for v in map(float, np.ravel(np.asarray(values, np.float64)))]


def _unnumbers(values) -> np.ndarray:
    return np.asarray([np.nan if v is None else v for v in values], np.float64)


def _unarray(d, what: str) -> np.ndarray:
    if not isinstance(d, dict) or set(d) != {"dtype", "shape", "values"}:
        raise ValueError(f"{what} is not an array record")
    if d["dtype"] not in ("float32", "float64", "int32", "int64"):
        raise ValueError(f"{what} has an unsupported dtype {d['dtype']!r}")
    shape = tuple(int(s) for s in d["shape"])
    vals = _unnumbers(d["values"])
    if vals.size != int(np.prod(shape, dtype=np.int64)):
        raise ValueError(f"{what} has {vals.size} values for shape {shape}")
    return vals.astype(d["dtype"]).reshape(shape)


def to_dict(fit, losses, generator: dict | None = None) -> dict:
    st = fit.state()
    data = fit.data
    d = {"format": FORMAT, "version": 1}   # 2 only when the history needs it (below)
    if generator is not None:
        d["data"] = {"generator": dict(generator)}
    else:
        d["data"] = {"x": _array(np.asarray(data.x)), "y": _array(np.asarray(data.y))}
    d["config"] = asdict(st.config)
    d["init_seed"] = int(getattr(fit, "init_seed", 0))
    W0, b0 = fit.start()
    d["start"] = {"W": _array(W0), "b": _array(b0)}
    d["state"] = {"step": st.step, "diverged_at": st.diverged_at,
                  "variables": {k: _array(v) for k, v in st.variables.items()}}
    if isinstance(losses, LossHistory):
        record = losses.to_record()
        if record["exact_from"] or record["count"] > len(record["exact"]):
            d["version"] = 2                # a summary, stored as what it is
            d["history"] = {**record, "blocks": _numbers(record["blocks"]),
                            "exact": _numbers(record["exact"])}
            return d
        losses = record["exact"]
    d["losses"] = _numbers(losses)
    return d


def save(path, fit, losses=(), generator: dict | None = None) -> None:
    """Write the session atomically (a temporary file renamed over ``path``)."""
    text = json.dumps(to_dict(fit, losses, generator), allow_nan=False)
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        if p.exists() and not p.is_file():
            # A device or a pipe: write into it; renaming over it would replace /dev/null (as root).
            with open(p, "w") as f:
                f.write(text)
            return
        tmp.write_text(text)
        tmp.replace(p)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise SessionFileError(path, f"cannot be written ({e.strerror or e})") from None


def load(path) -> Session:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise SessionFileError(path, "is too large to be a session file")
        d = json.loads(p.read_text())
    except OSError as e:
        raise SessionFileError(path, f"cannot be read ({e.strerror or e})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SessionFileError(path, f"is not a complete gdviz session (truncated or corrupt: {e})") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise SessionFileError(path, "is not a gdviz session file")
    v = d.get("version")
    if not isinstance(v, int) or v < 1:
        raise SessionFileError(path, f"has an invalid format version {v!r}")
    if v > VERSION:
        raise SessionFileError(path, f"was written by a newer gdviz (format {v}; this one reads up to {VERSION})")
    try:
        return _session(d)
    except (KeyError, TypeError, ValueError) as e:
        raise SessionFileError(path, f"is corrupt ({type(e).__name__}: {e})") from None


def _session(d: dict) -> Session:
    from gdviz.training.data import make_plane_data

    data_d = d["data"]
    generator = None
    if "generator" in data_d:
        g = data_d["generator"]
        generator = {"points": int(g["points"]), "noise": float(g["noise"]), "seed": int(g["seed"])}
        data = make_plane_data(generator["points"], generator["noise"], generator["seed"])
    else:
        x, y = _unarray(data_d["x"], "data x"), _unarray(data_d["y"], "data y")
        if x.ndim != 2 or x.shape[0] != 2 or y.shape != (x.shape[1],):
            raise ValueError(f"data shapes {x.shape} and {y.shape} do not fit")
        data = PlaneData(x=x.astype(np.float32), y=y.astype(np.float64), true_W=None, true_b=None)
    known = {f.name for f in fields(TrainConfig)}
    cfg = dict(d["config"])
    if set(cfg) - known:
        raise ValueError(f"unknown configuration field(s) {', '.join(sorted(set(cfg) - known))}")
    cfg["stop_gradients"] = tuple(cfg.get("stop_gradients", ()))
    config = TrainConfig(**cfg).validated()
    st = d["state"]
    variables = {str(k): _unarray(v, f"variable {k}") for k, v in st["variables"].items()}
    diverged = st["diverged_at"]
    state = TrainState(int(st["step"]), None if diverged is None else int(diverged), config, variables)
    start = (_unarray(d["start"]["W"], "start W"), _unarray(d["start"]["b"], "start b"))
    if "history" in d:
        history = LossHistory.from_record(d["history"])
        losses = history.exact(0, history.count)
        losses = np.empty(0) if losses is None else losses
    else:
        losses = _unnumbers(d.get("losses", []))
        history = LossHistory()
        history.extend(losses)
    return Session(data, generator, int(d.get("init_seed", 0)), start, state, losses, history)


def open_fit(session: Session):
    """A PlaneFit in the session's exact state (raises ``ValueError`` if it does not fit)."""
    from gdviz.training.plane_fit import PlaneFit

    fit = PlaneFit(session.data, session.state.config, init_seed=session.init_seed)
    W0, b0 = session.start
    fit.set_start(W0, b0)
    fit.restore(session.state)
    return fit
