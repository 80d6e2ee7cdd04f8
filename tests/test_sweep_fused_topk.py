"""The fused top-k sweep (rotation: score panels shared per model, pick + engine + metrics in
one numba pass per combination) against the reference path (each combination's
``target_weights`` -> one engine call -> NumPy metrics) and against a hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib import Input, Param, Strategy
from quantlib import backtest as bt
from quantlib.data import load
from quantlib.schedules import every_n_days
from quantlib.strategies import resolve
from quantlib.sweep import METRIC_KEYS, BacktestOptions, Execution, sweep
from quantlib.sweep._builders import full_combos
from quantlib.sweep._fused import evaluate_fused, fused_signals
from quantlib.sweep._grid import combinations, expand_grid
from quantlib.sweep._run import EvalSpec, evaluate_batch
from quantlib.weights import TopKBatch, WeightsBuildError, score_weighted, top_k_batch, top_k_equal

RTOL = 1e-12
LATE = ["801120", "801150", "801980"]  # outside the TWO BETA sleeves


def _assert_close(got, want, what: str) -> None:
    got, want = np.asarray(got, float), np.asarray(want, float)
    assert got.shape == want.shape, what
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=what)
    ok = np.isfinite(want)
    np.testing.assert_allclose(got[ok], want[ok], rtol=RTOL, atol=RTOL, err_msg=what)


def _assert_tables_equal(fused, ref) -> None:
    assert list(fused.table.columns) == list(ref.table.columns)
    for col in METRIC_KEYS:
        _assert_close(fused.table[col], ref.table[col], col)
    if len(fused.table) > 1:
        assert fused.overfitting.pbo == ref.overfitting.pbo
        _assert_close(fused.overfitting.pbo_logits, ref.overfitting.pbo_logits, "logits")


@pytest.fixture(scope="module")
def rotation():
    return resolve("industry_rotation")[0]


@pytest.fixture(scope="module")
def rot_data(rotation):
    """SW L1 2000-2010 with three industries not yet listed before mid-2004 (NaN closes)."""
    close = load("sw_l1", end="2010-12-31")["close"].copy()
    close.loc[:"2004-06-30", LATE] = np.nan
    pe = load("sw_l1_pe_ttm", end="2010-12-31")["pe_ttm"]
    market = load("wind_all_a", end="2010-12-31", columns=["close"])["close"]
    return rotation.data_from({"close": close, "pe_ttm": pe, "market": market})


ROT_GRID = {"model": ["trend", "two_beta", "earnings", "reversal", "blend"],
            "k": [1, 2, 5, 31], "weighting": ["equal", "score"]}


@pytest.mark.parametrize("opts", [
    BacktestOptions(),  # the strategy's declared costs: index costs + 5 bps slippage
    BacktestOptions(costs=bt.CostModel.percentage(0.002), cash_rate=0.02, risk_free=0.03),
], ids=["declared-costs", "pct-fees-cash-interest"])
def test_rotation_fused_table_equals_reference(rotation, rot_data, opts) -> None:
    fused = sweep(rotation, ROT_GRID, data=rot_data, options=opts, n_blocks=8)
    ref = sweep(rotation, ROT_GRID, data=rot_data, options=opts, n_blocks=8,
                execution=Execution(fused=False))
    assert len(fused.table) == 40 and fused.n_batches == 1
    _assert_tables_equal(fused, ref)
    assert fused.overfitting.deflated_sharpe == pytest.approx(ref.overfitting.deflated_sharpe,
                                                              rel=1e-10)
    t = fused.table
    assert t["annual_turnover"].min() > 0  # every combination trades
    # equal weights, k=31 with industries missing or not eligible: empty slots are cash
    assert (t.loc[(t["k"] == 31) & (t["weighting"] == "equal"), "mean_exposure"] < 0.99).all()


def test_rotation_batch_shares_one_panel_per_model(rotation, rot_data) -> None:
    full = full_combos(rotation, combinations(expand_grid(ROT_GRID, list(rotation.params))), {})
    sig = fused_signals(rotation, rot_data, full)
    assert isinstance(sig, TopKBatch)
    assert sig.score.shape == (5, len(rot_data.calendar), 31)  # 5 models, not 40 panels
    np.testing.assert_array_equal(sig.k, full["k"].to_numpy())


def test_rotation_fused_batch_windows_and_blocks(rotation, rot_data) -> None:
    """Block statistics and walk-forward window values equal, an explicit later start (the
    carried-in decision), several selection metrics."""
    grid = {"model": ["trend", "reversal"], "k": [1, 4, 31], "weighting": ["equal", "score"]}
    full = full_combos(rotation, combinations(expand_grid(grid, list(rotation.params))), {})
    cal = rot_data.calendar
    a, b = int(cal.searchsorted(pd.Timestamp("2003-03-05"))), len(cal) - 2
    opts = BacktestOptions()
    for select in ("sharpe_ratio", "max_drawdown", "win_rate"):
        spec = EvalSpec(strategy=rotation, data=rot_data, window=(a, b),
                        engine_kwargs=opts.engine_kwargs(rotation, rot_data.prices.columns),
                        risk_free=0.015, n_blocks=6, windows=((0, 300), (250, 900)),
                        select=select, fused=False)
        ref = evaluate_batch(spec, full)
        got = evaluate_fused(spec, full)
        assert got is not None
        for key in ("metrics", "block_mean", "block_m2", "windows"):
            _assert_close(got[key], ref[key], f"{select}: {key}")
        assert got["block_len"][0] == ref["block_len"][0]


# ---------------------------------------------------------------- a user top-k strategy

def _stock_panel() -> pd.DataFrame:
    """Six synthetic stocks, 420 bars: daily moves up to +-10.5% (limit days), one listed late,
    one suspended for a week."""
    rng = np.random.default_rng(11)
    idx = pd.bdate_range("2021-01-04", periods=420)
    moves = np.clip(rng.normal(0.0005, 0.03, (420, 6)), -0.105, 0.105)
    moves[rng.uniform(size=moves.shape) < 0.01] = 0.1  # limit-up days: buys stay pending
    close = pd.DataFrame(10.0 * np.cumprod(1 + moves, axis=0), index=idx,
                         columns=["600000", "600001", "000001", "000002", "600003", "000004"])
    close = close.round(2)
    close.iloc[:120, 4] = np.nan   # not yet listed
    close.iloc[200:206, 2] = np.nan  # suspended
    return close


class RoundedMomentum(Strategy):
    """Top k by momentum rounded to whole percent (many ties), every 5 bars."""

    name = "rounded_momentum"
    params = {"lookback": Param(10, low=1), "k": Param(2, low=1, high=6),
              "weighting": Param("equal", choices=("equal", "score"))}
    inputs = {"close": Input("sw_l1", "close")}
    trade = "close"

    def warmup(self, p):
        return p.lookback

    def score(self, data, lookback):
        return (data["close"].pct_change(lookback, fill_method=None) * 100).round(0)

    def days(self, data, lookback):
        days = every_n_days(data.calendar, 5)
        return days[days >= data.calendar[lookback]]

    def target_weights(self, data, p):
        build = top_k_equal if p.weighting == "equal" else score_weighted
        return build(self.score(data, p.lookback), p.k, self.days(data, p.lookback))

    def batch_signals(self, data, combos):
        lbs = sorted(set(combos["lookback"]))
        return top_k_batch([self.score(data, n) for n in lbs], [self.days(data, n) for n in lbs],
                           data.calendar, data.prices.columns,
                           [lbs.index(n) for n in combos["lookback"]], combos["k"],
                           combos["weighting"])


class RoundedMomentumStocks(RoundedMomentum):
    name = "rounded_momentum_stocks"
    asset_kind = "stock"  # stamp duty, transfer fee, price limits; lots with init_cash


USER_GRID = {"lookback": [5, 20, 60], "k": [1, 2, 6], "weighting": ["equal", "score"]}


@pytest.mark.parametrize("cls, opts", [
    (RoundedMomentum, BacktestOptions(costs=bt.CostModel.percentage(0.001))),
    (RoundedMomentumStocks, BacktestOptions(init_cash=1_000_000.0)),
    (RoundedMomentumStocks, BacktestOptions(costs=bt.CostModel(slippage_bps=10.0),
                                            cash_rate=0.015)),
], ids=["index-pct-fees", "stocks-lots-limits-cny", "stocks-fractional-slippage-cash"])
def test_user_topk_fused_equals_reference(cls, opts) -> None:
    """Ties in the scores (rounded momentum), a stock not listed for 120 bars, a suspension,
    limit-up days, k=6 above the stocks available early, negative scores under score
    weighting (clipped; all-negative rows are cash)."""
    strat = cls()
    data = strat.data_from({"close": _stock_panel()})
    s = strat.score(data, 5).loc[strat.days(data, 5)]
    assert (s.notna().sum(axis=1) < 6).any()  # fewer valid than k=6 on some decision days
    ranked = s.dropna(how="all")
    assert (ranked.apply(lambda r: r.dropna().duplicated().any(), axis=1)).mean() > 0.3  # ties
    fused = sweep(strat, USER_GRID, data=data, options=opts, n_blocks=4)
    ref = sweep(strat, USER_GRID, data=data, options=opts, n_blocks=4,
                execution=Execution(fused=False))
    assert fused.n_batches == 1
    _assert_tables_equal(fused, ref)


def test_top_k_batch_refuses_what_the_builders_refuse() -> None:
    cal = pd.bdate_range("2024-01-01", periods=5)
    s = pd.DataFrame(1.0, index=cal, columns=["a", "b"])
    with pytest.raises(WeightsBuildError, match="larger than the universe"):
        top_k_batch([s], [cal], cal, s.columns, [0], [3], ["equal"])
    with pytest.raises(WeightsBuildError, match="positive integer"):
        top_k_batch([s], [cal], cal, s.columns, [0], [0], ["equal"])
    with pytest.raises(WeightsBuildError, match="weighting"):
        top_k_batch([s], [cal], cal, s.columns, [0], [1], ["rank"])
    with pytest.raises(WeightsBuildError, match="not traded assets"):
        top_k_batch([s.assign(c=1.0)], [cal], cal, s.columns, [0], [1], ["equal"])
    with pytest.raises(WeightsBuildError, match="out of range"):
        top_k_batch([s], [cal], cal, s.columns, [1], [1], ["equal"])  # one panel only
    good = top_k_batch([s], [cal], cal, s.columns, [0], [2], ["score"])
    with pytest.raises(WeightsBuildError, match="out of range"):  # built by hand
        TopKBatch(good.score, good.decide, good.panel, np.array([0]), good.weighting)


# ---------------------------------------------------------------- hand-computed case

class GivenScores(Strategy):
    """Top k of a given score panel, deciding at every close."""

    name = "given_scores"
    params = {"k": Param(1, low=1, high=3),
              "weighting": Param("equal", choices=("equal", "score"))}
    inputs = {"close": Input("sw_l1", "close"), "score": Input("sw_l1", "close")}
    trade = "close"

    def warmup(self, p):
        return 0

    def target_weights(self, data, p):
        build = top_k_equal if p.weighting == "equal" else score_weighted
        return build(data["score"], p.k, data.calendar)

    def batch_signals(self, data, combos):
        return top_k_batch([data["score"]], [data.calendar], data.calendar, data.prices.columns,
                           [0] * len(combos), combos["k"], combos["weighting"])


def test_three_asset_top1_by_hand() -> None:
    """3 assets, top 1, 1% fee a side, fills at the next close, capital 1.0.

    Picks (decided at the close of bar t, traded at t+1): A, A, B, B, then A (tied with B:
    the earlier column wins), A, then nothing (all NaN: cash). C is not listed before bar 2.
    With g = 1/1.01 (a buy of all the cash V gets V g of shares, fee V - V g) and 0.99 kept
    of a sale, the equity is 1, g, 1.1 g, 0.99 g (1.1 g), x 1.1 (B 12 -> 13.2), x 0.99 g
    (B sold, A bought at 11), x 1.1 (A 11 -> 12.1), x 0.99 (A sold, cash).
    """
    idx = pd.bdate_range("2024-01-01", periods=8)
    nan = np.nan
    close = pd.DataFrame({"A": [10, 10, 11, 11, 11, 11, 12.1, 12.1],
                          "B": [10, 10, 10, 12, 13.2, 13.2, 13.2, 13.2],
                          "C": [nan, nan, 10, 10, 10, 10, 10, 10]}, index=idx, dtype=float)
    score = pd.DataFrame({"A": [3, 3, 1, 1, 5, 5, nan, 1],
                          "B": [1, 1, 3, 3, 5, 4, nan, 1],
                          "C": [nan, nan, 2, 2, 1, nan, nan, 1]}, index=idx, dtype=float)
    strat = GivenScores()
    data = strat.data_from({"close": close, "score": score})
    opts = BacktestOptions(costs=bt.CostModel.percentage(0.01), risk_free=0.0,
                           periods_per_year=8.0)
    grid = {"weighting": ["equal", "score"]}  # top 1 of positive scores: weight 1 either way
    g = 1 / 1.01
    eq = np.cumprod([1, g, 1.1, 0.99 * g, 1.1, 0.99 * g, 1.1, 0.99])
    r = eq / np.r_[1.0, eq[:-1]] - 1
    turnover = [0, g, 0, 1 + 0.99 * g, 0, 1 + 0.99 * g, 0, 1]
    wealth_dd = eq / np.maximum.accumulate(eq) - 1
    want = {"total_return": eq[-1] - 1, "annual_return": eq[-1] - 1,  # 8 bars = 1 "year"
            "max_drawdown": 0.99 * g - 1, "win_rate": 3 / 7,
            "annual_turnover": sum(turnover), "mean_exposure": 6 / 8,
            "annual_volatility": np.std(r, ddof=1) * np.sqrt(8)}
    assert wealth_dd.min() == pytest.approx(0.99 * g - 1, rel=1e-15)
    for execution in (Execution(), Execution(fused=False)):
        res = sweep(strat, grid, data=data, options=opts, n_blocks=2, execution=execution)
        for _, row in res.table.iterrows():
            for key, value in want.items():
                assert row[key] == pytest.approx(value, rel=1e-13, abs=1e-15), \
                    (execution.fused, row["weighting"], key)
    assert fused_signals(strat, data, pd.DataFrame({"k": [1], "weighting": ["equal"]})) \
        is not None
