"""Weights of a batch of parameter combinations: one (T, B, A) array for one engine call.

A strategy with a ``batch_weights(data, combos)`` hook builds the whole batch itself (the
timing strategy: every moving average once, a numba kernel over the combinations). Any other
strategy gets the generic builder: its ``target_weights`` per combination, checked, written
on its own decision rows. On the other rows a combination's weights are NaN, which the engine
(``nan_rows="hold"``) reads as "no decision", so every combination trades exactly as its own
``target_weights`` rows would.

Parameter checks for a whole grid are vectorized over unique values (:func:`check_combos`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from quantlib.strategy import (
    ParamError,
    ParamSet,
    Strategy,
    StrategyWeightsError,
    check_weights,
)

__all__ = ["batch_weights", "check_combos", "full_combos"]


def check_combos(strategy: Any, combos: pd.DataFrame,
                 base: dict[str, Any]) -> tuple[pd.DataFrame, pd.Series]:
    """Check every combination against the declared parameters and the constraint.

    Returns every combination with every declared parameter as a column (the grid's values in
    their declared types, 20.0 -> 20 for an int parameter; else ``base``, else the default)
    and the reason each is invalid ('' when valid). Types and bounds are checked
    once per distinct value; the constraint is called with whole columns first (so
    ``p.short < p.long`` runs vectorized) and per combination when that does not give one
    boolean per row.
    """
    specs = strategy.param_specs()
    why = np.full(len(combos), "", dtype=object)
    out = {}
    for name in combos.columns:
        col = combos[name].to_numpy(dtype=object)
        checked = np.empty(len(col), dtype=object)
        for value in pd.unique(col):
            mask = col == value if value == value else pd.isna(col)
            try:
                checked[mask] = specs[name].check(name, value)
            except ParamError as exc:
                why[mask & (why == "")] = str(exc)
                checked[mask] = value
        out[name] = checked
    full = full_combos(strategy, pd.DataFrame(out, index=combos.index), base)
    ok_rows = why == ""
    why[ok_rows] = _constraint(strategy, full[ok_rows])
    return full, pd.Series(why, index=combos.index, name="invalid")


def _constraint(strategy: Any, full: pd.DataFrame) -> np.ndarray:
    n = len(full)
    if n == 0 or type(strategy).constraint is Strategy.constraint:
        return np.full(n, "", dtype=object)
    cols = ParamSet({k: full[k].to_numpy() for k in full.columns})
    try:
        with np.errstate(all="ignore"):
            res = strategy.constraint(cols)
        arr = np.asarray(res)
        if arr.dtype == bool and arr.shape == (n,):
            out = np.full(n, "", dtype=object)
            bad = np.flatnonzero(~arr)  # the reasons: one call per rejected combination
            out[bad] = _constraint_rows(strategy, full.iloc[bad])
            return out
    except Exception:
        pass
    return _constraint_rows(strategy, full)


def _constraint_rows(strategy: Any, full: pd.DataFrame) -> np.ndarray:
    out = np.full(len(full), "", dtype=object)
    for i, row in enumerate(full.to_dict(orient="records")):
        res = strategy.constraint(ParamSet(row))
        if res is not True:
            out[i] = res if isinstance(res, str) and res else "rejected by the constraint"
    return out


def full_combos(strategy: Any, combos: pd.DataFrame, base: dict[str, Any]) -> pd.DataFrame:
    """Every declared parameter as a column: the grid's values, else ``base``, else the
    default."""
    specs = strategy.param_specs()
    n = len(combos)
    cols = {}
    for name, spec in specs.items():
        if name in combos:
            cols[name] = combos[name].to_numpy()
        else:
            value = base.get(name, spec.default)
            cols[name] = np.array([value] * n, dtype=object)
    return pd.DataFrame(cols, index=combos.index).infer_objects()


def batch_weights(strategy: Any, data: Any, full: pd.DataFrame) -> np.ndarray:
    """(T, B, A) target weights of the combinations ``full`` (every parameter a column) on
    ``data.calendar``; NaN on the rows where a combination makes no decision.

    Raises
    ------
    StrategyWeightsError
        A batch hook returning the wrong shape, or a combination's weights the engine cannot
        take.
    """
    n_t, n_a = data.prices.shape
    if type(strategy).batch_weights is not None:
        out = np.asarray(strategy.batch_weights(data, full), dtype=np.float64)
        if out.shape != (n_t, len(full), n_a):
            raise StrategyWeightsError(
                f"{strategy.name}.batch_weights returned shape {out.shape}; expected (bars, "
                f"combinations, assets) = {(n_t, len(full), n_a)}.")
        return out
    out = np.full((n_t, len(full), n_a), np.nan, order="F")
    for b, row in enumerate(full.to_dict(orient="records")):
        w = check_weights(strategy, strategy.target_weights(data, ParamSet(row)), data.prices)
        out[data.calendar.get_indexer(w.index), b, :] = w.to_numpy()
    return out
