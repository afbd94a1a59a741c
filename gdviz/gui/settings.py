"""What the app remembers between runs (QSettings), validated on the way in.

Values are stored as JSON text, not as QSettings' own types, so an ini file edited by hand (or
written by another version) is read the same on every platform and checked field by field
against the one set of limits (:mod:`gdviz.limits`): anything unreadable or invalid falls back
to its default and is reported, never trusted.  Writing is checked too: a path that is not an
ini file is never overwritten, and a save that did not reach the disk (a directory, a full
disk, a read-only file) is reported.  ``GDVIZ_SETTINGS=<file.ini>`` redirects everything to
that file (tests use it).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace

from PySide6.QtCore import QByteArray, QSettings

from gdviz.gui.widgets.controls import DEFAULT_SPEED, SPEEDS
from gdviz.limits import LIMITS
from gdviz.training.model import STOP_NAMES
from gdviz.training.types import TrainConfig


def open_settings() -> tuple[QSettings, str | None]:
    """The user's settings, or, when their file must not be touched, a scratch file and why.

    Everything else in the app writes through the returned object, so a path that is not an ini
    file (or cannot be opened) is never written to, whatever part of the app saves something.
    """
    path = os.environ.get("GDVIZ_SETTINGS")
    if path:
        settings = QSettings(path, QSettings.Format.IniFormat)
    else:
        settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "gdviz", "gdviz")
    why = settings_problem(settings)
    if why is None:
        return settings, None
    scratch = os.path.join(tempfile.mkdtemp(prefix="gdviz-settings-"), "settings.ini")
    return QSettings(scratch, QSettings.Format.IniFormat), why


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


def _config_from(obj) -> tuple[TrainConfig, list[str]]:
    """The stored training settings field by field: a bad field takes its default, with a message."""
    if not isinstance(obj, dict):
        raise ValueError("not a mapping")
    config, problems = TrainConfig(), []
    known = {f.name for f in fields(TrainConfig)}
    for key in sorted(set(obj) - known):
        problems.append(f"ignored the unknown setting config.{key}")
    for key in (f.name for f in fields(TrainConfig)):
        if key not in obj:
            continue
        value = obj[key]
        if key == "stop_gradients":
            if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
                problems.append("ignored the saved stop_gradients (not a list of names); using the default (none)")
                continue
            unknown = [n for n in value if n not in STOP_NAMES]
            if unknown:
                problems.append(f"ignored the saved stop_gradients (no node named {', '.join(map(repr, unknown))}; "
                                f"valid: {', '.join(STOP_NAMES)}); using the default (none)")
                continue
            value = tuple(value)
        try:
            config = replace(config, **{key: value}).validated()
        except (ValueError, TypeError) as exc:
            problems.append(f"ignored the saved {key} ({exc}); using the default")
    try:
        return config.validated(), problems
    except ValueError as exc:  # fields valid one by one but not together (a rule outside manual mode)
        return TrainConfig(), problems + [f"ignored the saved training settings ({exc}); using the defaults"]


def _speed_from(obj) -> float | None:
    if obj is None:
        return None
    if isinstance(obj, bool) or not isinstance(obj, (int, float)) or not math.isfinite(obj) or obj <= 0:
        raise ValueError(f"speed must be a positive number or null, not {obj!r}")
    if obj not in [s for s in SPEEDS if s is not None]:
        raise ValueError(f"speed {obj!r} is not one of the slider's values")
    return float(obj)


def _limited(name: str):
    return lambda obj: LIMITS[name].check(obj)


def _bool_from(obj) -> bool:
    if not isinstance(obj, bool):
        raise ValueError(f"must be true or false, not {obj!r}")
    return obj


_PARSERS = {
    "config": _config_from,
    "speed": _speed_from,
    "points": _limited("points"),
    "noise": _limited("noise"),
    "seed": _limited("seed"),
    "show_true_plane": _bool_from,
    "show_residuals": _bool_from,
    "log_y": _bool_from,
    "show_gradients": _bool_from,
    "auto_stop": _bool_from,
}


_MAX_TEXT = 100_000  # characters of one stored value: more is not something gdviz wrote


def settings_problem(settings: QSettings) -> str | None:
    """Why ``settings`` must not be written (its file is not an ini file, or cannot be opened), or None."""
    path = settings.fileName()
    if settings.status() == QSettings.Status.AccessError or os.path.isdir(path):
        return f"the settings file {path} cannot be read or written"
    if os.path.exists(path) and not os.path.isfile(path):
        # A device or a pipe: QSettings saves by renaming a new file over it, which, run as
        # root, would replace /dev/something with a text file.
        return f"{path} is not a regular file: gdviz leaves it untouched and will not save settings there"
    if settings.status() == QSettings.Status.FormatError or (
            os.path.isfile(path) and os.path.getsize(path) > 0 and not settings.allKeys()):
        return f"{path} is not a settings (ini) file: gdviz leaves it untouched and will not save settings there"
    return None


def load_state(settings: QSettings) -> tuple[AppState, list[str]]:
    """The stored state, and one message per stored value that was rejected."""
    state = AppState()
    problems: list[str] = []
    why = settings_problem(settings)
    if why is not None:
        return state, [why]
    for key, parse in _PARSERS.items():
        raw = settings.value(f"app/{key}")
        if raw is None:
            continue
        try:
            text = str(raw)
            if len(text) > _MAX_TEXT:
                raise ValueError(f"{len(text)} characters")
            value = parse(json.loads(text))
        except (ValueError, TypeError, RecursionError) as exc:  # JSONDecodeError is a ValueError;
            # RecursionError: a value nested thousands deep
            reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
            problems.append(f"ignored the saved {key} ({reason}); using the default")
            continue
        if key == "config":
            value, config_problems = value
            problems += config_problems
        state = replace(state, **{key: value})
    return state, problems


def _stored(state: AppState) -> dict[str, str]:
    out = {}
    for key in _PARSERS:
        value = getattr(state, key)
        if key == "config":
            value = asdict(value)
            value["stop_gradients"] = list(value["stop_gradients"])
        out[f"app/{key}"] = json.dumps(value)
    return out


def save_state(settings: QSettings, state: AppState) -> str | None:
    """Write ``state``; None when it reached the file, else why it did not (nothing is lost silently)."""
    why = settings_problem(settings)
    if why is not None:
        return why
    values = _stored(state)
    for key, text in values.items():
        settings.setValue(key, text)
    settings.sync()
    if settings.status() != QSettings.Status.NoError or not _on_disk(settings.fileName(), values):
        return f"could not save the settings to {settings.fileName()} (full disk or no permission?)"
    return None


def _on_disk(path: str, values: dict[str, str]) -> bool:
    """Whether the file holds every key (read back from the disk: QSettings objects share a cache)."""
    try:
        with open(path, "rb") as f:
            text = f.read(1 << 20).decode("utf-8", "replace")  # far more than gdviz ever writes
    except OSError:
        return False
    lines = text.splitlines()
    return "[app]" in lines and all(any(ln.startswith(k.split("/", 1)[1] + "=") for ln in lines) for k in values)


def load_geometry(settings: QSettings) -> tuple[QByteArray | None, QByteArray | None]:
    geo, st = settings.value("window/geometry"), settings.value("window/state")
    return (geo if isinstance(geo, QByteArray) else None,
            st if isinstance(st, QByteArray) else None)


def save_geometry(settings: QSettings, geometry: QByteArray, window_state: QByteArray) -> None:
    settings.setValue("window/geometry", geometry)
    settings.setValue("window/state", window_state)
    settings.sync()
