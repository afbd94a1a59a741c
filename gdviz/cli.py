"""The ``gdviz`` command: the desktop app, or ``--headless`` the tutorial's console fit.

``gdviz --headless`` prints ``step W b`` every ``--every`` steps exactly as the tutorial's
``print(step, sess.run(W), sess.run(b))`` does, so its output can be compared with the
tutorial line by line.  Exit status: 0 done, 1 the GUI cannot start or the output cannot be
written (a full disk), 2 bad arguments (argparse), 3 the loss diverged, 130 interrupted
(Ctrl+C), 141 the reader of the output went away (``| head -1``).  None of them prints a
traceback, and every line printed is whole.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

# Only the Qt-free core is imported here: the GUI is imported lazily in _run_gui so that
# ``gdviz --headless`` works (and stays fast) without PySide6.
from gdviz.analyze_cli import add_analyze_arguments, run_analyze
from gdviz.limits import LIMITS
from gdviz.files_cli import add_file_arguments, prepare_fit, refuse_unusable_with, resolve_file_argument
from gdviz.race_cli import add_race_arguments, run_race_cli, typed_options
from gdviz.training.types import MODES, OPTIMIZERS

EXIT_OK, EXIT_NO_GUI, EXIT_USAGE, EXIT_DIVERGED = 0, 1, 2, 3
EXIT_OUTPUT, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 1, 130, 141


def limited(name: str):
    """An argparse type: the text as a number within ``gdviz.limits.LIMITS[name]``."""
    limit = LIMITS[name]

    def parse(text: str):
        try:
            value = int(text) if limit.integer else float(text)
        except ValueError:
            kind = "an integer" if limit.integer else "a number"
            raise argparse.ArgumentTypeError(f"{limit.what} must be {kind} in {limit.range_text()}, "
                                             f"not {text!r}") from None
        try:
            return limit.check(value)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    parse.__name__ = limit.what
    return parse


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser (exposed so tests and the GUI can reuse the defaults)."""
    p = argparse.ArgumentParser(
        prog="gdviz",
        description="Watch and steer gradient descent fitting the TensorFlow tutorial's plane "
        "y = 0.1*x1 + 0.2*x2 + 0.3.",
        epilog="example: gdviz --headless --optimizer adam --lr 0.1 --steps 401 --every 40",
    )
    p.add_argument("--headless", action="store_true",
                   help="no window: print 'step W b' lines like the tutorial")
    p.add_argument("--mode", choices=MODES, default="optimizer",
                   help="update with tf.train.<Optimizer>.minimize, or by hand with "
                   "tf.gradients + assign (default: %(default)s)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="gd",
                   help="update rule (default: %(default)s)")
    p.add_argument("--lr", type=limited("lr"), default=0.5,
                   help=f"learning rate in {LIMITS['lr'].range_text()} (default: %(default)s)")
    p.add_argument("--momentum", type=limited("momentum"), default=None,
                   help=f"momentum in {LIMITS['momentum'].range_text()} for momentum/nesterov/rmsprop "
                        "(default: 0.9; for rmsprop 0.0, TF1's default)")
    p.add_argument("--steps", type=limited("steps"), default=201,
                   help=f"number of updates, in {LIMITS['steps'].range_text()} (default: %(default)s)")
    p.add_argument("--every", type=limited("every"), default=20,
                   help="print every this many steps (default: %(default)s)")
    p.add_argument("--loss", action="store_true",
                   help="after the run, print 'step N loss L': the loss of the state after N "
                        "updates (the one definition the GUI's curve and status bar use)")
    p.add_argument("--points", type=limited("points"), default=100,
                   help=f"number of data points, in {LIMITS['points'].range_text()} (default: %(default)s)")
    p.add_argument("--noise", type=limited("noise"), default=0.0,
                   help=f"std of Gaussian noise added to y, in {LIMITS['noise'].range_text()} (default: %(default)s)")
    p.add_argument("--seed", type=limited("seed"), default=0,
                   help=f"seed for the data and the initial W, in {LIMITS['seed'].range_text()} "
                        "(default: %(default)s)")
    p.add_argument("--scene", choices=("plane", "playground"), default="plane",
                   help="GUI only: the tab shown first (default: %(default)s)")
    add_race_arguments(p)
    add_analyze_arguments(p)
    add_file_arguments(p)
    from gdviz import __version__

    p.add_argument("--version", action="version", version=f"gdviz {__version__}")
    g = p.add_argument_group("desktop")
    g.add_argument("--install-desktop", action="store_true",
                   help="add gdviz to your desktop's application menu (per user: icon, menu entry, .gdviz files)")
    g.add_argument("--uninstall-desktop", action="store_true", help="remove what --install-desktop added")
    return p


