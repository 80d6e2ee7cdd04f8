"""Tearsheet analytics beyond :func:`quantlib.metrics.summary`: the quantstats full report's
statistics and a few A-share additions. Pure functions of daily simple returns.

Conventions (checked against empyrical-reloaded and quantstats in ``tests/test_analytics.py``):

* a year is :data:`~quantlib.periods.TRADING_DAYS_PER_YEAR` = 242 A-share trading days
  (quantstats and empyrical default to 252: pass 242 to compare);
* VaR and CVaR are **historical** (empyrical's ``value_at_risk``,
  ``conditional_value_at_risk``): the 5th percentile of daily returns and the mean of the
  returns at or below it (quantstats' default VaR is parametric, from the mean and the
  standard deviation);
* skew and kurtosis are pandas' bias-corrected sample estimates, kurtosis in excess of the
  normal's 3 (quantstats);
* tail ratio ``|p95| / |p5|`` of daily returns, omega at a 0 threshold (both empyrical);
* probabilistic Sharpe ratio: the probability that the true Sharpe ratio is above 0, from the
  per-period Sharpe of excess returns, the skew and the kurtosis (Bailey and López de Prado
  2012; quantstats' ``probabilistic_sharpe_ratio``);
* win rate: days up over days that moved (quantstats; zero-return days, e.g. in cash, are
  left out);
* drawdown periods: ``start`` the first day under water, ``trough`` the lowest day, ``end``
  the last day under water, ``recovery`` the first day back at the high (None: not yet),
  ``days`` calendar days from start to end inclusive (quantstats' ``drawdown_details``);
* rolling windows of 121 trading days (half a year; quantstats uses 126 = half of 252);
* trailing returns are compounded over the window ending on the last day; 3Y and 5Y are
  annualised (``(1 + R) ** (1 / years) - 1``); None where the run is shorter than the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlib.periods import DEFAULT_RISK_FREE_RATE, TRADING_DAYS_PER_YEAR

__all__ = [
    "ROLLING_WINDOW",
    "STRESS_PERIODS",
    "StressPeriod",
    "best_worst",
    "conditional_value_at_risk",
    "cumulative_returns",
    "drawdown_periods",
    "kurtosis",
    "omega_ratio",
    "period_returns",
    "probabilistic_sharpe_ratio",
    "rolling_stats",
    "skew",
    "stress_returns",
    "tail_ratio",
    "trailing_returns",
    "value_at_risk",
    "vol_matched",
    "win_rate",
    "yearly_table",
]

PPY = TRADING_DAYS_PER_YEAR
ROLLING_WINDOW = 121


@dataclass(frozen=True)
class StressPeriod:
    """A named A-share market episode: returns are compounded over the trading days from
    ``start`` to ``end`` inclusive (from the close before ``start`` to the close of ``end``)."""

    key: str
    start: str
    end: str
    why: str


#: A-share stress periods (dates are the episode's first and last trading day as we define
#: it; the reasons say which move they bracket).
STRESS_PERIODS = (
    StressPeriod("crash_2008", "2007-10-17", "2008-10-28",
                 "SSE Composite from its 6,124 high (2007-10-16) to the 1,664 low"),
    StressPeriod("crash_2015", "2015-06-15", "2015-08-26",
                 "from the 5,178 high (2015-06-12) to the August low"),
    StressPeriod("circuit_breaker_2016", "2016-01-04", "2016-01-28",
                 "the circuit-breaker weeks (halts on 2016-01-04 and 01-07) to the January low"),
    StressPeriod("trade_war_2018", "2018-03-22", "2019-01-03",
                 "US tariff memorandum (2018-03-22) to the 2,440 low"),
    StressPeriod("covid_2020", "2020-01-20", "2020-03-23",
                 "Wuhan outbreak news to the global sell-off low"),
    StressPeriod("microcap_2024", "2024-01-02", "2024-02-07",
                 "small and micro-cap liquidity crash (snowball knock-ins, quant deleveraging)"),
    StressPeriod("rally_2024_09", "2024-09-24", "2024-10-08",
                 "PBOC/CSRC stimulus (2024-09-24) to the post-holiday peak"),
)


def _v(returns: pd.Series) -> np.ndarray:
    return returns.to_numpy(dtype=float)


def cumulative_returns(returns: pd.Series) -> pd.Series:
    """Compounded cumulative return on each day: ``prod(1 + r) - 1`` (linear scale)."""
    return (1.0 + returns).cumprod() - 1.0


def vol_matched(returns: pd.Series, benchmark: pd.Series) -> pd.Series:
    """``returns`` scaled to the benchmark's volatility (daily standard deviations, ddof 1):
    the strategy as if it took the benchmark's risk (quantstats' volatility-matched line)."""
    scale = float(np.std(_v(benchmark), ddof=1) / np.std(_v(returns), ddof=1))
    return returns * scale


def period_returns(returns: pd.Series, freq: str) -> pd.Series:
    """Compounded returns per calendar period: ``"ME"`` months, ``"YE"`` years; indexed by
    the period's last calendar day."""
    return (1.0 + returns).resample(freq).prod() - 1.0


