"""The numba engine: hand-computed cases, parity with the reference loop, look-ahead, bad input."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_engine import reference_run

from quantlib import backtest as bt

FRICTIONLESS = {"costs": bt.CostModel.frictionless(), "rules": bt.Rules.none()}


def frame(values, columns=("a",), start="2024-01-01", kind="index") -> pd.DataFrame:
    """Prices that declare their asset kind, as frames from ``quantlib.data.load`` do."""
    values = np.asarray(values, dtype=float)
    values = values.reshape(len(values), -1)
    out = pd.DataFrame(values, pd.bdate_range(start, periods=len(values)), list(columns))
    out.attrs["quantlib"] = {"asset_kind": kind}
    return out


def main_board(columns) -> bt.Market:
    """Market saying every column is a main-board stock (costs, limits, lots apply)."""
    return bt.Market(assets=pd.DataFrame({"kind": "stock", "board": "main"}, index=columns))


# --------------------------------------------------------------------------- hand-computed


def test_three_bar_example_with_fees_by_hand():
    # close 10, 11, 12; weight 1 decided at the close of bar 0, filled at the close of bar 1.
    # Fee 0.1%: the full order 1/11 shares costs 1 * 1.001 > cash 1, so it is cut to
    # v = 1 / 1.001 = 0.999000999..., fee = 1 - v = 0.000999000999..., shares = v / 11.
    # equity: bar 0 = 1 (cash), bar 1 = v = 0.999000999, bar 2 = v / 11 * 12 = 1.089819271...
    close = frame([10.0, 11.0, 12.0])
    weights = close.iloc[:1] * 0 + 1.0
    res = bt.run(close, weights, costs=bt.CostModel.percentage(0.001), rules=bt.Rules.none(),
                 record_trades=True)
    v = 1 / 1.001
    np.testing.assert_allclose(res.equity.to_numpy(), [1.0, v, v / 11 * 12], rtol=1e-14)
    np.testing.assert_allclose(res.costs.to_numpy(), [0.0, 1 - v, 0.0], rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(res.returns.to_numpy(), [0.0, v - 1, 12 / 11 - 1], rtol=1e-12)
    assert res.trades["side"].tolist() == ["buy"]
    assert res.trades["shares"].iloc[0] == pytest.approx(v / 11, rel=1e-14)
    assert res.exposure.iloc[1] == pytest.approx(1.0)
    assert res.final_value == pytest.approx(v / 11 * 12, rel=1e-14)


def test_a_share_costs_min_commission_stamp_duty_by_hand():
    # 100,000 CNY, stock at 10.00. Day 1: buy 50% -> 5,000 shares = 50,000 CNY.
    # commission max(50,000 * 2.5bp = 12.5, 5) = 12.5, transfer 0.5 -> cost 13.0.
    # Day 2 (2023-08-28, stamp 0.05%): sell all 5,000 at 10.00: 12.5 + 0.5 + 25 = 38.0.
    idx = pd.DatetimeIndex(["2023-08-24", "2023-08-25", "2023-08-28"])
    close = pd.DataFrame({"s": [10.0, 10.0, 10.0]}, idx)
    weights = pd.DataFrame({"s": [0.5, 0.0]}, idx[:2])
    res = bt.run(close, weights, init_cash=100_000.0, record_trades=True,
                 market=main_board(close.columns))
    assert res.trades["shares"].tolist() == [5000.0, 5000.0]
    np.testing.assert_allclose(res.costs.to_numpy(), [0.0, 13.0, 38.0], rtol=1e-12)
    assert res.final_value == pytest.approx(100_000 - 51.0)
    # a small order pays the 5 CNY minimum: 1% = 1,000 CNY = 100 shares, 5 + 0.01 transfer
    small = bt.run(close, weights * 0.02, init_cash=100_000.0, record_trades=True,
                   market=main_board(close.columns))
    assert small.trades["shares"].iloc[0] == 100.0
    assert small.trades["cost"].iloc[0] == pytest.approx(5.0 + 1000 * 1e-5)


def test_next_open_fill_uses_open_and_values_at_close():
    close = frame([10.0, 12.0, 12.0])
    open_ = frame([10.0, 11.0, 12.0])
    weights = close.iloc[:1] * 0 + 1.0
    res = bt.run(close, weights, fill="next_open", market=bt.Market(open=open_), **FRICTIONLESS)
    np.testing.assert_allclose(res.equity.to_numpy(), [1.0, 12 / 11, 12 / 11])


def test_same_bar_fill_is_explicit_lookahead():
    close = frame([10.0, 11.0, 12.0])
    weights = close.iloc[:1] * 0 + 1.0
    res = bt.run(close, weights, fill="same_close_lookahead", **FRICTIONLESS)
    np.testing.assert_allclose(res.equity.to_numpy(), [1.0, 1.1, 1.2])


def test_drift_between_rebalances_and_cash_remainder():
    close = frame(np.c_[[10.0, 10, 20, 20], [10.0, 10, 10, 10]], columns="ab")
    weights = close.iloc[:1] * 0 + [0.4, 0.4]
    res = bt.run(close, weights, **FRICTIONLESS)
    np.testing.assert_allclose(res.equity.to_numpy(), [1.0, 1.0, 1.4, 1.4])
    np.testing.assert_allclose(res.positions.iloc[2].to_numpy(), [0.8 / 1.4, 0.4 / 1.4])
    np.testing.assert_allclose(res.exposure.to_numpy(), [0, 0.8, 1.2 / 1.4, 1.2 / 1.4])


# --------------------------------------------------------------------------- A-share rules


def test_limit_up_blocks_buy_and_order_stays_pending():
    # bar 1 closes at limit-up (10 -> 11.00): the buy waits and fills at bar 2's close.
    close = frame([10.0, 11.0, 11.5, 11.5])
    weights = close.iloc[:1] * 0 + 1.0
    rules = bt.Rules(lots=False)
    res = bt.run(close, weights, costs=bt.CostModel.frictionless(), rules=rules,
                 record_trades=True, market=main_board(close.columns))
    assert res.trades["date"].tolist() == [close.index[2]]
    np.testing.assert_allclose(res.equity.to_numpy(), [1, 1, 1, 1])
    # the same closes as an index: no limit, the buy fills at the limit-up close of bar 1
    index = bt.run(close, weights, costs=bt.CostModel.frictionless(), rules=rules,
                   record_trades=True)
    assert index.trades["date"].tolist() == [close.index[1]]
    off = bt.run(close, weights, **FRICTIONLESS)
    assert off.final_value == pytest.approx(11.5 / 11)


def test_limit_down_blocks_sell_st_and_chinext_boards():
    close = frame(np.c_[[10.0, 10, 9.5, 9.0], [10.0, 10, 9.0, 8.0]], columns=["st", "cy"],
                  start="2020-08-20")
    assets = pd.DataFrame({"kind": "stock", "board": ["main", "chinext"], "st": [True, False]},
                          index=["st", "cy"])
    weights = pd.DataFrame([[0.5, 0.5], [0.0, 0.0]], close.index[:2], close.columns)
    res = bt.run(close, weights, costs=bt.CostModel.frictionless(), rules=bt.Rules(lots=False),
                 market=bt.Market(assets=assets), record_trades=True)
    sells = res.trades[res.trades.side == "sell"]
    # Sells are due on 2020-08-24. ST (5%): limit-down 9.50, close 9.50 -> blocked, pending;
    # 08-25: limit-down round(9.50 * 0.95) = 9.03 and close 9.00 <= 9.03 -> blocked again.
    # ChiNext -10% (9.00) is inside its 20% band from 2020-08-24 -> sells on 08-24.
    assert sells["asset"].tolist() == ["cy"]
    assert sells["date"].iloc[0] == close.index[2]


def test_suspension_nan_price_and_zero_volume_hold_position():
    close = frame([10.0, np.nan, 10.5, 10.5])
    volume = frame([1.0, 0.0, 1.0, 0.0])
    weights = close.iloc[:1] * 0 + 1.0
    res = bt.run(close, weights, market=bt.Market(volume=volume), record_trades=True,
                 costs=bt.CostModel.frictionless(), rules=bt.Rules(lots=False))
    assert res.trades["date"].tolist() == [close.index[2]]
    # hold through a later suspension: equity valued at the last close
    w2 = pd.DataFrame({"a": [1.0, 0.0]}, close.index[[0, 2]])
    res2 = bt.run(close, w2, market=bt.Market(volume=volume), record_trades=True,
                  costs=bt.CostModel.frictionless(), rules=bt.Rules(lots=False))
    assert res2.trades["side"].tolist() == ["buy"]  # the sell on bar 3 is suspended
    assert res2.equity.iloc[-1] == pytest.approx(1.0)


def test_lots_round_down_to_100_shares():
    close = frame([10.0, 10.0, 10.0])
    weights = close.iloc[:1] * 0 + 0.5
    res = bt.run(close, weights, init_cash=10_555.0, costs=bt.CostModel.frictionless(),
                 record_trades=True, market=main_board(close.columns))
    assert res.trades["shares"].tolist() == [500.0]
    unlotted = bt.run(close, weights, init_cash=10_555.0, costs=bt.CostModel.frictionless(),
                      rules=bt.Rules(lots=False), record_trades=True)
    assert unlotted.trades["shares"].iloc[0] == pytest.approx(527.75)


def test_a_target_exactly_on_a_lot_boundary_buys_that_lot():
    # 0.5 x 21,600 CNY at 21.60 is exactly 500 shares; in floating point 499.99999999999994,
    # which a plain floor to lots turns into 400. Frictionless, so no fee changes the count;
    # the same boundary again after a full exit.
    close = frame([21.6, 21.6, 21.6, 21.6])
    assert 0.5 * 21_600.0 / 21.6 < 500.0  # the rounding this test is about
    weights = pd.DataFrame({"a": [0.5, 0.0, 0.5]}, index=close.index[:3])
    res = bt.run(close, weights, init_cash=21_600.0, costs=bt.CostModel.frictionless(),
                 record_trades=True, market=main_board(close.columns))
    assert res.trades["shares"].tolist() == [500.0, 500.0, 500.0]
    assert res.trades["side"].tolist() == ["buy", "sell", "buy"]


def test_a_partly_nan_row_names_its_strategy_and_asset():
    # 2 strategies x 2 assets, nan_rows="hold": strategy 1's first row is NaN for asset 1 only
    # (column 3 of the (rows, strategy * asset) matrix), so the error names strategy 1, asset 1
    close = frame([[10.0, 20.0]] * 3, columns=("a", "b"))
    w = np.zeros((3, 2, 2))
    w[0, 1, 1] = np.nan
    with pytest.raises(bt.WeightsError, match=r"partly NaN at row 2024-01-01, strategy 1, "
                                              r"asset 1"):
        bt.run(close, w, nan_rows="hold")


# --------------------------------------------------------------------------- parity with reference


@st.composite
def market_case(draw):
    n_t = draw(st.integers(4, 30))
    n_a = draw(st.integers(1, 4))
    moves = st.sampled_from([0.0, 0.01, -0.02, 0.03, 0.1, -0.1, 0.2, -0.2, 0.05, -0.05])
    rets = np.array(draw(st.lists(st.lists(moves, min_size=n_a, max_size=n_a),
                                  min_size=n_t, max_size=n_t)))
    close = np.round(10 * np.cumprod(1 + rets, axis=0), 2)
    nan_mask = np.array(draw(st.lists(st.lists(st.booleans(), min_size=n_a, max_size=n_a),
                                      min_size=n_t, max_size=n_t)))
    nan_mask &= np.array(draw(st.booleans()))  # about half the cases have no gaps
    close[nan_mask & (np.arange(n_t)[:, None] % 3 == 1)] = np.nan
    names = [f"x{i}" for i in range(n_a)]
    idx = pd.bdate_range(draw(st.sampled_from(["2020-08-18", "2023-08-22", "2008-09-12",
                                               "2015-07-27", "2026-06-22"])), periods=n_t)
    close_df = pd.DataFrame(close, idx, names)
    open_df = pd.DataFrame(np.round(close * draw(st.sampled_from([0.99, 1.0, 1.02])), 2), idx,
                           names)
    volume = pd.DataFrame(np.where(np.arange(n_t)[:, None] % 4 == draw(st.integers(0, 4)),
                                   0.0, 1e6) * np.ones((n_t, n_a)), idx, names)
    rows = sorted(draw(st.sets(st.integers(0, n_t - 1), min_size=1, max_size=n_t)))
    raw = np.array(draw(st.lists(st.lists(st.sampled_from([0.0, 0.1, 0.3, 0.5, 1.0]),
                                          min_size=n_a, max_size=n_a),
                                 min_size=len(rows), max_size=len(rows))))
    raw = raw / np.maximum(raw.sum(axis=1, keepdims=True), 1.0)
    weights = pd.DataFrame(raw, idx[rows], names)
    assets = pd.DataFrame({
        "board": draw(st.lists(st.sampled_from(["main", "chinext", "star", "etf", "index"]),
                               min_size=n_a, max_size=n_a)),
        "st": draw(st.lists(st.booleans(), min_size=n_a, max_size=n_a)),
        "exchange": draw(st.lists(st.sampled_from(["SH", "SZ"]), min_size=n_a, max_size=n_a)),
    }, index=names)
    assets["kind"] = np.where(assets["board"] == "etf", "etf",
                              np.where(assets["board"] == "index", "index", "stock"))
    extra: dict[str, pd.DataFrame] = {}
    if draw(st.booleans()):  # ex-dates: dividends (ratio 1.02) and a 10-for-10 split (2.0)
        ratio = np.array(draw(st.lists(st.lists(st.sampled_from([1.0, 1.0, 1.0, 1.02, 2.0]),
                                                min_size=n_a, max_size=n_a),
                                       min_size=n_t, max_size=n_t)))
        ratio[0] = 1.0
        extra["adj_factor"] = pd.DataFrame(np.cumprod(ratio, axis=0), idx, names)
        if draw(st.booleans()):  # the exchange's preclose, consistent with the factor
            prev = close_df.ffill().shift(1).to_numpy()
            pre = prev / ratio
            pre[0] = close[0]
            pre = np.where(np.isnan(pre), 10.0, pre)
            extra["preclose"] = pd.DataFrame(pre, idx, names)
    if draw(st.booleans()):
        extra["tradestatus"] = pd.DataFrame(
            np.where(np.arange(n_t)[:, None] % 5 == draw(st.integers(0, 5)), 0.0, 1.0)
            * np.ones((n_t, n_a)), idx, names)
    if draw(st.booleans()):
        extra["limit_free"] = pd.DataFrame(np.arange(n_t)[:, None] % 3 == 2, idx, [names[0]])
        extra["limit_free"][names[1:]] = False
    if draw(st.booleans()):
        extra["is_st"] = pd.DataFrame(np.repeat(np.arange(n_t)[:, None] % 7 < 3, n_a, axis=1),
                                      idx, names)
    return close_df, open_df, volume, weights, assets, extra


cost_models = st.builds(
    bt.CostModel,
    commission_rate=st.sampled_from([0.0, 0.00025, 0.001, 0.003]),
    min_commission_cny=st.sampled_from([0.0, 5.0]),
    transfer_fee_rate=st.sampled_from([None, 0.0, 0.00001]),
    slippage_bps=st.sampled_from([0.0, 5.0]),
)
rule_sets = st.builds(bt.Rules, price_limits=st.booleans(), suspension=st.booleans(),
                      lots=st.booleans())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=market_case(), costs=cost_models, rules=rule_sets,
       init_cash=st.sampled_from([None, 20_000.0, 1e6]),
       fill=st.sampled_from(list(bt.FILL_MODES)), hold_every=st.sampled_from([0, 2, 3]),
       cash_rate=st.sampled_from([0.0, 0.0, 0.02, 0.3]))
def test_engine_matches_reference_loop(case, costs, rules, init_cash, fill, hold_every,
                                       cash_rate):
    close, open_, volume, weights, assets, frames = case
    market = bt.Market(open=open_, volume=volume, assets=assets, **frames)
    if hold_every:  # all-NaN rows on other dates: "no rebalance" with nan_rows="hold"
        extra = close.index[::hold_every].difference(weights.index)
        weights = pd.concat([weights, pd.DataFrame(np.nan, extra, weights.columns)])
        weights = weights.sort_index()
    res = bt.run(close, weights, fill=fill, costs=costs, rules=rules, init_cash=init_cash,
                 market=market, record_trades=True, nan_rows="hold" if hold_every else "error",
                 cash_rate=cash_rate)
    ref = reference_run(close, weights, fill=fill, costs=costs, rules=rules, init_cash=init_cash,
                        open_=open_, volume=volume, assets=assets, cash_rate=cash_rate,
                        **frames)
    np.testing.assert_allclose(res.equity.to_numpy(), ref.equity, rtol=1e-9)
    np.testing.assert_allclose(res.costs.to_numpy(), ref.costs, rtol=1e-9, atol=1e-12)
    got = list(zip(res.trades["date"].map(close.index.get_loc), res.trades["asset"],
                   res.trades["side"], strict=True))
    assert got == [(t, a, s) for t, a, s, *_ in ref.trades]
    np.testing.assert_allclose(res.trades["shares"].to_numpy(),
                               [x[3] for x in ref.trades], rtol=1e-9)


# --------------------------------------------------------------------------- many strategies


def _random_case(seed: int, n_t: int = 80, n_a: int = 3):
    rng = np.random.default_rng(seed)
    close = frame(10 * np.exp(np.cumsum(rng.normal(0, 0.02, (n_t, n_a)), 0)),
                  [f"x{i}" for i in range(n_a)])
    return rng, close


def test_multi_strategy_equals_separate_runs_and_3d_layout():
    rng, close = _random_case(1)
    parts = {}
    for s in ["s0", "s1", "s2"]:
        w = rng.dirichlet(np.ones(4), len(close))[:, :3]
        parts[s] = pd.DataFrame(w, close.index, close.columns).iloc[::3]
    multi = pd.concat(parts, axis=1)
    kw = {"costs": bt.CostModel.percentage(0.002), "rules": bt.Rules.none()}
    res = bt.run(close, multi, **kw)
    for s, w in parts.items():
        single = bt.run(close, w, **kw)
        np.testing.assert_allclose(res.equity[s].to_numpy(), single.equity.to_numpy(), rtol=1e-14)
        np.testing.assert_allclose(res.positions[s].to_numpy(), single.positions.to_numpy(),
                                   rtol=1e-12, atol=1e-15)
    full = multi.reindex(close.index).ffill()
    arr = full.to_numpy().reshape(len(close), 3, 3)
    res3 = bt.run(close, arr, strategies=["s0", "s1", "s2"], **kw)
    res_full = bt.run(close, full, **kw)
    np.testing.assert_allclose(res3.equity.to_numpy(), res_full.equity.to_numpy(), rtol=1e-14)
    fv = bt.final_values(close, arr, strategies=["s0", "s1", "s2"], **kw)
    np.testing.assert_allclose(fv.to_numpy(), res3.final_value.to_numpy(), rtol=1e-14)


def test_strategies_with_different_rebalance_dates_hold_on_nan_rows():
    """pd.concat of strategies rebalancing on different dates leaves all-NaN rows; with
    nan_rows="hold" each strategy equals its own run (fractional weights: no extra trades)."""
    rng, close = _random_case(2)
    parts = {
        "weekly": pd.DataFrame(rng.dirichlet(np.ones(4), len(close))[:, :3], close.index,
                               close.columns).iloc[::5],
        "sparse": pd.DataFrame([[0.5, 0.2, 0.0], [0.1, 0.1, 0.6]], close.index[[3, 41]],
                               close.columns),
    }
    multi = pd.concat(parts, axis=1, sort=True)
    assert multi.isna().any().any()
    kw = {"costs": bt.CostModel.percentage(0.001), "rules": bt.Rules.none()}
    res = bt.run(close, multi, nan_rows="hold", **kw)
    for name, w in parts.items():
        single = bt.run(close, w, **kw)
        np.testing.assert_allclose(res.equity[name].to_numpy(), single.equity.to_numpy(),
                                   rtol=1e-14)
        np.testing.assert_allclose(res.turnover[name].to_numpy(), single.turnover.to_numpy(),
                                   rtol=1e-12, atol=1e-15)
    fv = bt.final_values(close, multi, nan_rows="hold", **kw)
    np.testing.assert_allclose(fv.to_numpy(), res.final_value.to_numpy(), rtol=1e-14)
    with pytest.raises(bt.WeightsError, match="nan_rows='hold'"):
        bt.run(close, multi, **kw)  # default: NaN is an error, and the message names the fix
    partial = multi.copy()
    partial.iloc[0, 0] = np.nan
    partial.iloc[0, 1:3] = 0.1
    with pytest.raises(bt.WeightsError, match="partly NaN"):
        bt.run(close, partial, nan_rows="hold", **kw)
    with pytest.raises(bt.BacktestInputError, match="nan_rows='skip'"):
        bt.run(close, multi, nan_rows="skip", **kw)


# --------------------------------------------------------------------------- look-ahead


def test_lag_shifting_weights_one_bar_equals_filling_one_bar_later():
    _, close = _random_case(2, n_t=60, n_a=2)
    rng = np.random.default_rng(5)
    w = pd.DataFrame(rng.dirichlet(np.ones(3), 60)[:, :2], close.index, close.columns)
    kw = {"costs": bt.CostModel.percentage(0.001), "rules": bt.Rules.none()}
    same = bt.run(close, w.shift(1).iloc[1:], fill="same_close_lookahead", **kw)
    nxt = bt.run(close, w.iloc[:-1], fill="next_close", **kw)
    np.testing.assert_allclose(same.equity.to_numpy(), nxt.equity.to_numpy(), rtol=1e-14)
    # the engine applies the lag: weights decided at t never affect bars <= t
    later = bt.run(close, w.shift(1).iloc[1:], **kw)
    np.testing.assert_allclose(later.equity.iloc[:2].to_numpy(), [1.0, 1.0])
    assert not np.allclose(later.equity.to_numpy(), nxt.equity.to_numpy())


def test_truncating_data_after_t_changes_nothing_before_t():
    _, close = _random_case(4, n_t=70, n_a=3)
    rng = np.random.default_rng(6)
    w = pd.DataFrame(rng.dirichlet(np.ones(4), 70)[:, :3], close.index, close.columns).iloc[::2]
    full = bt.run(close, w, init_cash=1e6)
    for cut in (20, 41, 69):
        part = bt.run(close.iloc[:cut], w.loc[: close.index[cut - 1]], init_cash=1e6)
        np.testing.assert_allclose(part.equity.to_numpy(), full.equity.iloc[:cut].to_numpy(),
                                   rtol=1e-14)


def test_doubling_costs_lowers_final_value():
    _, close = _random_case(7, n_t=120, n_a=3)
    rng = np.random.default_rng(8)
    w = pd.DataFrame(rng.dirichlet(np.ones(4), 120)[:, :3], close.index, close.columns)
    base = bt.CostModel(slippage_bps=3.0)
    one = bt.run(close, w, costs=base, init_cash=1e6).final_value
    two = bt.run(close, w, costs=base.scaled(2.0), init_cash=1e6).final_value
    free = bt.run(close, w, costs=bt.CostModel.frictionless(), init_cash=1e6).final_value
    assert free > one > two


# --------------------------------------------------------------------------- bad input


def _set(df: pd.DataFrame, value: float) -> pd.DataFrame:
    out = df.copy()
    out.iloc[1, 1] = value
    return out


def _ok():
    close = frame(np.c_[[10.0, 11, 12], [5.0, 5, 5]], columns="ab")
    return close, close * 0 + 0.5


@pytest.mark.parametrize("mutate, error, match", [
    (lambda c, w: (c, w.rename(columns={"b": "z"})), bt.AlignmentError, "missing"),
    (lambda c, w: (c, w.set_axis(w.index + pd.Timedelta(days=100))), bt.AlignmentError,
     "not in prices"),
    (lambda c, w: (c, _set(w, np.nan)), bt.WeightsError, "NaN"),
    (lambda c, w: (c, w - 1.0), bt.WeightsError, "negative"),
    (lambda c, w: (c, w * 3.0), bt.WeightsError, "sum above 1"),
    (lambda c, w: (_set(c, -1.0), w), bt.PricesError, "> 0"),
    (lambda c, w: (_set(c, 0.0), w), bt.PricesError, "> 0"),
    (lambda c, w: (c.iloc[::-1], w), bt.PricesError, "sorted"),
    (lambda c, w: (pd.concat([c, c.iloc[-1:]]), w), bt.PricesError, "duplicated"),
    (lambda c, w: (c.iloc[:0], w), bt.PricesError, "empty"),
    (lambda c, w: (c, w.iloc[:0]), bt.WeightsError, "empty"),
    (lambda c, w: (c, w.iloc[::-1]), bt.AlignmentError, "sorted"),
    (lambda c, w: (c, pd.concat([w, w.iloc[-1:]])), bt.AlignmentError, "duplicated"),
    (lambda c, w: (c, w.to_numpy()), bt.WeightsError, "3-D"),
    (lambda c, w: (c, w.to_numpy()[:, None, :][:2]), bt.AlignmentError, "shape"),
    (lambda c, w: (c, pd.concat({"s": w}, axis=1).rename(columns={"a": "q"}, level=1)),
     bt.AlignmentError, "missing"),
])
def test_bad_input_raises_typed_error(mutate, error, match):
    close, weights = mutate(*_ok())
    with pytest.raises(error, match=match):
        bt.run(close, weights)


def test_unknown_fill_mode_names_the_choices():
    close, weights = _ok()
    with pytest.raises(bt.FillModeError, match="next_close"):
        bt.run(close, weights, fill="next_day")
    with pytest.raises(ValueError):
        bt.run(close, weights, fill="same_close")


def test_bad_costs_and_next_open_without_open():
    close, weights = _ok()
    with pytest.raises(bt.CostModelError):
        bt.CostModel(commission_rate=-0.1)
    with pytest.raises(bt.BacktestInputError, match="open"):
        bt.run(close, weights, fill="next_open")


def test_import_is_light():
    code = ("import sys, quantlib, quantlib.backtest, quantlib.metrics; "
            "bad = [m for m in ('numba', 'vectorbt', 'statsmodels') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


@settings(max_examples=25, deadline=None)
@given(case=market_case(), costs=cost_models, rules=rule_sets,
       init_cash=st.sampled_from([None, 50_000.0]))
def test_single_asset_fast_path_equals_general_kernel(case, costs, rules, init_cash):
    close, _open, volume, weights, assets, extra = case
    col = close.columns[:1]
    p = bt._prepare(close[col], weights[col] * 0.9, "next_close", costs, rules, init_cash,
                    bt.Market(volume=volume[col], assets=assets.loc[col],
                              **{k: v[col] for k, v in extra.items()}), None)
    fast = bt._simulate(p, store=True, record_trades=True)
    # force the general multi-asset kernel
    p = dataclasses.replace(p, params=p.params._replace(single_asset_ok=0.0))
    slow = bt._simulate(p, store=True, record_trades=True)
    for key in ("eq", "cost", "traded", "pos", "rec", "rec_count", "final"):
        np.testing.assert_array_equal(fast[key], slow[key])


# --------------------------------------------------------------------------- cash interest


def test_cash_interest_by_hand():
    """Half in cash at 5% a year: daily factor 1.05 ** (1/242). Worked by hand on 3 bars.

    Bar 0: all 1.0 is cash, earns d: 1 + d; the weights row of bar 0 trades at bar 1's close.
    Bar 1: cash (1 + d) earns d -> (1 + d)^2, then buys 0.5 of that value at price 10.
    Bar 2: price 11; cash 0.5 (1 + d)^2 earns d; shares 0.05 (1 + d)^2 are worth 0.55 (1 + d)^2.
    """
    d = 1.05 ** (1 / 242) - 1
    close = pd.DataFrame({"a": [10.0, 10.0, 11.0]}, index=pd.bdate_range("2024-01-02", periods=3))
    w = pd.DataFrame({"a": [0.5]}, index=close.index[:1])
    res = bt.run(close, w, costs=bt.CostModel.frictionless(), rules=bt.Rules.none(),
                 market=bt.Market(kind="index"),
                 cash_rate=0.05)
    g = (1 + d) ** 2
    expected = [1 + d, g, 0.5 * g * (1 + d) + 0.05 * g * 11.0]
    np.testing.assert_allclose(res.equity.to_numpy(), expected, rtol=1e-14)
    # the return of bar 2 = half the asset's +10% plus d on the half in cash
    assert res.returns.iloc[2] == pytest.approx(0.5 * 0.10 + 0.5 * d, rel=1e-12)


@pytest.mark.parametrize("bad", [-0.01, 1.0, float("nan"), "0.02", True])
def test_cash_rate_rejects_bad_values(bad):
    close = pd.DataFrame({"a": [10.0, 11.0]}, index=pd.bdate_range("2024-01-02", periods=2))
    with pytest.raises(bt.BacktestInputError, match="cash_rate"):
        bt.run(close, pd.DataFrame({"a": [1.0]}, index=close.index[:1]), cash_rate=bad)


# --------------------------------------------------------------------------- asset kinds


def test_bare_run_on_index_data_uses_the_datasets_kind():
    from quantlib import data

    close = data.load("sw_l1", start="2023-01-01", end="2024-12-31")["close"].ffill()
    assert close.attrs["quantlib"]["asset_kind"] == "index"
    weights = pd.DataFrame(1 / close.shape[1], close.index[::20], close.columns)
    bare = bt.run(close, weights, record_trades=True)
    declared = bt.run(close, weights, market=bt.Market(kind="index"),
                      costs=bt.CostModel(stamp_duty_schedule=(), stamp_duty_buy_schedule=(),
                                         transfer_fee_rate=0.0), rules=bt.Rules.none())
    np.testing.assert_allclose(bare.equity.to_numpy(), declared.equity.to_numpy(), rtol=1e-12)
    # commission (2.5 bps) is the only cost: costs / traded value = 0.00025 on every bar
    traded = bare.trades.groupby("date")["value"].sum()
    np.testing.assert_allclose(bare.costs[traded.index] / traded, 0.00025, rtol=1e-9)
    # the same numbers as a plain frame (no attrs) must say what they are
    plain = pd.DataFrame(close.to_numpy(), close.index, close.columns)
    with pytest.raises(bt.AssetKindError, match="Market\\(kind='index'\\)"):
        bt.run(plain, weights)


def test_forward_adjusted_etf_panel_warns_and_blocks_limits_conservatively():
    from quantlib import data

    close = data.load("etf", codes=["510300"], start="2024-01-01")["close"]
    weights = pd.DataFrame(1 / close.shape[1], close.index[:1], close.columns)
    with pytest.warns(bt.AdjustedPricesWarning, match="forward-adjusted"):
        bt.run(close, weights)


def test_bad_market_frames_are_typed_errors():
    close = frame([10.0, 10.0, 9.0, 9.0], ["sz.000001"], kind="stock")
    weights = close.iloc[:1] * 0 + 1.0
    pre = frame([10.0, 10.0, 10.0, 9.0], ["sz.000001"])
    gap = pre.copy()
    gap.iloc[2] = np.nan
    with pytest.raises(bt.PricesError, match=r"market\.preclose must be > 0"):
        bt.run(close, weights, market=bt.Market(preclose=gap))
    # a 10% dividend in the factor on bar 2, but the preclose shows no ex-date there
    factor = frame([1.0, 1.0, 1.1, 1.1], ["sz.000001"])
    with pytest.raises(bt.BacktestInputError, match=r"adj_factor and market\.preclose disagree"):
        bt.run(close, weights, market=bt.Market(preclose=pre, adj_factor=factor))
    # the matching preclose (10 / 1.1 = 9.0909..) is accepted and scales the shares
    ok = pre.copy()
    ok.iloc[2] = 10.0 / 1.1
    res = bt.run(close, weights, market=bt.Market(preclose=ok, adj_factor=factor),
                 costs=bt.CostModel.frictionless(), rules=bt.Rules.none())
    assert res.final_value == pytest.approx(9.0 * 1.1 / 10.0)  # adjusted: 10 -> 9 x 1.1
    with pytest.raises(bt.BacktestInputError, match="tradestatus must be 1"):
        bt.run(close, weights, market=bt.Market(tradestatus=close * 0 + 2))
    etf = frame([1.0, 1.0, 1.0, 1.0], ["510300"], kind="stock")
    with pytest.raises(bt.RulesError, match="board unknown"):
        bt.run(etf, etf.iloc[:1] * 0 + 1.0)


def test_ex_dates_keep_whole_shares_with_cash_in_lieu_by_hand():
    # 500 shares bought at 21.60 with 10,800.50 CNY (0.50 left). Bar 2: 10-for-10 bonus
    # (preclose 10.80 = 21.60 / 2, ratio 2) -> 1,000 shares, no cash. Bar 4: cash dividend
    # 0.72 (previous close 10.80, preclose 10.08, ratio 1.0714...) -> 1,071.428571... shares,
    # kept 1,071, the 0.428571... share paid at 10.08 = 4.32 CNY. On the ex-date at the
    # reference price: 1,071 x 10.08 + 4.32 = 10,800.00 = 1,000 x 10.80 (unchanged).
    # Close 10.20: 1,071 x 10.20 + 4.32 + 0.50 = 10,929.02. Bar 5 sells the odd lot in full
    # at 10.30: cash 0.50 + 4.32 + 1,071 x 10.30 = 11,036.12.
    col = ["sz.000001"]
    close = frame([20.00, 21.60, 10.80, 10.80, 10.20, 10.30], col, kind="stock")
    pre = frame([20.00, 20.00, 10.80, 10.80, 10.08, 10.20], col)
    factor = frame([1.0, 1.0, 2.0, 2.0, 2.0 * 10.80 / 10.08, 2.0 * 10.80 / 10.08], col)
    weights = pd.DataFrame({col[0]: [1.0, 0.0]}, close.index[[0, 4]])
    market = bt.Market(preclose=pre, adj_factor=factor,
                       assets=pd.DataFrame({"kind": "stock", "board": "main"}, index=col))
    kw = {"costs": bt.CostModel.frictionless(), "market": market, "record_trades": True,
          "rules": bt.Rules(price_limits=False, suspension=False, lots=True)}
    res = bt.run(close, weights, init_cash=10_800.5, **kw)
    assert res.shares[col[0]].tolist() == [0.0, 500.0, 1000.0, 1000.0, 1071.0, 0.0]
    np.testing.assert_allclose(res.equity.to_numpy(),
                               [10_800.5, 10_800.5, 10_800.5, 10_800.5, 10_929.02, 11_036.12],
                               rtol=1e-12)
    assert res.trades["shares"].tolist() == [500.0, 1071.0]  # whole lots in, odd lot out
    # The fractional run (no init_cash) keeps the exact scaled holding: x 2 x 10.80 / 10.08.
    frac = bt.run(close, weights, **kw)
    assert frac.shares[col[0]].iloc[4] == pytest.approx(1 / 21.60 * 2 * 10.80 / 10.08,
                                                        rel=1e-12)


def test_ex_date_odd_lot_is_kept_and_never_bought():
    # 1,071 shares after a dividend; a rebalance to 50% sells whole lots only (500 of the
    # 1,071 -> 571 left; selling 571 would be 53.9% of the value, the order floors to lots),
    # and a later buy adds whole lots to the odd holding.
    col = ["sz.000001"]
    close = frame([10.80, 10.80, 10.08, 10.08, 10.08], col, kind="stock")
    pre = frame([10.80, 10.80, 10.08, 10.08, 10.08], col)
    factor = frame([1.0, 1.0, 10.80 / 10.08, 10.80 / 10.08, 10.80 / 10.08], col)
    weights = pd.DataFrame({col[0]: [1.0, 0.5, 0.8]}, close.index[[0, 2, 3]])
    market = bt.Market(preclose=pre, adj_factor=factor,
                       assets=pd.DataFrame({"kind": "stock", "board": "main"}, index=col))
    res = bt.run(close, weights, init_cash=10_800.5, costs=bt.CostModel.frictionless(),
                 rules=bt.Rules(price_limits=False, suspension=False, lots=True),
                 market=market, record_trades=True)
    # 10,800.50 CNY buys 1,000 shares at 10.80 (0.50 left). Bar 3: value 1,071 x 10.08 +
    # 4.32 + 0.50 = 10,800.50; 50% = 535.74 shares -> sell 535.26, floored to 500 -> 571
    # held. Bar 4: value 10,800.50 again, 80% = 857.18 shares -> buy 286.18, floored to 200.
    assert res.shares[col[0]].tolist() == [0.0, 1000.0, 1071.0, 571.0, 771.0]
    assert res.trades["shares"].tolist() == [1000.0, 500.0, 200.0]


def test_price_datasets_carry_their_kind_through_selection_and_concat():
    from quantlib import data
    from quantlib.data.schema import DATASETS

    kinds = {n: s.asset_kind for n, s in DATASETS.items() if s.asset_kind is not None}
    assert kinds["sw_l1"] == kinds["wind_all_a"] == kinds["citic_l1"] == "index"
    assert kinds["etf"] == "etf" and DATASETS["etf"].price_basis == "forward_adjusted"
    a = data.load("sw_l1", end="2020-12-31")["close"]
    b = data.load("sw_l1", start="2021-01-01")["close"]
    both = pd.concat([a, b])  # attrs are plain strings: concat compares them with ==
    assert both.attrs["quantlib"] == {"dataset": "sw_l1", "asset_kind": "index",
                                      "price_basis": "raw"}
    assert data.load("all_a_pb").attrs["quantlib"]["asset_kind"] is None


# --------------------------------------------------------------------------- no-op bars skipped


def test_all_in_strategy_held_with_no_cash_by_hand():
    """Weight 1 on every bar, 0.1% fees: the first row buys what the cash affords at bar 1's
    close (v = 1 / 1.001, fee 1 - v), then every bar asks for the same 100% and trades nothing.
    Final value v / 11 * 13.31 = 1.21 / 1.001; the same at a price scale where the shares
    exceed the kernel's skip bound (4,000 shares: prices of 1e-4), where every bar is worked."""
    costs = {"costs": bt.CostModel.percentage(0.001), "rules": bt.Rules.none()}
    for scale in (1.0, 1e-5):
        close = frame(np.array([10.0, 11.0, 12.1, 13.31, 13.31]) * scale)
        w = pd.DataFrame({"a": 1.0}, index=close.index)
        res = bt.run(close, w, **costs)
        fv = bt.final_values(close, w, **costs)
        assert fv.iloc[0] == pytest.approx(1.21 / 1.001, rel=1e-14)
        assert fv.iloc[0] == res.equity.iloc[-1]
        assert res.costs.sum() == pytest.approx(1 - 1 / 1.001, rel=1e-12)
        assert (res.costs.iloc[2:] == 0).all() and len(res.trades) == 0  # no trade recorded


