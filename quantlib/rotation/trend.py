"""Industry trend model: the market-timing system applied to each industry index.

Rule (docs/rotation.md; the report's "these industries continue their uptrend"): an industry is
eligible on day t when its final timing regime (:func:`quantlib.timing.timing_state`, MA20 vs
MA120 distance with the 3% threshold, uptrend-break and downtrend-exit rules) is **up**.
Eligible industries are ranked by::

    score = w * rank_pct(distance) + (1 - w) * rank_pct(money_effect)

where both percentile ranks are taken across the eligible industries of that day (the
largest gets 1) and ``w = weight_distance`` (0.5). Causal: day t uses closes up to t.
An industry with fewer than ``long`` days of history has no regime yet and is never eligible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from quantlib.i18n import Message
from quantlib.rotation._common import IndustryData, ModelScores, RotationParamError, rank_pct
from quantlib.timing import UP, TimingParams, timing_frame, timing_state

__all__ = ["TrendParams", "industry_timing", "trend_scores"]


@dataclass(frozen=True)
class TrendParams:
    """Parameters of the industry trend model.

    Attributes
    ----------
    timing : TimingParams
        The timing system per industry (report defaults: MA20/MA120, 3%, MA20 trend line).
    use_rules : bool
        True: the final regime (with break/exit rules); False: the raw threshold regime.
    weight_distance : float
        Weight of the distance rank in the score; the money-effect rank gets the rest.
    """

    timing: TimingParams = field(default_factory=TimingParams)
    use_rules: bool = True
    weight_distance: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.weight_distance <= 1.0:
            raise RotationParamError(
                f"weight_distance must be in [0, 1], got {self.weight_distance!r}.")


def industry_timing(close: pd.DataFrame, params: TimingParams | None = None
                    ) -> dict[str, pd.DataFrame]:
    """The timing system on every industry column (:func:`quantlib.timing.timing_frame`).

    Each column is taken from its first valid close (later-starting industries are fine);
    a column with a hole after its start falls back to :func:`~quantlib.timing.timing_state`
    on its dropna'd series; a column shorter than the long window gets NaN throughout.

    Returns
    -------
    dict with ``distance``, ``money_effect``, ``raw_regime`` and ``regime`` frames
    (dates x codes, float; regimes are 1 / 0 / -1 or NaN).
    """
    p = params or TimingParams()
    keys = ("distance", "money_effect", "raw_regime", "regime")
    out = {k: pd.DataFrame(np.nan, index=close.index, columns=close.columns) for k in keys}
    long_enough = close.columns[close.notna().sum() >= p.long]
    holes = (close.notna().cummax() & close.isna()).any()
    clean = [c for c in long_enough if not holes[c]]
    if clean:  # the frame-wide path: equal to timing_state per column (tests/test_timing.py)
        frame = timing_frame(close[clean], p)
        for k in keys:
            out[k][clean] = frame[k]
    for code in (c for c in long_enough if holes[c]):
        series = close[code].dropna()
        state = timing_state(series, params=p)
        for k in keys:
            out[k].loc[series.index, code] = state[k].astype("float64").to_numpy()
    return out


def trend_scores(data: IndustryData, params: TrendParams | None = None) -> ModelScores:
    """Score the industries in a confirmed uptrend by distance and money effect (see module)."""
    p = params or TrendParams()
    st = industry_timing(data.close, p.timing)
    regime = st["regime" if p.use_rules else "raw_regime"]
    eligible = regime == UP
    dist = st["distance"].where(eligible)
    money = st["money_effect"].where(eligible)
    score = p.weight_distance * rank_pct(dist) + (1 - p.weight_distance) * rank_pct(money)
    covered = st["distance"].notna().any(axis=1)
    note = Message("rule.trend", short=p.timing.short, long=p.timing.long,
                   threshold=p.timing.threshold)
    return ModelScores("trend", score, covered, fields=st, note=note)
