"""Distressed reversal model (困境反转预期): beaten-down, cheap industries whose trend turns.

An industry is eligible on day t when all three hold (defaults in brackets):

1. **Long decline**: within the last ``recent_window`` [120] days its drawdown from the
   highest close of the previous ``high_window`` [750, about 3 years] days reached
   ``min_drawdown`` [35%] or more.
2. **Low valuation**: its valuation percentile is at most ``max_percentile`` [0.3]:
   the PE TTM percentile within its own last ``pe_window`` [120] month-ends (at least 36)
   where the PE exists, otherwise (``valuation="pe_else_price"``) the close's percentile in
   its last ``price_window`` [1250] days (at least 500). ``valuation="pe"`` or ``"price"``
   forces one basis; the basis used is reported per day and industry (``fields["basis"]``:
   1 = PE, 0 = price).
3. **Trend turn**: the MA20/MA120 distance is above ``turn_level`` [-3%, the down-regime
   threshold] today and was at or below it at some day of the last ``turn_window`` [20]
   days (it rose through the level recently), and the money effect ``close / MA20 - 1`` is
   positive.

Score: ``1 - percentile`` (the cheapest first). Causal: day t uses closes to t and the last
PE month-end on or before t (at most 45 days old).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantlib.errors import UnknownNameError
from quantlib.i18n import Message
from quantlib.rotation._common import (
    IndustryData,
    ModelScores,
    RotationParamError,
    monthly_to_daily,
)

__all__ = ["VALUATIONS", "ReversalParams", "frame_distance", "reversal_scores"]

VALUATIONS = ("pe_else_price", "pe", "price")


@dataclass(frozen=True)
class ReversalParams:
    """Parameters of the distressed reversal model (see the module docstring)."""

    high_window: int = 750
    min_drawdown: float = 0.35
    recent_window: int = 120
    valuation: str = "pe_else_price"
    max_percentile: float = 0.3
    pe_window: int = 120
    price_window: int = 1250
    turn_level: float = -0.03
    turn_window: int = 20
    short: int = 20
    long: int = 120
    max_age_days: int = 45

    def __post_init__(self) -> None:
        if self.valuation not in VALUATIONS:
            raise UnknownNameError("valuation basis", self.valuation, VALUATIONS)
        for name in ("high_window", "recent_window", "pe_window", "price_window",
                     "turn_window", "short", "long", "max_age_days"):
            if int(getattr(self, name)) < 1:
                raise RotationParamError(f"{name} must be a positive window, got "
                                         f"{getattr(self, name)}.")
        if self.short >= self.long:
            raise RotationParamError(f"short {self.short} must be < long {self.long}.")
        if not 0 < self.min_drawdown < 1 or not 0 < self.max_percentile <= 1:
            raise RotationParamError("min_drawdown must be in (0, 1) and max_percentile in "
                                     "(0, 1].")


def frame_distance(close: pd.DataFrame, short: int = 20, long: int = 120) -> pd.DataFrame:
    """``(SMA_short - SMA_long) / SMA_long`` per column (= :func:`quantlib.timing.ma_distance`)."""
    ma_long = close.rolling(long, min_periods=long).mean()
    return (close.rolling(short, min_periods=short).mean() - ma_long) / ma_long


def _percentiles(data: IndustryData, p: ReversalParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    close = data.close
    price_pct = close.rolling(p.price_window, min_periods=min(500, p.price_window)).rank(pct=True)
    if data.pe_ttm is None or p.valuation == "price":
        return price_pct, pd.DataFrame(0.0, index=close.index, columns=close.columns).where(
            price_pct.notna())
    pe = data.pe_ttm.where(data.pe_ttm > 0)
    pe_pct = pe.rolling(p.pe_window, min_periods=min(36, p.pe_window)).rank(pct=True)
    pe_daily = monthly_to_daily(pe_pct, close.index, p.max_age_days)
    if p.valuation == "pe":
        return pe_daily, pd.DataFrame(1.0, index=close.index, columns=close.columns).where(
            pe_daily.notna())
    pct = pe_daily.where(pe_daily.notna(), price_pct)
    basis = pd.DataFrame(np.where(pe_daily.notna(), 1.0, np.where(price_pct.notna(), 0.0,
                                                                   np.nan)),
                         index=close.index, columns=close.columns)
    return pct, basis


def reversal_scores(data: IndustryData, params: ReversalParams | None = None) -> ModelScores:
    """Flag distressed industries whose trend turns; cheapest first (see module)."""
    p = params or ReversalParams()
    close = data.close
    high = close.rolling(p.high_window, min_periods=min(250, p.high_window)).max()
    drawdown = close / high - 1.0
    declined = drawdown.rolling(p.recent_window, min_periods=1).min() <= -p.min_drawdown
    pct, basis = _percentiles(data, p)
    cheap = pct <= p.max_percentile
    dist = frame_distance(close, p.short, p.long)
    money = close / close.rolling(p.short, min_periods=p.short).mean() - 1.0
    was_below = (dist <= p.turn_level).astype("float64").where(dist.notna()).rolling(
        p.turn_window, min_periods=1).max() > 0
    turned = (dist > p.turn_level) & was_below & (money > 0)
    eligible = declined & cheap & turned
    score = (1.0 - pct).where(eligible)
    covered = dist.notna().any(axis=1) & pct.notna().any(axis=1)
    fields = {"drawdown": drawdown, "percentile": pct, "basis": basis, "distance": dist,
              "money_effect": money}
    note = Message("rule.reversal", min_drawdown=p.min_drawdown, high_window=p.high_window,
                   recent_window=p.recent_window, max_percentile=p.max_percentile,
                   basis=p.valuation, turn_level=p.turn_level, turn_window=p.turn_window)
    return ModelScores("reversal", score, covered, fields=fields, note=note)
