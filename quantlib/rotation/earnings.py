"""Earnings trend model (业绩趋势): industries whose trailing earnings grow fastest and
accelerate.

Earnings from valuation. An index's PE TTM is its constituents' total market value over
their total trailing-twelve-month earnings, and the index level is total market value over a
divisor, so ``E_t = close_t / PE_t`` is the index's TTM earnings per index point
(``sum(earnings) / divisor``). Its growth is the industry's earnings growth up to the
divisor's constituent changes (a member joining at the industry's PE leaves E unchanged).
``close_t`` is the industry's last close on or before the PE date.

Causality: Wind's month-end PE TTM is computed on that day's close from earnings already
*reported* by then (TTM = the last four published quarters), so E at a month-end is known at
that close; no reporting-lag shift is needed. The score of month-end m is used from the first
trading day on or after m (``max_age_days`` = 45 calendar days later it lapses).

Rule, per month-end (with ``accel_months`` = 3)::

    growth_t = (E_t - E_{t-12}) / |E_{t-12}|       (NaN if either is missing or E_{t-12} = 0)
    accel_t  = growth_t - growth_{t-3}
    score_t  = w * rank_pct(growth_t) + (1 - w) * rank_pct(accel_t),  w = 0.5

over the industries with both defined; all such industries are eligible (the top k are the
picks). Negative or zero PE (possible in an SWS refresh, never in the bundled Wind series,
which excludes loss-makers) gives E = NaN: earnings whose sign flips make growth meaningless.

Coverage: the bundled Wind PE TTM runs 2000-01-31 .. 2022-08-31, so scores exist from
2001-04 to 2022-08 (+45 days). Outside that the model has NO scores and the CLI says so;
there is no fallback to price momentum. An akshare refresh (SWS PE, loss-makers included)
appended after ``source_break`` is a different definition: growth across the junction is NaN,
so refreshed months score only once 12 months + ``accel_months`` of SWS data exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantlib.errors import DataValidationError
from quantlib.i18n import Message
from quantlib.rotation._common import (
    IndustryData,
    ModelScores,
    RotationParamError,
    monthly_to_daily,
    rank_pct,
)

__all__ = ["BUNDLED_PE_END", "EarningsParams", "earnings_growth", "earnings_scores",
           "implied_earnings"]

#: Last month-end of the bundled Wind PE TTM (``sw_l1_pe_ttm``).
BUNDLED_PE_END = "2022-08-31"


@dataclass(frozen=True)
class EarningsParams:
    """Parameters of the earnings trend model (see the module docstring)."""

    accel_months: int = 3
    weight_growth: float = 0.5
    max_age_days: int = 45
    source_break: str | None = BUNDLED_PE_END

    def __post_init__(self) -> None:
        if int(self.accel_months) < 1:
            raise RotationParamError(f"accel_months must be >= 1, got {self.accel_months}.")
        if not 0.0 <= self.weight_growth <= 1.0:
            raise RotationParamError(f"weight_growth must be in [0, 1], got {self.weight_growth}.")
        if int(self.max_age_days) < 1:
            raise RotationParamError(f"max_age_days must be >= 1, got {self.max_age_days}.")


def implied_earnings(close: pd.DataFrame, pe_ttm: pd.DataFrame) -> pd.DataFrame:
    """TTM earnings per index point at each PE date: ``close_on_or_before(date) / PE``.

    Non-positive or missing PE -> NaN. Rows are the PE dates.
    """
    pos = close.index.searchsorted(pe_ttm.index, side="right") - 1
    level = close.reindex(columns=pe_ttm.columns).to_numpy(dtype="float64")[np.clip(pos, 0, None)]
    level[pos < 0] = np.nan
    pe = pe_ttm.to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        earn = np.where(pe > 0, level / pe, np.nan)
    return pd.DataFrame(earn, index=pe_ttm.index, columns=pe_ttm.columns)


def _by_month(frame: pd.DataFrame) -> pd.DataFrame:
    months = frame.index.to_period("M")
    if months.has_duplicates:
        raise DataValidationError("pe_ttm has two rows in one month; keep one month-end each.")
    full = pd.period_range(months[0], months[-1], freq="M")
    return frame.set_axis(months).reindex(full)


def earnings_growth(earnings: pd.DataFrame, accel_months: int = 3,
                    source_break: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """YoY growth ``(E_t - E_{t-12}) / |E_{t-12}|`` and its change over ``accel_months``.

    Months are matched by calendar month (a missing month gives NaN, not a shifted match).
    Growth comparing a month after ``source_break`` with one on or before it is NaN.
    Returns frames on the input's dates.
    """
    e = _by_month(earnings)
    prev = e.shift(12)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (e - prev) / prev.abs().where(prev != 0)
    if source_break is not None:
        cut = pd.Timestamp(source_break).to_period("M")
        straddle = (e.index > cut) & ((e.index - 12) <= cut)
        growth.loc[straddle] = np.nan
    accel = growth - growth.shift(accel_months)
    if source_break is not None:
        straddle = (e.index > cut) & ((e.index - 12 - accel_months) <= cut)
        accel.loc[straddle] = np.nan
    back = earnings.index.to_period("M")
    return (growth.loc[back].set_axis(earnings.index), accel.loc[back].set_axis(earnings.index))


def earnings_scores(data: IndustryData, params: EarningsParams | None = None) -> ModelScores:
    """Rank industries by earnings growth and acceleration (see the module docstring)."""
    p = params or EarningsParams()
    if data.pe_ttm is None or len(data.pe_ttm) == 0:
        raise DataValidationError("the earnings model needs pe_ttm: pass "
                                  "IndustryData(close, load('sw_l1_pe_ttm')['pe_ttm']).")
    earn = implied_earnings(data.close, data.pe_ttm)
    growth, accel = earnings_growth(earn, p.accel_months, p.source_break)
    ext_span = ""
    if data.earnings_ext is not None and len(data.earnings_ext):
        # another source after the last PE month: its own growth (never across sources)
        ext = data.earnings_ext.where(data.earnings_ext > 0)
        g2, a2 = earnings_growth(ext, p.accel_months, None)
        last = data.pe_ttm.dropna(how="all").index[-1].to_period("M")
        later = ext.index.to_period("M") > last
        if later.any():
            growth = pd.concat([growth, g2[later]])
            accel = pd.concat([accel, a2[later]])
            earn = pd.concat([earn, ext[later]])
            ext_span = Message("rule.earnings_ext", span=Message(
                "span", start=ext.index[later][0].date(), end=ext.index[later][-1].date()))
    both = growth.notna() & accel.notna()
    monthly = (p.weight_growth * rank_pct(growth.where(both))
               + (1 - p.weight_growth) * rank_pct(accel.where(both)))
    days = data.close.index
    score = monthly_to_daily(monthly, days, p.max_age_days)
    fields = {name: monthly_to_daily(f, days, p.max_age_days)
              for name, f in (("earnings", earn), ("growth", growth), ("accel", accel))}
    covered = score.notna().any(axis=1)
    valid = monthly.dropna(how="all").index
    span = (Message("span", start=valid[0].date(), end=valid[-1].date()) if len(valid)
            else Message("rule.no_month"))
    pe_span = Message("span", start=data.pe_ttm.index[0].date(),
                      end=data.pe_ttm.index[-1].date())
    note = Message.join([Message("rule.earnings", span=span, max_age=p.max_age_days,
                                 pe_span=pe_span), ext_span, data.earnings_note])
    return ModelScores("earnings", score, covered, fields=fields, note=note)
