"""Out-of-sample scoring of a rule chosen on the report's printed figures.

The calibration scripts (``scripts/calibrate_*.py``) compare candidate rules with the weeks
the report printed (``published_calibration.csv``). Counting how many weeks the best
candidate reproduces overstates how well the *procedure* will do on a week it has not seen:
the candidate was picked on those very weeks. This module scores the procedure instead.

Inputs are a boolean ``hits`` frame: one row per calibration week (chronological), one column
per candidate rule, True where the candidate reproduces the printed figure.

* :func:`choose` picks a candidate on some rows, by one of two procedures:

  - ``"best_fit"``: most hits; ties go to the earliest column (callers order the columns
    by preference, e.g. the current default first, or the fewest switches first).
  - ``"robust"``: the highest mean agreement *over the candidate's parameter neighbourhood*
    (itself and its grid neighbours, :func:`grid_neighbours`), then its own hits, then
    column order. A rule that only works at one knife-edge setting loses to one whose
    neighbours work too.

* :func:`out_of_sample` runs a procedure three ways: in-sample (choose and score on all rows),
  leave-one-out (for each row, choose on the others, score the held-out row), and the
  half split (choose on the earlier ``n // 2`` rows, score on the later ones).

Pure pandas; no data access.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PROCEDURES", "choose", "grid_neighbours", "neighbourhood_mean", "out_of_sample"]

PROCEDURES = ("best_fit", "robust")


def grid_neighbours(grid: pd.DataFrame, axes: Sequence[str],
                    group: Sequence[str] = ()) -> dict[str, list[str]]:
    """Neighbours of each candidate on a parameter grid.

    ``grid`` is indexed by candidate name with one column per parameter. Two candidates are
    neighbours when they share every ``group`` column and, on every ``axes`` column, their
    values are at most one step apart in that column's sorted distinct values (within the
    group). A candidate is its own neighbour.
    """
    out: dict[str, list[str]] = {}
    keys = list(group)
    parts = grid.groupby(keys, sort=False) if keys else [((), grid)]
    for _, part in parts:
        pos = {a: part[a].map({v: i for i, v in enumerate(sorted(part[a].unique()))})
               for a in axes}
        for name in part.index:
            near = np.ones(len(part), dtype=bool)
            for a in axes:
                near &= (pos[a] - pos[a][name]).abs().to_numpy() <= 1
            out[str(name)] = [str(n) for n in part.index[near]]
    return out


def neighbourhood_mean(rate: pd.Series, neighbours: Mapping[str, Sequence[str]]) -> pd.Series:
    """Mean of ``rate`` over each candidate's neighbourhood (itself included)."""
    return pd.Series({c: float(rate[list(neighbours.get(c, [c]))].mean()) for c in rate.index})


def choose(hits: pd.DataFrame, rows: Sequence[int] | None = None, *,
           procedure: str = "best_fit",
           neighbours: Mapping[str, Sequence[str]] | None = None) -> str:
    """The candidate a procedure picks from ``hits`` restricted to ``rows`` (positions)."""
    if procedure not in PROCEDURES:
        raise ValueError(f"procedure must be one of {PROCEDURES}, got {procedure!r}")
    sub = hits if rows is None else hits.iloc[list(rows)]
    rate = sub.astype("float64").mean(axis=0)
    order = pd.Series(np.arange(len(rate)), index=rate.index)
    if procedure == "robust":
        near = neighbourhood_mean(rate, neighbours or {c: [c] for c in rate.index})
        key = pd.DataFrame({"near": -near, "own": -rate, "order": order})
    else:
        key = pd.DataFrame({"own": -rate, "order": order})
    return str(key.sort_values(list(key.columns), kind="stable").index[0])


def out_of_sample(hits: pd.DataFrame, *, procedure: str = "best_fit",
                  neighbours: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """In-sample, leave-one-out and earlier-half -> later-half agreement of a procedure.

    Returns a dict: ``in_sample_choice``, ``in_sample`` (hits of that choice on all rows),
    ``n``, ``loo`` (held-out rows reproduced), ``loo_choices`` (the choice per held-out row),
    ``half_choice`` (chosen on rows ``0 .. n//2 - 1``), ``half`` (its hits on the later rows),
    ``half_n``.
    """
    n = len(hits)
    def pick(rows: Sequence[int] | None) -> str:
        return choose(hits, rows, procedure=procedure, neighbours=neighbours)

    best = pick(None)
    loo_choices = [pick([j for j in range(n) if j != i]) for i in range(n)]
    loo = sum(bool(hits.iloc[i][c]) for i, c in enumerate(loo_choices))
    cut = n // 2
    half_choice = pick(range(cut))
    return {"in_sample_choice": best, "in_sample": int(hits[best].sum()), "n": n,
            "loo": int(loo), "loo_choices": loo_choices, "half_choice": half_choice,
            "half": int(hits[half_choice].iloc[cut:].sum()), "half_n": n - cut}
