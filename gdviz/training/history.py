"""A loss history whose memory and drawing cost do not grow with the length of the run.

Two parts, both fed as losses arrive (amortised O(1) per value):

- the **recent window**: the last ``recent`` losses exactly (float64 ring buffer);
- the **envelope**: a pyramid of (min, max) pairs.  Level 0 summarises blocks of ``base``
  steps; level *l* summarises blocks of ``base * 2**l`` steps.  Each level is built from the
  level below when a block completes, so the whole pyramid costs about
  ``2 * 2 * 4 / base`` bytes per step (float32 pairs, every level together): 0.25 B/step at
  ``base = 64``; with the arrays' doubling slack at most 0.5 B/step, 50 MB after 10^8 steps.

:meth:`LossHistory.curve` answers "what to draw for steps [x0, x1) on a plot at most
``max_points`` wide": exact values where the range fits and is recent, else per block the min
and the max (the picture peak downsampling gives: every spike kept), from the coarsest level
that still gives enough blocks.  So a redraw costs O(max_points), never O(steps).

Non-finite losses are kept as they are (NaN/inf): min/max skip NaN (``fmin``/``fmax``) so one
NaN does not blank a block, and inf shows as inf.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LossHistory", "MAX_STORED_BLOCKS"]

#: blocks a stored history keeps at most (about 20 MB of JSON): beyond, coarser blocks
MAX_STORED_BLOCKS = 1 << 19


class _Growable:
    """A float array that doubles when full (amortised O(1) append)."""

    def __init__(self, dtype=np.float32, width: int = 2):
        self.a = np.empty((64, width), dtype)
        self.n = 0

    def append_rows(self, rows: np.ndarray) -> None:
        need = self.n + len(rows)
        if need > len(self.a):
            grown = np.empty((max(need, 2 * len(self.a)), self.a.shape[1]), self.a.dtype)
            grown[: self.n] = self.a[: self.n]
            self.a = grown
        self.a[self.n:need] = rows
        self.n = need

    @property
    def view(self) -> np.ndarray:
        return self.a[: self.n]

    @property
    def nbytes(self) -> int:
        return self.a.nbytes


def _pair_blocks(lo: np.ndarray, hi: np.ndarray, size: int) -> np.ndarray:
    """(min, max) of consecutive blocks of ``size`` rows (len divisible by size)."""
    with np.errstate(invalid="ignore"):
        return np.stack([np.fmin.reduce(lo.reshape(-1, size), axis=1),
                         np.fmax.reduce(hi.reshape(-1, size), axis=1)], axis=1)


class LossHistory:
    """Every loss of a run, summarised; see the module docstring for the layout and bounds."""

    def __init__(self, base: int = 64, recent: int = 1 << 18):
        if base < 2 or base & (base - 1):
            raise ValueError(f"base must be a power of two >= 2, not {base}")
        self.base, self.recent = int(base), int(recent)
        self.clear()

    def clear(self) -> None:
        self.count = 0
        self._exact_from = 0       # steps before this were overwritten in the ring by a replay
        self._ring = np.empty(self.recent, np.float64)
        self._pending = np.empty(self.base, np.float64)    # the level-0 block being filled
        self._npending = 0
        self._levels: list[_Growable] = [_Growable()]
        self._carry: list[np.ndarray | None] = [None]      # a lone finished block awaiting its pair

    # -- feeding ----------------------------------------------------------------------------------
    def extend(self, losses) -> None:
        v = np.asarray(losses, np.float64).ravel()
        if v.size == 0:
            return
        # the ring keeps the last `recent` values exactly
        if v.size >= self.recent:
            tail = v[-self.recent:]
            idx = (self.count + v.size - self.recent + np.arange(self.recent)) % self.recent
            self._ring[idx] = tail
        else:
            idx = (self.count + np.arange(v.size)) % self.recent
            self._ring[idx] = v
        self.count += v.size
        # level-0 blocks: fill the pending block, then whole blocks at once, then the remainder
        i = 0
        if self._npending:
            take = min(self.base - self._npending, v.size)
            self._pending[self._npending:self._npending + take] = v[:take]
            self._npending += take
            i = take
            if self._npending == self.base:
                self._push(_pair_blocks(self._pending, self._pending, self.base), 0)
                self._npending = 0
        whole = (v.size - i) // self.base * self.base
        if whole:
            chunk = v[i:i + whole]
            self._push(_pair_blocks(chunk, chunk, self.base), 0)
            i += whole
        rest = v.size - i
        if rest:
            self._pending[:rest] = v[i:]
            self._npending = rest

    def _push(self, pairs: np.ndarray, level: int) -> None:
        """Append finished blocks to ``level`` and build the levels above from them."""
        with np.errstate(over="ignore"):      # beyond float32's range: inf, drawn as diverged
            pairs = pairs.astype(np.float32)
        self._levels[level].append_rows(pairs)
        carry = self._carry[level]
        if carry is not None:
            pairs = np.concatenate([carry, pairs])
        even = len(pairs) // 2 * 2
        self._carry[level] = pairs[even:] if even < len(pairs) else None
        if even:
            if level + 1 == len(self._levels):
                self._levels.append(_Growable())
                self._carry.append(None)
            up = pairs[:even]
            self._push(_pair_blocks(up[:, 0], up[:, 1], 2), level + 1)

    def truncate(self, n: int) -> int:
        """Forget the losses of steps ``n`` and later (a replay or a jump back in time); returns
        the count kept, which is ``n`` unless the block holding step ``n`` is no longer recent
        (then the count drops to that block's start)."""
        n = max(0, min(int(n), self.count))
        if n == self.count:
            return n
        # the ring slots of steps [n - recent, count - recent) now hold steps >= n
        self._exact_from = max(self._exact_from, self.count - self.recent)
        cut = n // self.base * self.base
        partial = self.exact(cut, n)
        if partial is None:
            n, partial = cut, np.empty(0)
        for lv, level in enumerate(self._levels):
            level.n = min(level.n, n // (self.base << lv))
            self._carry[lv] = level.view[-1:].copy() if level.n % 2 else None
        self._npending = len(partial)
        self._pending[: len(partial)] = partial
        self.count = n
        return n

    # -- storing (session files) ------------------------------------------------------------------
    def to_record(self, max_blocks: int = MAX_STORED_BLOCKS) -> dict:
        """What this history really is, as plain JSON-able values (floats; NaN/inf left to the
        writer): the exact losses of steps ``[exact_from, count)`` and the (min, max) of every
        block of ``base`` steps, at the finest level with at most ``max_blocks`` blocks (its
        block size is the record's ``base``).  :meth:`from_record` rebuilds it."""
        lo = max(self.count - self.recent, self._exact_from)
        lo = min(lo, self.count - self._npending)        # the newest, unfinished block is exact
        level = 0
        while self.count // (self.base << level) > max_blocks and level + 1 < len(self._levels):
            level += 1
        size = self.base << level
        nblocks = self.count // size
        pairs = self._levels[level].view[:nblocks] if level < len(self._levels) else np.empty((0, 2))
        if len(pairs) != nblocks:                         # not every block kept (cannot happen)
            raise ValueError(f"loss history has {len(pairs)} blocks of {size} steps for {self.count} steps")
        return {"count": int(self.count), "base": int(size),
                "blocks": [float(v) for v in pairs.ravel()],
                "exact_from": int(lo), "exact": [float(v) for v in self._ring[np.arange(lo, self.count) % self.recent]]}

    @classmethod
    def from_record(cls, d: dict, recent: int = 1 << 18) -> "LossHistory":
        """The history :meth:`to_record` described; ``ValueError`` naming what does not fit."""
        if not isinstance(d, dict) or set(d) != {"count", "base", "blocks", "exact_from", "exact"}:
            raise ValueError("the loss history is not a history record")
        count, base, lo = d["count"], d["base"], d["exact_from"]
        for name, v in (("count", count), ("base", base), ("exact_from", lo)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"loss history {name} must be an integer >= 0, not {v!r}")
        if base < 2 or base & (base - 1):
            raise ValueError(f"loss history base must be a power of two >= 2, not {base}")
        blocks = np.asarray([np.nan if v is None else v for v in d["blocks"]], np.float64)
        exact = np.asarray([np.nan if v is None else v for v in d["exact"]], np.float64)
        if blocks.size != 2 * (count // base):
            raise ValueError(f"loss history has {blocks.size // 2} blocks for {count} steps of {base}")
        if lo > count or exact.size != count - lo or exact.size > recent:
            raise ValueError(f"loss history keeps {exact.size} exact losses from step {lo} of {count}")
        h = cls(base, recent)
        done = count // base * base
        if blocks.size:
            h._push(blocks.reshape(-1, 2), 0)
        h.count = done
        if lo < done:                                   # exact values inside the blocks
            h._ring[np.arange(lo, done) % recent] = exact[: done - lo]
        # the steps after the last block: exact, or not kept (NaN) when a rewind of a coarsely
        # stored run left them unknown
        gap = np.full(max(0, lo - done), np.nan)
        h.extend(np.concatenate([gap, exact[max(0, done - lo):]]))
        h._exact_from = lo
        return h

    def copy(self) -> "LossHistory":
        """An independent copy (a record's round trip)."""
        return LossHistory.from_record(self.to_record(max_blocks=1 << 62), self.recent)

    # -- reading ----------------------------------------------------------------------------------
    @property
    def nbytes(self) -> int:
        """Memory held (ring, pending block and every level)."""
        return self._ring.nbytes + self._pending.nbytes + sum(lv.nbytes for lv in self._levels)

    def exact(self, x0: int, x1: int) -> np.ndarray | None:
        """Losses of steps ``[x0, x1)`` exactly, or ``None`` when not all are still kept."""
        x0, x1 = max(0, int(x0)), min(self.count, int(x1))
        if x1 <= x0:
            return np.empty(0)
        if x0 < max(self.count - self.recent, self._exact_from):
            return None
        return self._ring[np.arange(x0, x1) % self.recent].copy()

    def curve(self, x0: float = 0, x1: float | None = None, max_points: int = 2000):
        """``(steps, losses)`` to draw for ``[x0, x1)``: at most ~``max_points`` points.

        Exact values when the range holds ≤ ``max_points`` steps that are all still kept;
        otherwise, per block, the min and the max at the block's first and middle step (peak
        downsampling), from the finest level whose blocks in range number ≤ ``max_points / 2``;
        the steps not yet in any block (the newest few) are added exactly.
        """
        n = self.count
        x0 = max(0, int(np.floor(x0)))
        x1 = n if x1 is None else min(n, int(np.ceil(x1)))
        if x1 <= x0:
            return np.empty(0), np.empty(0)
        ex = self.exact(x0, x1) if x1 - x0 <= max_points else None
        if ex is not None:
            return np.arange(x0, x1, dtype=np.float64), ex
        level, size = 0, self.base
        while (x1 - x0) / size > max(1, max_points // 2) and level + 1 < len(self._levels):
            level, size = level + 1, size * 2
        xs, ys, at = [], [], x0
        for lv in range(level, -1, -1):          # coarse blocks first, finer ones for the newest
            size = self.base << lv
            pairs = self._levels[lv].view
            b0, b1 = -(-at // size) if lv < level else at // size, min(len(pairs), -(-x1 // size))
            if b1 <= b0:
                continue
            start = np.arange(b0, b1, dtype=np.float64) * size
            xs.append(np.stack([start, start + size / 2], axis=1).ravel())
            ys.append(pairs[b0:b1].astype(np.float64).ravel())   # min at the start, max in the middle
            at = b1 * size
        if at < x1:                                  # fewer than `base` newest steps: exact
            tail = self.exact(at, x1)
            if tail is not None:
                xs.append(np.arange(at, x1, dtype=np.float64))
                ys.append(tail)
        if not xs:
            return np.empty(0), np.empty(0)
        return np.concatenate(xs), np.concatenate(ys)


class PathHistory:
    """A path through parameter space (one row per step) in bounded memory.

    Keeps the last ``recent`` rows exactly (a ring), and a polyline of at most ``keep`` rows
    for the whole path: every ``stride``-th row, the stride doubling (and every other kept row
    dropped) when the polyline is full.  The newest row is always drawn, so the path reaches
    the current point.  Memory: (recent + keep) rows, however long the run.
    """

    def __init__(self, width: int = 3, keep: int = 4096, recent: int = 4096):
        if keep < 4 or keep % 2:
            raise ValueError(f"keep must be an even number >= 4, not {keep}")
        self.width, self.keep, self.recent = int(width), int(keep), int(recent)
        self.count = 0
        self.stride = 1
        self._kept = np.empty((keep, width))
        self._nkept = 0
        self._ring = np.empty((recent, width))
        self._ring_lo = 0          # rows before this one are not in the ring (after a truncate)

    def truncate(self, n: int) -> None:
        """Forget every row from index ``n`` on (time travel back to step ``n``'s predecessor);
        the rows before stay as they were, exactly where the ring still holds them."""
        n = max(0, min(int(n), self.count))
        if n == self.count:
            return
        self._ring_lo = min(max(self._ring_lo, self.count - self.recent), n)
        self._nkept = min(self._nkept, -(-n // self.stride))
        self.count = n

    def extend(self, rows) -> None:
        rows = np.asarray(rows, np.float64).reshape(-1, self.width)
        if len(rows) == 0:
            return
        idx = (self.count + np.arange(len(rows))) % self.recent
        self._ring[idx[-self.recent:]] = rows[-self.recent:]
        first = self.count
        self.count += len(rows)
        i = (-first) % self.stride                   # the first row whose step is a multiple
        while i < len(rows):
            if self._nkept == self.keep:             # full: halve the resolution
                self._kept[: self.keep // 2] = self._kept[0:self.keep:2]
                self._nkept = self.keep // 2
                self.stride *= 2
                i += (-(first + i)) % self.stride
                continue
            take = rows[i::self.stride][: self.keep - self._nkept]
            self._kept[self._nkept:self._nkept + len(take)] = take
            self._nkept += len(take)
            i += len(take) * self.stride

    def last(self, n: int) -> np.ndarray:
        """The last ``min(n, count, recent)`` rows, exactly, oldest first."""
        n = min(int(n), self.count - max(self._ring_lo, self.count - self.recent))
        return self._ring[(self.count - n + np.arange(n)) % self.recent].copy()

    def points(self, max_points: int | None = None) -> np.ndarray:
        """The whole path to draw: the kept rows (every k-th of them when there are more than
        ``max_points``) plus the newest row."""
        pts = self._kept[: self._nkept]
        if max_points is not None and len(pts) > max_points:
            pts = pts[:: -(-len(pts) // max(1, int(max_points)))]
        if self.count and (len(pts) == 0 or not np.array_equal(pts[-1], self.last(1)[0])):
            pts = np.concatenate([pts, self.last(1)])
        return pts.copy()

    @property
    def nbytes(self) -> int:
        return self._kept.nbytes + self._ring.nbytes
