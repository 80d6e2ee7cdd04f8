"""Weight builders: a batch of parameter combinations -> one (T, B, A) weights array.

* ``ma_distance_timing`` has a vectorized builder: every moving average, trend line and money
  effect the batch needs is computed once (pandas, the same calls as
  :func:`quantlib.timing.timing_state`, so values are bitwise equal), then a numba kernel
  derives the regime of every combination in parallel, applying the break/exit rules with
  :func:`quantlib._timing_nb.timing_state_nb` per column when ``use_rules`` is true.
* Any other strategy uses the generic builder: a Python loop calling
  ``module.target_weights(prices, params)`` per combination. The simulation is still one
  engine call per batch, on the union of the combinations' rebalance dates.

Each combination keeps its own rebalance dates: on the other rows of the batch its weights are
NaN, which the engine (``nan_rows="hold"``) reads as "no orders for this combination", so
every combination trades exactly as its own ``target_weights`` rows would.
"""

from __future__ import annotations

import dataclasses
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["VECTORIZED", "build_weights", "invalid_timing_combos", "warmup_bars"]

#: Strategies (by NAME) that have a vectorized batch builder.
VECTORIZED = ("ma_distance_timing",)

_TIMING_FIELDS = ("short", "long", "threshold", "trend_method", "trend_window",
                  "range_weight", "use_rules")


def _full_columns(combos: pd.DataFrame, base: Any) -> dict[str, np.ndarray]:
    """Every Params field as an array over the combinations (grid value or the base value)."""
    n = len(combos)
    out = {}
    for f in dataclasses.fields(base):
        if f.name in combos:
            out[f.name] = combos[f.name].to_numpy()
        else:
            out[f.name] = np.array([getattr(base, f.name)] * n, dtype=object)
    return out


def invalid_timing_combos(combos: pd.DataFrame, base: Any) -> pd.Series:
    """Return the reason each timing combination is invalid ('' when valid), vectorized.

    Mirrors :class:`quantlib.timing.TimingParams` checks: positive integer windows,
    ``short < long``, ``threshold >= 0``, a known trend method; plus ``0 <= range_weight <= 1``.
    """
    from quantlib.timing import TREND_METHODS

    c = _full_columns(combos, base)
    why = np.full(len(combos), "", dtype=object)

    def flag(mask: np.ndarray, text: str) -> None:
        why[mask & (why == "")] = text

    for name in ("short", "long", "trend_window"):
        v = c[name]
        ok = np.array([isinstance(x, int | np.integer) and not isinstance(x, bool) and x >= 1
                       for x in v])
        flag(~ok, f"{name} must be a positive integer window")
    s = pd.to_numeric(pd.Series(c["short"]), errors="coerce").to_numpy()
    lg = pd.to_numeric(pd.Series(c["long"]), errors="coerce").to_numpy()
    flag(~(s < lg), "short must be shorter than long")
    th = pd.to_numeric(pd.Series(c["threshold"]), errors="coerce").to_numpy(dtype=float)
    flag(~(th >= 0), "threshold must be >= 0")
    flag(~np.isin(c["trend_method"].astype(str), TREND_METHODS), "unknown trend_method")
    rw = pd.to_numeric(pd.Series(c["range_weight"]), errors="coerce").to_numpy(dtype=float)
    flag(~((rw >= 0) & (rw <= 1)), "range_weight must be in [0, 1]")
    return pd.Series(why, index=combos.index, name="invalid")


def warmup_bars(module: ModuleType, combos: pd.DataFrame, base: Any) -> int:
    """Bars before every combination has a defined signal (0 when unknown: generic)."""
    if module.NAME != "ma_distance_timing" or len(combos) == 0:
        return 0
    c = _full_columns(combos, base)
    return int(max(max(c["long"]), max(c["trend_window"]))) - 1


