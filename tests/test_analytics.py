"""Tearsheet analytics against empyrical-reloaded and quantstats (independent
implementations), by hand where neither computes the figure, and the alpha convention."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib import metrics
from quantlib.report import analytics as an

emp = pytest.importorskip("empyrical")
qs = pytest.importorskip("quantstats")


@pytest.fixture(scope="module")
def rets() -> tuple[pd.Series, pd.Series]:
    """WIND All A daily returns 2015-2020 (real data) and a 60/40 timing-like strategy."""
    from quantlib.data import load

    close = load("wind_all_a", start="2014-12-31", end="2020-12-31", columns=["close"])["close"]
    bench = close.pct_change().dropna().rename("benchmark")
    ma = close.rolling(20).mean().shift(1).reindex(bench.index)
    weight = np.where(close.shift(1).reindex(bench.index) > ma, 1.0, 0.4)
    strat = (bench * weight).rename("strategy")
    return strat, bench


def test_var_cvar_tail_omega_vs_empyrical(rets) -> None:
    r, _ = rets
    assert an.value_at_risk(r) == pytest.approx(emp.value_at_risk(r, 0.05), rel=1e-12)
    assert an.conditional_value_at_risk(r) == pytest.approx(
        emp.conditional_value_at_risk(r, 0.05), rel=1e-12)
    assert an.tail_ratio(r) == pytest.approx(emp.tail_ratio(r), rel=1e-12)
    assert an.omega_ratio(r) == pytest.approx(emp.omega_ratio(r, 0.0, 0.0), rel=1e-12)


def test_skew_kurtosis_psr_winrate_vs_quantstats(rets) -> None:
    r, _ = rets
    assert an.skew(r) == pytest.approx(qs.stats.skew(r), rel=1e-12)
    assert an.kurtosis(r) == pytest.approx(qs.stats.kurtosis(r), rel=1e-12)
    assert an.win_rate(r) == pytest.approx(qs.stats.win_rate(r), rel=1e-12)
    rf = metrics.RF
    assert an.probabilistic_sharpe_ratio(r, rf) == pytest.approx(
        qs.stats.probabilistic_sharpe_ratio(r, rf=rf, periods=242), rel=1e-9)
    assert 0 < an.probabilistic_sharpe_ratio(r, rf) < 1


def test_best_worst_and_period_returns_vs_quantstats_and_empyrical(rets) -> None:
    r, _ = rets
    got = an.best_worst(r)
    assert got["best_day"] == pytest.approx(qs.stats.best(r), rel=1e-12)
    assert got["worst_day"] == pytest.approx(qs.stats.worst(r), rel=1e-12)
    assert got["best_month"] == pytest.approx(qs.stats.best(r, aggregate="ME"), rel=1e-12)
    assert got["worst_month"] == pytest.approx(qs.stats.worst(r, aggregate="ME"), rel=1e-12)
    assert got["best_year"] == pytest.approx(qs.stats.best(r, aggregate="YE"), rel=1e-12)
    yearly = emp.aggregate_returns(r, "yearly")
    np.testing.assert_allclose(an.period_returns(r, "YE").to_numpy(), yearly.to_numpy(),
                               rtol=1e-12)
    monthly = emp.aggregate_returns(r, "monthly")
    np.testing.assert_allclose(an.period_returns(r, "ME").to_numpy(), monthly.to_numpy(),
                               rtol=1e-12)


def test_drawdown_periods_vs_quantstats(rets) -> None:
    r, _ = rets
    mine = an.drawdown_periods(r, top=10)
    theirs = qs.stats.drawdown_details(qs.stats.to_drawdown_series(r))
    theirs = theirs.sort_values("max drawdown", kind="stable").head(10).reset_index(drop=True)
    assert len(mine) == 10
    assert [str(d)[:10] for d in mine["start"]] == [str(d)[:10] for d in theirs["start"]]
    assert [str(d)[:10] for d in mine["trough"]] == [str(d)[:10] for d in theirs["valley"]]
    assert [str(d)[:10] for d in mine["end"]] == [str(d)[:10] for d in theirs["end"]]
    assert list(mine["days"]) == list(theirs["days"])
    np.testing.assert_allclose(100 * mine["depth"], theirs["max drawdown"], rtol=1e-10)
    assert mine["depth"].iloc[0] == pytest.approx(metrics.max_drawdown(r), rel=1e-12)
    # recovery: the first day back at the high, the day after the last day under water
    idx = r.index
    for _, row in mine.iterrows():
        if row["recovery"] is not None and row["recovery"] == row["recovery"]:
            assert idx[idx.get_loc(row["end"]) + 1] == row["recovery"]


def test_rolling_stats_vs_quantstats_and_by_hand(rets) -> None:
    r, b = rets
    rf_d = (1 + metrics.RF) ** (1 / 242) - 1
    got = an.rolling_stats(r, b, window=121)
    vol = qs.stats.rolling_volatility(r, rolling_period=121, periods_per_year=242)
    np.testing.assert_allclose(got["volatility"].dropna(), vol.dropna(), rtol=1e-10)
    sharpe = qs.stats.rolling_sharpe(r - rf_d, rf=0.0, rolling_period=121, periods_per_year=242)
    np.testing.assert_allclose(got["sharpe"].dropna(), sharpe.dropna(), rtol=1e-8)
    sortino = qs.stats.rolling_sortino(r - rf_d, rf=0.0, rolling_period=121,
                                       periods_per_year=242)
    np.testing.assert_allclose(got["sortino"].dropna(), sortino.dropna(), rtol=1e-8)
    # beta on the last window by hand (covariance over variance, ddof 1 both)
    w_r, w_b = r.iloc[-121:], b.iloc[-121:]
    assert got["beta"].iloc[-1] == pytest.approx(np.cov(w_r, w_b)[0, 1] / np.var(w_b, ddof=1),
                                                 rel=1e-10)
    assert got["beta"].iloc[-1] == pytest.approx(emp.beta(w_r, w_b), rel=1e-10)


def test_alpha_convention_vs_empyrical(rets) -> None:
    """quantlib's alpha is the daily intercept x 242 (arithmetic); empyrical compounds it:
    (1 + a) ** 242 - 1. Same intercept, same beta (OLS)."""
    r, b = rets
    ours = metrics.alpha_beta(r, b)
    rf_d = (1 + metrics.RF) ** (1 / 242) - 1
    alpha_emp, beta_emp = emp.alpha_beta(r, b, risk_free=rf_d, annualization=242)
    assert ours["beta"] == pytest.approx(beta_emp, rel=1e-9)
    assert (1 + ours["alpha"] / 242) ** 242 - 1 == pytest.approx(alpha_emp, rel=1e-9)


def test_cumulative_and_vol_matched_by_hand(rets) -> None:
    r, b = rets
    cum = an.cumulative_returns(r)
    assert cum.iloc[-1] == pytest.approx(float(np.prod(1 + r.to_numpy()) - 1), rel=1e-12)
    assert cum.iloc[-1] == pytest.approx(emp.cum_returns_final(r), rel=1e-12)
    matched = an.vol_matched(r, b)
    assert matched.std() == pytest.approx(b.std(), rel=1e-12)
    assert (np.sign(matched) == np.sign(r)).all()


def test_trailing_returns_by_hand(rets) -> None:
    r, _ = rets
    got = an.trailing_returns(r)  # last day 2020-12-31
    dec = r["2020-12-01":]
    assert got["mtd"] == pytest.approx(float((1 + dec).prod() - 1), rel=1e-12)
    assert got["ytd"] == pytest.approx(float((1 + r["2020"]).prod() - 1), rel=1e-12)
    year = r[r.index > pd.Timestamp("2019-12-31")]
    assert got["1y"] == pytest.approx(float((1 + year).prod() - 1), rel=1e-12)
    three = r[r.index > pd.Timestamp("2017-12-31")]
    assert got["3y"] == pytest.approx(float((1 + three).prod()) ** (1 / 3) - 1, rel=1e-12)
    assert got["5y"] is not None
    short = an.trailing_returns(r["2019-06-01":])
    assert short["3y"] is None and short["5y"] is None and short["1y"] is not None


def test_stress_periods_by_hand(rets) -> None:
    r, b = rets
    table = an.stress_returns(r, b).set_index("key")
    # 2015-06 crash, 2016-01 circuit breaker, 2018 trade war, 2020 Covid are inside 2015-2020
    assert list(table.index) == ["crash_2015", "circuit_breaker_2016", "trade_war_2018",
                                 "covid_2020"]
    cb = b["2016-01-04":"2016-01-28"]
    assert table.loc["circuit_breaker_2016", "benchmark"] == pytest.approx(
        float((1 + cb).prod() - 1), rel=1e-12)
    # a known fact: the broad A-share market lost about 30% in those January 2016 weeks
    # (SSE Composite 3,539 -> 2,655, -25%; small caps fell more)
    assert -0.35 < table.loc["circuit_breaker_2016", "benchmark"] < -0.25
    keys = {p.key for p in an.STRESS_PERIODS}
    assert {"crash_2008", "crash_2015", "circuit_breaker_2016", "trade_war_2018", "covid_2020",
            "microcap_2024", "rally_2024_09"} == keys
