"""The window's memory: the settings file, the state in force, and saving that never fails silently.

:class:`WindowMemory` opens the settings (:mod:`gdviz.gui.settings` validates every value),
applies the command line's presets on top, saves each change as it happens, says once when a
save does not reach the disk, and, at exit, says it on the terminal.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace

from PySide6.QtCore import QByteArray

from gdviz.gui.settings import AppState, load_geometry, load_state, open_settings, save_geometry, save_state

PER_OPTIMIZER_KEY = "optimizer/per_optimizer"


def apply_presets(state: AppState, p: dict) -> AppState:
    """``state`` with the command line's values (``None``: not given) on top."""
    cfg = {k: p[k] for k in ("mode", "optimizer", "lr", "momentum") if p.get(k) is not None}
    if cfg:
        state = replace(state, config=replace(state.config, **cfg).validated())
    data = {k: p[k] for k in ("points", "noise", "seed") if p.get(k) is not None}
    return replace(state, **data)


class WindowMemory:
    """The settings file and the :class:`AppState` in force.

    Attributes
    ----------
    settings : QSettings
        Where everything is stored (a scratch file when the user's must not be touched).
    state : AppState
        The values in force.
    problems : list of str
        What went wrong reading or first writing the settings, for the status bar at launch.
    """

    def __init__(self, presets: dict | None = None):
        self.settings, self._lost = open_settings()
        state, problems = load_state(self.settings)
        if self._lost:  # not an ini file, a folder or a device: defaults, and that file left alone
            problems = [self._lost + "; using the defaults, and changes will not be kept", *problems]
        self.state = apply_presets(state, presets or {})
        self._closing = False
        # Write once now, so a settings file that cannot be written is reported at launch.
        self._problem = save_state(self.settings, self.state)
        if self._problem:
            problems = [*problems, self._problem + "; changes will not be kept"]
        self.problems = problems

    def save(self, **changes) -> str | None:
        """Apply ``changes`` and write them; a message the first time a save fails, else None."""
        self.state = replace(self.state, **changes)
        if self._closing:
            return None
        problem = save_state(self.settings, self.state)
        new = problem if problem and problem != self._problem else None  # say it once, not at every change
        self._problem = problem
        return new

    def per_optimizer(self) -> dict:
        """Each optimizer's own hyper-parameters as last saved ({} when missing or corrupt)."""
        raw = self.settings.value(PER_OPTIMIZER_KEY, "")
        try:
            table = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            table = {}
        return table if isinstance(table, dict) else {}

    def save_per_optimizer(self, table: dict) -> None:
        self.settings.setValue(PER_OPTIMIZER_KEY, json.dumps(table))

    def geometry(self) -> tuple[QByteArray | None, QByteArray | None]:
        return load_geometry(self.settings)

    def close(self, geometry: QByteArray, window_state: QByteArray) -> None:
        """Last save; if it cannot be kept, the terminal is the last place to say so."""
        self._closing = True
        problem = self._lost or save_state(self.settings, self.state)
        if problem:
            print(f"gdviz: settings not saved: {problem}", file=sys.stderr)
        else:
            save_geometry(self.settings, geometry, window_state)