def run_headless(args: argparse.Namespace, out=None, err=None) -> int:
    """Fit the plane and print the tutorial's lines; return the exit status."""
    from gdviz.training import TrainConfig

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    config = TrainConfig(mode=args.mode, optimizer=args.optimizer, lr=args.lr,
                         momentum=args.momentum)
    try:
        config.validated()
    except ValueError as e:  # argparse checked already; this is a safety net, not a traceback
        print(f"gdviz: {e}", file=err)
        return EXIT_USAGE
    try:
        fit, generator, history = prepare_fit(args, config)
    except (ValueError, OSError) as e:
        print(f"gdviz: {e}", file=err)
        return EXIT_USAGE
    if getattr(args, "load_session", None) and fit.diverged_at is not None:
        print(f"gdviz: the session diverged at step {fit.diverged_at}; nothing to continue", file=err)
        return EXIT_DIVERGED
    # Run in chunks between printed steps: the tutorial prints after update `step` when
    # step % every == 0.  A reopened session goes on counting from its own step.
    # Lines and losses go out in batches (one write per batch of whole lines; the history,
    # bounded like the window's, is fed per batch too).
    from gdviz.lines_cli import LineBuffer, array_text

    base = fit.step_count
    status = EXIT_OK
    buf = LineBuffer(out, history)
    try:
        for step in range(0, args.steps, args.every):
            losses = _advance(fit, buf, base + step + 1 - fit.step_count)
            if fit.diverged_at is not None:
                buf.flush()
                status = _diverged(fit, losses, err)
                break
            W, b = fit.weights()
            buf.line(f"{base + step} {array_text(W)} {array_text(b)}")
        if status == EXIT_OK and fit.step_count < base + args.steps:
            losses = _advance(fit, buf, base + args.steps - fit.step_count)
            if fit.diverged_at is not None:
                buf.flush()
                status = _diverged(fit, losses, err)
    finally:
        buf.flush()
    if status == EXIT_OK and getattr(args, "loss", False):
        print(f"step {fit.step_count} loss {fit.snapshot().loss:.9g}", file=out)
    if getattr(args, "save_session", None):
        from gdviz.training.session_file import save

        try:
            save(args.save_session, fit, history, generator)
        except ValueError as e:
            print(f"gdviz: {e}", file=err)
            return EXIT_NO_GUI if status == EXIT_OK else status
    return status


_CHUNK = 1 << 16  # steps per call: memory stays bounded whatever --steps is (up to 10**9)


def _advance(fit, history, n: int):
    """``n`` more updates in bounded chunks; the losses of the last chunk (for a divergence message)."""
    losses = fit.steps(0)
    while n > 0 and fit.diverged_at is None:
        losses = fit.steps(min(n, _CHUNK))
        history.extend(losses)
        if not len(losses):  # nothing more can run
            break
        n -= len(losses)
    return losses


def _desktop(args: argparse.Namespace) -> int:
    from gdviz import desktop

    try:
        if args.uninstall_desktop:
            removed = desktop.uninstall()
            print(f"gdviz: removed {len(removed)} file(s) under {desktop.data_home()}")
        else:
            written = desktop.install()
            print(f"gdviz: added to the application menu ({written[0]}); "
                  f"gdviz opens .gdviz sessions and CSV files from the file manager")
    except OSError as e:
        print(f"gdviz: could not write the desktop files: {e}", file=sys.stderr)
        return EXIT_NO_GUI
    return EXIT_OK


