"""quantlib.metrics against two external libraries: empyrical-reloaded and quantstats.

Both are independent implementations (neither shares code with quantlib). Every metric the
libraries share with quantlib.metrics is compared on real bundled returns (WIND All A and
CSI 300, 2010-2020: real Wind data, before the proxy extension) and on an edge-case table.
Where quantlib follows another convention, the test asserts the exact relation between the
two numbers instead of tolerating a difference (docs/testing.md lists them):

* alpha: quantlib annualises the daily OLS intercept linearly, ``a * 242``; empyrical
  compounds it, ``(1 + a) ** 242 - 1``. quantstats' ``greeks`` uses ``a * periods`` like
  quantlib but without a risk-free rate, so it is compared at ``risk_free=0``.
* an empty series: quantlib raises MetricsError, empyrical returns NaN.
* NaN returns: quantlib propagates them (NaN result), empyrical and quantstats skip them.
* a NaN benchmark value: quantlib refuses it, empyrical drops the pair; on the same dropped
  sample the two agree.
* no non-zero return: quantlib's win rate is NaN (undefined), quantstats' 0.0.
* one return: the Sortino ratio of one positive return is +inf in quantlib (no downside),
  NaN in empyrical (needs two periods).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from quantlib import metrics as m
from quantlib.data import load

empyrical = pytest.importorskip("empyrical")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    qs = pytest.importorskip("quantstats")

PPY = 242
RF_ANNUAL = 0.015
RF_DAY = (1 + RF_ANNUAL) ** (1 / PPY) - 1
REL = 1e-12


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    """Daily returns of WIND All A and CSI 300, 2010-2020 (real data, no proxy)."""
    closes = {name: load(name, start="2009-12-31", end="2020-12-31", columns=["close"])["close"]
              for name in ("wind_all_a", "hs300")}
    frame = pd.DataFrame(closes).dropna()
    rets = frame.pct_change().iloc[1:]
    assert len(rets) > 2600 and not rets.isna().any().any()
    return rets


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _ep(name: str, *args, **kwargs) -> float:
    return float(_quiet(getattr(empyrical, name), *args, **kwargs))


def _qs(name: str, *args, **kwargs) -> float:
    return float(_quiet(getattr(qs.stats, name), *args, **kwargs))


def test_every_shared_metric_on_real_returns(real: pd.DataFrame) -> None:
    for col in real.columns:
        r = real[col]
        assert m.total_return(r) == pytest.approx(_ep("cum_returns_final", r), rel=REL)
        assert m.total_return(r) == pytest.approx(_qs("comp", r), rel=REL)
        assert m.annual_return(r) == pytest.approx(
            _ep("annual_return", r, annualization=PPY), rel=REL)
        assert m.annual_return(r) == pytest.approx(_qs("cagr", r, periods=PPY), rel=REL)
        assert m.annual_volatility(r) == pytest.approx(
            _ep("annual_volatility", r, annualization=PPY), rel=REL)
        assert m.annual_volatility(r) == pytest.approx(
            _qs("volatility", r, periods=PPY), rel=REL)
        assert m.sharpe_ratio(r) == pytest.approx(
            _ep("sharpe_ratio", r, risk_free=RF_DAY, annualization=PPY), rel=REL)
        assert m.sharpe_ratio(r) == pytest.approx(
            _qs("sharpe", r, rf=RF_ANNUAL, periods=PPY), rel=REL)
        assert m.sortino_ratio(r) == pytest.approx(
            _ep("sortino_ratio", r, required_return=RF_DAY, annualization=PPY), rel=REL)
        assert m.sortino_ratio(r) == pytest.approx(
            _qs("sortino", r, rf=RF_ANNUAL, periods=PPY), rel=REL)
        assert m.max_drawdown(r) == pytest.approx(_ep("max_drawdown", r), rel=REL)
        assert m.max_drawdown(r) == pytest.approx(_qs("max_drawdown", r), rel=REL)
        assert m.calmar_ratio(r) == pytest.approx(
            _ep("calmar_ratio", r, annualization=PPY), rel=REL)
        assert m.calmar_ratio(r) == pytest.approx(_qs("calmar", r, periods=PPY), rel=REL)
        assert m.win_rate(r) == pytest.approx(_qs("win_rate", r), rel=REL)
        np.testing.assert_allclose(m.to_drawdown_series(r).to_numpy(),
                                   _quiet(qs.stats.to_drawdown_series, r).to_numpy(),
                                   rtol=0, atol=1e-13)


def test_dataframe_input_agrees_column_by_column(real: pd.DataFrame) -> None:
    got = m.sharpe_ratio(real)
    assert list(got.index) == list(real.columns)
    for col in real.columns:
        assert got[col] == pytest.approx(
            _ep("sharpe_ratio", real[col], risk_free=RF_DAY, annualization=PPY), rel=REL)
    np.testing.assert_allclose(m.max_drawdown(real).to_numpy(),
                               [_ep("max_drawdown", real[c]) for c in real.columns], rtol=REL)


def test_alpha_beta_conventions(real: pd.DataFrame) -> None:
    r, b = real["wind_all_a"], real["hs300"]
    ours = m.alpha_beta(r, b)
    ep_alpha, ep_beta = _quiet(empyrical.alpha_beta, r, b, risk_free=RF_DAY,
                               annualization=PPY)
    assert ours["beta"] == pytest.approx(ep_beta, rel=1e-12)
    # empyrical compounds the daily intercept; quantlib annualises it linearly (x242)
    assert ep_alpha == pytest.approx((1 + ours["alpha"] / PPY) ** PPY - 1, rel=1e-10)
    assert abs(ep_alpha - ours["alpha"]) > 1e-4  # the conventions really differ here
    greeks = _quiet(qs.stats.greeks, r, b, periods=PPY)  # no risk-free rate in quantstats
    no_rf = m.alpha_beta(r, b, risk_free=0.0)
    assert no_rf["beta"] == pytest.approx(greeks["beta"], rel=1e-12)
    assert no_rf["alpha"] == pytest.approx(greeks["alpha"], rel=1e-10)


def _series(values: list[float]) -> pd.Series:
    return pd.Series(values, pd.bdate_range("2024-01-01", periods=len(values)), dtype=float)


# name -> returns; each row of the table below compares quantlib with empyrical on it
EDGE = {
    "one return": [0.01],
    "two returns": [0.01, 0.03],  # the smallest sample with a standard deviation
    "all zero": [0.0] * 5,
    "a -100% day": [0.1, -1.0, 0.05],
    "constant": [0.001] * 6,
    "mixed small": [0.02, -0.01, 0.03, 0.0, -0.015],
}

EP_FUNCS = {
    "total_return": (m.total_return, "cum_returns_final", {}),
    "annual_return": (m.annual_return, "annual_return", {"annualization": PPY}),
    "annual_volatility": (m.annual_volatility, "annual_volatility", {"annualization": PPY}),
    "sharpe_ratio": (m.sharpe_ratio, "sharpe_ratio",
                     {"risk_free": RF_DAY, "annualization": PPY}),
    "sortino_ratio": (m.sortino_ratio, "sortino_ratio",
                      {"required_return": RF_DAY, "annualization": PPY}),
    "max_drawdown": (m.max_drawdown, "max_drawdown", {}),
    "calmar_ratio": (m.calmar_ratio, "calmar_ratio", {"annualization": PPY}),
}

# (case, metric) -> why quantlib's value differs from empyrical's, and the value it has
DIFFERENT = {
    ("one return", "sortino_ratio"): np.inf,  # no downside at all; empyrical needs 2 periods
}


@pytest.mark.parametrize("case", list(EDGE))
@pytest.mark.parametrize("metric", list(EP_FUNCS))
def test_edge_cases_against_empyrical(case: str, metric: str) -> None:
    r = _series(EDGE[case])
    ours_fn, name, kwargs = EP_FUNCS[metric]
    ours, theirs = float(ours_fn(r)), _ep(name, r, **kwargs)
    if (case, metric) in DIFFERENT:
        assert np.isnan(theirs) and ours == DIFFERENT[case, metric]
        return
    if np.isnan(theirs):
        assert np.isnan(ours)
    else:
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)


def test_edge_case_values_are_the_expected_ones() -> None:
    """The table above could agree on nonsense; pin the values known by hand."""
    wipe = _series(EDGE["a -100% day"])
    assert m.total_return(wipe) == -1.0 and m.annual_return(wipe) == -1.0
    assert m.max_drawdown(wipe) == -1.0
    zero = _series(EDGE["all zero"])
    assert m.total_return(zero) == 0.0 and m.annual_volatility(zero) == 0.0
    assert m.sharpe_ratio(zero) == -np.inf  # excess return -rf every day, no dispersion
    assert np.isnan(m.sharpe_ratio(zero, risk_free=0.0))  # 0 / 0
    const = _series(EDGE["constant"])
    assert m.sharpe_ratio(const) == np.inf and np.isnan(m.calmar_ratio(const))
    assert m.total_return(const) == pytest.approx(1.001 ** 6 - 1, rel=1e-14)
    one = _series(EDGE["one return"])
    assert np.isnan(m.annual_volatility(one)) and np.isnan(m.sharpe_ratio(one))
    assert m.annual_return(one) == pytest.approx(1.01 ** 242 - 1, rel=1e-13)


def test_empty_nan_and_win_rate_conventions() -> None:
    empty = _series([])
    assert np.isnan(_ep("cum_returns_final", empty)) and np.isnan(_ep("sharpe_ratio", empty))
    for fn in (m.total_return, m.annual_return, m.annual_volatility, m.sharpe_ratio,
               m.sortino_ratio, m.max_drawdown, m.calmar_ratio, m.win_rate):
        with pytest.raises(m.MetricsError, match="empty"):
            fn(empty)
    # NaN returns: empyrical and quantstats skip them, quantlib propagates (never drops)
    all_nan, mid_nan = _series([np.nan] * 4), _series([0.01, np.nan, 0.02])
    assert _ep("cum_returns_final", mid_nan) == pytest.approx(1.01 * 1.02 - 1)
    for fn in (m.total_return, m.annual_return, m.annual_volatility, m.sharpe_ratio,
               m.sortino_ratio, m.max_drawdown, m.calmar_ratio, m.win_rate):
        assert np.isnan(fn(all_nan)) and np.isnan(fn(mid_nan)), fn.__name__
    # win rate without a single non-zero return: undefined here, 0.0 in quantstats
    zero = _series([0.0] * 5)
    assert np.isnan(m.win_rate(zero)) and _qs("win_rate", zero) == 0.0
    mixed = _series(EDGE["mixed small"])
    assert m.win_rate(mixed) == pytest.approx(_qs("win_rate", mixed)) == 0.5


def test_leading_nan_benchmark() -> None:
    rng = np.random.default_rng(1)
    r = _series(list(rng.normal(0.0005, 0.01, 60)))
    b = 0.6 * r + _series(list(rng.normal(0, 0.008, 60)))
    b.iloc[0] = np.nan  # close.pct_change()'s first value
    with pytest.raises(m.MetricsError, match="NaN"):
        m.alpha_beta(r, b)
    ep_alpha, ep_beta = _quiet(empyrical.alpha_beta, r, b, risk_free=RF_DAY,
                               annualization=PPY)  # empyrical drops the pair
    ours = m.alpha_beta(r.iloc[1:], b.iloc[1:])  # the same, done explicitly
    assert ours["beta"] == pytest.approx(ep_beta, rel=1e-12)
    assert ep_alpha == pytest.approx((1 + ours["alpha"] / PPY) ** PPY - 1, rel=1e-10)