@st.composite
def all_or_nothing_case(draw):
    """One asset, several strategies with a 0/1 (or NaN: hold) target on every bar."""
    n_t = draw(st.integers(5, 40))
    n_s = draw(st.integers(1, 4))
    scale = draw(st.sampled_from([1.0, 3000.0, 1e-4, 1e4]))  # 1e-4: shares above 4,000
    rets = np.array(draw(st.lists(st.sampled_from([0.0, 0.01, -0.02, 0.05, -0.1, 0.1]),
                                  min_size=n_t, max_size=n_t)))
    close = scale * np.cumprod(1 + rets)
    if draw(st.booleans()):  # suspended days: no fill price
        close[np.arange(n_t) % draw(st.integers(3, 7)) == 2] = np.nan
    values = st.sampled_from([0.0, 1.0, 1.0, np.nan]) if draw(st.booleans()) else \
        st.sampled_from([0.0, 1.0])
    w = np.array(draw(st.lists(st.lists(values, min_size=n_s, max_size=n_s), min_size=n_t,
                               max_size=n_t)))[:, :, None]
    kind = draw(st.sampled_from(["index", "stock"]))
    extra = {}
    if draw(st.booleans()):  # ex-dates
        ratio = np.array(draw(st.lists(st.sampled_from([1.0, 1.0, 1.02, 2.0]), min_size=n_t,
                                       max_size=n_t)))
        ratio[0] = 1.0
        extra["adj_factor"] = frame(np.cumprod(ratio))
    return frame(close, kind=kind), w, kind, extra


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=all_or_nothing_case(),
       costs=st.sampled_from([bt.CostModel.percentage(0.001), bt.CostModel.frictionless(),
                              bt.CostModel(slippage_bps=5.0), bt.CostModel()]),
       init_cash=st.sampled_from([None, None, 1e6]),
       cash_rate=st.sampled_from([0.0, 0.0, 0.03]),
       fill=st.sampled_from(["next_close", "same_close_lookahead"]))
