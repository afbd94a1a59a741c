"""The one set of limits on what a user can set (no Qt).

The command line, the settings file, session files and the controls all check against this
table, so a value one of them accepts is never refused, clamped or shown differently by
another.  Why each bound is what it is: ``docs/limits.md``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from gdviz.formatting import format_number


@dataclass(frozen=True)
class Limit:
    """A closed range ``[low, high]`` (``low_open``/``high_open`` exclude an end); ``tiny`` > 0
    also refuses magnitudes in ``(0, tiny)``, which float32 arithmetic would lose."""

    what: str
    low: float
    high: float
    integer: bool = False
    low_open: bool = False
    high_open: bool = False
    tiny: float = 0.0

    def range_text(self) -> str:
        lo, hi = format_number(self.low), format_number(self.high)
        return f"{'(' if self.low_open else '['}{lo}, {hi}{')' if self.high_open else ']'}"

    def check(self, value):
        """``value`` as an int or float if it is within the limit, else ``ValueError`` with the range.

        Booleans and strings are not numbers here (a settings file saying ``"lr": "0.5"`` is refused).
        """
        kind = "an integer" if self.integer else "a number"
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or (
                self.integer and not isinstance(value, numbers.Integral)):
            raise ValueError(f"{self.what} must be {kind} in {self.range_text()}, not {value!r}")
        v = int(value) if self.integer else float(value)
        if not self.integer and not math.isfinite(v):
            raise ValueError(f"{self.what} must be finite, not {format_number(v)}")
        below = v < self.low or (self.low_open and v == self.low)
        above = v > self.high or (self.high_open and v == self.high)
        if below or above:
            raise ValueError(f"{self.what} must be in {self.range_text()}, not {format_number(v, 12)}")
        if self.tiny and v != 0 and abs(v) < self.tiny:
            raise ValueError(f"{self.what} must be 0 or at least {format_number(self.tiny)} in size, "
                             f"not {format_number(v, 12)} (float32 would lose it)")
        return v


#: name -> Limit.  TrainConfig fields, the data (points, noise, seed) and the headless run.
LIMITS: dict[str, Limit] = {
    "lr": Limit("learning rate", 1e-6, 100.0),
    "momentum": Limit("momentum", 0.0, 0.999),
    "decay": Limit("decay", 0.0, 1.0),
    "beta1": Limit("beta1", 0.0, 0.999),
    "beta2": Limit("beta2", 0.0, 0.9999),
    "epsilon": Limit("epsilon", 1e-12, 1.0),
    "grad_ys": Limit("grad_ys", -1e6, 1e6, tiny=1e-6),
    "points": Limit("points", 2, 100_000, integer=True),
    "noise": Limit("noise", 0.0, 10.0),
    "seed": Limit("seed", 0, 2**31 - 1, integer=True),
    "steps": Limit("steps", 0, 10**9, integer=True),
    "every": Limit("every", 1, 10**9, integer=True),
}


def check(name: str, value):
    """``LIMITS[name].check(value)``."""
    return LIMITS[name].check(value)
