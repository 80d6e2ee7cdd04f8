"""Numba kernels of the fused sweep: signal, simulation and metrics in one pass per combination.

Imported lazily (this module imports numba). For each combination (``prange``): its target
weights on the full history (the strategy family's signal kernel, e.g. the timing state
machine on moving averages shared by the whole batch), the engine's own single-asset loop
(``quantlib.backtest.engine._strategy_1asset_nb``, so fills, costs and limits are the
engine's) over the evaluation window, then every table metric, the CSCV block statistics and
the walk-forward window metrics from per-combination buffers of one window's length. Nothing
of size bars x combinations is allocated.

The metric formulas are :mod:`quantlib.metrics`' (the reference path,
``quantlib.sweep._run.evaluate_batch``, computes them with NumPy over a (T, B) matrix); the
equality of both paths is tested to 1e-12.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from quantlib._timing_nb import combo_weights_nb
from quantlib.backtest.engine import _strategy_1asset_nb

__all__ = ["N_METRICS", "path_metrics_nb", "timing_sweep_nb"]

#: Number of values per combination, in the order of ``quantlib.sweep.METRIC_KEYS``.
N_METRICS = 13


@njit(cache=True, error_model="numpy")
def path_metrics_nb(r, turn, expo, lo, hi, rf_p, ppy, out):  # pragma: no cover - numba
    """Fill ``out`` (13,) with the metrics of returns ``r[lo:hi]`` (METRIC_KEYS order).

    total_return, annual_return, annual_volatility, sharpe_ratio, sortino_ratio,
    max_drawdown, calmar_ratio, win_rate, annual_turnover, mean_exposure,
    sharpe_per_period, skew, kurtosis: the formulas of ``quantlib.metrics`` and of
    ``quantlib.sweep._run._metric_columns`` (two passes: mean, then central moments).
    """
    n = hi - lo
    growth = 1.0
    s_r = 0.0
    s_x = 0.0
    s_turn = 0.0
    s_expo = 0.0
    n_pos = 0
    n_act = 0
    wealth = 1.0
    peak = 1.0
    mdd = 0.0
    for t in range(lo, hi):
        v = r[t]
        growth *= 1.0 + v
        s_r += v
        s_x += v - rf_p
        s_turn += turn[t]
        s_expo += expo[t]
        if v != 0:
            n_act += 1
            if v > 0:
                n_pos += 1
        wealth *= 1.0 + v
        if wealth > peak:
            peak = wealth
        dd = wealth / peak - 1.0
        if dd < mdd:
            mdd = dd
    mean_r = s_r / n
    mu = s_x / n
    ss_r = 0.0
    m2 = 0.0
    m3 = 0.0
    m4 = 0.0
    down = 0.0
    for t in range(lo, hi):
        d = r[t] - mean_r
        ss_r += d * d
        x = r[t] - rf_p
        dev = x - mu
        d2 = dev * dev
        m2 += d2
        m3 += d2 * dev
        m4 += d2 * d2
        if x < 0.0:
            down += x * x
    sq_ppy = math.sqrt(ppy)
    out[0] = growth - 1.0
    out[1] = growth ** (ppy / n) - 1.0
    out[2] = math.sqrt(ss_r / (n - 1)) * sq_ppy
    std_x = math.sqrt(m2 / (n - 1))
    out[3] = mu / std_x * sq_ppy
    out[4] = mu * ppy / (math.sqrt(down / n) * sq_ppy)
    out[5] = mdd
    amdd = abs(mdd)
    out[6] = out[1] / amdd if amdd > 0 else np.nan
    out[7] = n_pos / n_act if n_act > 0 else np.nan
    out[8] = s_turn / n * ppy
    out[9] = s_expo / n
    m2n = m2 / n
    out[10] = mu / math.sqrt(m2n * (n / (n - 1.0)))
    out[11] = (m3 / n) / m2n ** 1.5
    out[12] = (m4 / n) / m2n ** 2


@njit(cache=True, error_model="numpy")
def _block_stats_nb(r, rf_p, n_blocks, mean_out, m2_out):  # pragma: no cover - numba
    """Per block of the excess returns ``r - rf_p``: mean and sum of squared deviations
    (``quantlib.sweep.overfitting.block_stats``: the ``T mod S`` oldest rows dropped)."""
    n_t = r.shape[0]
    per = n_t // n_blocks
    first = n_t - per * n_blocks
    for j in range(n_blocks):
        s = 0.0
        lo = first + j * per
        for t in range(lo, lo + per):
            s += r[t] - rf_p
        mu = s / per
        ss = 0.0
        for t in range(lo, lo + per):
            d = (r[t] - rf_p) - mu
            ss += d * d
        mean_out[j] = mu
        m2_out[j] = ss


@njit(cache=True, error_model="numpy")
def _simulate_window_nb(wf, a, close_ff, fill_price, fill_row, buy_ok, sell_ok, buy_extra,
                        sell_extra, share_ratio, params, lots, r, turn,
                        expo):  # pragma: no cover - numba
    """Simulate one combination over the window from its full-history weights ``wf``.

    The window's weights are those of the reference path: row 0 = the target in force at bar
    ``a`` (NaN when the combination has not decided anything yet: it stays in cash), then a
    value on each bar where the target changes, NaN (hold) elsewhere. Fills ``r``, ``turn``,
    ``expo`` (window length) with ``backtest.run``'s returns, turnover and exposure.
    """
    n_w = r.shape[0]
    w = np.empty((n_w, 1))
    decided = False
    for t in range(a + 1):
        if wf[t] != 0.0:
            decided = True
            break
    w[0, 0] = wf[a] if decided else np.nan
    for t in range(1, n_w):
        cur = wf[a + t]
        w[t, 0] = np.nan if cur == wf[a + t - 1] else cur
    eq = np.empty((n_w, 1))
    cost = np.empty((n_w, 1))
    traded = np.empty((n_w, 1))
    pos = np.empty((n_w, 1))
    rec = np.zeros((0, 6))
    rec_count = np.zeros(1, dtype=np.int64)
    final = np.zeros((1, 2))
    _strategy_1asset_nb(0, close_ff, fill_price, fill_row, w, buy_ok, sell_ok, buy_extra,
                        sell_extra, share_ratio, params, lots, True, eq, cost, traded, pos, rec,
                        rec_count, final)
    prev = params.init_cash
    for t in range(n_w):
        e = eq[t, 0]
        c = close_ff[t, 0]
        if np.isnan(c):
            c = 0.0
        r[t] = e / prev - 1.0
        turn[t] = traded[t, 0] / prev
        expo[t] = 1.0 - (e - pos[t, 0] * c) / e
        prev = e


@njit(cache=True, parallel=True, error_model="numpy")
def timing_sweep_nb(sma, ma_fast, ma_confirm, trend, money, s_idx, l_idx, threshold, k_idx,
                    range_weight, use_rules, a, close_ff, fill_price, fill_row, buy_ok, sell_ok,
                    buy_extra, sell_extra, share_ratio, params, lots, rf_p, ppy, n_blocks,
                    windows, select,
                    out_metrics, out_bmean, out_bm2, out_win):  # pragma: no cover - numba
    """Fused timing sweep: for every combination b (``prange``), its weights from the shared
    moving averages (``quantlib._timing_nb.combo_weights_nb``), the engine over the window
    starting at bar ``a`` (``close_ff`` ... ``lots``: ``backtest._prepare`` of the window),
    then ``out_metrics[b]`` (13 metrics), ``out_bmean[b]``/``out_bm2[b]`` (CSCV block stats
    of ``r - rf_p``) and ``out_win[k, b]`` = metric ``select`` over ``windows[k]``."""
    n_b = s_idx.shape[0]
    n_full = sma.shape[1]
    n_w = close_ff.shape[0]
    for b in prange(n_b):
        wf = np.empty(n_full)
        combo_weights_nb(sma, ma_fast, ma_confirm, trend, money, s_idx[b], l_idx[b],
                         threshold[b], k_idx[b], range_weight[b], use_rules[b], wf)
        r = np.empty(n_w)
        turn = np.empty(n_w)
        expo = np.empty(n_w)
        _simulate_window_nb(wf, a, close_ff, fill_price, fill_row, buy_ok, sell_ok, buy_extra,
                            sell_extra, share_ratio, params, lots, r, turn, expo)
        path_metrics_nb(r, turn, expo, 0, n_w, rf_p, ppy, out_metrics[b])
        _block_stats_nb(r, rf_p, n_blocks, out_bmean[b], out_bm2[b])
        tmp = np.empty(N_METRICS)
        for k in range(windows.shape[0]):
            path_metrics_nb(r, turn, expo, windows[k, 0], windows[k, 1], rf_p, ppy, tmp)
            out_win[k, b] = tmp[select]