def test_skipped_noop_bars_equal_the_every_bar_kernel(case, costs, init_cash, cash_rate, fill):
    """The single-asset kernel jumps over bars that provably change nothing (flat at target
    0, or all in with no cash at target 1). Its outputs, with and without per-bar storage,
    must be bit for bit those of the general kernel, which visits every bar and every order;
    and the final values those of the plain-Python reference loop."""
    close, w, kind, extra = case
    nan_rows = "hold" if np.isnan(w).any() else "error"
    assets = pd.DataFrame({"kind": [kind], "board": ["main" if kind == "stock" else kind]},
                          index=close.columns)
    market = bt.Market(assets=assets, **extra)
    p = bt._prepare(close, w, fill, costs, bt.Rules.none(), init_cash, market, None, nan_rows,
                    cash_rate)
    general = dataclasses.replace(p, params=p.params._replace(single_asset_ok=0.0))
    for store in (False, True):
        fast = bt._simulate(p, store=store, record_trades=store)
        slow = bt._simulate(general, store=store, record_trades=store)
        for key in ("eq", "cost", "traded", "pos", "rec", "rec_count", "final"):
            np.testing.assert_array_equal(fast[key], slow[key], err_msg=key)
    for s in range(w.shape[1]):
        ws = pd.DataFrame(w[:, s, :], close.index, close.columns)
        ref = reference_run(close, ws, fill=fill, costs=costs, rules=bt.Rules.none(),
                            init_cash=init_cash, assets=assets, cash_rate=cash_rate, **extra)
        assert fast["final"][s, 0] == pytest.approx(ref.equity[-1], rel=1e-9)


