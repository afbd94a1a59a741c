"""One set of limits (gdviz/limits.py): the CLI, TrainConfig, the settings and the controls agree."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.cli import main
from gdviz.limits import LIMITS, check
from gdviz.training.types import TrainConfig


@pytest.mark.parametrize("name,value,says", [
    ("points", 100_000_000, "points must be in [2, 100000], not 100000000"),   # took 15 GB before
    ("seed", 2**31, "seed must be in [0, 2147483647], not 2147483648"),         # OverflowError in a spin box
    ("lr", 1e-300, "learning rate must be in [1e-06, 100.0], not 1e-300"),    # float32 trains nothing
    ("grad_ys", 1e39, "grad_ys must be in [-1e+06, 1e+06], not 1e+39"),        # inf in float32
    ("grad_ys", 1e-9, "grad_ys must be 0 or at least 1e-06 in size"),          # 0 in float32
    ("steps", 10**12, "steps must be in [0, 1000000000]"),                     # 7 TiB up front before
    ("lr", "0.5", "learning rate must be a number"),                           # a settings file's string
    ("lr", True, "learning rate must be a number"),
    ("seed", 1.5, "seed must be an integer"),
    ("noise", float("nan"), "noise must be finite"),
])
def test_out_of_range_is_refused_with_the_range(name, value, says):
    with pytest.raises(ValueError) as e:
        check(name, value)
    assert says in str(e.value)


def test_in_range_values_come_back_typed():
    assert check("lr", np.float32(0.5)) == 0.5 and isinstance(check("lr", 1), float)
    assert check("seed", np.int64(7)) == 7 and isinstance(check("seed", np.int64(7)), int)
    assert check("grad_ys", 0.0) == 0.0 and check("grad_ys", -2) == -2.0


@pytest.mark.parametrize("field,value", [("lr", "0.5"), ("lr", 1e-300), ("momentum", 1.0), ("grad_ys", 1e39),
                                         ("beta2", 1.0), ("epsilon", 0.0)])
def test_train_config_uses_the_same_limits(field, value):
    with pytest.raises(ValueError, match="must be"):
        TrainConfig(**{field: value}).validated()


@pytest.mark.parametrize("argv,says", [
    (["--points", "100000000"], "points must be in [2, 100000]"),
    (["--seed", "2147483648"], "seed must be in [0, 2147483647]"),
    (["--lr", "1e-300"], "learning rate must be in [1e-06, 100.0]"),
    (["--steps", str(10**12)], "steps must be in [0, 1000000000]"),
    (["--momentum", "0.9995"], "momentum must be in [0.0, 0.999]"),
])
def test_the_cli_refuses_with_the_range(argv, says, capsys):
    with pytest.raises(SystemExit) as e:
        main(["--headless", *argv])
    assert e.value.code == 2
    assert says in capsys.readouterr().err


def test_every_limit_names_itself_and_has_a_range():
    for name, limit in LIMITS.items():
        assert limit.low < limit.high and limit.what, name
        assert limit.range_text().startswith(("[", "(")), name


def test_a_long_headless_run_steps_in_bounded_chunks():
    """``--steps 10**9`` used to ask PlaneFit.steps for 10**9 losses at once (8 GB)."""
    from gdviz import cli

    calls: list[int] = []

    class Fit:
        diverged_at = None

        def steps(self, n):
            calls.append(n)
            return np.zeros(n, np.float32)

    kept: list[int] = []
    n = 3 * cli._CHUNK + 5
    cli._advance(Fit(), type("H", (), {"extend": lambda self, ls: kept.append(len(ls))})(), n)
    assert max(calls) <= cli._CHUNK and sum(calls) == n == sum(kept)
