"""Numba driver of :func:`quantlib.backtest._perbar.run_perbar` (imported lazily).

It runs the engine's own per-strategy loops (``engine._strategy_1asset_nb`` for one asset,
``engine._strategy_nb`` otherwise), in parallel over strategies, into output arrays of any
float type (float64 or float32), without trade records.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from quantlib.backtest._params import KernelParams
from quantlib.backtest.engine import _strategy_1asset_nb, _strategy_nb

__all__ = ["per_prev_nb", "perbar_nb"]


@njit(cache=True, parallel=True, error_model="numpy")
def perbar_nb(close_ff: np.ndarray, fill_price: np.ndarray, fill_row: np.ndarray,
              weights: np.ndarray, buy_ok: np.ndarray, sell_ok: np.ndarray,
              buy_extra: np.ndarray, sell_extra: np.ndarray, share_ratio: np.ndarray,
              params: KernelParams, lots: np.ndarray, eq_out: np.ndarray, cost_out: np.ndarray,
              traded_out: np.ndarray, pos_out: np.ndarray) -> None:  # pragma: no cover - numba
    """Fill the (T, S) ``eq_out``, ``cost_out``, ``traded_out`` and (T, S * A) ``pos_out`` of
    every strategy (arguments as ``engine.simulate_nb``)."""
    n_s = eq_out.shape[1]
    rec = np.zeros((0, 6))
    rec_count = np.zeros(n_s, dtype=np.int64)
    final = np.zeros((n_s, 2))
    one = close_ff.shape[1] == 1 and params.single_asset_ok > 0
    for s in prange(n_s):
        if one:
            _strategy_1asset_nb(s, close_ff, fill_price, fill_row, weights, buy_ok, sell_ok,
                                buy_extra, sell_extra, share_ratio, params, lots, True, eq_out,
                                cost_out, traded_out, pos_out, rec, rec_count, final)
        else:
            _strategy_nb(s, close_ff, fill_price, fill_row, weights, buy_ok, sell_ok,
                         buy_extra, sell_extra, share_ratio, params, lots, True, eq_out,
                         cost_out, traded_out, pos_out, rec, rec_count, final)


@njit(cache=True, parallel=True, error_model="numpy")
def per_prev_nb(values: np.ndarray, equity: np.ndarray, init: float, minus: float,
                out: np.ndarray) -> None:  # pragma: no cover - numba
    """``out[t, s] = values[t, s] / equity[t - 1, s] - minus`` (``init`` before the first
    bar), in parallel over strategies; float64 (the roundings of NumPy's ``a / b - c``)."""
    n_t, n_s = values.shape
    for s in prange(n_s):
        prev = init
        for t in range(n_t):
            out[t, s] = values[t, s] / prev - minus
            prev = equity[t, s]
