"""Your own data: CSV/TSV files with columns x1, x2, y, read strictly with positioned errors.

- a header row or none (a first row that is not all numbers is a header);
- comma, semicolon or tab, detected from the first lines;
- more than three columns: the caller picks which three (``columns``, by index or header name);
- at most :data:`MAX_ROWS` rows and :data:`MAX_BYTES` bytes;
- every value a finite number: otherwise :class:`DataFileError` names the file, the line, the
  column and what was expected.  Nothing is half-loaded: the caller keeps its data on error.

Degenerate data (a constant column, x1 = x2, fewer than 3 rows) is accepted with warnings that
say what it means for the landscape.  Values are kept in float64 as read; training casts x to the
engine's float32 as TF would.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gdviz.training.types import PlaneData

MAX_ROWS = 1_000_000
MAX_BYTES = 100 * 1024 * 1024
DELIMITERS = (",", ";", "\t")


class DataFileError(ValueError):
    """A file that cannot be used, with where and why."""

    def __init__(self, path, message: str, line: int | None = None, column: int | None = None):
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.column, self.message = str(path), line, column, message


@dataclass(frozen=True)
class LoadedData:
    data: PlaneData
    header: tuple[str, ...] | None
    columns: tuple[int, int, int]
    warnings: tuple[str, ...]
    path: str


def _delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines() if ln.strip()][:20]
    best, score = ",", -1
    for d in DELIMITERS:
        counts = [ln.count(d) for ln in lines]
        if counts and min(counts) > 0 and len(set(counts)) == 1 and counts[0] > score:
            best, score = d, counts[0]
    if score < 0:                       # no consistent delimiter: the most frequent one
        best = max(DELIMITERS, key=sample.count)
    return best


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def read_table(path, columns=None) -> tuple[list[list[str]], tuple[str, ...] | None, int]:
    """Rows of text fields, the header (or None) and the 1-based line of the first data row."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as e:
        raise DataFileError(path, f"cannot read it ({e.strerror or e})") from None
    if p.is_dir():
        raise DataFileError(path, "is a folder, not a data file")
    if size > MAX_BYTES:
        raise DataFileError(path, f"is too large ({size / 1e6:.0f} MB; at most {MAX_BYTES // 2**20} MiB)")
    raw = p.read_bytes()
    if b"\0" in raw[:65536]:
        raise DataFileError(path, "is a binary file, not CSV/TSV text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataFileError(path, "is not UTF-8 text", line=line) from None
    if not text.strip():
        raise DataFileError(path, "is empty: expected rows of x1, x2, y")
    rows = list(csv.reader(io.StringIO(text), delimiter=_delimiter(text[:65536])))
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(f.strip() for f in r)]
    first_line, first = numbered[0]
    header = None
    if not all(_is_number(f) for f in first if f.strip()):
        header = tuple(f.strip() for f in first)
        numbered = numbered[1:]
    return numbered, header, first_line


def _loadtxt(path, columns) -> LoadedData | None:
    """The fast path for a clean file: numpy's C reader (10^6 rows in well under a second).
    None when anything is unusual; the strict reader then finds and names the problem."""
    try:
        p = Path(path)
        if not p.is_file() or p.stat().st_size > MAX_BYTES:
            return None
        with open(p, "rb") as f:
            head_bytes = f.read(65536)
        if b"\0" in head_bytes:
            return None
        head = head_bytes.decode("utf-8-sig")
        lines = [ln for ln in head.splitlines() if ln.strip()]
        if not lines:
            return None
        delim = _delimiter(head)
        first = next(csv.reader([lines[0]], delimiter=delim))
        header = None if all(_is_number(f) for f in first if f.strip()) else tuple(f.strip() for f in first)
        width = len(first)
        if columns is None:
            if width != 3:
                return None
            columns = (0, 1, 2)
        cols = tuple(_column_index(path, c, header, width) for c in columns)
        if len(lines) < 2 and header:
            return None                               # a header and no rows: the strict reader says so
        out = np.loadtxt(p, delimiter=delim, skiprows=1 if header else 0, usecols=cols, ndmin=2,
                         dtype=np.float64, comments=None, encoding="utf-8-sig", max_rows=MAX_ROWS + 1)
    except (ValueError, UnicodeDecodeError, OSError, DataFileError):
        return None
    if out.shape[1] != 3 or not 1 <= len(out) <= MAX_ROWS or not np.isfinite(out).all():
        return None
    return _loaded(path, out, header, cols)


