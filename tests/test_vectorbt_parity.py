"""Parity with vectorbt ``Portfolio.from_orders(size_type="targetpercent")`` where models coincide.

Coinciding model: frictionless or percentage fees (+ slippage), no A-share rules, fractional
shares, unit capital. quantlib fills a weights row dated t at t+1, so vectorbt gets the weights
shifted by one bar (NaN = no order) and the same fill price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantlib import backtest as bt

vbt = pytest.importorskip("vectorbt")

#: vectorbt has no asset kinds: frictionless index-like columns (no stamp duty, no limits).
INDEX = bt.Market(kind="index")


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
                  market=INDEX,
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
    ours = bt.run(close, w, costs=bt.CostModel.percentage(fees), rules=bt.Rules.none(),
                  market=INDEX)
    pf = _vbt(close, w, fees, group=False)
    np.testing.assert_allclose(ours.equity.to_numpy(), pf.value().to_numpy().ravel(), rtol=1e-9)


def test_next_open_fill_and_slippage_match_vectorbt():
    close, open_ = _market(4, 200, 3)
    rng = np.random.default_rng(4)
    w = pd.DataFrame(rng.dirichlet(np.ones(4), 200)[:, :3], close.index, close.columns).iloc[::5]
    costs = bt.CostModel.percentage(0.0015, slippage_bps=7.0)
    ours = bt.run(close, w, fill="next_open", market=bt.Market(open=open_, kind="index"),
                  costs=costs, rules=bt.Rules.none())
    pf = _vbt(close, w, 0.0015, slippage=7e-4, open_=open_)
    np.testing.assert_allclose(ours.equity.to_numpy(), pf.value().to_numpy(), rtol=1e-9)


def test_many_strategies_with_cash_sharing_groups_match_vectorbt():
    close, _ = _market(5, 300, 3)
    rng = np.random.default_rng(5)
    parts = {s: pd.DataFrame(rng.dirichlet(np.ones(4), 300)[:, :3], close.index, close.columns)
             .iloc[::3] for s in range(4)}
    multi = pd.concat(parts, axis=1)
    fv = bt.final_values(close, multi, costs=bt.CostModel.percentage(0.001), market=INDEX,
                         rules=bt.Rules.none())
    size = multi.reindex(close.index).shift(1)
    wide_close = pd.concat({s: close for s in parts}, axis=1)
    pf = vbt.Portfolio.from_orders(wide_close, size, size_type="targetpercent", fees=0.001,
                                   init_cash=1.0, cash_sharing=True, group_by=0, call_seq="auto",
                                   freq="D")
    np.testing.assert_allclose(fv.to_numpy(), pf.final_value().to_numpy(), rtol=1e-9)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n_t=st.integers(5, 80), n_a=st.integers(1, 5),
       every=st.integers(1, 10), fees=st.sampled_from([0.0, 0.0005, 0.001, 0.003]),
       slip_bps=st.sampled_from([0.0, 10.0]), next_open=st.booleans())
def test_random_cases_match_vectorbt(seed, n_t, n_a, every, fees, slip_bps, next_open):
    close, open_ = _market(seed, n_t, n_a)
    rng = np.random.default_rng(seed)
    raw = rng.dirichlet(np.ones(n_a + 1), n_t)[:, :n_a] * rng.choice([0.0, 1.0], (n_t, n_a),
                                                                     p=[0.3, 0.7])
    w = pd.DataFrame(raw, close.index, close.columns).iloc[::every]
    ours = bt.run(close, w, fill="next_open" if next_open else "next_close",
                  market=bt.Market(open=open_, kind="index"), rules=bt.Rules.none(),
                  costs=bt.CostModel.percentage(fees, slippage_bps=slip_bps))
    pf = _vbt(close, w, fees, slippage=slip_bps / 1e4, open_=open_ if next_open else None)
    np.testing.assert_allclose(ours.equity.to_numpy(), pf.value().to_numpy(), rtol=1e-9)
