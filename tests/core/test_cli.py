"""The ``gdviz`` command line: argument checking, headless output, exit statuses."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from gdviz.cli import build_parser, main

# One ``print(step, W, b)`` line: numpy pads and rounds its text differently when the last float32
# digit differs between CPUs, so the numbers are parsed, never the layout.
LINE = re.compile(r"^(\d+) \[\[\s*(\S+)\s+(\S+)\s*\]\] \[\s*(\S+)\s*\]$")


def parse_line(line: str) -> tuple[int, float, float, float]:
    """``'20 [[0.10000399 0.1999948 ]] [0.3]'`` -> (20, 0.10000399, 0.1999948, 0.3)."""
    m = LINE.match(line)
    assert m, f"not a 'step [[w1 w2]] [b]' line: {line!r}"
    return int(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4))


def test_parse_line_ignores_numpy_padding():
    assert parse_line("200 [[0.10000399 0.1999948 ]] [0.3000001]") == (
        200, 0.10000399, 0.1999948, 0.3000001)
    assert parse_line("0 [[ 0.1 -0.2]] [ 0.3]") == (0, 0.1, -0.2, 0.3)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gdviz", *args], capture_output=True,
                          text=True, timeout=120)


# --- argument parsing (in-process, no engine needed) -------------------------------------------

def test_defaults_match_the_tutorial():
    a = build_parser().parse_args([])
    assert (a.headless, a.mode, a.optimizer, a.lr, a.steps, a.every, a.points, a.noise,
            a.seed, a.scene) == (False, "optimizer", "gd", 0.5, 201, 20, 100, 0.0, 0, "plane")


@pytest.mark.parametrize("argv", [
    ["--lr", "0"], ["--lr", "-1"], ["--lr", "abc"], ["--lr", "nan"], ["--lr", "inf"],
    ["--points", "0"], ["--points", "1.5"], ["--steps", "-1"], ["--every", "0"],
    ["--noise", "-0.1"], ["--seed", "-3"], ["--momentum", "1"], ["--momentum", "-0.5"],
    ["--mode", "auto"], ["--optimizer", "sgd"], ["--scene", "moon"], ["--bogus"],
])
def test_bad_arguments_exit_2_with_usage(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(["--headless", *argv])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: gdviz")
    assert "error:" in err


def test_bad_argument_message_names_the_option(capsys):
    with pytest.raises(SystemExit):
        main(["--headless", "--lr", "-2"])
    err = capsys.readouterr().err
    assert "--lr" in err and "learning rate must be in [1e-06, 100.0], not -2.0" in err


def test_gui_without_pyside6_exits_1_with_a_clear_message():
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "from gdviz.cli import main\n"
            "sys.exit(main([]))\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert "PySide6" in p.stderr and "--headless" in p.stderr
    assert "Traceback" not in p.stderr


# --- headless runs (subprocess: the real ``python -m gdviz``) ----------------------------------

def test_headless_prints_the_tutorial_lines():
    p = run_cli("--headless")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert len(lines) == 11  # steps 0, 20, ..., 200
    rows = [parse_line(line) for line in lines]
    assert [r[0] for r in rows] == list(range(0, 201, 20))
    _, w1, w2, b = rows[-1]
    assert w1 == pytest.approx(0.1, abs=1e-3) and w2 == pytest.approx(0.2, abs=1e-3)
    assert b == pytest.approx(0.3, abs=1e-3)
    assert p.stderr == ""


def test_headless_modes_print_identical_numbers():
    a = run_cli("--headless", "--mode", "optimizer", "--seed", "3")
    b = run_cli("--headless", "--mode", "manual", "--seed", "3")
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout


def test_headless_is_deterministic_and_seed_matters():
    a = run_cli("--headless", "--steps", "5", "--every", "1", "--seed", "1")
    b = run_cli("--headless", "--steps", "5", "--every", "1", "--seed", "1")
    c = run_cli("--headless", "--steps", "5", "--every", "1", "--seed", "2")
    assert a.stdout == b.stdout != c.stdout
    assert len(a.stdout.splitlines()) == 5


def test_headless_options_steps_every_optimizer():
    p = run_cli("--headless", "--optimizer", "adam", "--lr", "0.05", "--steps", "401",
                "--every", "100", "--points", "30", "--noise", "0.01")
    assert p.returncode == 0, p.stderr
    assert [line.split()[0] for line in p.stdout.splitlines()] == ["0", "100", "200", "300", "400"]


def test_headless_divergence_exits_3_naming_the_step():
    p = run_cli("--headless", "--lr", "50")
    assert p.returncode == 3
    m = re.search(r"loss became (inf|nan) at step (\d+); try a smaller --lr", p.stderr)
    assert m, p.stderr
    assert "Traceback" not in p.stderr
    # Lines printed before the divergence are all for earlier steps.
    printed = [int(line.split()[0]) for line in p.stdout.splitlines()]
    assert all(s < int(m.group(2)) for s in printed)


def test_headless_bad_argument_in_a_real_process_exits_2():
    p = run_cli("--headless", "--points", "0")
    assert p.returncode == 2
    assert p.stderr.startswith("usage: gdviz") and "--points" in p.stderr
    assert p.stdout == "" and "Traceback" not in p.stderr


def test_main_in_process_returns_status(capsys):
    assert main(["--headless", "--steps", "3", "--every", "2"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["0", "2"]


def test_without_headless_hands_the_arguments_to_the_app(monkeypatch):
    # Stand-ins for PySide6 and gdviz.gui.app: this core test must not load Qt.
    import types

    calls = []
    app = types.ModuleType("gdviz.gui.app")
    app.run_app = lambda args: calls.append(args) or 7
    monkeypatch.setitem(sys.modules, "PySide6", types.ModuleType("PySide6"))
    monkeypatch.setitem(sys.modules, "gdviz.gui.app", app)
    monkeypatch.setenv("DISPLAY", ":0")
    assert main(["--scene", "playground", "--optimizer", "adam", "--lr", "0.1"]) == 7
    (args,) = calls
    assert (args.scene, args.optimizer, args.lr, args.headless) == ("playground", "adam", 0.1, False)


def test_headless_loss_is_the_loss_after_n_updates(capsys):
    from gdviz.training import PlaneFit, make_plane_data

    assert main(["--headless", "--steps", "3", "--every", "5", "--loss"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    m = re.fullmatch(r"step (\d+) loss (\S+)", last)
    assert m and int(m.group(1)) == 3
    fit = PlaneFit(make_plane_data(100, 0.0, 0), init_seed=0)
    losses = fit.steps(3)
    # the loss at step 3 is the state's after 3 updates: not the last pre-update value
    assert float(m.group(2)) == pytest.approx(fit.snapshot().loss, rel=1e-6)
    assert float(m.group(2)) != pytest.approx(losses[-1], rel=1e-3)
