"""WIND All A MA-distance timing. Source: 量化择时周报 (Tianfeng / Zhongtai Securities), the
market-timing system: regime (上行/震荡/下行) from (MA20 - MA120) / MA120 and a 3% threshold,
with the uptrend-break and downtrend-exit rules (docs/timing.md). Deviations: the report
gives no position for the range regime (震荡); ``range_weight`` sets it (default 0.5).

Full weight in an uptrend, none in a downtrend, ``range_weight`` in a range. Weights rows are
emitted on the days the target changes (the engine holds positions in between), decided at
the close and traded from the next bar by the engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quantlib.strategy import BUY_AND_HOLD, INDEX_COSTS, Input, Param, Strategy
from quantlib.timing import (
    DOWN,
    RANGE,
    TREND_METHODS,
    UP,
    TimingParams,
    regime_weights_batch,
    timing_batch,
    timing_state,
)

WIND_PROXY_NOTE = ("WIND All A is real Wind data to 2024-12-12 and a proxy (return model on the "
                   "CSI All Share) after; see docs/data.md.")


class MaDistanceTiming(Strategy):
    name = "ma_distance_timing"
    title = "WIND All A MA-distance timing (均线距离择时)"
    params = {
        "short": Param(20, low=1, help="short MA window (days)"),
        "long": Param(120, low=2, help="long MA window (days)"),
        "threshold": Param(0.03, low=0.0, high=1.0, help="regime threshold on the distance"),
        "trend_method": Param("sma", choices=TREND_METHODS, help="trend line (趋势线) formula"),
        "trend_window": Param(20, low=1, help="trend line window (days)"),
        "range_weight": Param(0.5, low=0.0, high=1.0, help="weight in a range (震荡)"),
        "use_rules": Param(True, help="apply the break/exit rules (False: raw threshold)"),
    }
    inputs = {"close": Input("wind_all_a", "close")}
    trade = "close"
    asset = "wind_all_a"
    asset_kind = "index"
    costs = INDEX_COSTS
    benchmark = BUY_AND_HOLD
    cash_rate = 0.0
    notes = (WIND_PROXY_NOTE, "Cash earns nothing.")

    def constraint(self, p):
        ok = p.short < p.long
        if np.ndim(ok):  # whole parameter columns (a sweep's grid): one boolean per row
            return ok
        return bool(ok) or "short must be shorter than long"

    def warmup(self, p):
        return p.long - 1  # the long MA's first full window: the first regime

    def target_weights(self, data, p):
        close = data["close"].dropna()
        tp = TimingParams(short=p.short, long=p.long, threshold=p.threshold,
                          trend_method=p.trend_method, trend_window=p.trend_window)
        state = timing_state(close, params=tp)
        regime = state["regime" if p.use_rules else "raw_regime"].dropna()
        weight = regime.map({UP: 1.0, RANGE: p.range_weight, DOWN: 0.0}).astype("float64")
        changes = weight[weight.ne(weight.shift(1))]
        return changes.to_frame(self.asset)

    def batch_weights(self, data, combos: pd.DataFrame) -> np.ndarray:
        close = data["close"].dropna()
        out = regime_weights_batch(close, combos["short"], combos["long"], combos["threshold"],
                                   combos["trend_method"], combos["trend_window"],
                                   combos["range_weight"], combos["use_rules"])
        if len(close) != len(data.calendar):  # NaN closes dropped: no decision on them
            out = pd.DataFrame(out, index=close.index).reindex(data.calendar).to_numpy()
        return out[:, :, None]

    def batch_signals(self, data, combos: pd.DataFrame):
        close = data["close"].dropna()
        if len(close) != len(data.calendar):
            return None  # NaN closes: the reference path (batch_weights) handles them
        return timing_batch(close, combos["short"], combos["long"], combos["threshold"],
                            combos["trend_method"], combos["trend_window"],
                            combos["range_weight"], combos["use_rules"])

    def regime(self, data):
        return timing_state(data["close"].dropna())["regime_label"]
