"""Industry rotation on the Shenwan level-1 indices (docs/rotation.md).

Four models score the industries every day; the top ``k`` are the picks:

* ``trend`` - the timing system per industry; uptrending industries by distance and money
  effect (:mod:`quantlib.rotation.trend`);
* ``two_beta`` - technology-growth vs upstream-cyclical sleeves, the leader by the trend of
  their relative strength (:mod:`quantlib.rotation.two_beta`);
* ``earnings`` - earnings growth and acceleration from index level / PE TTM
  (:mod:`quantlib.rotation.earnings`; bundled data 2000-01..2022-08 only);
* ``reversal`` - distressed industries at low valuation whose trend turns
  (:mod:`quantlib.rotation.reversal`);

and ``blend`` averages their rank scores. Everything is pure and causal: the score on day t
uses data up to t; the backtest engine trades it from t+1. See ``docs/rotation.md``.

Examples
--------
>>> from quantlib import data, rotation
>>> d = rotation.IndustryData(data.load("sw_l1")["close"], data.load("sw_l1_pe_ttm")["pe_ttm"])
>>> s = rotation.model_scores("trend", d)
>>> rotation.pick_table(s, rotation.resolve_date(d, None), k=5)  # doctest: +SKIP
"""

from __future__ import annotations

from quantlib.rotation._common import (
    IndustryData,
    ModelScores,
    RotationParamError,
    check_close,
    monthly_to_daily,
    rank_pct,
)
from quantlib.rotation.earnings import (
    BUNDLED_PE_END,
    EarningsParams,
    earnings_growth,
    earnings_scores,
    implied_earnings,
)
from quantlib.rotation.picks import (
    MODELS,
    WEIGHTINGS,
    blend_scores,
    check_codes,
    etf_codes,
    model_scores,
    pick_table,
    resolve_date,
    top_k,
    weights_from_scores,
)
from quantlib.rotation.reversal import ReversalParams, frame_distance, reversal_scores
from quantlib.rotation.stock_earnings import (
    MIN_RANK_CORR,
    EarningsExtension,
    earnings_extension,
    industry_data,
    industry_earnings_from_stocks,
    rank_corr_of_changes,
    stock_earnings,
)
from quantlib.rotation.trend import TrendParams, industry_timing, trend_scores
from quantlib.rotation.two_beta import (
    CYCLICAL,
    CYCLICAL_BROAD,
    TECH,
    TwoBetaParams,
    lead_names,
    lead_with_hysteresis,
    rolling_beta,
    two_beta_scores,
)

__all__ = [
    "BUNDLED_PE_END",
    "CYCLICAL",
    "CYCLICAL_BROAD",
    "MIN_RANK_CORR",
    "MODELS",
    "TECH",
    "WEIGHTINGS",
    "EarningsExtension",
    "EarningsParams",
    "IndustryData",
    "ModelScores",
    "ReversalParams",
    "RotationParamError",
    "TrendParams",
    "TwoBetaParams",
    "blend_scores",
    "check_close",
    "check_codes",
    "earnings_extension",
    "earnings_growth",
    "earnings_scores",
    "etf_codes",
    "frame_distance",
    "implied_earnings",
    "industry_data",
    "industry_earnings_from_stocks",
    "industry_timing",
    "lead_names",
    "lead_with_hysteresis",
    "model_scores",
    "monthly_to_daily",
    "pick_table",
    "rank_corr_of_changes",
    "rank_pct",
    "resolve_date",
    "reversal_scores",
    "rolling_beta",
    "stock_earnings",
    "top_k",
    "trend_scores",
    "two_beta_scores",
    "weights_from_scores",
]
