"""Weight builders: scores or signals on decision days -> the target weights the engine takes.

Each returns a dates x assets frame of weights >= 0 summing to <= 1 per row (the rest is
cash), with rows only on the given decision days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quantlib.errors import QuantlibError

__all__ = ["WeightsBuildError", "long_cash", "score_weighted", "top_k_equal"]


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
