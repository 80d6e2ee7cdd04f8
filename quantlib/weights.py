"""Weight builders: scores or signals on decision days -> the target weights the engine takes.

Each returns a dates x assets frame of weights >= 0 summing to <= 1 per row (the rest is
cash), with rows only on the given decision days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlib.errors import QuantlibError

__all__ = ["TOP_K_WEIGHTINGS", "TopKBatch", "WeightsBuildError", "long_cash", "score_weighted",
           "top_k_batch", "top_k_equal"]


class WeightsBuildError(QuantlibError, ValueError):
    """k that is not a positive integer or exceeds the universe; weights outside [0, 1]."""


def _on(frame: pd.DataFrame, days: pd.Index | None) -> pd.DataFrame:
    return frame if days is None else frame.loc[frame.index.intersection(days)]


def _top(score: pd.DataFrame, k: int) -> pd.DataFrame:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise WeightsBuildError(f"k must be a positive integer, got {k!r}.")
    if k > score.shape[1]:
        raise WeightsBuildError(f"k={k} is larger than the universe of {score.shape[1]} "
                                f"assets; pick k <= {score.shape[1]}.")
    # ties: the earlier column wins; NaN scores are never picked
    return score.rank(axis=1, ascending=False, method="first") <= k


def top_k_equal(score: pd.DataFrame, k: int, days: pd.Index | None = None) -> pd.DataFrame:
    """``1/k`` each for the ``k`` highest non-NaN scores per decision day; fewer than ``k``
    eligible assets leave the empty slots in cash."""
    s = _on(score, days)
    return _top(s, k).astype("float64") / k


def score_weighted(score: pd.DataFrame, k: int, days: pd.Index | None = None) -> pd.DataFrame:
    """The ``k`` highest scores, weighted ``score / sum of the k scores`` (negative scores
    count as 0); a day where the picked scores sum to 0 is all cash."""
    s = _on(score, days)
    picked = s.where(_top(s, k)).clip(lower=0.0)
    total = picked.sum(axis=1)
    return picked.div(total.where(total > 0), axis=0).fillna(0.0)


def long_cash(signal: pd.Series | pd.DataFrame, weight: float = 1.0,
              days: pd.Index | None = None) -> pd.DataFrame:
    """``weight`` in the asset where ``signal`` is True, cash where False (a Series gives one
    column, named after the Series). NaN signals (warm-up) give no row."""
    if not 0.0 <= weight <= 1.0:
        raise WeightsBuildError(f"weight must be in [0, 1], got {weight!r}.")
    frame = signal.to_frame() if isinstance(signal, pd.Series) else signal
    frame = _on(frame, days)
    defined = frame.notna().all(axis=1)
    out = frame[defined].astype(bool).astype("float64") * weight
    if out.shape[1] > 1:
        out = out / out.shape[1]
    return out


#: ``TopKBatch.weighting`` codes: the builder each combination's rows come from.
TOP_K_WEIGHTINGS = ("equal", "score")


@dataclass(frozen=True)
class TopKBatch:
    """The shared inputs of many top-k combinations, for the fused sweep kernels.

    One score panel per distinct score (e.g. per rotation model, or per momentum lookback),
    computed once and shared by every ``k`` and weighting that ranks on it; per combination
    only the panel it ranks, its ``k`` and its weighting. Built by :func:`top_k_batch`.

    Attributes
    ----------
    score : ndarray (P, T, A)
        Score panels on the strategy's calendar (T bars) and traded assets (A); NaN = never
        picked that day.
    decide : ndarray of bool (P, T)
        The decision days of each panel: where the strategy's ``target_weights`` has a row.
    panel, k : ndarray of int64 (B,)
        Each combination's panel and number of assets held.
    weighting : ndarray of int64 (B,)
        0: :func:`top_k_equal` (``1/k`` each, empty slots in cash); 1:
        :func:`score_weighted` (``max(score, 0) / sum``, all cash when the sum is 0).
    """

    score: np.ndarray
    decide: np.ndarray
    panel: np.ndarray
    k: np.ndarray
    weighting: np.ndarray

    def __post_init__(self) -> None:
        # the numba kernel indexes with these values unchecked: refuse what would read
        # outside the panels (the builder checks the same with clearer messages)
        score, decide = np.asarray(self.score), np.asarray(self.decide)
        n = len(self.panel)
        if score.ndim != 3 or decide.shape != score.shape[:2] or score.dtype != np.float64:
            raise WeightsBuildError("TopKBatch: score must be float64 (panels, bars, assets) "
                                    "and decide bool (panels, bars).")
        if not (len(self.k) == n == len(self.weighting)):
            raise WeightsBuildError("TopKBatch: panel, k and weighting need one value per "
                                    "combination.")
        if n and (np.min(self.panel) < 0 or np.max(self.panel) >= score.shape[0]
                  or np.min(self.k) < 1 or np.max(self.k) > score.shape[2]
                  or not np.isin(self.weighting, (0, 1)).all()):
            raise WeightsBuildError("TopKBatch: a panel index, k or weighting code out of "
                                    f"range (panels 0..{score.shape[0] - 1}, k 1.."
                                    f"{score.shape[2]}, weighting 0/1); build it with "
                                    "top_k_batch().")


def top_k_batch(scores: Sequence[pd.DataFrame], days: Sequence[pd.Index],
                calendar: pd.DatetimeIndex, assets: pd.Index, panel: Any, k: Any,
                weighting: Any) -> TopKBatch:
    """The :class:`TopKBatch` of combinations that pick the top ``k`` of a score panel on
    decision days, as :func:`top_k_equal` / :func:`score_weighted` on
    ``(scores[panel], k, days[panel])`` do.

    ``scores[i]`` and ``days[i]`` are panel i's scores (dates x assets; reindexed to
    ``calendar`` x ``assets``, absent assets are NaN: never picked) and decision days;
    ``panel``, ``k``, ``weighting`` give one value per combination (``weighting`` "equal" or
    "score").

    Raises
    ------
    WeightsBuildError
        A ``k`` that is not a positive integer or exceeds the number of assets (as the
        builders), an unknown weighting, a panel index out of range, a score with columns
        that are not ``assets``.
    """
    if len(scores) != len(days) or not len(scores):
        raise WeightsBuildError("top_k_batch needs one list of decision days per score panel "
                                "and at least one panel.")
    n_a = len(assets)
    ks = np.asarray(k, dtype=object)
    for value in pd.unique(ks):
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer) \
                or value < 1:
            raise WeightsBuildError(f"k must be a positive integer, got {value!r}.")
        if value > n_a:
            raise WeightsBuildError(f"k={value} is larger than the universe of {n_a} assets; "
                                    f"pick k <= {n_a}.")
    codes = []
    for value in weighting:
        if value not in TOP_K_WEIGHTINGS:
            raise WeightsBuildError(f"weighting must be one of {TOP_K_WEIGHTINGS}, got "
                                    f"{value!r}.")
        codes.append(TOP_K_WEIGHTINGS.index(value))
    idx = np.asarray(panel, dtype=np.int64)
    for s in scores:
        extra = [c for c in s.columns if c not in assets]
        if extra:
            raise WeightsBuildError(f"score columns {extra[:5]} are not traded assets "
                                    f"{list(assets)[:5]}; score the traded assets only.")
    score = np.stack([s.reindex(index=calendar, columns=assets).to_numpy(dtype=np.float64)
                      for s in scores])
    # a decision day needs a score row, as the builders' rows are score.loc[days]
    decide = np.stack([calendar.isin(d) & calendar.isin(s.index)
                       for s, d in zip(scores, days, strict=True)])
    return TopKBatch(score=score, decide=decide, panel=idx,
                     k=ks.astype(np.int64), weighting=np.asarray(codes, dtype=np.int64))
