"""WIND All A MA-distance timing. Source: 量化择时周报 (Tianfeng / Zhongtai Securities), the
market-timing system: regime from (MA20 - MA120) / MA120 and a 3% threshold, with the
uptrend-break and downtrend-exit rules (models.md section 1). Deviations: the report gives no
position for the range regime; ``range_weight`` sets it (default 0.5).

Full weight in an uptrend, none in a downtrend, ``range_weight`` in a range. Weights rows are
emitted on the days the target changes (the engine holds positions in between), decided at
the close and traded from the next bar by the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from quantlib.timing import DOWN, RANGE, UP, TimingParams, timing_state

NAME = "ma_distance_timing"
UNIVERSE = ("wind_all_a",)


@dataclass(frozen=True)
class Params:
    short: int = 20
    long: int = 120
    threshold: float = 0.03
    trend_method: str = "sma"
    trend_window: int = 20
    range_weight: float = 0.5
    use_rules: bool = True  # False: the raw threshold regime, without break/exit rules


def target_weights(prices: pd.DataFrame, p: Params = Params()) -> pd.DataFrame:
    """Target weight of WIND All A per regime; rows on the days the target changes."""
    close = prices[UNIVERSE[0]].dropna()
    tp = TimingParams(short=p.short, long=p.long, threshold=p.threshold,
                      trend_method=p.trend_method, trend_window=p.trend_window)
    state = timing_state(close, params=tp)
    regime = state["regime" if p.use_rules else "raw_regime"].dropna()
    weight = regime.map({UP: 1.0, RANGE: p.range_weight, DOWN: 0.0}).astype("float64")
    changes = weight[weight.ne(weight.shift(1))]
    return changes.to_frame(UNIVERSE[0])
