"""Performance metrics of simple returns: pure functions, explicit annualisation.

Every function takes daily simple returns as a Series (one strategy -> float) or a DataFrame
(a column per strategy -> Series). Annualisation uses ``periods_per_year``, default
:data:`quantlib.periods.TRADING_DAYS_PER_YEAR` (242, see ``quantlib/periods.py``). The
risk-free rate is annual, default :data:`quantlib.periods.DEFAULT_RISK_FREE_RATE` (1.5%), and is
converted to a per-period rate ``(1 + rf) ** (1 / periods_per_year) - 1``. NaN returns are not
dropped: they propagate (clean the data first). :func:`alpha_beta` computes OLS with Newey-West
(HAC) errors in numpy; the tests check it against statsmodels (not a runtime dependency).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from quantlib.errors import QuantlibError
from quantlib.periods import DEFAULT_RISK_FREE_RATE, TRADING_DAYS_PER_YEAR

__all__ = [
    "SUMMARY_KEYS",
    "MetricsError",
    "alpha_beta",
    "annual_return",
    "annual_volatility",
    "calmar_ratio",
    "drawdown_details",
    "exposure",
    "max_drawdown",
    "sharpe_ratio",
    "sortino_ratio",
    "summary",
    "to_drawdown_series",
    "total_return",
    "turnover",
    "win_rate",
]

PPY = TRADING_DAYS_PER_YEAR
RF = DEFAULT_RISK_FREE_RATE

#: Keys of :func:`summary`, in order. Stable: tests and the README rely on them.
SUMMARY_KEYS = (
    "start", "end", "total_return", "annual_return", "annual_volatility", "sharpe_ratio",
    "sortino_ratio", "max_drawdown", "max_drawdown_peak", "max_drawdown_trough",
    "max_drawdown_recovery", "calmar_ratio", "win_rate", "annual_turnover", "mean_exposure",
    "alpha", "beta", "alpha_tstat", "beta_tstat",
)


class MetricsError(QuantlibError, ValueError):
    """Returns that are empty, not a Series/DataFrame, or misaligned with a benchmark."""


def _values(returns: pd.Series | pd.DataFrame) -> np.ndarray:
    if not isinstance(returns, (pd.Series, pd.DataFrame)):
        raise MetricsError(f"returns must be a pandas Series or DataFrame, got {type(returns)}.")
    if len(returns) == 0:
        raise MetricsError("returns is empty; metrics need at least one period.")
    return returns.to_numpy(dtype=np.float64)


def _out(returns: pd.Series | pd.DataFrame, value: np.ndarray) -> Any:
    if isinstance(returns, pd.DataFrame):
        return pd.Series(value, index=returns.columns)
    return float(value)


def _std(v: np.ndarray) -> np.ndarray:
    """Sample standard deviation (ddof=1) per column; NaN for one period, without a warning."""
    if v.shape[0] < 2:
        return np.full(v.shape[1:], np.nan)
    return np.std(v, axis=0, ddof=1)


def _rf_per_period(risk_free: float, periods_per_year: float) -> float:
    return (1.0 + risk_free) ** (1.0 / periods_per_year) - 1.0


def total_return(returns: pd.Series | pd.DataFrame) -> Any:
    """Return the compounded return ``prod(1 + r) - 1``."""
    return _out(returns, np.prod(1.0 + _values(returns), axis=0) - 1.0)


def annual_return(returns: pd.Series | pd.DataFrame, *, periods_per_year: float = PPY) -> Any:
    """Return the geometric annual return ``(1 + total) ** (periods_per_year / n) - 1``."""
    v = _values(returns)
    growth = np.prod(1.0 + v, axis=0)
    return _out(returns, growth ** (periods_per_year / len(v)) - 1.0)


def annual_volatility(returns: pd.Series | pd.DataFrame, *,
                      periods_per_year: float = PPY) -> Any:
    """Return ``std(r, ddof=1) * sqrt(periods_per_year)``."""
    v = _values(returns)
    return _out(returns, _std(v) * math.sqrt(periods_per_year))


def sharpe_ratio(returns: pd.Series | pd.DataFrame, *, risk_free: float = RF,
                 periods_per_year: float = PPY) -> Any:
    """Return ``mean(r - rf_p) / std(r - rf_p, ddof=1) * sqrt(periods_per_year)``.

    ``rf_p = (1 + risk_free) ** (1 / periods_per_year) - 1`` is the per-period risk-free rate.
    """
    ex = _values(returns) - _rf_per_period(risk_free, periods_per_year)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = ex.mean(axis=0) / _std(ex) * math.sqrt(periods_per_year)
    return _out(returns, out)


def sortino_ratio(returns: pd.Series | pd.DataFrame, *, risk_free: float = RF,
                  periods_per_year: float = PPY) -> Any:
    """Return ``mean(ex) * P / (sqrt(mean(min(ex, 0) ** 2)) * sqrt(P))`` with ``ex = r - rf_p``.

    The downside deviation averages over all periods (empyrical's convention).
    """
    ex = _values(returns) - _rf_per_period(risk_free, periods_per_year)
    down = np.sqrt(np.mean(np.minimum(ex, 0.0) ** 2, axis=0)) * math.sqrt(periods_per_year)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = ex.mean(axis=0) * periods_per_year / down
    return _out(returns, out)


def to_drawdown_series(returns: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Return the drawdown ``wealth / running_max(wealth) - 1`` (<= 0), wealth from 1.0."""
    v = _values(returns)
    wealth = np.cumprod(1.0 + v, axis=0)
    peak = np.maximum(np.maximum.accumulate(wealth, axis=0), 1.0)
    dd = wealth / peak - 1.0
    if isinstance(returns, pd.DataFrame):
        return pd.DataFrame(dd, index=returns.index, columns=returns.columns)
    return pd.Series(dd, index=returns.index, name="drawdown")


def max_drawdown(returns: pd.Series | pd.DataFrame) -> Any:
    """Return the largest peak-to-trough loss as a negative fraction (0 if none)."""
    dd = to_drawdown_series(returns)
    return _out(returns, np.min(dd.to_numpy(), axis=0))


def drawdown_details(returns: pd.Series) -> dict[str, Any]:
    """Return the max drawdown and its peak, trough and recovery dates (one strategy).

    ``peak`` is the last date at the running maximum before the trough (``None`` if the peak
    is the initial capital, before the first date); ``recovery`` the first date back at or
    above that peak (``None`` if not recovered).
    """
    if not isinstance(returns, pd.Series):
        raise MetricsError("drawdown_details takes one strategy's returns (a Series).")
    dd = to_drawdown_series(returns).to_numpy()
    trough = int(np.argmin(dd))
    if dd[trough] >= 0:
        return {"max_drawdown": 0.0, "peak": None, "trough": None, "recovery": None}
    at_peak = np.flatnonzero(dd[: trough + 1] >= 0)
    peak = returns.index[at_peak[-1]] if len(at_peak) else None
    after = np.flatnonzero(dd[trough:] >= 0)
    recovery = returns.index[trough + after[0]] if len(after) else None
    return {"max_drawdown": float(dd[trough]), "peak": peak, "trough": returns.index[trough],
            "recovery": recovery}


def calmar_ratio(returns: pd.Series | pd.DataFrame, *, periods_per_year: float = PPY) -> Any:
    """Return ``annual_return / |max_drawdown|`` (NaN when there is no drawdown)."""
    ann = np.asarray(annual_return(returns, periods_per_year=periods_per_year), dtype=float)
    mdd = np.abs(np.asarray(max_drawdown(returns), dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(mdd > 0, ann / np.where(mdd > 0, mdd, 1.0), np.nan)
    return _out(returns, out)


def win_rate(returns: pd.Series | pd.DataFrame) -> Any:
    """Return the share of periods with ``r > 0`` among periods with ``r != 0``.

    NaN when no period moved, and NaN when a return is NaN (it propagates like in every other
    metric here; counting it as a non-winning period would lower the rate silently).
    """
    v = _values(returns)
    active = (v != 0).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(active > 0, (v > 0).sum(axis=0) / np.maximum(active, 1), np.nan)
    out = np.where(np.isnan(v).any(axis=0), np.nan, out)
    return _out(returns, out)


def turnover(turnover_series: pd.Series | pd.DataFrame, *, periods_per_year: float = PPY) -> Any:
    """Return annual turnover ``mean(turnover) * periods_per_year`` (``result.turnover``).

    One-way convention: buys plus sells over equity, so a full switch from A to B counts 2.
    """
    return _out(turnover_series, _values(turnover_series).mean(axis=0) * periods_per_year)


def exposure(exposure_series: pd.Series | pd.DataFrame) -> Any:
    """Return the mean invested fraction (``result.exposure``)."""
    return _out(exposure_series, _values(exposure_series).mean(axis=0))


def _check_regression_input(series: pd.Series, what: str) -> None:
    """Refuse NaN (never dropped or filled here) and a price level passed as returns."""
    try:
        values = series.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise MetricsError(f"{what} must be numeric returns; got dtype {series.dtype}.") from None
    nan = np.isnan(values)
    if nan.any():
        first = series.index[np.argmax(nan)]
        raise MetricsError(
            f"{what} has {int(nan.sum())} NaN value(s), first on {first}: e.g. the first value "
            f"of close.pct_change(). quantlib does not fill or drop them: pass "
            f"{what}.fillna(0.0) if that period had no return, or drop those dates from both "
            "series.")
    if len(values) and values.min() > 0.5:
        raise MetricsError(
            f"{what} looks like prices (every value > 0.5, from {values.min():g} to "
            f"{values.max():g}), not simple returns; pass close.pct_change() instead.")


def alpha_beta(returns: pd.Series, benchmark: pd.Series, *, risk_free: float = RF,
               periods_per_year: float = PPY, maxlags: int | None = None) -> dict[str, float]:
    """Regress excess returns on benchmark excess returns with HAC (Newey-West) errors.

    Model: ``r - rf_p = a + b (m - rf_p) + e``, OLS, ``cov_type="HAC"``, ``maxlags`` default
    ``floor(4 * (n / 100) ** (2 / 9))`` (Newey-West 1994). Returns ``alpha`` annualised as
    ``a * periods_per_year``, ``beta`` and their t-statistics (``alpha_tstat`` is the t of ``a``).
    """
    if not isinstance(returns, pd.Series) or not isinstance(benchmark, pd.Series):
        raise MetricsError("alpha_beta takes two Series (strategy and benchmark returns).")
    if not returns.index.equals(benchmark.index):
        raise MetricsError("returns and benchmark have different dates; align them first "
                           "(e.g. benchmark.reindex(returns.index)).")
    _check_regression_input(returns, "returns")
    _check_regression_input(benchmark, "benchmark")
    rf = _rf_per_period(risk_free, periods_per_year)
    y = returns.to_numpy(float) - rf
    x = np.column_stack([np.ones(len(y)), benchmark.to_numpy(float) - rf])
    lags = int(4 * (len(y) / 100) ** (2 / 9)) if maxlags is None else maxlags
    params, tvalues = _ols_hac(y, x, lags)
    return {"alpha": float(params[0] * periods_per_year), "beta": float(params[1]),
            "alpha_tstat": float(tvalues[0]), "beta_tstat": float(tvalues[1])}


def _ols_hac(y: np.ndarray, x: np.ndarray, maxlags: int) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients and their t-statistics with Newey-West (HAC) errors.

    The sandwich ``(X'X)^-1 S (X'X)^-1`` with ``S = G_0 + sum_{l=1..L} (1 - l/(L+1))
    (G_l + G_l')``, ``G_l = sum_t u_t u_{t-l}'``, ``u_t = x_t e_t`` (Bartlett kernel), and no
    small-sample factor: statsmodels' ``OLS.fit(cov_type="HAC", cov_kwds={"maxlags": L})``
    defaults, which tests/test_metrics.py checks it against.
    """
    if maxlags < 0:
        raise MetricsError(f"maxlags must be >= 0, got {maxlags}.")
    params, *_ = np.linalg.lstsq(x, y, rcond=None)
    u = x * (y - x @ params)[:, None]
    s = u.T @ u
    for lag in range(1, min(maxlags, len(y) - 1) + 1):
        g = u[lag:].T @ u[:-lag]
        s += (1.0 - lag / (maxlags + 1.0)) * (g + g.T)
    bread = np.linalg.inv(x.T @ x)
    cov = bread @ s @ bread
    return params, params / np.sqrt(np.diag(cov))


def summary(result: Any, *, benchmark: pd.Series | None = None, risk_free: float = RF,
            periods_per_year: float = PPY) -> pd.Series | pd.DataFrame:
    """Return every metric under the stable :data:`SUMMARY_KEYS`.

    Parameters
    ----------
    result : BacktestResult or Series of returns
        A single-strategy result gives a Series; a multi-strategy result a DataFrame
        (keys x strategies). Turnover and exposure are NaN for bare returns.
    benchmark : Series of returns, optional
        Simple **returns** (``close.pct_change()``), not prices, on exactly the dates of the
        strategy's returns and without NaN (the first ``pct_change`` value is NaN: fill it
        with 0 or drop that date from both, quantlib does neither silently); alpha/beta keys
        are NaN without it.

    Raises
    ------
    MetricsError
        A benchmark with other dates, NaN values, or that looks like prices.
    """
    if hasattr(result, "returns"):
        rets, turn, expo = result.returns, result.turnover, result.exposure
    else:
        rets, turn, expo = result, None, None
    if not isinstance(rets, pd.Series | pd.DataFrame):
        raise MetricsError(f"summary takes a BacktestResult or a pandas Series/DataFrame of "
                           f"returns, got {type(result).__name__}; wrap a list in pd.Series "
                           "with a date index.")
    if isinstance(rets, pd.DataFrame):
        cols = {c: _summary_one(rets[c], None if turn is None else turn[c],
                                None if expo is None else expo[c], benchmark, risk_free,
                                periods_per_year) for c in rets.columns}
        return pd.DataFrame(cols)
    return _summary_one(rets, turn, expo, benchmark, risk_free, periods_per_year)


def _summary_one(rets: pd.Series, turn: pd.Series | None, expo: pd.Series | None,
                 benchmark: pd.Series | None, rf: float, ppy: float) -> pd.Series:
    dd = drawdown_details(rets)
    ab = (alpha_beta(rets, benchmark, risk_free=rf, periods_per_year=ppy)
          if benchmark is not None else dict.fromkeys(("alpha", "beta", "alpha_tstat",
                                                       "beta_tstat"), np.nan))
    values = {
        "start": rets.index[0], "end": rets.index[-1],
        "total_return": total_return(rets),
        "annual_return": annual_return(rets, periods_per_year=ppy),
        "annual_volatility": annual_volatility(rets, periods_per_year=ppy),
        "sharpe_ratio": sharpe_ratio(rets, risk_free=rf, periods_per_year=ppy),
        "sortino_ratio": sortino_ratio(rets, risk_free=rf, periods_per_year=ppy),
        "max_drawdown": dd["max_drawdown"], "max_drawdown_peak": dd["peak"],
        "max_drawdown_trough": dd["trough"], "max_drawdown_recovery": dd["recovery"],
        "calmar_ratio": calmar_ratio(rets, periods_per_year=ppy),
        "win_rate": win_rate(rets),
        "annual_turnover": np.nan if turn is None else turnover(turn, periods_per_year=ppy),
        "mean_exposure": np.nan if expo is None else exposure(expo),
        **ab,
    }
    return pd.Series([values[k] for k in SUMMARY_KEYS], index=list(SUMMARY_KEYS), dtype=object,
                     name=rets.name)
