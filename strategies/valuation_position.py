"""Valuation-percentile position management on WIND All A. Source: 量化择时周报 (Tianfeng /
Zhongtai Securities), 仓位管理模型 (docs/position.md): equity weight of an absolute-return
product from the timing regime and the PE/PB historical percentiles, by the report's 3x3 table.
Deviations: PE/PB are proxies (CSI All Share PE-TTM, all-A median PB), not WIND All A's; the
class rule is ours, fitted to the printed positions (docs/position.md).

Weekly: the decision is taken at the close of the last trading day of each week (Friday, or the
day before a holiday) and traded at the next trading day's close by the engine. The rest of the
portfolio is cash, which earns ``cash_rate`` a year in the engine (strategy and benchmark).
"""

from __future__ import annotations

from quantlib.periods import DEFAULT_RISK_FREE_RATE
from quantlib.schedules import week_ends
from quantlib.strategy import BUY_AND_HOLD, INDEX_COSTS, Input, Param, Strategy
from quantlib.timing import timing_state
from quantlib.valuation import (
    DEFAULT_CLASS_RULE,
    PERCENTILE_METHODS,
    REPORT_START,
    PositionModel,
    position_state,
)

from .ma_distance_timing import WIND_PROXY_NOTE, WIND_PROXY_NOTE_ZH


class ValuationPosition(Strategy):
    name = "valuation_position"
    title = "WIND All A valuation position (仓位管理: regime x PE/PB percentile)"
    title_zh = "万得全A 仓位管理（市场状态 × PE/PB 估值分位）"
    summary_zh = ("万得全A 估值分位仓位管理。来源：量化择时周报（天风证券 / 中泰证券）的仓位管理"
                  "模型（docs/position.md）：绝对收益产品的股票仓位由择时的市场状态和 PE/PB 历史"
                  "估值分位按周报的 3×3 表决定。与周报的不同：PE/PB 为代理指标（中证全指 PE-TTM、"
                  "全A 市净率中位数），并非万得全A 本身的估值；估值分类规则由我们按周报公布的"
                  "仓位拟合（docs/position.md）。")
    params = {
        "start": Param(REPORT_START, help="first day of the percentile history",
                       help_zh="估值分位历史的起始日"),
        "method": Param("mean", choices=PERCENTILE_METHODS, help="percentile tie rule",
                        help_zh="估值分位的并列处理规则"),
        "window": Param(None, type="int", low=20,
                        help="rolling percentile window (days); None = expanding",
                        help_zh="滚动估值分位窗口（天）；none 为扩展窗口"),
        "rule": Param(DEFAULT_CLASS_RULE, help="valuation class rule (docs/position.md)",
                      help_zh="估值分类规则（docs/position.md）"),
        "max_stale": Param(10, low=0, help="as-of join limit for PE/PB (trading days)",
                           help_zh="PE/PB 最多沿用的交易日数"),
    }
    inputs = {
        "close": Input("wind_all_a", "close"),
        "pe": Input("csi_all_share", "pe_ttm"),
        "pb": Input("all_a_pb", "pb_median"),
    }
    trade = "close"
    asset = "wind_all_a"
    asset_kind = "index"
    costs = INDEX_COSTS
    benchmark = BUY_AND_HOLD
    cash_rate = DEFAULT_RISK_FREE_RATE
    notes = (WIND_PROXY_NOTE,
             "PE/PB are proxies (CSI All Share PE-TTM, all-A median PB); see docs/position.md.",
             "Cash earns the strategy's cash_rate a year, accrued daily in the engine "
             "(strategy and benchmark).")
    notes_zh = (WIND_PROXY_NOTE_ZH,
                "PE/PB 为代理指标（中证全指 PE-TTM、全A 市净率中位数）；见 docs/position.md。",
                "现金按策略参数 cash_rate 计年化收益，在引擎中逐日计息（策略与基准相同）。")

    def model(self, p):
        return PositionModel(start=p.start, method=p.method, window=p.window, rule=p.rule,
                             max_stale=p.max_stale)

    def constraint(self, p):
        try:
            self.model(p)
        except ValueError as exc:  # an unknown rule or method names itself
            return str(exc)
        return True

    def target_weights(self, data, p):
        """Weekly target weight of WIND All A (rows on every week end with a position)."""
        close = data["close"].dropna()
        state = position_state(close, data["pe"].reindex(close.index),
                               data["pb"].reindex(close.index), self.model(p))
        weekly = state["position"].reindex(week_ends(close.index)).dropna()
        return weekly.astype("float64").to_frame(self.asset)

    def regime(self, data):
        return timing_state(data["close"].dropna())["regime_label"]
