"""The fused sweep's top-k family (:class:`quantlib.weights.TopKBatch`): window rows and the
call of :func:`quantlib.sweep._fused_topk_nb.topk_sweep_nb`.

The reference path writes each combination's ``target_weights`` rows (the top k of its score
panel on its decision days) into a (bars, combinations, assets) array, carries the last
decision on or before the window's first bar into the window (``runner.carry_in``) and runs
the engine with NaN rows = hold. Here the same rows are kept per panel only, compacted: row
0 is the decision carried in (none: the combination starts in cash), then one row per
decision day in the window; ``fill_rows`` maps the engine's ``fill_row`` onto them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from quantlib.weights import TopKBatch

__all__ = ["evaluate_topk", "window_rows"]


def window_rows(decide: np.ndarray, a: int, b: int,
                fill_row: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per panel, the compact decision rows of the window ``a..b`` (inclusive bars).

    Returns ``dec_bar`` (P, R): the full-history bar each row decides on (row 0: the last
    decision on or before ``a``; padding -1), ``n_dec`` (P,), and ``fill_rows`` (P, b - a + 1):
    the row traded on each window bar (``fill_row`` = the engine's window row per bar), -1 for
    none.
    """
    n_p = decide.shape[0]
    n_w = b - a + 1
    src = np.full((n_p, n_w), -1, dtype=np.int64)  # bar decided on by window row r, or -1
    for p in range(n_p):
        before = np.flatnonzero(decide[p, : a + 1])
        if len(before):
            src[p, 0] = before[-1]
        inside = np.flatnonzero(decide[p, a + 1: b + 1]) + a + 1
        src[p, inside - a] = inside
    n_dec = (src >= 0).sum(axis=1).astype(np.int64)
    dec_bar = np.full((n_p, max(int(n_dec.max()), 1)), -1, dtype=np.int64)
    fill_rows = np.full((n_p, n_w), -1, dtype=np.int64)
    traded = fill_row >= 0
    for p in range(n_p):
        rows = np.flatnonzero(src[p] >= 0)
        dec_bar[p, : len(rows)] = src[p, rows]
        compact = np.full(n_w, -1, dtype=np.int64)
        compact[rows] = np.arange(len(rows))
        fill_rows[p, traded] = compact[fill_row[traded]]
    return dec_bar, n_dec, fill_rows


def evaluate_topk(spec: Any, sig: TopKBatch, p: Any, rf_p: float, n_blocks: int,
                  windows: np.ndarray, select: int, out: dict[str, np.ndarray]) -> None:
    """Run the fused top-k kernel on one batch; fill ``out``'s metrics, block statistics and
    window values (``p``: ``backtest._prepare`` of the window)."""
    from quantlib.sweep._fused_topk_nb import rank_rows_nb, topk_sweep_nb

    a, b = spec.window
    dec_bar, n_dec, fill_rows = window_rows(sig.decide, a, b, p.fill_row)
    n_p, n_a = sig.score.shape[0], sig.score.shape[2]
    order = np.zeros((n_p, dec_bar.shape[1], n_a), dtype=np.int64)
    n_valid = np.zeros((n_p, dec_bar.shape[1]), dtype=np.int64)
    rank_rows_nb(sig.score, dec_bar, n_dec, order, n_valid)
    topk_sweep_nb(sig.score, dec_bar, n_dec, order, n_valid,
                  fill_rows, sig.panel, sig.k, sig.weighting, p.close_ff, p.fill_price,
                  p.buy_ok, p.sell_ok, p.buy_extra, p.sell_extra, p.share_ratio, p.params,
                  p.lots, rf_p, float(spec.periods_per_year), n_blocks, windows, select,
                  out["metrics"], out["block_mean"], out["block_m2"], out["windows"])
