"""Parity with vectorbt ``Portfolio.from_orders(size_type="targetpercent")`` where models coincide.

Coinciding model: frictionless or percentage fees (+ slippage), no A-share rules, fractional
shares, unit capital. quantlib fills a weights row dated t at t+1, so vectorbt gets the weights
shifted by one bar (NaN = no order) and the same fill price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib import backtest as bt

vbt = pytest.importorskip("vectorbt")


def _market(seed: int, n_t: int, n_a: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2019-01-01", periods=n_t)
    close = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0, 0.02, (n_t, n_a)), 0)), idx,
                         [f"x{i}" for i in range(n_a)])
    open_ = close * np.exp(rng.normal(0, 0.005, (n_t, n_a)))
    return close, open_


def _vbt(close, weights, fees, slippage=0.0, open_=None, group=True):
    size = weights.reindex(close.index).shift(1)
    kw = {"price": open_} if open_ is not None else {}
    return vbt.Portfolio.from_orders(
        close, size, size_type="targetpercent", fees=fees, slippage=slippage, init_cash=1.0,
        cash_sharing=group, group_by=True if group else None, call_seq="auto" if group else None,
        freq="D", **kw)


@pytest.mark.parametrize("fees", [0.0, 0.001])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_multi_asset_cash_sharing_matches_vectorbt(fees, seed):
    close, _ = _market(seed, 250, 5)
    rng = np.random.default_rng(seed + 10)
    w = pd.DataFrame(rng.dirichlet(np.ones(6), 250)[:, :5], close.index, close.columns)
    w = w.iloc[:: 1 + seed * 3]  # daily, every 4th bar, every 7th bar
    ours = bt.run(close, w, costs=bt.CostModel.percentage(fees), rules=bt.Rules.none(),
                  record_trades=True)
    pf = _vbt(close, w, fees)
    np.testing.assert_allclose(ours.equity.to_numpy(), pf.value().to_numpy(), rtol=1e-9)
    assert len(ours.trades) == len(pf.orders.records)
    np.testing.assert_allclose(ours.trades["cost"].sum(), pf.orders.records["fees"].sum(),
                               rtol=1e-9)


@pytest.mark.parametrize("fees", [0.0, 0.001])
def test_single_asset_binary_timing_matches_vectorbt(fees):
    close, _ = _market(3, 600, 1)
    ma_s, ma_l = close.rolling(5).mean(), close.rolling(30).mean()
    w = ((ma_s - ma_l) / ma_l > 0.002).astype(float)
    ours = bt.run(close, w, costs=bt.CostModel.percentage(fees), rules=bt.Rules.none())
    pf = _vbt(close, w, fees, group=False)
    np.testing.assert_allclose(ours.equity.to_numpy(), pf.value().to_numpy().ravel(), rtol=1e-9)


def test_next_open_fill_and_slippage_match_vectorbt():
    close, open_ = _market(4, 200, 3)
    rng = np.random.default_rng(4)
    w = pd.DataFrame(rng.dirichlet(np.ones(4), 200)[:, :3], close.index, close.columns).iloc[::5]
    costs = bt.CostModel.percentage(0.0015, slippage_bps=7.0)
    ours = bt.run(close, w, fill="next_open", market=bt.Market(open=open_), costs=costs,
                  rules=bt.Rules.none())
    pf = _vbt(close, w, 0.0015, slippage=7e-4, open_=open_)
    np.testing.assert_allclose(ours.equity.to_numpy(), pf.value().to_numpy(), rtol=1e-9)


def test_many_strategies_with_cash_sharing_groups_match_vectorbt():
    close, _ = _market(5, 300, 3)
    rng = np.random.default_rng(5)
    parts = {s: pd.DataFrame(rng.dirichlet(np.ones(4), 300)[:, :3], close.index, close.columns)
             .iloc[::3] for s in range(4)}
    multi = pd.concat(parts, axis=1)
    fv = bt.final_values(close, multi, costs=bt.CostModel.percentage(0.001),
                         rules=bt.Rules.none())
    size = multi.reindex(close.index).shift(1)
    wide_close = pd.concat({s: close for s in parts}, axis=1)
    pf = vbt.Portfolio.from_orders(wide_close, size, size_type="targetpercent", fees=0.001,
                                   init_cash=1.0, cash_sharing=True, group_by=0, call_seq="auto",
                                   freq="D")
    np.testing.assert_allclose(fv.to_numpy(), pf.final_value().to_numpy(), rtol=1e-9)
