"""The headless CLI's cost per printed line and its memory, as ratios (issue 20.8).

Runs ``gdviz --headless`` in child processes and reports:

- ``--every 1`` against ``--every 1000`` for the same steps (the price of printing every step:
  ``1.0`` would be free); and the time per line;
- the peak RSS of ``--steps 10*S`` against ``--steps S`` (``1.0``: memory does not grow with
  the run; the loss history is bounded).

    python benchmarks/bench_headless.py [--steps S]

Nothing is asserted: the numbers belong in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time


def run(*args: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (kB) of one ``gdviz --headless`` run (output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gdviz", "--headless", *args], check=True,
                   stdout=subprocess.DEVNULL, env=os.environ)
    dt = time.perf_counter() - t
    # ru_maxrss of children is the largest child so far: run the small case first
    return dt, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=200_000)
    a = p.parse_args()
    s = a.steps
    quiet, rss_small = run("--steps", str(s), "--every", "1000")
    loud, _ = run("--steps", str(s), "--every", "1")
    _, rss_big = run("--steps", str(10 * s), "--every", "1000")
    print(f"--steps {s}: --every 1 {loud:.2f} s, --every 1000 {quiet:.2f} s, "
          f"ratio {loud / quiet:.2f} ({(loud - quiet) / s * 1e6:.1f} us per extra line)")
    print(f"peak RSS --steps {s}: {rss_small / 1024:.1f} MB; --steps {10 * s}: {rss_big / 1024:.1f} MB; "
          f"ratio {rss_big / rss_small:.2f}")


if __name__ == "__main__":
    main()
