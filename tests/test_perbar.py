"""backtest.run_perbar: the engine's per-bar arrays for many strategies, derived series on
demand; equal to backtest.run's frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib import backtest as bt


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(3)
    n_t = 400
    idx = pd.bdate_range("2020-01-01", periods=n_t)
    prices = pd.DataFrame(np.exp(np.cumsum(rng.normal(0, 0.02, (n_t, 2)), axis=0)) * 10,
                          index=idx, columns=["a", "b"])
    w = rng.uniform(0, 0.5, size=(n_t, 7, 2))
    w[rng.uniform(size=w.shape) < 0.4] = 0.0
    return prices, w


@pytest.mark.parametrize(("assets", "all_or_nothing"),
                         [(["a"], False), (["a", "b"], False), (["a"], True)])
def test_perbar_equals_run(case, assets, all_or_nothing) -> None:
    """``all_or_nothing``: 0/1 targets on every bar (a timing sweep), where the single-asset
    kernel jumps over the no-op bars and writes their outputs in one go."""
    prices, w = case
    cols = [prices.columns.get_loc(a) for a in assets]
    p, w = prices[assets], np.ascontiguousarray(w[:, :, cols])
    if all_or_nothing:
        w = np.asfortranarray((w > 0.2).astype(float))
    kw = {"costs": bt.CostModel.percentage(0.002), "rules": bt.Rules.none(), "cash_rate": 0.01,
          "market": bt.Market(kind="index")}
    res = bt.run(p, w, **kw)
    pb = bt.run_perbar(p, w, **kw)
    np.testing.assert_array_equal(pb.equity, res.equity.to_numpy())
    np.testing.assert_array_equal(pb.returns(), res.returns.to_numpy())
    np.testing.assert_array_equal(pb.turnover(), res.turnover.to_numpy())
    np.testing.assert_array_equal(pb.exposure(), res.exposure.to_numpy())
    np.testing.assert_array_equal(pb.costs, res.costs.to_numpy())
    np.testing.assert_array_equal(pb.shares, res.shares.to_numpy())
    pd.testing.assert_frame_equal(pb.frame("returns"), res.returns, check_names=False)
    np.testing.assert_array_equal(pb.final_values(),
                                  bt.final_values(p, w, **kw).to_numpy())


def test_perbar_float32_and_outputs(case) -> None:
    prices, w = case
    kw = {"costs": bt.CostModel.percentage(0.001), "rules": bt.Rules.none(),
          "market": bt.Market(kind="index")}
    ref = bt.run(prices, w, **kw).equity.to_numpy()
    pb = bt.run_perbar(prices, w, dtype="float32", outputs=("equity",), **kw)
    assert pb.equity.dtype == np.float32 and pb.shares is None and pb.traded is None
    np.testing.assert_allclose(pb.equity, ref, rtol=2e-7)  # float32 rounding of each value
    eq_only = bt.run_perbar(prices, w, outputs=("equity",), **kw)
    np.testing.assert_array_equal(eq_only.equity, ref)  # the skipped outputs change nothing
    with pytest.raises(bt.BacktestInputError, match="did not keep 'traded'"):
        eq_only.turnover()
    with pytest.raises(bt.BacktestInputError, match="dtype"):
        bt.run_perbar(prices, w, dtype="float16", **kw)
    with pytest.raises(bt.BacktestInputError, match="outputs"):
        bt.run_perbar(prices, w, outputs=("pnl",), **kw)