def build_weights(module: ModuleType, signal_prices: pd.DataFrame, engine_prices: pd.DataFrame,
                  combos: pd.DataFrame, base: Any, kwargs: dict[str, Any] | None = None, *,
                  dense: bool = True) -> np.ndarray | pd.DataFrame:
    """Return the target weights of a batch for one engine call.

    ``dense=True``: a (T, B, A) array, Fortran-ordered (one strategy's path contiguous),
    T = ``engine_prices`` rows, a combination's target on its own rebalance bars and NaN
    (hold) elsewhere. ``dense=False``: the same for the vectorized builder; for the generic
    builder a frame with (combo, asset) columns on the union of the combinations' rebalance
    dates, NaN where a combination has no row. Run with ``nan_rows="hold"``.
    ``kwargs`` go to ``target_weights``.
    """
    if module.NAME == "ma_distance_timing":
        return _timing_weights(signal_prices, engine_prices, combos, base)
    frames = _generic_frames(module, signal_prices, engine_prices, combos, base, kwargs or {})
    if not dense:
        union = frames[0].index
        for f in frames[1:]:
            union = union.union(f.index)
        return pd.concat([f.reindex(union) for f in frames], axis=1, keys=range(len(frames)))
    n_t, n_a = engine_prices.shape
    out = np.full((n_t, len(frames), n_a), np.nan, order="F")
    for b, f in enumerate(frames):
        out[:, b, :] = f.reindex(engine_prices.index).to_numpy()
    return out


def _generic_frames(module: ModuleType, signal_prices: pd.DataFrame,
                    engine_prices: pd.DataFrame, combos: pd.DataFrame,
                    base: Any, kwargs: dict[str, Any]) -> list[pd.DataFrame]:
    """Each combination's ``target_weights`` rows on the engine's asset columns (a loop)."""
    out = []
    for row in combos.to_dict(orient="records"):
        w = module.target_weights(signal_prices, dataclasses.replace(base, **row), **kwargs)
        w = w.reindex(columns=engine_prices.columns, fill_value=0.0).astype(np.float64)
        out.append(w.loc[w.index.isin(engine_prices.index)])
    return out


def _timing_weights(signal_prices: pd.DataFrame, engine_prices: pd.DataFrame,
                    combos: pd.DataFrame, base: Any) -> np.ndarray:
    from quantlib import timing
    from quantlib.sweep._nb import timing_weights_nb

    asset = engine_prices.columns[0]
    close = timing._check_series(signal_prices[asset].dropna())
    c = _full_columns(combos, base)
    windows = sorted({*map(int, c["short"]), *map(int, c["long"])})
    sma = np.vstack([timing.sma(close, w).to_numpy() for w in windows])
    trends = sorted({(str(m), int(w)) for m, w in zip(c["trend_method"], c["trend_window"],
                                                       strict=True)})
    tl = [timing.trend_line(close, m, w) for m, w in trends]
    trend = np.vstack([x.to_numpy() for x in tl])
    money = np.vstack([timing.money_effect(close, x).to_numpy() for x in tl])
    tp = timing.TimingParams()
    fast = timing.sma(close, tp.fast).to_numpy()
    confirm = timing.sma(close, tp.confirm_window).to_numpy()
    pos = {w: i for i, w in enumerate(windows)}
    kpos = {k: i for i, k in enumerate(trends)}
    out = np.empty((len(close), len(combos)), order="F")
    timing_weights_nb(
        sma, fast, confirm, trend, money,
        np.array([pos[int(v)] for v in c["short"]], dtype=np.int64),
        np.array([pos[int(v)] for v in c["long"]], dtype=np.int64),
        c["threshold"].astype(np.float64),
        np.array([kpos[(str(m), int(w))] for m, w in zip(c["trend_method"], c["trend_window"],
                                                         strict=True)], dtype=np.int64),
        c["range_weight"].astype(np.float64), c["use_rules"].astype(np.bool_), out)
    # rows only where a combination's target changes, as target_weights emits them: NaN = hold
    # (engine nan_rows="hold"); before the first change the portfolio is all cash either way
    out[1:][out[1:] == out[:-1]] = np.nan
    out[0][out[0] == 0.0] = np.nan  # from an all-cash start a target of 0 is no change
    if len(close) != len(engine_prices):  # NaN closes dropped: no rebalance on them
        frame = pd.DataFrame(out, index=close.index).reindex(engine_prices.index)
        out = np.asfortranarray(frame.to_numpy())
    return out.reshape(out.shape[0], out.shape[1], 1, order="F")