def yearly_table(returns: pd.Series, benchmark: pd.Series) -> pd.DataFrame:
    """Per calendar year: strategy, benchmark, their difference (fractions)."""
    s, b = period_returns(returns, "YE"), period_returns(benchmark, "YE")
    out = pd.DataFrame({"strategy": s, "benchmark": b, "excess": s - b})
    out.index = out.index.year
    return out


def value_at_risk(returns: pd.Series, cutoff: float = 0.05) -> float:
    """Historical daily VaR: the ``cutoff`` percentile of daily returns (a loss is < 0)."""
    return float(np.percentile(_v(returns), 100 * cutoff))


def conditional_value_at_risk(returns: pd.Series, cutoff: float = 0.05) -> float:
    """Historical daily CVaR (expected shortfall): the mean of returns at or below the VaR."""
    v = _v(returns)
    return float(v[v <= np.percentile(v, 100 * cutoff)].mean())


def skew(returns: pd.Series) -> float:
    """Sample skewness (bias-corrected)."""
    return float(pd.Series(_v(returns)).skew())


def kurtosis(returns: pd.Series) -> float:
    """Sample excess kurtosis (bias-corrected; 0 for a normal distribution)."""
    return float(pd.Series(_v(returns)).kurt())


def tail_ratio(returns: pd.Series) -> float:
    """``|95th percentile| / |5th percentile|`` of daily returns."""
    v = _v(returns)
    return float(abs(np.percentile(v, 95)) / abs(np.percentile(v, 5)))


def omega_ratio(returns: pd.Series, threshold: float = 0.0) -> float:
    """Gains above ``threshold`` (daily) over losses below it, summed."""
    d = _v(returns) - threshold
    return float(d[d > 0].sum() / -d[d < 0].sum())


def probabilistic_sharpe_ratio(returns: pd.Series, risk_free: float = DEFAULT_RISK_FREE_RATE,
                               periods_per_year: float = PPY) -> float:
    """P(true Sharpe > 0) given the per-period Sharpe ``sr`` of excess returns, its skew
    ``g3`` and kurtosis ``g4`` (raw): ``Phi(sr * sqrt(n - 1) / sqrt(1 - g3 sr + (g4 - 1) / 4
    sr^2))``."""
    from statistics import NormalDist  # the standard library's Phi: no scipy at runtime

    ex = _v(returns) - ((1 + risk_free) ** (1 / periods_per_year) - 1)
    sr = ex.mean() / ex.std(ddof=1)
    g3, g4 = skew(pd.Series(ex)), kurtosis(pd.Series(ex)) + 3.0
    sigma = np.sqrt((1 - g3 * sr + (g4 - 1) / 4 * sr ** 2) / (len(ex) - 1))
    return float(NormalDist().cdf(float(sr / sigma)))


def win_rate(returns: pd.Series) -> float:
    """Days up over days with a non-zero return."""
    v = _v(returns)
    moved = v[v != 0]
    return float((moved > 0).mean()) if len(moved) else float("nan")


def best_worst(returns: pd.Series) -> dict[str, float]:
    """Best and worst day, calendar month and calendar year (compounded)."""
    m, y = period_returns(returns, "ME"), period_returns(returns, "YE")
    return {"best_day": float(returns.max()), "worst_day": float(returns.min()),
            "best_month": float(m.max()), "worst_month": float(m.min()),
            "best_year": float(y.max()), "worst_year": float(y.min())}


#: Trailing windows: key -> (calendar offset, years to annualise over or None).
TRAILING: dict[str, tuple[Any, float | None]] = {
    "mtd": (None, None), "3m": (pd.DateOffset(months=3), None),
    "6m": (pd.DateOffset(months=6), None), "ytd": (None, None),
    "1y": (pd.DateOffset(years=1), None), "3y": (pd.DateOffset(years=3), 3.0),
    "5y": (pd.DateOffset(years=5), 5.0), "all": (None, None)}


