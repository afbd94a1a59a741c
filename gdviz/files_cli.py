"""Command-line options for your own data and sessions (issue 13):

``gdviz [FILE]`` (a ``.gdviz`` session or a CSV/TSV data file, as a file manager passes it),
``--data FILE``, ``--load-session FILE``, ``--save-session FILE`` (headless too), and
``--record FILE.gif|FILE.mp4`` (runs the app, records, exits).  A file that cannot be used exits 2
with its message; nothing is half-loaded.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_file_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("your own data and sessions")
    g.add_argument("file", nargs="?", default=None, metavar="FILE",
                   help="a session (.gdviz) to reopen or a CSV/TSV data file to fit (as --data)")
    g.add_argument("--data", metavar="FILE", default=None,
                   help="fit the columns x1, x2, y of this CSV/TSV file instead of generated data "
                        "(--analyze and --race use it too)")
    g.add_argument("--load-session", metavar="FILE", default=None,
                   help="reopen a saved session and continue it (--steps more updates)")
    g.add_argument("--save-session", metavar="FILE", default=None,
                   help="save the session (data, settings, exact state, loss history) at the end")
    g.add_argument("--record", metavar="FILE", default=None,
                   help="record the window to FILE.gif or FILE.mp4 while training --steps steps, then exit")


def resolve_file_argument(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """``gdviz FILE``: a .gdviz file is --load-session, anything else --data."""
    if args.file is None:
        return
    if args.data or args.load_session:
        parser.error("give a FILE or --data/--load-session, not both")
    if Path(args.file).suffix.lower() == ".gdviz":
        args.load_session = args.file
    else:
        args.data = args.file
    if args.data and args.load_session:
        parser.error("--data and --load-session both give the data: choose one")


def prepare_fit(args: argparse.Namespace, config):
    """``(fit, generator or None, the loss history so far as a bounded LossHistory)`` from the
    options; raises ``ValueError`` (a DataFileError or SessionFileError) naming the file."""
    from gdviz.training import PlaneFit, make_plane_data
    from gdviz.training.datafile import load_csv
    from gdviz.training.history import LossHistory
    from gdviz.training.session_file import load, open_fit

    if args.data and args.load_session:
        raise ValueError("--data and --load-session both give the data: choose one")
    if args.load_session:
        session = load(args.load_session)
        fit = open_fit(session)
        return fit, session.generator, session.history
    if args.data:
        loaded = load_csv(args.data)
        return PlaneFit(loaded.data, config, init_seed=args.seed), None, LossHistory()
    generator = {"points": args.points, "noise": args.noise, "seed": args.seed}
    fit = PlaneFit(make_plane_data(args.points, args.noise, args.seed), config, init_seed=args.seed)
    return fit, generator, LossHistory()


def refuse_unusable_with(args: argparse.Namespace, parser: argparse.ArgumentParser, what: str) -> None:
    """Exit 2 (``parser.error``) for a file option a report (``--analyze`` or ``--race``) cannot
    honour, rather than ignore it: it saves no session, records no window, and a race starts
    every racer afresh so it cannot continue a session."""
    if args.record:
        parser.error(f"{what} prints a report and cannot --record the window: drop one of them")
    if args.save_session:
        parser.error(f"{what} trains no single session, so it cannot --save-session: drop one of them")
    if what == "--race" and args.load_session:
        parser.error("--race starts every racer from the same fresh start, so it cannot continue "
                     "--load-session; give the session's data as --data FILE (a CSV) instead")


def report_data(args: argparse.Namespace):
    """``(data, description)`` for ``--analyze`` and ``--race``: the ``--data`` file (the loader
    the plain ``--headless`` run uses), a ``--load-session``'s data, or the generated data
    (description None).  Raises ``ValueError`` with a message naming the file."""
    from gdviz.training import make_plane_data
    from gdviz.training.datafile import load_csv
    from gdviz.training.session_file import load

    if args.data and args.load_session:
        raise ValueError("--data and --load-session both give the data: choose one")
    if args.data:
        data, where = load_csv(args.data).data, args.data
    elif args.load_session:
        data, where = load(args.load_session).data, f"session {args.load_session}"
    else:
        return make_plane_data(args.points, args.noise, args.seed), None
    return data, f"{where} ({data.y.shape[0]} points)"
