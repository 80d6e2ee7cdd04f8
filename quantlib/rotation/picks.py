"""From model scores to picks, weights, and tradable ETF codes; the model registry and blend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from quantlib.errors import DataValidationError, UnknownNameError
from quantlib.i18n import MESSAGES, Message
from quantlib.rotation._common import IndustryData, ModelScores, RotationParamError, rank_pct
from quantlib.rotation.earnings import earnings_scores
from quantlib.rotation.reversal import reversal_scores
from quantlib.rotation.trend import trend_scores
from quantlib.rotation.two_beta import two_beta_scores

__all__ = ["MODELS", "WEIGHTINGS", "blend_scores", "check_codes", "etf_codes", "model_scores",
           "pick_table", "resolve_date", "top_k", "weights_from_scores"]

#: Model name -> scoring function ``f(data, params=None) -> ModelScores``.
MODELS: Mapping[str, Any] = {
    "trend": trend_scores,
    "two_beta": two_beta_scores,
    "earnings": earnings_scores,
    "reversal": reversal_scores,
}
WEIGHTINGS = ("equal", "score")
_CHOICES = (*MODELS, "blend")


def model_scores(name: str, data: IndustryData, params: Any = None) -> ModelScores:
    """Run the model ``name`` (one of :data:`MODELS`, or ``"blend"`` of all four)."""
    if name == "blend":
        return blend_scores([f(data) for f in MODELS.values()])
    if name not in MODELS:
        raise UnknownNameError("rotation model", name, _CHOICES)
    return MODELS[name](data, params)


def blend_scores(parts: Sequence[ModelScores], weights: Sequence[float] | None = None
                 ) -> ModelScores:
    """Blend models by their rank scores.

    Per model and day: eligible industries get ``rank_pct(score)`` (in (0, 1]), the rest 0,
    where the model is covered; the blend is the weighted mean over the covered models
    (uncovered models drop out of the mean that day). Eligible in the blend: score > 0.
    """
    if not parts:
        raise RotationParamError("blend needs at least one model.")
    w = np.ones(len(parts)) if weights is None else np.asarray(weights, dtype="float64")
    if len(w) != len(parts) or (w < 0).any() or w.sum() <= 0:
        raise RotationParamError("blend weights: one non-negative weight per model, sum > 0.")
    ranks, cover = [], []
    for part, wi in zip(parts, w, strict=True):
        ok = np.broadcast_to(part.covered.to_numpy(dtype=bool)[:, None], part.score.shape)
        ranks.append(rank_pct(part.score).fillna(0.0).where(ok).mul(wi))
        cover.append(part.covered.astype("float64") * wi)
    total = ranks[0]
    for r in ranks[1:]:
        total = total.add(r, fill_value=0.0)
    sum_w = cover[0]
    for cw in cover[1:]:
        sum_w = sum_w + cw
    score = total.div(sum_w.where(sum_w > 0), axis=0)
    score = score.where(score > 0)
    covered = sum_w > 0
    note = Message("rule.blend", models=[
        Message(f"model.{p.name}") if f"model.{p.name}" in MESSAGES["en"] else p.name
        for p in parts])
    return ModelScores("blend", score, covered, fields={p.name: p.score for p in parts},
                       note=note)


def top_k(score: pd.DataFrame, k: int) -> pd.DataFrame:
    """True for the ``k`` highest non-NaN scores per row (ties: the earlier column wins)."""
    if not isinstance(k, int | np.integer) or k < 1:
        raise RotationParamError(f"k must be a positive integer, got {k!r}.")
    if k > score.shape[1]:
        raise RotationParamError(
            f"k={k} is larger than the universe of {score.shape[1]} industries; pick k <= "
            f"{score.shape[1]}.")
    ranks = score.rank(axis=1, ascending=False, method="first")
    return ranks <= k


def weights_from_scores(score: pd.DataFrame, k: int, weighting: str = "equal") -> pd.DataFrame:
    """Target weights: the top ``k`` by score, each ``1/k`` (``equal``) or ``score / sum of
    the k scores`` (``score``; scores must be >= 0). Fewer than k eligible: the empty slots
    stay cash under ``equal``; ``score`` always invests fully when anything is picked."""
    if weighting not in WEIGHTINGS:
        raise UnknownNameError("weighting", weighting, WEIGHTINGS)
    picked = top_k(score, k)
    if weighting == "equal":
        return picked.astype("float64") / k
    s = score.where(picked).clip(lower=0.0)
    total = s.sum(axis=1)
    return s.div(total.where(total > 0), axis=0).fillna(0.0)


def check_codes(codes: Sequence[str], universe: Sequence[str]) -> None:
    """Raise :class:`UnknownNameError` for the first code not in ``universe``."""
    known = [str(c) for c in universe]
    for code in codes:
        if str(code) not in known:
            raise UnknownNameError("industry code", str(code), known)


def resolve_date(data: IndustryData, date: str | pd.Timestamp | None) -> pd.Timestamp:
    """The last trading day on or before ``date`` (default: the last day in the data).

    Raises
    ------
    DataValidationError
        ``date`` is before the data, or every industry's close is NaN that day.
    """
    idx = data.close.index
    when = idx[-1] if date is None else pd.Timestamp(date)
    pos = idx.searchsorted(when, side="right") - 1
    if pos < 0:
        raise DataValidationError(f"date {when.date()} is before the data, which starts "
                                  f"{idx[0].date()}.")
    day = idx[pos]
    if data.close.loc[day].isna().all():
        raise DataValidationError(
            f"every industry's close is NaN on {day.date()}: no ranking is possible. Pick "
            "another date or drop that row from the data.")
    return day


def etf_codes(code: str, etf_map: pd.DataFrame | None) -> list[str]:
    """ETF codes mapped to SW industry ``code`` in the ``etf_map`` table (``sw_code`` column)."""
    if etf_map is None or len(etf_map) == 0:
        return []
    rows = etf_map[etf_map["sw_code"].astype("string") == str(code)]
    return [str(c) for c in rows["etf_code"]]


def pick_table(scores: ModelScores, day: pd.Timestamp, k: int,
               etf_map: pd.DataFrame | None = None,
               names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The top-``k`` picks of one day: rank, code, name, score, the model's fields, ETFs.

    Empty (with the same columns) when nothing is eligible or the model is not covered.
    """
    top_k(scores.score.iloc[:1], k)  # validates k against the universe
    row = scores.score.loc[day].dropna().sort_values(ascending=False, kind="stable")[:k]
    fields = {n: f for n, f in scores.fields.items()
              if isinstance(f, pd.DataFrame) and set(row.index) <= set(f.columns)}
    records = []
    for rank, (code, value) in enumerate(row.items(), start=1):
        rec: dict[str, Any] = {"rank": rank, "code": str(code),
                               "name": (names or {}).get(str(code), ""), "score": float(value)}
        for n, f in fields.items():
            rec[n] = float(f.loc[day, code])
        rec["etfs"] = etf_codes(str(code), etf_map)
        records.append(rec)
    cols = ["rank", "code", "name", "score", *fields, "etfs"]
    return pd.DataFrame.from_records(records, columns=cols)
