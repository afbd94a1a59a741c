"""``gdviz --headless --race …``: race update rules and print the leaderboard (or JSON).

The JSON contract (used by scripts; keep it exactly)::

    {"start": {"W": [w1, w2], "b": b}, "min_loss": L*,
     "racers": [{"name": ..., "steps_to_tol": int or null, "final_loss": ...,
                 "diverged_at": int or null, "W": [...], "b": ...}, ...]}

The data is ``--data FILE`` (or the file given as the argument), else generated from
``--points``, ``--noise`` and ``--seed``.  ``steps_to_tol`` counts updates until
``loss - L* <= tol``.  ``--lr`` and ``--momentum``, when typed, apply to every racer; otherwise
each racer uses its own default.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from gdviz.training.race import MAX_RACERS, RACER_NAMES

EXIT_OK, EXIT_USAGE = 0, 2
MAX_RULE_BYTES = 64 * 1024


def add_race_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("race (with --headless)")
    g.add_argument("--race", metavar="NAMES", default=None,
                   help=f"comma-separated racers, up to {MAX_RACERS}: {', '.join(RACER_NAMES)}")
    g.add_argument("--rule", metavar="FILE", action="append", default=[],
                   help="add a racer running the update rule in FILE (repeatable)")
    g.add_argument("--tol", type=_tolerance, default=1e-6,
                   help="a racer has arrived when loss - L* <= tol (default: %(default)g)")
    g.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def _tolerance(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, not {text!r}")
    return v


_UNTYPED = object()


def typed_options(make_parser, argv: list[str]) -> set[str]:
    """The ``dest`` of every option typed in ``argv`` (abbreviations included), not defaulted.

    ``make_parser()`` must build a new parser; its scalar defaults are replaced by a marker,
    so an option whose value is not the marker was typed.  (List-valued options such as
    ``--rule`` are typed exactly when their list is non-empty.)
    """
    defaults = vars(make_parser().parse_args([]))
    probe = make_parser()
    probe.set_defaults(**{k: _UNTYPED for k, v in defaults.items() if not isinstance(v, list)})
    got = vars(probe.parse_known_args(argv)[0])
    return {k for k, v in got.items() if v is not _UNTYPED and v != []}


def run_race_cli(args: argparse.Namespace, typed: set[str], out, err) -> int:
    """Build the racers from the arguments, run them headless, print the leaderboard."""
    from gdviz.files_cli import report_data
    from gdviz.playground.syntax import ExprError
    from gdviz.training.race import make_racer, rule_racer, run_race

    lr = args.lr if "lr" in typed else None
    momentum = args.momentum if "momentum" in typed else None
    names = [n.strip() for n in (args.race or "").split(",") if n.strip()]
    try:
        racers = [make_racer(n, lr, momentum) for n in names]
        for path in args.rule:
            try:
                racers.append(rule_racer(Path(path).name, _read_rule(path), lr))
            except ExprError as e:
                raise ValueError(f"{path}: {e}") from None
    except (ValueError, OSError) as e:
        print(f"gdviz: {e}", file=err)
        return EXIT_USAGE
    if not 1 <= len(racers) <= MAX_RACERS:
        print(f"gdviz: a race has 1 to {MAX_RACERS} racers, not {len(racers)}", file=err)
        return EXIT_USAGE
    try:
        data, source = report_data(args)
    except (ValueError, OSError) as e:
        print(f"gdviz: {e}", file=err)
        return EXIT_USAGE
    W0, b0, min_loss, rows = run_race(racers, data, args.steps, args.tol, init_seed=args.seed)
    if args.json:
        json.dump(json_safe({
            "start": {"W": [float(w) for w in W0.ravel()], "b": float(b0.ravel()[0])},
            "min_loss": min_loss,
            "racers": [{"name": r.name, "steps_to_tol": r.steps_to_tol, "final_loss": _json_number(r.final_loss),
                        "diverged_at": r.diverged_at, "W": list(r.W), "b": r.b} for r in rows],
        }), out, allow_nan=False)
        out.write("\n")
        return EXIT_OK
    if source:
        print(f"data: {source}", file=out)
    _print_board(rows, min_loss, args, out)
    return EXIT_OK


def json_safe(value):
    """``value`` with every NaN/inf float (at any depth of dicts, lists, tuples) as ``None``:
    JSON has no NaN, and ``json.dump`` would write the non-standard ``NaN``/``Infinity``."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0):
        try:
            f = float(value)
        except (TypeError, ValueError):
            return value
        if isinstance(value, bool):
            return value
        return f if math.isfinite(f) else None
    return value


def _json_number(v: float):
    # JSON has no inf/nan: a diverged racer's loss is null (its diverged_at says why)
    return v if math.isfinite(v) else None


def _read_rule(path: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"{path}: no such rule file")
    if p.stat().st_size > MAX_RULE_BYTES:
        raise ValueError(f"{path}: a rule file is at most {MAX_RULE_BYTES // 1024} KiB")
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file") from None


def _print_board(rows, min_loss: float, args, out) -> None:
    from gdviz.training.race import Leaderboard

    print(f"race: {args.steps} steps from the same start; L* = {min_loss:.6g}; "
          f"arrived = loss - L* <= {args.tol:g}", file=out)
    print(f"{'#':>2}  {'racer':<18} {'steps to tol':>12}  {'final loss':>12}  {'W':<24} b", file=out)
    for k, r in enumerate(Leaderboard.ranked(rows), 1):
        arrived = "diverged @%d" % r.diverged_at if r.diverged_at is not None else (
            "-" if r.steps_to_tol is None else str(r.steps_to_tol))
        W = f"[{r.W[0]:.6g}, {r.W[1]:.6g}]"
        print(f"{k:>2}  {r.name:<18} {arrived:>12}  {r.final_loss:>12.4g}  {W:<24} {r.b:.6g}", file=out)
