"""Numba kernels of the fused top-k sweep (rotation): pick, simulate, score in one pass.

Imported lazily (this module imports numba). The signal family is
:class:`quantlib.weights.TopKBatch`: score panels shared by the batch. Per panel and decision
row, :func:`rank_rows_nb` orders the assets once (shared by every ``k`` and weighting that
ranks on that panel); per combination (``prange``) :func:`topk_sweep_nb` takes the first
``k`` of each row's order, weights them as ``top_k_equal`` / ``score_weighted`` do, runs the
engine's own multi-asset loop (``quantlib.backtest.engine._strategy_nb``: fills, costs, lots,
limits, suspensions, cash interest are the engine's) over the evaluation window, then the
metrics of :mod:`quantlib.sweep._fused_nb`. Buffers are per chunk of combinations and one
window long: nothing of size bars x combinations x assets is allocated.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from quantlib.backtest.engine import _strategy_nb
from quantlib.sweep._fused_nb import N_METRICS, _block_stats_nb, path_metrics_nb

__all__ = ["rank_rows_nb", "topk_sweep_nb"]


@njit(cache=True, error_model="numpy")
def rank_rows_nb(score, dec_bar, n_dec, order, n_valid):  # pragma: no cover - numba
    """Fill ``order[p, j]`` with the assets of panel p's decision row j (bar ``dec_bar[p, j]``)
    from the highest score down, ties to the earlier column, NaN left out
    (``n_valid[p, j]`` assets ranked): the order of ``rank(axis=1, ascending=False,
    method="first")``, so its first k are the builders' top k."""
    n_a = score.shape[2]
    for p in range(score.shape[0]):
        for j in range(n_dec[p]):
            row = score[p, dec_bar[p, j]]
            n = 0
            for a in range(n_a):  # insertion sort, stable: an equal score stays behind
                v = row[a]
                if np.isnan(v):
                    continue
                i = n
                while i > 0 and row[order[p, j, i - 1]] < v:
                    order[p, j, i] = order[p, j, i - 1]
                    i -= 1
                order[p, j, i] = a
                n += 1
            n_valid[p, j] = n


@njit(cache=True, error_model="numpy")
def _fill_weights_nb(score_p, dec_bar_p, n_dec_p, order_p, n_valid_p, k, weighting,
                     picked, w):  # pragma: no cover - numba
    """Rows 0..n_dec_p of ``w``: the top ``k`` of each decision row, ``1/k`` each
    (``weighting`` 0) or ``max(score, 0) / their sum`` (1; all cash when the sum is not > 0,
    the sum taken in column order as pandas' row sum)."""
    n_a = w.shape[1]
    inv_k = 1.0 / k
    for j in range(n_dec_p):
        for a in range(n_a):
            w[j, a] = 0.0
        n = min(k, n_valid_p[j])
        if weighting == 0:
            for i in range(n):
                w[j, order_p[j, i]] = inv_k
            continue
        row = score_p[dec_bar_p[j]]
        for a in range(n_a):
            picked[a] = False
        for i in range(n):
            picked[order_p[j, i]] = True
        total = 0.0
        for a in range(n_a):
            if picked[a]:
                total += max(row[a], 0.0)
        if total > 0.0:
            for a in range(n_a):
                if picked[a]:
                    w[j, a] = max(row[a], 0.0) / total


@njit(cache=True, parallel=True, error_model="numpy")
def topk_sweep_nb(score, dec_bar, n_dec, order, n_valid, fill_rows, panel, k, weighting,
                  close_ff, fill_price, buy_ok, sell_ok, buy_extra, sell_extra, share_ratio,
                  params, lots, rf_p, ppy, n_blocks, windows, select,
                  out_metrics, out_bmean, out_bm2, out_win):  # pragma: no cover - numba
    """Fused top-k sweep over the window (``close_ff`` ... ``lots``: ``backtest._prepare`` of
    the window, T_w bars, A assets).

    ``score`` (P, T, A): the panels on the full history; ``dec_bar`` (P, R): the bar of each
    panel's decision row j (row 0: the decision carried in at the window's first bar), ``n_dec``
    (P,) rows per panel; ``order``/``n_valid``: :func:`rank_rows_nb`; ``fill_rows`` (P, T_w):
    the decision row whose orders are placed on window bar t, -1 for none (the engine's
    ``fill_row`` with the rows where the panel does not decide removed). Per combination b:
    ``panel[b]``, ``k[b]``, ``weighting[b]``. Outputs as
    :func:`quantlib.sweep._fused_nb.timing_sweep_nb`.
    """
    n_b = panel.shape[0]
    n_w, n_a = close_ff.shape
    n_rows = dec_bar.shape[1]
    n_chunks = min(n_b, 64)
    per_chunk = (n_b + n_chunks - 1) // n_chunks
    for chunk in prange(n_chunks):  # buffers once per chunk of combinations
        w = np.empty((max(n_rows, 1), n_a))
        picked = np.empty(n_a, dtype=np.bool_)
        eq = np.empty((n_w, 1))
        cost = np.empty((n_w, 1))
        traded = np.empty((n_w, 1))
        pos = np.empty((n_w, n_a))
        rec = np.zeros((0, 6))
        rec_count = np.zeros(1, dtype=np.int64)
        final = np.zeros((1, 2))
        r = np.empty(n_w)
        turn = np.empty(n_w)
        expo = np.empty(n_w)
        tmp = np.empty(N_METRICS)
        for b in range(chunk * per_chunk, min((chunk + 1) * per_chunk, n_b)):
            p = panel[b]
            _fill_weights_nb(score[p], dec_bar[p], n_dec[p], order[p], n_valid[p], k[b],
                             weighting[b], picked, w)
            _strategy_nb(0, close_ff, fill_price, fill_rows[p], w, buy_ok, sell_ok,
                         buy_extra, sell_extra, share_ratio, params, lots, True, eq, cost,
                         traded, pos, rec, rec_count, final)
            prev = params.init_cash
            for t in range(n_w):  # backtest.run's returns, turnover and exposure
                e = eq[t, 0]
                held = 0.0
                for a in range(n_a):
                    c = close_ff[t, a]
                    if not np.isnan(c):
                        held += pos[t, a] * c
                r[t] = e / prev - 1.0
                turn[t] = traded[t, 0] / prev
                expo[t] = 1.0 - (e - held) / e
                prev = e
            path_metrics_nb(r, turn, expo, 0, n_w, rf_p, ppy, out_metrics[b])
            _block_stats_nb(r, rf_p, n_blocks, out_bmean[b], out_bm2[b])
            for q in range(windows.shape[0]):
                path_metrics_nb(r, turn, expo, windows[q, 0], windows[q, 1], rf_p, ppy, tmp)
                out_win[q, b] = tmp[select]
