"""What the worker does to its session besides stepping, without Qt: time travel and files.

:class:`SessionOps` keeps the exact checkpoints of the run (:class:`Timeline`), the furthest
step reached (the time-travel horizon) and where the data came from (saved in sessions), and
carries out the goto / start / save / export / open commands.  Every command either does all
it says or raises ``ValueError`` (or a subclass) having changed nothing; the worker turns that
into a refusal message.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gdviz.training.history import LossHistory
from gdviz.training.timeline import Timeline

#: undoing a new start replays the replaced run for the loss curve up to this many steps
MAX_UNDO_REPLAY = 200_000


def _travels(session) -> bool:
    """Sessions with ``state``/``restore`` (PlaneFit) can travel in time; simple fakes cannot."""
    return hasattr(session, "state")


class SessionOps:
    """Time travel and file commands for one (the primary) session."""

    def __init__(self):
        self.timeline = Timeline()
        self.horizon = 0  # the furthest step reached: goto's upper bound
        self.generator: dict | None = None  # what made the data (points, noise, seed); None: a file
        # The primary session's losses (steps 0 .. step-1), bounded: Save writes them from here,
        # so the GUI sends only a path (issue 26: the history crossed the pipe from the GUI thread).
        self.history = LossHistory()
        self.opened_at: int | None = None   # a reopened session: its states before this step are gone
        self._before_start: tuple | None = None   # what a new start replaced: Undo new start

    # --------------------------------------------------------------- bookkeeping
    def stepped(self, s, first: int | None = None, losses=None) -> None:
        """After steps: keep the losses (of steps ``first, first+1, ...``), checkpoints, and push
        the horizon."""
        if losses is not None and len(losses):
            self._keep(int(first), np.asarray(losses, np.float64))
        if _travels(s):
            self.timeline.observe(s)
            self.horizon = max(self.horizon, s.step_count)

    def configured(self, s) -> None:
        """A configuration change: a replay must never cross it, so the future is forgotten."""
        self._before_start = None      # the replaced history ran under the old configuration
        if _travels(s):
            self.timeline.forget_after(s.step_count)
            self.horizon = s.step_count
            self.timeline.observe(s, pin=True)

    def _keep(self, first: int, losses: np.ndarray) -> None:
        """Losses of steps ``first ..`` replace any kept from ``first`` on; an unknown gap is NaN."""
        h = self.history
        if first < h.count:
            h.truncate(first)
        if first > h.count:
            h.extend(np.full(first - h.count, np.nan))
        h.extend(losses)

    def restarted(self, s) -> None:
        """Reset, new data, a new start or an opened file: a new history begins here."""
        self.history.clear()
        self.opened_at = None
        self._before_start = None
        self.timeline.clear()
        self.horizon = s.step_count
        if _travels(s):
            self.timeline.observe(s, pin=True)

    def new_data(self, s, data, generator: dict) -> None:
        s.set_data(data)
        self.generator = dict(generator)
        self.restarted(s)

    # --------------------------------------------------------------- commands
    def goto(self, s, step: int) -> None:
        """Put ``s`` exactly at ``step`` (0 .. the horizon)."""
        if not _travels(s):
            raise ValueError("this session cannot travel in time")
        if not 0 <= step <= self.horizon:
            raise ValueError(f"step {step} is outside the run (0 to {self.horizon})")
        if self.opened_at is not None and step < self.opened_at:
            raise ValueError(f"step {step} is before step {self.opened_at}, where this session was "
                             "reopened: a session file keeps the losses before it, not the states, "
                             f"so time travel reaches back to step {self.opened_at} only")
        self.timeline.goto(s, step)
        self._keep(step, np.empty(0))

    def start(self, s, W, b) -> None:
        """Start again from step 0 at (W, b), keeping what it replaces for :meth:`undo_start`."""
        before = (s.start(), s.state(), self.timeline, self.horizon, self.history) if _travels(s) else None
        s.set_start(W, [b])  # raises ValueError on bad values: nothing changes
        self.timeline = Timeline(self.timeline.every)
        self.history = LossHistory()      # the replaced one is kept in ``before`` for the undo
        self.restarted(s)
        self._before_start = before

    @property
    def can_undo_start(self) -> bool:
        return self._before_start is not None

    def undo_start(self, s, max_replay: int = MAX_UNDO_REPLAY):
        """Put back the start, the state and the history a new start replaced.

        Returns ``(message, losses, thetas)``: the replaced run's losses and (W1, W2, b) of steps
        0 .. step-1, replayed exactly from its checkpoints (``None`` beyond ``max_replay`` steps).
        Raises ``ValueError`` (nothing changes) when there is nothing to undo.
        """
        if self._before_start is None:
            raise ValueError("nothing to undo: no new start since the last Reset, data, "
                             "session or setting change")
        (W0, b0), state, timeline, horizon, history = self._before_start
        s.set_start(np.ravel(W0), np.ravel(b0))
        s.restore(state)
        self.timeline, self.horizon, self._before_start = timeline, horizon, None
        self.history = history
        losses = thetas = None
        if 0 < s.step_count <= max_replay:
            from gdviz.training.plane_fit import PlaneFit

            losses, thetas = timeline.replay_traced(PlaneFit(s.data, s.config), s.step_count)
        return f"Undid the new start: back at step {s.step_count}", losses, thetas

    def save(self, path: str, s, losses=None) -> str:
        """Write the session with ``losses`` (default: the kept history, cut or padded with
        NaN to end at the session's step)."""
        from gdviz.training.session_file import save

        if losses is None:
            self._keep(s.step_count, np.empty(0))
            losses = self.history
        save(path, s, losses, self.generator)
        return f"Saved the session at step {s.step_count} to {path}"

    def export(self, path: str, s) -> str:
        """The history as CSV: step, loss, W1, W2, b, replayed exactly from the checkpoints."""
        from gdviz.training.plane_fit import PlaneFit

        first = self.opened_at or 0
        losses, thetas = self.timeline.replay_traced(PlaneFit(s.data, s.config), s.step_count,
                                                     start=first)
        W, b = s.weights()
        rows = np.column_stack([first + np.arange(len(losses) + 1), np.r_[losses, s.snapshot().loss],
                                np.vstack([thetas, np.r_[np.ravel(W), np.ravel(b)]])])
        try:
            with open(path, "w") as f:
                f.write("step,loss,W1,W2,b\n")
                for r in rows:
                    f.write(f"{int(r[0])},{float(r[1])!r},{float(r[2])!r},{float(r[3])!r},{float(r[4])!r}\n")
        except OSError as e:
            raise ValueError(f"{path}: cannot be written ({e.strerror or e})") from None
        if first:
            return (f"Exported {len(rows)} steps (step, loss, W1, W2, b) from step {first}, where the "
                    f"session was reopened (its file keeps no states before it), to {path}")
        return f"Exported {len(rows)} steps (step, loss, W1, W2, b) to {path}"

    def open(self, path: str, s, columns=None) -> tuple[str, np.ndarray | None]:
        """Load a session (``.gdviz``) or a data file into ``s``.

        Returns the message and, for a session, the saved loss history to show (else None): an
        array of every loss when the file has them all, else the :class:`LossHistory` itself.
        """
        from gdviz.training.datafile import load_csv
        from gdviz.training.session_file import load

        history = None
        if Path(path).suffix.lower() == ".gdviz":
            session = load(path)                        # raises SessionFileError: nothing changed
            backup = (s.data, s.start(), s.state())
            try:
                s.set_data(session.data)
                s.set_start(*session.start)
                s.restore(session.state)
            except ValueError:
                s.set_data(backup[0])
                s.set_start(*backup[1])
                s.restore(backup[2])
                raise
            self.generator = session.generator
            history = session.history
            text = f"Opened session {path} at step {s.step_count}"
            if s.step_count:
                text += (" (time travel and export reach back to this step: the file keeps the "
                         "losses before it, not the states)")
        else:
            loaded = load_csv(path, columns)             # raises DataFileError: nothing changed
            s.set_data(loaded.data)
            s.reset()
            self.generator = None
            text = f"Loaded {loaded.data.points} points from {path}"
            if loaded.warnings:
                text += ". Warning: " + "; ".join(loaded.warnings)
        self.restarted(s)
        if history is not None:
            if history.count != s.step_count or history.count == 0:
                history = None  # a history that does not end at the session's step is not shown
            else:
                self.history = history.copy()
                self.opened_at = s.step_count
                exact = history.exact(0, history.count)
                history = history if exact is None else exact
        return text, history