# --------------------------------------------------------------------------- weights check


def _row_order_scan(w: np.ndarray, n_assets: int, max_sum: float, hold: bool):
    """check_weights_nb's contract written out: rows in order, strategies in order."""
    for r in range(w.shape[0]):
        for c0 in range(0, w.shape[1], n_assets):
            vals = w[r, c0:c0 + n_assets]
            nan = np.isnan(vals)
            if hold and nan.all():
                continue
            if hold and nan.any():
                return 4, r, c0 + int(np.argmax(nan))
            for a, x in enumerate(vals):
                if not np.isfinite(x):
                    return 1, r, c0 + a
                if x < 0:
                    return 2, r, c0 + a
            if vals.sum() > max_sum:
                return 3, r, c0
    return 0, -1, -1


@pytest.mark.parametrize("n_assets", [1, 2, 3])
@pytest.mark.parametrize("hold", [False, True])
def test_weights_check_finds_the_first_problem_in_row_order_in_any_layout(n_assets, hold):
    """The parallel check scans column-major weights strategy by strategy and row-major ones
    in chunks of rows (other layouts: the serial scan); either way it must report the problem
    a scan in row order meets first (the row, then the strategy), for C, F and strided
    layouts."""
    from quantlib.backtest import _check_weights as check_weights_nb

    rng = np.random.default_rng(n_assets + 10 * hold)
    n_rows, n_strats = 300, 40
    bad_values = [np.nan, np.inf, -np.inf, -0.5, 1.7] + ([] if n_assets > 1 else [1.0 + 1e-6])
    for trial in range(40):
        w = rng.uniform(0, 1.0 / n_assets, (n_rows, n_strats * n_assets))
        if hold:  # whole-strategy NaN rows are valid holds
            for _ in range(30):
                r, s = rng.integers(n_rows), rng.integers(n_strats)
                w[r, s * n_assets:(s + 1) * n_assets] = np.nan
        for _ in range(trial % 4):  # 0 to 3 problems, some on the same row
            r = rng.integers(n_rows) if trial % 3 else rng.integers(2)
            w[r, rng.integers(w.shape[1])] = bad_values[rng.integers(len(bad_values))]
        want = _row_order_scan(w, n_assets, 1.0 + 1e-9, hold)
        for arr in (w, np.asfortranarray(w), np.asfortranarray(w)[::2], w[:, : n_assets * 7]):
            got = check_weights_nb(arr, n_assets, 1.0 + 1e-9, hold)
            assert got == _row_order_scan(arr, n_assets, 1.0 + 1e-9, hold), (trial, got)
        assert check_weights_nb(np.asfortranarray(w), n_assets, 1.0 + 1e-9, hold) == want


def test_weights_error_message_is_the_same_for_column_major_weights():
    """A (T, S) sweep matrix built column by column (F order) is checked strategy by
    strategy; the error must still name the first bad row and, on it, the first strategy."""
    close = frame(np.linspace(10, 12, 8))
    w = np.zeros((8, 3), order="F")
    w[5, 0] = -0.5       # later row: not reported
    w[3, 2] = np.nan     # same row as strategy 1, later strategy
    w[3, 1] = 1.5        # first bad row, first strategy on it
    msg = r"weights sum above 1 at row 2024-01-04, strategy 1, asset 0; leverage"
    for arr in (w, np.ascontiguousarray(w)):
        with pytest.raises(bt.WeightsError, match=msg):
            bt.final_values(close, arr[:, :, None])
    w[3, 1] = 0.2
    with pytest.raises(bt.WeightsError, match=r"NaN/inf at row 2024-01-04, strategy 2, asset 0"):
        bt.final_values(close, w[:, :, None])
