"""Time travel: exact states kept sparsely, replay between them.

A :class:`Timeline` keeps :class:`~gdviz.training.types.TrainState` checkpoints (W, b and every
optimizer slot) every ``every`` steps.  Going to step k restores the last checkpoint at or before
k and replays the few steps in between with the engine itself, so the state reached is exactly
the one the run had (the engine is deterministic), and continuing from it equals never having
left.  When more than ``max_checkpoints`` are held, every other one is dropped and the spacing
doubles, so memory stays bounded however long the run (replay cost grows as log(run length)).
"""

from __future__ import annotations

from gdviz.training.types import TrainState


class Timeline:
    def __init__(self, every: int = 256, max_checkpoints: int = 512):
        if every < 1 or max_checkpoints < 4:
            raise ValueError("every must be >= 1 and max_checkpoints >= 4")
        self.every = int(every)
        self.max_checkpoints = int(max_checkpoints)
        self._states: dict[int, TrainState] = {}
        self._pinned: set[int] = set()     # checkpoints at a change of configuration: never dropped

    def clear(self) -> None:
        self._states.clear()
        self._pinned.clear()

    def __len__(self) -> int:
        return len(self._states)

    def steps(self) -> list[int]:
        return sorted(self._states)

    def observe(self, fit, pin: bool = False) -> None:
        """Call after each chunk of steps: keeps a checkpoint when the fit sits on the grid (step
        0 included).  ``pin=True`` keeps one here whatever the step, for good: call it when the
        configuration changes, so a replay never crosses a change.  Chunks should end on the
        grid (see :meth:`due`)."""
        k = fit.step_count
        if pin:
            self._states[k] = fit.state()
            self._pinned.add(k)
        elif k % self.every == 0 and k not in self._states:
            self._states[k] = fit.state()
        if len(self._states) - len(self._pinned) > self.max_checkpoints:
            self.every *= 2
            self._states = {s: st for s, st in self._states.items() if s % self.every == 0 or s in self._pinned}

    def due(self, step: int) -> int:
        """Steps until the next checkpoint after ``step`` (a chunk should stop there)."""
        return self.every - step % self.every

    def forget_after(self, step: int) -> None:
        """A jump back: checkpoints after ``step`` belong to a future that will be rewritten."""
        self._states = {s: st for s, st in self._states.items() if s <= step}
        self._pinned = {s for s in self._pinned if s <= step}

    def goto(self, fit, step: int) -> int:
        """Put ``fit`` in its exact state after ``step`` updates (``step`` <= the steps seen);
        returns the step reached.  Raises ``ValueError`` when no checkpoint precedes it."""
        base = max((s for s in self._states if s <= step), default=None)
        if base is None:
            raise ValueError(f"no saved state at or before step {step}")
        fit.restore(self._states[base])
        if step > base:
            fit.steps(step - base)
        return fit.step_count

    def replay_traced(self, fit, upto: int, start: int = 0):
        """``(losses, thetas)`` of steps start .. upto-1, replayed exactly on ``fit`` (a scratch
        PlaneFit on the same data) checkpoint by checkpoint, so every configuration change is
        honoured.  ``thetas[k]`` is (W1, W2, b) after start+k updates, ``losses[k]`` its loss."""
        import numpy as np

        marks = [s for s in sorted(self._states) if start <= s < upto] + [upto]
        if not marks or marks[0] != start:
            raise ValueError(f"the timeline has no state at step {start}")
        if len(marks) == 1:
            return np.empty(0), np.empty((0, 3))
        losses, thetas = [], []
        for a, b in zip(marks[:-1], marks[1:]):
            fit.restore(self._states[a])
            ls, th = fit.steps_traced(b - a)
            losses.append(ls)
            thetas.append(th)
        return np.concatenate(losses), np.concatenate(thetas)
