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

WIND_PROXY_NOTE_ZH = ("万得全A 在2024年12月12日之前为真实 Wind 数据，之后为代理数据（按中证全指的"
                      "收益模型延伸）；见 docs/data.md。")
WIND_PROXY_NOTE = ("WIND All A is real Wind data to 2024-12-12 and a proxy (return model on the "
                   "CSI All Share) after; see docs/data.md.")


class MaDistanceTiming(Strategy):
    name = "ma_distance_timing"
    title = "WIND All A MA-distance timing (均线距离择时)"
    title_zh = "万得全A 均线距离择时"
    summary_zh = ("万得全A 均线距离择时。来源：量化择时周报（天风证券 / 中泰证券）的趋势择时系统："
                  "由 (MA20 - MA120) / MA120 与 3% 阈值判断市场状态（上行/震荡/下行），并有上行"
                  "趋势破位和走出下行趋势两条规则（docs/timing.md）。与周报的不同：周报没有给出"
                  "震荡时的仓位，由参数 range_weight 决定（默认 0.5）。")
    params = {
        "short": Param(20, low=1, help="short MA window (days)",
                       help_zh="短均线窗口（天）"),
        "long": Param(120, low=2, help="long MA window (days)",
                      help_zh="长均线窗口（天）"),
        "threshold": Param(0.03, low=0.0, high=1.0, help="regime threshold on the distance",
                           help_zh="均线距离的市场状态阈值"),
        "trend_method": Param("sma", choices=TREND_METHODS, help="trend line (趋势线) formula",
                              help_zh="趋势线公式"),
        "trend_window": Param(20, low=1, help="trend line window (days)",
                              help_zh="趋势线窗口（天）"),
        "range_weight": Param(0.5, low=0.0, high=1.0, help="weight in a range (震荡)",
                              help_zh="震荡时的仓位"),
        "use_rules": Param(True, help="apply the break/exit rules (False: raw threshold)",
                           help_zh="使用破位与走出下行趋势规则（false：只用阈值）"),
    }
    inputs = {"close": Input("wind_all_a", "close")}
    trade = "close"
    asset = "wind_all_a"
    asset_kind = "index"
    costs = INDEX_COSTS
    benchmark = BUY_AND_HOLD
    cash_rate = 0.0
    notes = (WIND_PROXY_NOTE, "Cash earns nothing.")
    notes_zh = (WIND_PROXY_NOTE_ZH, "现金不计收益。")

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