def _loaded(path, out: np.ndarray, header, cols) -> LoadedData:
    # C order, like generated data: the engine's float32 sums must run in the same order
    data = PlaneData(x=np.ascontiguousarray(out[:, :2].T, np.float32), y=out[:, 2].copy(), true_W=None,
                     true_b=None, noise=0.0, seed=0)
    return LoadedData(data, header, cols, tuple(degeneracy_warnings(out)), str(path))


def load_csv(path, columns=None) -> LoadedData:
    """Read ``path``; ``columns`` picks x1, x2, y (indices or header names) when there are more
    than three.  Raises :class:`DataFileError`."""
    fast = _loadtxt(path, columns)
    if fast is not None:
        return fast
    numbered, header, _ = read_table(path)
    if not numbered:
        raise DataFileError(path, "has a header but no data rows")
    width = len(numbered[0][1])
    if columns is None:
        if width < 3:
            raise DataFileError(path, f"has {width} column(s); expected 3 (x1, x2, y)", line=numbered[0][0])
        if width > 3:
            names = ", ".join(header) if header else f"{width} columns"
            raise DataFileError(path, f"has more than 3 columns ({names}): choose which are x1, x2 and y")
        columns = (0, 1, 2)
    cols = tuple(_column_index(path, c, header, width) for c in columns)
    if len(cols) != 3:
        raise DataFileError(path, "choose exactly three columns: x1, x2 and y")
    if len(numbered) > MAX_ROWS:
        raise DataFileError(path, f"has {len(numbered)} rows; at most {MAX_ROWS} are loaded")
    out = _fast_parse(numbered, cols, width)
    if out is None:                          # something is wrong: find it, with its position
        out = _slow_parse(path, numbered, cols, width)
    return _loaded(path, out, header, cols)


def _fast_parse(numbered, cols, width) -> np.ndarray | None:
    """Every row in one numpy conversion (10^6 rows in about a second), or None if any row is
    short or any value is not a finite number."""
    if any(len(f) != width for _, f in numbered):
        return None
    try:
        out = np.array([[f[c] for c in cols] for _, f in numbered], dtype=np.float64)
    except ValueError:
        return None
    return out if np.isfinite(out).all() else None


def _slow_parse(path, numbered, cols, width) -> np.ndarray:
    out = np.empty((len(numbered), 3), np.float64)
    for r, (line, fields) in enumerate(numbered):
        if len(fields) != width:
            raise DataFileError(path, f"has {len(fields)} fields where the first row has {width}", line=line)
        for k, c in enumerate(cols):
            text = fields[c].strip()
            if not text:
                raise DataFileError(path, "is empty: expected a number", line=line, column=c + 1)
            try:
                v = float(text)
            except ValueError:
                raise DataFileError(path, f"{text[:30]!r} is not a number", line=line, column=c + 1) from None
            if not math.isfinite(v):
                raise DataFileError(path, f"{text!r} is not a finite number", line=line, column=c + 1)
            out[r, k] = v
    return out


def _column_index(path, c, header, width) -> int:
    if isinstance(c, str) and not c.isdigit():
        if header is None or c not in header:
            raise DataFileError(path, f"has no column named {c!r}")
        return header.index(c)
    i = int(c)
    if not 0 <= i < width:
        raise DataFileError(path, f"has no column {i + 1} (it has {width})")
    return i


def degeneracy_warnings(xyz: np.ndarray) -> list[str]:
    """What makes this data a degenerate least-squares problem, in words."""
    out = []
    n = len(xyz)
    if n < 3:
        out.append(f"only {n} row(s): three parameters need at least 3 points, so there is no unique "
                   "least-squares answer (a flat direction in the landscape)")
    for k, name in ((0, "x1"), (1, "x2")):
        if n and np.ptp(xyz[:, k]) == 0:
            out.append(f"{name} is constant: its weight and b cannot be told apart (a flat direction, "
                       "infinite condition number, no unique least-squares answer)")
    if n >= 2 and np.allclose(xyz[:, 0], xyz[:, 1]):
        out.append("x1 = x2 in every row: only W1 + W2 is determined (a flat valley, infinite condition number)")
    return out


def save_csv(path, data: PlaneData) -> None:
    """Write ``data`` as x1,x2,y with a header; floats written exactly (repr round-trips)."""
    x = np.asarray(data.x, np.float64)
    y = np.asarray(data.y, np.float64).ravel()
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x1", "x2", "y"])
        for a, b, c in zip(x[0], x[1], y):
            w.writerow([repr(float(a)), repr(float(b)), repr(float(c))])
