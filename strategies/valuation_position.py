"""Valuation-percentile position management on WIND All A. Source: 量化择时周报 (Tianfeng /
Zhongtai Securities), 仓位管理模型 (models.md section 2): equity weight of an absolute-return
product from the timing regime and the PE/PB historical percentiles, by the report's 3x3 table.
Deviations: PE/PB are proxies (CSI All Share PE-TTM, all-A median PB), not WIND All A's; the
class rule is ours, fitted to the printed positions (docs/position.md).

Weekly: the decision is taken at the close of the last trading day of each week (Friday, or the
day before a holiday) and traded at the next trading day's close by the engine. The rest of the
portfolio is cash; :func:`with_cash_return` credits it ``cash_rate`` a year, accrued daily.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantlib.periods import DEFAULT_RISK_FREE_RATE, TRADING_DAYS_PER_YEAR
from quantlib.valuation import DEFAULT_CLASS_RULE, REPORT_START, PositionModel, position_state

NAME = "valuation_position"
UNIVERSE = ("wind_all_a",)
#: Valuation inputs expected as extra columns of ``prices`` (NaN on days without a value).
FEATURES = ("pe_ttm", "pb_median")


@dataclass(frozen=True)
class Params:
    start: str = REPORT_START  # percentile history start
    method: str = "mean"  # percentile tie rule
    window: int | None = None  # rolling percentile window (days); None = expanding
    rule: str = DEFAULT_CLASS_RULE
    max_stale: int = 10  # as-of join limit (trading days)
    cash_rate: float = DEFAULT_RISK_FREE_RATE  # used by with_cash_return


def model(p: Params = Params()) -> PositionModel:
    return PositionModel(start=p.start, method=p.method, window=p.window, rule=p.rule,
                         max_stale=p.max_stale)


def week_ends(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Last trading day of each calendar week (Mon-Sun) in ``index``."""
    s = pd.Series(index, index=index)
    return pd.DatetimeIndex(s.groupby(index.to_period("W-SUN")).max().to_numpy())


def target_weights(prices: pd.DataFrame, p: Params = Params()) -> pd.DataFrame:
    """Weekly target weight of WIND All A (rows on every week end with a defined position)."""
    close = prices[UNIVERSE[0]].dropna()
    state = position_state(close, prices[FEATURES[0]], prices[FEATURES[1]], model(p))
    weekly = state["position"].reindex(week_ends(close.index)).dropna()
    return weekly.astype("float64").to_frame(UNIVERSE[0])


def with_cash_return(returns: pd.Series, exposure: pd.Series,
                     cash_rate: float = DEFAULT_RISK_FREE_RATE) -> pd.Series:
    """Add interest on the cash share: ``r_t + (1 - exposure_{t-1}) * rf_daily``.

    ``rf_daily = (1 + cash_rate) ** (1 / 242) - 1``; ``exposure_{t-1}`` is the invested
    fraction after trading at the previous close (1.0 cash before the first bar). The engine
    itself pays no interest on cash; this is the whole adjustment.
    """
    daily = (1.0 + cash_rate) ** (1.0 / TRADING_DAYS_PER_YEAR) - 1.0
    cash = 1.0 - exposure.shift(1).fillna(0.0).to_numpy()
    return pd.Series(returns.to_numpy() + np.clip(cash, 0.0, 1.0) * daily,
                     index=returns.index, name=returns.name)
