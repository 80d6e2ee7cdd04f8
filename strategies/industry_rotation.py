"""Shenwan level-1 industry rotation. Source: 量化择时周报 (Tianfeng / Zhongtai Securities),
行业趋势配置 (models.md section 3): industry trend, TWO BETA, earnings trend, distressed
reversal. Deviations: every model's rule is ours (the report states none); see
docs/rotation.md and :mod:`quantlib.rotation`.

Weekly: at the close of the last trading day of each week, the top ``k`` industries by the
chosen model (or ``blend``) get ``1/k`` each (``equal``; empty slots stay cash) or score
weights; the engine trades them at the next close. Industries without history are never picked.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from quantlib.data.akshare import SW_L1_CODES
from quantlib.rotation import IndustryData, model_scores, weights_from_scores

NAME = "industry_rotation"
UNIVERSE = SW_L1_CODES


@dataclass(frozen=True)
class Params:
    model: str = "trend"  # trend | two_beta | earnings | reversal | blend
    k: int = 5
    weighting: str = "equal"  # equal | score


def week_ends(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Last trading day of each calendar week (Mon-Sun) in ``index``."""
    s = pd.Series(index, index=index)
    return pd.DatetimeIndex(s.groupby(index.to_period("W-SUN")).max().to_numpy())


def target_weights(prices: pd.DataFrame, p: Params = Params(),
                   pe_ttm: pd.DataFrame | None = None) -> pd.DataFrame:
    """Weekly target weights (week ends from the model's first covered day; all-zero rows =
    cash where the model has no data). ``prices``: SW L1 closes, dates x codes."""
    data = IndustryData(prices, pe_ttm)
    scores = model_scores(p.model, data)
    weights = weights_from_scores(scores.score, p.k, p.weighting)
    first = scores.covered.idxmax() if scores.covered.any() else prices.index[-1]
    days = week_ends(prices.index)
    return weights.reindex(days[days >= first])