def trailing_returns(returns: pd.Series) -> dict[str, float | None]:
    """Returns over windows ending on the last day: MTD, 3M, 6M, YTD, 1Y, 3Y and 5Y
    (annualised), all (annualised over 242-day years). A window is the days after the
    window's start date (``last - offset``); None when the run starts after that date."""
    last = returns.index[-1]
    first = returns.index[0]
    out: dict[str, float | None] = {}
    for key, (offset, years) in TRAILING.items():
        if key == "mtd":
            since = last.to_period("M").start_time - pd.Timedelta(days=1)
        elif key == "ytd":
            since = last.to_period("Y").start_time - pd.Timedelta(days=1)
        elif key == "all":
            total = float((1.0 + returns).prod() - 1.0)
            out[key] = (1 + total) ** (PPY / len(returns)) - 1
            continue
        else:
            since = last - offset
        if first > since + pd.Timedelta(days=1) and key not in ("mtd", "ytd"):
            out[key] = None
            continue
        window = returns[returns.index > since]
        total = float((1.0 + window).prod() - 1.0)
        out[key] = total if years is None else (1 + total) ** (1 / years) - 1
    return out


def drawdown_periods(returns: pd.Series, top: int = 10) -> pd.DataFrame:
    """The ``top`` deepest drawdown periods: start, trough, end, recovery, days, trading
    days, depth (a fraction <= 0), deepest first. See the module docstring."""
    wealth = (1.0 + returns).cumprod()
    peak = np.maximum(wealth.cummax(), 1.0)
    dd = wealth / peak - 1.0
    under = (dd < 0).to_numpy()
    rows = []
    i, n = 0, len(dd)
    while i < n:
        if not under[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and under[j + 1]:
            j += 1
        seg = dd.iloc[i:j + 1]
        recovery = dd.index[j + 1] if j + 1 < n else None
        rows.append({"start": dd.index[i], "trough": seg.idxmin(), "end": dd.index[j],
                     "recovery": recovery, "days": (dd.index[j] - dd.index[i]).days + 1,
                     "trading_days": j - i + 1, "depth": float(seg.min())})
        i = j + 1
    cols = ["start", "trough", "end", "recovery", "days", "trading_days", "depth"]
    table = pd.DataFrame(rows, columns=cols)
    return table.sort_values("depth", kind="stable").head(top).reset_index(drop=True)


def rolling_stats(returns: pd.Series, benchmark: pd.Series, window: int = ROLLING_WINDOW,
                  risk_free: float = DEFAULT_RISK_FREE_RATE) -> pd.DataFrame:
    """Rolling annualised Sharpe, Sortino (downside deviation over the whole window) and
    volatility of ``returns``, and its beta to ``benchmark``, over ``window`` days."""
    ex = returns - ((1 + risk_free) ** (1 / PPY) - 1)
    roll = ex.rolling(window)
    sharpe = roll.mean() / roll.std(ddof=1) * np.sqrt(PPY)
    down = np.sqrt((np.minimum(ex, 0.0) ** 2).rolling(window).mean())
    sortino = roll.mean() / down * np.sqrt(PPY)
    vol = returns.rolling(window).std(ddof=1) * np.sqrt(PPY)
    beta = returns.rolling(window).cov(benchmark) / benchmark.rolling(window).var()
    return pd.DataFrame({"sharpe": sharpe, "sortino": sortino, "volatility": vol,
                         "beta": beta})


def stress_returns(returns: pd.Series, benchmark: pd.Series,
                   periods: tuple[StressPeriod, ...] = STRESS_PERIODS) -> pd.DataFrame:
    """Strategy and benchmark returns (compounded) in each stress period the run covers
    whole; periods outside the run or cut by its ends are left out."""
    rows = []
    first, last = returns.index[0], returns.index[-1]
    for p in periods:
        start, end = pd.Timestamp(p.start), pd.Timestamp(p.end)
        if start < first or end > last:
            continue
        sel = (returns.index >= start) & (returns.index <= end)
        s = float((1.0 + returns[sel]).prod() - 1.0)
        b = float((1.0 + benchmark[sel]).prod() - 1.0)
        rows.append({"key": p.key, "start": p.start, "end": p.end, "strategy": s,
                     "benchmark": b, "excess": s - b})
    return pd.DataFrame(rows, columns=["key", "start", "end", "strategy", "benchmark",
                                       "excess"])


def key_stats(returns: pd.Series) -> dict[str, Any]:
    """The distribution and risk statistics of the tearsheet's risk table."""
    return {"var_95": value_at_risk(returns), "cvar_95": conditional_value_at_risk(returns),
            "skew": skew(returns), "kurtosis": kurtosis(returns),
            "tail_ratio": tail_ratio(returns), "omega": omega_ratio(returns),
            "psr": probabilistic_sharpe_ratio(returns), "win_rate": win_rate(returns),
            **best_worst(returns)}
