"""``gdviz --headless --analyze [--json]``: the exact facts of the parameter space.

The JSON contract (used by scripts; keep it exactly)::

    {"optimum": {"W": [w1, w2], "b": b}, "min_loss": L*, "hessian_eigenvalues": [l1, l2, l3],
     "condition_number": k, "lr_limit": {"gd": ..., "momentum": ..., "nesterov": ...},
     "lr_optimal": {"gd": ...}, "momentum_optimal": {"lr": ..., "momentum": ...}, ...}

``lr_limit.momentum`` and ``lr_limit.nesterov`` are for the ``--momentum`` given; the data comes
from ``--data FILE`` (or the file given as the argument, or ``--load-session``'s data), else
from ``--points``, ``--noise`` and ``--seed``, as for a single run.
"""

from __future__ import annotations

import argparse
import json
import math

EXIT_OK, EXIT_USAGE = 0, 2


def add_analyze_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--analyze", action="store_true",
                   help="with --headless: print the loss landscape's exact facts (optimum, Hessian "
                        "eigenvalues, condition number, learning-rate limits) of the data in use (--data FILE "
                        "or generated); --json for one JSON object")


def _g(v: float) -> str:
    return f"{v:.6g}" if math.isfinite(v) else str(v)


def run_analyze(args: argparse.Namespace, out, err=None) -> int:
    import sys

    from gdviz.files_cli import report_data
    from gdviz.training.landscape import band, facts

    try:
        data, source = report_data(args)
    except (ValueError, OSError) as e:
        print(f"gdviz: {e}", file=sys.stderr if err is None else err)
        return EXIT_USAGE
    f = facts(data, momentum=0.9 if args.momentum is None else args.momentum)
    lam = f["hessian_eigenvalues"]
    if getattr(args, "json", False):
        from gdviz.race_cli import json_safe

        print(json.dumps(json_safe(f), allow_nan=False), file=out)
        return EXIT_OK
    m = f["momentum"]
    lim = f["lr_limit"]
    w = f["optimum"]["W"]
    here = band(args.optimizer, args.lr, m, lam) if args.optimizer in lim else "no linear limit"
    lines = [
        f"data: {source}" if source else f"data: {args.points} points, noise {args.noise:g}, seed {args.seed}",
        f"least squares: W = [{_g(w[0])}, {_g(w[1])}], b = {_g(f['optimum']['b'])}, "
        f"min loss L* = {_g(f['min_loss'])}",
        f"Hessian eigenvalues: {', '.join(_g(v) for v in lam)}   condition number: {_g(f['condition_number'])}",
        f"stable lr below: gd {_g(lim['gd'])}, momentum {_g(lim['momentum'])}, "
        f"nesterov {_g(lim['nesterov'])} (momentum {m:g})",
        f"fastest: gd lr {_g(f['lr_optimal']['gd'])}; momentum lr {_g(f['momentum_optimal']['lr'])} "
        f"with momentum {_g(f['momentum_optimal']['momentum'])}",
        "rmsprop, adam: no linear stability limit (they rescale the gradient as they go)",
        f"{args.optimizer} at lr {args.lr:g}: {here}",
    ]
    print("\n".join(lines), file=out)
    return EXIT_OK
