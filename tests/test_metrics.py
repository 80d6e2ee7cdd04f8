"""quantlib.metrics against hand computations and statsmodels called directly.

The external oracles (empyrical-reloaded, quantstats) are in test_metrics_oracles.py."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from quantlib import backtest as bt
from quantlib import metrics as m


def series(values) -> pd.Series:
    return pd.Series(values, pd.bdate_range("2024-01-01", periods=len(values)), dtype=float)


def test_total_and_annual_return_by_hand():
    r = series([0.1, -0.05, 0.02])
    total = 1.1 * 0.95 * 1.02 - 1
    assert m.total_return(r) == pytest.approx(total)
    assert m.annual_return(r) == pytest.approx((1 + total) ** (242 / 3) - 1)
    assert m.annual_return(r, periods_per_year=12) == pytest.approx((1 + total) ** 4 - 1)


def test_sharpe_sortino_volatility_hand_worked():
    # r = [2%, -1%, 3%, 0%]: mean 1%, squared deviations 1+4+4+1 = 10 (x1e-4), so the sample
    # variance is 10e-4 / 3 and Sharpe (rf 0, one period a year) = 0.01 / sqrt(1e-3 / 3)
    # = sqrt(0.3). Downside deviation: sqrt((0.01 ** 2) / 4) = 0.005, Sortino = 0.01 / 0.005.
    r = series([0.02, -0.01, 0.03, 0.0])
    assert m.sharpe_ratio(r, risk_free=0.0, periods_per_year=1) == pytest.approx(math.sqrt(0.3))
    assert m.sharpe_ratio(r, risk_free=0.0, periods_per_year=4) == pytest.approx(
        2 * math.sqrt(0.3))
    assert m.annual_volatility(r, periods_per_year=4) == pytest.approx(2 * math.sqrt(1e-3 / 3))
    # two returns are enough for a sample deviation: |0.03 - 0.01| / sqrt(2)
    assert m.annual_volatility(series([0.01, 0.03]), periods_per_year=1) == pytest.approx(
        0.02 / math.sqrt(2))
    assert m.sortino_ratio(r, risk_free=0.0, periods_per_year=1) == pytest.approx(2.0)
    # four periods a year: 4 x mean over (0.005 x 2) = 0.04 / 0.01
    assert m.sortino_ratio(r, risk_free=0.0, periods_per_year=4) == pytest.approx(4.0)
    # an annual risk-free of 1.01 ** 2 - 1 with two periods a year is exactly 1% a period:
    # excess returns [3, 0, 4, 1] - 1 = [2, -1, 3, 0] (%), the case above, times sqrt(2)
    shifted = series([0.03, 0.0, 0.04, 0.01])
    assert m.sharpe_ratio(shifted, risk_free=1.01 ** 2 - 1, periods_per_year=2) == (
        pytest.approx(math.sqrt(0.6)))
    assert m.sortino_ratio(shifted, risk_free=1.01 ** 2 - 1, periods_per_year=2) == (
        pytest.approx(2 * math.sqrt(2)))


def test_max_drawdown_and_dates_on_tiny_series():
    # wealth: 1.1, 1.21, 0.968 (trough), 1.0648, 1.331 (recovered above 1.21)
    r = series([0.1, 0.1, -0.2, 0.1, 0.25])
    d = m.drawdown_details(r)
    assert d["max_drawdown"] == pytest.approx(-0.2)
    assert d["peak"] == r.index[1]
    assert d["trough"] == r.index[2]
    assert d["recovery"] == r.index[4]
    assert m.max_drawdown(r) == pytest.approx(-0.2)
    # final wealth 1.331 after 5 days: annual return 1.331 ** (242 / 5) - 1, over |-20%|
    assert m.calmar_ratio(r) == pytest.approx((1.331 ** (242 / 5) - 1) / 0.2)
    rising = m.drawdown_details(series([0.01, 0.0, 0.02]))  # never below its running peak
    assert rising == {"max_drawdown": 0.0, "peak": None, "trough": None, "recovery": None}
    never = m.drawdown_details(series([-0.1, 0.05]))
    assert never["peak"] is None and never["recovery"] is None
    assert never["max_drawdown"] == pytest.approx(-0.1)


def test_win_rate_turnover_exposure():
    assert m.win_rate(series([0.1, 0.0, -0.1, 0.2])) == pytest.approx(2 / 3)
    assert m.turnover(series([0.0, 2.0, 0.0, 0.0])) == pytest.approx(0.5 * 242)
    assert m.exposure(series([0.0, 1.0, 1.0, 0.5])) == pytest.approx(0.625)


def test_alpha_beta_hac_matches_statsmodels_directly():
    # statsmodels is the oracle here (test extra); quantlib computes the HAC sandwich in numpy
    sm = pytest.importorskip("statsmodels.api")

    rng = np.random.default_rng(0)
    mkt = series(rng.normal(0.0005, 0.01, 500))
    strat = 0.0002 + 0.8 * mkt + rng.normal(0, 0.005, 500)
    got = m.alpha_beta(strat, mkt, risk_free=0.0, maxlags=5)
    fit = sm.OLS(strat.to_numpy(), sm.add_constant(mkt.to_numpy())).fit(
        cov_type="HAC", cov_kwds={"maxlags": 5})
    assert got["beta"] == pytest.approx(fit.params[1], rel=1e-9, abs=1e-12)
    assert got["alpha"] == pytest.approx(fit.params[0] * 242, rel=1e-9, abs=1e-12)
    assert got["alpha_tstat"] == pytest.approx(fit.tvalues[0], rel=1e-9, abs=1e-12)
    assert got["beta_tstat"] == pytest.approx(fit.tvalues[1], rel=1e-9, abs=1e-12)
    # default lags: floor(4 (n / 100) ** (2 / 9)) = floor(4 x 5 ** (2 / 9)) = 5 for n = 500;
    # an explicit maxlags wins over it
    assert m.alpha_beta(strat, mkt, risk_free=0.0)["alpha_tstat"] == pytest.approx(
        fit.tvalues[0], rel=1e-9, abs=1e-12)
    two = sm.OLS(strat.to_numpy(), sm.add_constant(mkt.to_numpy())).fit(
        cov_type="HAC", cov_kwds={"maxlags": 2})
    assert m.alpha_beta(strat, mkt, risk_free=0.0, maxlags=2)["alpha_tstat"] == pytest.approx(
        two.tvalues[0], rel=1e-9, abs=1e-12)
    assert two.tvalues[0] != pytest.approx(fit.tvalues[0])
    # no lags: the sandwich is White's HC0
    hc0 = sm.OLS(strat.to_numpy(), sm.add_constant(mkt.to_numpy())).fit(cov_type="HC0")
    assert m.alpha_beta(strat, mkt, risk_free=0.0, maxlags=0)["beta_tstat"] == pytest.approx(
        hc0.tvalues[1], rel=1e-9)
    # with a risk-free rate both sides are excess returns: beta moves, alpha is a - rf (1 - b)
    rf = 1.03 ** (1 / 242) - 1
    ex = sm.OLS(strat.to_numpy() - rf, sm.add_constant(mkt.to_numpy() - rf)).fit(
        cov_type="HAC", cov_kwds={"maxlags": 5})
    got_rf = m.alpha_beta(strat, mkt, risk_free=0.03, maxlags=5)
    assert got_rf["alpha"] == pytest.approx(ex.params[0] * 242, rel=1e-9, abs=1e-12)
    assert got_rf["alpha"] == pytest.approx((fit.params[0] - rf * (1 - fit.params[1])) * 242)
    with pytest.raises(m.MetricsError, match="different dates"):
        m.alpha_beta(strat, mkt.iloc[1:])


def test_dataframe_input_gives_a_value_per_column():
    r = pd.DataFrame({"a": [0.1, -0.1], "b": [0.0, 0.05]},
                     pd.bdate_range("2024-01-01", periods=2))
    out = m.total_return(r)
    assert list(out.index) == ["a", "b"]
    assert out["a"] == pytest.approx(1.1 * 0.9 - 1)


def test_summary_keys_are_stable_for_results_and_returns():
    close = pd.DataFrame({"x": [10.0, 10.5, 10.2, 10.8, 11.0]},
                         pd.bdate_range("2024-01-01", periods=5))
    res = bt.run(close, close * 0 + 1.0, costs=bt.CostModel.frictionless(), rules=bt.Rules.none(),
                 market=bt.Market(kind="index"))
    s = m.summary(res, benchmark=close["x"].pct_change().fillna(0.0))
    assert tuple(s.index) == m.SUMMARY_KEYS
    assert s["total_return"] == pytest.approx(res.final_value - 1)
    assert s["mean_exposure"] == pytest.approx(res.exposure.mean())
    bare = m.summary(res.returns)
    assert tuple(bare.index) == m.SUMMARY_KEYS and np.isnan(bare["annual_turnover"])
    multi = pd.concat({"s1": close * 0 + 1.0, "s2": close * 0 + 0.5}, axis=1)
    df = m.summary(bt.run(close, multi, rules=bt.Rules.none(), market=bt.Market(kind="index")))
    assert list(df.columns) == ["s1", "s2"] and tuple(df.index) == m.SUMMARY_KEYS


def test_bad_metric_input():
    with pytest.raises(m.MetricsError, match="empty"):
        m.total_return(series([]))
    with pytest.raises(m.MetricsError, match="Series"):
        m.sharpe_ratio([0.1, 0.2])
