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
        self._before_start: tuple | None = None   # what a new start replaced: Undo new start

    # --------------------------------------------------------------- bookkeeping
    def stepped(self, s) -> None:
        """After steps: keep checkpoints and push the horizon."""
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

    def restarted(self, s) -> None:
        """Reset, new data, a new start or an opened file: a new history begins here."""
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
        self.timeline.goto(s, step)

    def start(self, s, W, b) -> None:
        """Start again from step 0 at (W, b), keeping what it replaces for :meth:`undo_start`."""
        before = (s.start(), s.state(), self.timeline, self.horizon) if _travels(s) else None
        s.set_start(W, [b])  # raises ValueError on bad values: nothing changes
        self.timeline = Timeline(self.timeline.every)
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
        (W0, b0), state, timeline, horizon = self._before_start
        s.set_start(np.ravel(W0), np.ravel(b0))
        s.restore(state)
        self.timeline, self.horizon, self._before_start = timeline, horizon, None
        losses = thetas = None
        if 0 < s.step_count <= max_replay:
            from gdviz.training.plane_fit import PlaneFit

            losses, thetas = timeline.replay_traced(PlaneFit(s.data, s.config), s.step_count)
        return f"Undid the new start: back at step {s.step_count}", losses, thetas

    def save(self, path: str, s, losses) -> str:
        from gdviz.training.session_file import save

        save(path, s, losses, self.generator)
        return f"Saved the session at step {s.step_count} to {path}"

    def export(self, path: str, s) -> str:
        """The history as CSV: step, loss, W1, W2, b, replayed exactly from the checkpoints."""
        from gdviz.training.plane_fit import PlaneFit

        losses, thetas = self.timeline.replay_traced(PlaneFit(s.data, s.config), s.step_count)
        W, b = s.weights()
        rows = np.column_stack([np.arange(len(losses) + 1), np.r_[losses, s.snapshot().loss],
                                np.vstack([thetas, np.r_[np.ravel(W), np.ravel(b)]])])
        try:
            with open(path, "w") as f:
                f.write("step,loss,W1,W2,b\n")
                for r in rows:
                    f.write(f"{int(r[0])},{float(r[1])!r},{float(r[2])!r},{float(r[3])!r},{float(r[4])!r}\n")
        except OSError as e:
            raise ValueError(f"{path}: cannot be written ({e.strerror or e})") from None
        return f"Exported {len(rows)} steps (step, loss, W1, W2, b) to {path}"

    def open(self, path: str, s, columns=None) -> tuple[str, np.ndarray | None]:
        """Load a session (``.gdviz``) or a data file into ``s``.

        Returns the message and, for a session, the saved loss history to show (else None).
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
            history = np.asarray(session.losses[: s.step_count], np.float64)
            text = f"Opened session {path} at step {s.step_count}"
        else:
            loaded = load_csv(path, columns)             # raises DataFileError: nothing changed
            s.set_data(loaded.data)
            s.reset()
            self.generator = None
            text = f"Loaded {loaded.data.points} points from {path}"
            if loaded.warnings:
                text += ". Warning: " + "; ".join(loaded.warnings)
        self.restarted(s)
        if history is not None and (len(history) == 0 or len(history) != s.step_count):
            history = None  # a history that does not end at the session's step is not shown
        return text, history