def _diverged(fit, losses, err) -> int:
    bad = losses[-1] if len(losses) else float("nan")
    print(f"gdviz: loss became {bad} at step {fit.diverged_at}; try a smaller --lr", file=err)
    return EXIT_DIVERGED


def _no_display() -> bool:
    """True on Linux with no X/Wayland display and no Qt platform chosen.

    Qt would abort the process there with a message suggesting a reinstall.
    """
    env = os.environ
    return (sys.platform.startswith("linux") and not env.get("DISPLAY")
            and not env.get("WAYLAND_DISPLAY") and not env.get("QT_QPA_PLATFORM"))


def _unreachable_x_display() -> str | None:
    """``$DISPLAY`` when Qt would use X11 and no X server answers there (Qt would abort), else None.

    Asks libxcb directly, the library Qt's xcb platform uses; when it cannot be loaded, Qt's own
    message will have to do.
    """
    env = os.environ
    display = env.get("DISPLAY")
    platform = env.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or not display or env.get("WAYLAND_DISPLAY") \
            or platform not in ("", "xcb"):
        return None
    import ctypes
    import ctypes.util

    try:
        xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
    except OSError:
        return None
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(), None)
    try:
        return display if xcb.xcb_connection_has_error(conn) else None
    finally:
        xcb.xcb_disconnect(conn)


def _run_gui(args: argparse.Namespace) -> int:
    try:
        import PySide6  # noqa: F401  (checked first so a missing Qt gets a clear message)
    except ImportError as e:
        print(f"gdviz: the desktop app needs PySide6, which cannot be imported ({e}).\n"
              "Install it with `pip install PySide6-Essentials pyqtgraph PyOpenGL`, "
              "or run `gdviz --headless`.", file=sys.stderr)
        return EXIT_NO_GUI
    if _no_display():
        print("gdviz: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset).\n"
              "Run it in a desktop session, under `xvfb-run gdviz`, or use `gdviz --headless`.",
              file=sys.stderr)
        return EXIT_NO_GUI
    unreachable = _unreachable_x_display()
    if unreachable:
        print(f"gdviz: cannot connect to the X display {unreachable!r} (is it running, and may you use it?).\n"
              "Run it in a desktop session, under `xvfb-run gdviz`, or use `gdviz --headless`.",
              file=sys.stderr)
        return EXIT_NO_GUI
    from gdviz.gui.app import run_app

    return int(run_app(args) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``gdviz`` and ``python -m gdviz``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 with a usage message on bad arguments
    resolve_file_argument(args, parser)
    if args.install_desktop or args.uninstall_desktop:
        return _desktop(args)
    if args.analyze:
        if not args.headless:
            parser.error("--analyze runs headless: add --headless")
        refuse_unusable_with(args, parser, "--analyze")
        return _ends_cleanly(lambda: run_analyze(args, sys.stdout))
    if args.race or args.rule:
        if not args.headless:
            parser.error("--race and --rule run headless: add --headless")
        refuse_unusable_with(args, parser, "--race")
        typed = typed_options(build_parser, list(sys.argv[1:] if argv is None else argv))
        return _ends_cleanly(lambda: run_race_cli(args, typed, sys.stdout, sys.stderr))
    if args.headless:
        return _ends_cleanly(lambda: run_headless(args))
    return _run_gui(args)


def _ends_cleanly(run) -> int:
    """``run()``'s status, or the conventional one, without a traceback, when the run is
    interrupted (Ctrl+C: 130), its reader goes away (``| head -1``: 141) or its output cannot be
    written (a full disk: 1, with a message)."""
    try:
        status = run()
        sys.stdout.flush()  # here, not at exit, so a write error is ours to report
        return status
    except KeyboardInterrupt:
        _silence_stdout()
        print("gdviz: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as e:
        _silence_stdout()
        print(f"gdviz: cannot write the output: {e.strerror or e}", file=sys.stderr)
        return EXIT_OUTPUT


def _silence_stdout() -> None:
    """Point stdout at /dev/null: what is still buffered must not fail again at exit (the recipe
    in Python's signal docs for SIGPIPE)."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests capture stdout)
        pass
