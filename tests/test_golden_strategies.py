"""Golden weights and equity per strategy (tests/golden/strategies/), 2023-01-03 .. 06-30.

The checked-in numbers come from routes independent of the strategies' code (see
make_golden.py there): plain-pandas weights from each rule's description with the timing
regime by hand, and the plain-Python reference loop for equity (industry_stocks: CNY
capital, lots and the real stock market). quantlib.run_strategy must
reproduce them. A commit that changes a golden file must say why the number changed
(docs/testing.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantlib import run_strategy
from quantlib.strategies import available

GOLDEN = Path(__file__).parent / "golden" / "strategies"
START, END = "2023-01-03", "2023-06-30"
REFS = {"ma_distance_timing": "ma_distance_timing", "valuation_position": "valuation_position",
        "industry_rotation": "industry_rotation", "industry_stocks": "industry_stocks",
        "momentum": str(Path(__file__).parents[1] / "examples" / "momentum.py") + ":Momentum"}


def _golden(name: str) -> tuple[pd.DataFrame, pd.Series]:
    w = pd.read_csv(GOLDEN / f"{name}_weights.csv", index_col="date", parse_dates=True)
    eq = pd.read_csv(GOLDEN / f"{name}_equity.csv", index_col="date", parse_dates=True)
    w = w.astype("float64")
    w.index = w.index.astype("datetime64[ns]")
    eq.index = eq.index.astype("datetime64[ns]")
    return w, eq["equity"]


def test_every_registered_strategy_has_a_golden_file() -> None:
    names = {strategy.name for strategy, _ in available()}
    assert names <= set(REFS) and len(names) >= 3


@pytest.mark.parametrize("name", list(REFS))
def test_strategy_reproduces_its_golden_file(name: str) -> None:
    want_w, want_eq = _golden(name)
    run = run_strategy(REFS[name], start=START, end=END)
    got_w = run.weights.astype("float64")
    got_w.columns = got_w.columns.astype(str)
    pd.testing.assert_frame_equal(got_w, want_w, check_names=False, check_freq=False,
                                  rtol=0, atol=1e-15)
    assert run.result.equity.index.equals(want_eq.index)
    np.testing.assert_allclose(run.result.equity.to_numpy(), want_eq.to_numpy(), rtol=1e-10)
    assert want_eq.iloc[-1] != 1.0  # the window trades


@pytest.mark.slow
def test_golden_files_are_what_the_independent_route_gives() -> None:
    """Regenerating the files from make_golden.py's routes gives the checked-in numbers."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    for name, (weights, equity) in module.golden().items():
        want_w, want_eq = _golden(name)
        weights.index = weights.index.astype("datetime64[ns]")
        pd.testing.assert_frame_equal(weights, want_w, check_names=False, check_freq=False,
                                      rtol=0, atol=1e-15)
        np.testing.assert_allclose(equity.to_numpy(), want_eq.to_numpy(), rtol=1e-14)
