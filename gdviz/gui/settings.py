"""What the app remembers between runs (QSettings), validated on the way in.

Values are stored as JSON text, not as QSettings' own types, so an ini file edited by hand (or
written by another version) is read the same on every platform and checked field by field:
anything unreadable or invalid falls back to its default and is reported, never trusted.
``GDVIZ_SETTINGS=<file.ini>`` redirects everything to that file (tests use it).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field, fields, replace

from PySide6.QtCore import QByteArray, QSettings

from gdviz.gui.widgets.controls import DEFAULT_SPEED, SPEEDS
from gdviz.training.types import TrainConfig


def open_settings() -> QSettings:
    path = os.environ.get("GDVIZ_SETTINGS")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "gdviz", "gdviz")


@dataclass(frozen=True)
class AppState:
    """Everything restored at start (except window geometry, kept as opaque bytes)."""

    config: TrainConfig = field(default_factory=TrainConfig)
    speed: float | None = DEFAULT_SPEED
    points: int = 100
    noise: float = 0.0
    seed: int = 0
    show_true_plane: bool = True
    show_residuals: bool = True
    log_y: bool = False
    show_gradients: bool = True
    auto_stop: bool = True  # pause by itself once the fit has converged


def _config_from(obj) -> TrainConfig:
    if not isinstance(obj, dict):
        raise ValueError("not a mapping")
    known = {f.name for f in fields(TrainConfig)}
    unknown = set(obj) - known
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    obj = dict(obj)
    if "stop_gradients" in obj:
        sg = obj["stop_gradients"]
        if not isinstance(sg, list) or not all(isinstance(s, str) for s in sg):
            raise ValueError("stop_gradients must be a list of names")
        obj["stop_gradients"] = tuple(sg)
    return TrainConfig(**obj).validated()


def _speed_from(obj) -> float | None:
    if obj is None:
        return None
    if isinstance(obj, bool) or not isinstance(obj, (int, float)) or not math.isfinite(obj) or obj <= 0:
        raise ValueError(f"speed must be a positive number or null, not {obj!r}")
    if obj not in [s for s in SPEEDS if s is not None]:
        raise ValueError(f"speed {obj!r} is not one of the slider's values")
    return float(obj)


def _int_from(lo: int, hi: int):
    def parse(obj) -> int:
        if isinstance(obj, bool) or not isinstance(obj, int) or not lo <= obj <= hi:
            raise ValueError(f"must be an integer in [{lo}, {hi}], not {obj!r}")
        return obj
    return parse


def _noise_from(obj) -> float:
    if isinstance(obj, bool) or not isinstance(obj, (int, float)) or not 0 <= obj <= 10:
        raise ValueError(f"must be a number in [0, 10], not {obj!r}")
    return float(obj)


def _bool_from(obj) -> bool:
    if not isinstance(obj, bool):
        raise ValueError(f"must be true or false, not {obj!r}")
    return obj


_PARSERS = {
    "config": _config_from,
    "speed": _speed_from,
    "points": _int_from(2, 100_000),
    "noise": _noise_from,
    "seed": _int_from(0, 2**31 - 1),
    "show_true_plane": _bool_from,
    "show_residuals": _bool_from,
    "log_y": _bool_from,
    "show_gradients": _bool_from,
    "auto_stop": _bool_from,
}


def load_state(settings: QSettings) -> tuple[AppState, list[str]]:
    """The stored state, and one message per stored value that was rejected."""
    state = AppState()
    problems: list[str] = []
    for key, parse in _PARSERS.items():
        raw = settings.value(f"app/{key}")
        if raw is None:
            continue
        try:
            value = parse(json.loads(str(raw)))
        except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
            problems.append(f"ignored the saved {key} ({exc}); using the default")
            continue
        state = replace(state, **{key: value})
    return state, problems


def save_state(settings: QSettings, state: AppState) -> None:
    for key in _PARSERS:
        value = getattr(state, key)
        if key == "config":
            value = asdict(value)
            value["stop_gradients"] = list(value["stop_gradients"])
        settings.setValue(f"app/{key}", json.dumps(value))
    settings.sync()


def load_geometry(settings: QSettings) -> tuple[QByteArray | None, QByteArray | None]:
    geo, st = settings.value("window/geometry"), settings.value("window/state")
    return (geo if isinstance(geo, QByteArray) else None,
            st if isinstance(st, QByteArray) else None)


def save_geometry(settings: QSettings, geometry: QByteArray, window_state: QByteArray) -> None:
    settings.setValue("window/geometry", geometry)
    settings.setValue("window/state", window_state)
    settings.sync()
