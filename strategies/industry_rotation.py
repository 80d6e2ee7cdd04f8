"""Shenwan level-1 industry rotation. Source: 量化择时周报 (Tianfeng / Zhongtai Securities),
行业趋势配置 (docs/rotation.md): industry trend, TWO BETA, earnings trend, distressed
reversal. Deviations: every model's rule is ours (the report states none); see
docs/rotation.md and :mod:`quantlib.rotation`.

Weekly: at the close of the last trading day of each week, the top ``k`` industries by the
chosen model (or ``blend``) get ``1/k`` each (``equal``; empty slots stay cash) or score
weights; the engine trades them at the next close. Industries without history are never picked.
"""

from __future__ import annotations

import dataclasses

from quantlib.rotation import IndustryData, model_scores
from quantlib.rotation.picks import MODELS, WEIGHTINGS
from quantlib.schedules import week_ends
from quantlib.strategy import EQUAL_WEIGHT, INDEX_COSTS, Input, Param, Strategy
from quantlib.timing import timing_state
from quantlib.weights import score_weighted, top_k_batch, top_k_equal


class IndustryRotation(Strategy):
    name = "industry_rotation"
    title = "Shenwan L1 industry rotation (行业趋势配置)"
    title_zh = "申万一级行业轮动（行业趋势配置）"
    summary_zh = ("申万一级行业轮动。来源：量化择时周报（天风证券 / 中泰证券）的行业趋势配置"
                  "（docs/rotation.md）：行业趋势、TWO BETA、盈利趋势、困境反转。与周报的不同："
                  "各模型的规则由我们设定（周报没有给出）；见 docs/rotation.md。")
    params = {
        "model": Param("trend", choices=(*MODELS, "blend"), help="scoring model",
                       help_zh="打分模型"),
        "k": Param(5, low=1, high=31, help="industries held", help_zh="持有行业数"),
        "weighting": Param("equal", choices=WEIGHTINGS, help="1/k each, or by score",
                           help_zh="每个行业 1/k，或按得分加权"),
    }
    inputs = {
        "close": Input("sw_l1", "close"),
        "pe_ttm": Input("sw_l1_pe_ttm", "pe_ttm"),
        "market": Input("wind_all_a", "close"),  # shading only: the market's regime
    }
    trade = "close"
    asset_kind = "index"
    # index sleeve costs plus 5 bps slippage (a basket of 31 industries trades wider)
    costs = dataclasses.replace(INDEX_COSTS, slippage_bps=5.0)
    benchmark = EQUAL_WEIGHT
    cash_rate = 0.0
    notes = ("Shenwan L1 industry indices (not ETFs).",
             "sw_l1_pe_ttm ends 2022-08-31: the earnings model makes no picks after that (cash); "
             "see docs/rotation.md.",
             "Shading: WIND All A's timing regime (the market, not the industries).",
             "Cash earns nothing.")
    notes_zh = ("申万一级行业指数（不是 ETF）。",
                "sw_l1_pe_ttm 截至2022年8月31日：此后盈利趋势模型不做推荐（空仓）；见 "
                "docs/rotation.md。",
                "底色：万得全A 的择时市场状态（整个市场，不是各行业）。",
                "现金不计收益。")

    def __init__(self) -> None:
        self._scores: dict[tuple[int, str], tuple] = {}
        self._days: dict[tuple[int, str], tuple] = {}


    def scores(self, data, model):
        """The model's scores on ``data`` (computed once per data object and model)."""
        key = (id(data), model)  # the entry keeps data alive, so its id is not reused
        if key not in self._scores:
            self._scores[key] = (data, model_scores(model, IndustryData(data["close"],
                                                                        data["pe_ttm"])))
        return self._scores[key][1]

    def first_decision(self, data, p):
        return self._decision_days(data, p.model)[0]

    def _decision_days(self, data, model):
        """The week ends from the model's first covered day (once per data object and model:
        a sweep asks for every combination)."""
        key = (id(data), model)
        if key not in self._days:
            covered = self.scores(data, model).covered
            first = covered.idxmax() if covered.any() else data.calendar[-1]
            days = week_ends(data.calendar)
            self._days[key] = (data, days[days >= days[days >= first][0]])
        return self._days[key][1]

    def target_weights(self, data, p):
        """Weekly target weights (week ends from the model's first covered day; all-zero rows =
        cash where the model has no data)."""
        build = top_k_equal if p.weighting == "equal" else score_weighted
        return build(self.scores(data, p.model).score, p.k, self._decision_days(data, p.model))

    def batch_signals(self, data, combos):
        """The fused sweep's inputs: one score panel per model of the batch (computed once,
        shared by every k and weighting), its decision days, each combination's panel, k and
        weighting (every declared parameter fuses; nothing declines)."""
        models = list(dict.fromkeys(combos["model"]))
        return top_k_batch([self.scores(data, m).score for m in models],
                           [self._decision_days(data, m) for m in models], data.calendar,
                           data.prices.columns, [models.index(m) for m in combos["model"]],
                           combos["k"], combos["weighting"])

    def regime(self, data):
        return timing_state(data["market"].dropna())["regime_label"].reindex(data.calendar)
