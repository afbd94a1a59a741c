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
                   help="fit the columns x1, x2, y of this CSV/TSV file instead of generated data")
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
    """``(fit, generator or None, loss history so far)`` from the options; raises ``ValueError``
    (a DataFileError or SessionFileError) with a message naming the file."""
    from gdviz.training import PlaneFit, make_plane_data
    from gdviz.training.datafile import load_csv
    from gdviz.training.session_file import load, open_fit

    if args.data and args.load_session:
        raise ValueError("--data and --load-session both give the data: choose one")
    if args.load_session:
        session = load(args.load_session)
        fit = open_fit(session)
        return fit, session.generator, list(session.losses)
    if args.data:
        loaded = load_csv(args.data)
        return PlaneFit(loaded.data, config, init_seed=args.seed), None, []
    generator = {"points": args.points, "noise": args.noise, "seed": args.seed}
    return PlaneFit(make_plane_data(args.points, args.noise, args.seed), config, init_seed=args.seed), generator, []
