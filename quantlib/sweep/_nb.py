"""Numba kernel of the sweep: CSCV logits.

Imported lazily (this module imports numba). It runs in parallel over the CSCV partitions
with ``prange``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["cscv_logits_nb"]


@njit(cache=True, parallel=True)
def cscv_logits_nb(block_mean, block_m2, n_per_block, parts, out):  # pragma: no cover - numba
    """Fill ``out[c]`` with the CSCV logit of partition ``c``.

    ``block_mean``/``block_m2`` (S, N): per block and strategy, the mean and the sum of squared
    deviations of the returns (each block has ``n_per_block`` returns). ``parts`` (C, S/2): the
    in-sample blocks of each partition. Performance = Sharpe ratio ``mean / std(ddof=1)`` of the
    concatenated blocks (compared as ``SR * |SR|``, same order). For each partition: ``n*`` =
    the in-sample best (first on ties), ``w = rank_oos(n*) / (N + 1)`` with ties averaged,
    logit ``ln(w / (1 - w))``. Two passes over tiles of strategies that stay in cache (the
    in-sample best of every partition, then the out-of-sample rank counts); the inner loops
    run over contiguous strategies (SIMD).
    """
    n_s, n_n = block_mean.shape
    n_c = parts.shape[0]
    sq = block_mean * block_mean
    tot_a = block_mean.sum(axis=0)
    tot_b = sq.sum(axis=0)
    tot_m = block_m2.sum(axis=0)
    best = np.full(n_c, -np.inf)
    best_n = np.zeros(n_c, dtype=np.int64)
    target = np.zeros(n_c)
    less = np.zeros(n_c)
    equal = np.zeros(n_c)
    tile = 1024
    for oos_pass in (False, True):
        for t0 in range(0, n_n, tile):
            t1 = min(t0 + tile, n_n)
            for c in prange(n_c):
                val = _tile_values(block_mean, sq, block_m2, tot_a, tot_b, tot_m, parts[c],
                                   t0, t1, n_s, n_per_block, oos_pass)
                if not oos_pass:
                    b, bn = best[c], best_n[c]  # locals: no false sharing between threads
                    for i in range(t1 - t0):
                        if (t0 + i == 0) or val[i] > b:
                            b = val[i]
                            bn = t0 + i
                    best[c], best_n[c] = b, bn
                else:
                    lo, eq, tg = less[c], equal[c], target[c]
                    for i in range(t1 - t0):
                        if val[i] < tg:
                            lo += 1
                        elif val[i] == tg:
                            eq += 1
                    less[c], equal[c] = lo, eq
        if not oos_pass:
            for c in prange(n_c):
                n = best_n[c]
                target[c] = _tile_values(block_mean, sq, block_m2, tot_a, tot_b, tot_m,
                                         parts[c], n, n + 1, n_s, n_per_block, True)[0]
    for c in range(n_c):
        w = (less[c] + (equal[c] + 1) / 2.0) / (n_n + 1.0)
        out[c] = np.log(w / (1.0 - w))


@njit(cache=True)
def _tile_values(mean, sq, m2, tot_a, tot_b, tot_m, part, t0, t1, n_s, n_per_block,
                 oos):  # pragma: no cover - numba
    """Signed squared Sharpe of strategies t0..t1 on the blocks ``part`` (or the others)."""
    m = t1 - t0
    a = np.zeros(m)
    b = np.zeros(m)
    c = np.zeros(m)
    for j in range(part.shape[0]):
        blk = part[j]
        for i in range(m):
            a[i] += mean[blk, t0 + i]
            b[i] += sq[blk, t0 + i]
            c[i] += m2[blk, t0 + i]
    half = part.shape[0]
    k = half
    if oos:
        k = n_s - half
        for i in range(m):
            a[i] = tot_a[t0 + i] - a[i]
            b[i] = tot_b[t0 + i] - b[i]
            c[i] = tot_m[t0 + i] - c[i]
    for i in range(m):
        a[i] = _sharpe(a[i], b[i], c[i], k, n_per_block)
    return a


@njit(cache=True, inline="always")
def _sharpe(sum_mean, sum_mean_sq, sum_m2, k, n_per_block):  # pragma: no cover - numba
    """Signed squared Sharpe ``SR * |SR|`` of k equal blocks from their sums of means, squared
    means and M2 (Chan et al.): monotone in SR, so ranks and argmax are SR's, without a sqrt.
    ``+-inf`` / 0 when the variance is 0."""
    mu = sum_mean / k
    ss = sum_m2 + n_per_block * max(sum_mean_sq - k * mu * mu, 0.0)
    var = ss / (k * n_per_block - 1)
    if var <= 0.0:
        if mu > 0:
            return np.inf
        if mu < 0:
            return -np.inf
        return 0.0
    return mu * abs(mu) / var
