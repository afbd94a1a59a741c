"""The headless run's output: the tutorial's ``step W b`` lines, fast and in batches.

``print(step, sess.run(W), sess.run(b))`` shows numpy's ``str`` of float32 arrays; numpy's
``str`` costs ~40 µs for a two-element array (most of a ``--every 1`` run's time).
:func:`array_text` gives the same text from :func:`numpy.format_float_positional` in a few µs
for the values a fit meets (finite, no exponent needed) and falls back to ``str`` otherwise, so
the text never differs.  :class:`LineBuffer` collects lines and losses and hands them on in
batches: one ``write`` per batch of lines (whole lines only) and one ``LossHistory.extend``
per batch of losses.
"""

from __future__ import annotations

import contextlib
import signal
import threading

import numpy as np

__all__ = ["array_text", "LineBuffer"]

_EXP_MAX = 10.0 ** min(8, np.finfo(np.float32).precision)   # numpy's switch to e-notation (float32)


def array_text(a: np.ndarray) -> str:
    """``str(a)`` for a float32 array of shape (1, k) or (k,) with default print options."""
    a = np.asarray(a)
    flat = a.ravel()
    if a.dtype != np.float32 or a.ndim not in (1, 2) or (a.ndim == 2 and a.shape[0] != 1) \
            or flat.size == 0 or flat.size > 4 or np.get_printoptions() != _DEFAULTS:
        return str(a)
    with np.errstate(all="ignore"):
        if not np.isfinite(flat).all():
            return str(a)
        nz = np.abs(flat[flat != 0])
        if nz.size and (nz.max() >= _EXP_MAX or nz.min() < 1e-4 or nz.max() / nz.min() > 1000.0):
            return str(a)
    fmt = np.format_float_positional
    first = [fmt(x, precision=8, unique=True, fractional=True, trim=".") for x in flat]
    parts = [s.split(".") for s in first]
    left = max(len(p[0]) for p in parts)
    right = max(len(p[1]) for p in parts)
    body = " ".join(fmt(x, precision=8, unique=True, fractional=True, trim=".", pad_left=left,
                        pad_right=right) for x in flat)
    return f"[[{body}]]" if a.ndim == 2 else f"[{body}]"


_DEFAULTS = np.get_printoptions()


@contextlib.contextmanager
def _no_interrupt():
    """Hold SIGINT back while a batch is written (it arrives right after), where that is possible."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class LineBuffer:
    """Lines for ``out`` and losses for ``history``, passed on every ``batch`` items (and by
    :meth:`flush`)."""

    def __init__(self, out, history, batch: int = 4096):
        self._out, self._history, self._batch = out, history, int(batch)
        self._lines: list[str] = []
        self._losses: list[np.ndarray] = []
        self._nlosses = 0

    def line(self, text: str) -> None:
        self._lines.append(text)
        if len(self._lines) >= self._batch:
            self.flush_lines()

    def losses(self, values: np.ndarray) -> None:
        self._losses.append(values)
        self._nlosses += len(values)
        if self._nlosses >= self._batch:
            self.flush_losses()

    extend = losses          # what cli._advance feeds

    def flush_lines(self) -> None:
        if self._lines:
            text = "\n".join(self._lines) + "\n"
            self._lines.clear()
            with _no_interrupt():          # whole lines only: Ctrl+C never cuts one
                self._out.write(text)
                flush = getattr(self._out, "flush", None)
                if flush is not None:
                    flush()

    def flush_losses(self) -> None:
        if self._losses:
            self._history.extend(np.concatenate(self._losses))
            self._losses.clear()
            self._nlosses = 0

    def flush(self) -> None:
        self.flush_losses()
        self.flush_lines()
