"""Numba kernels of the sweep: batch weights of the timing strategy, CSCV logits.

Imported lazily (this module imports numba). Both kernels run in parallel over their outer
loop (combinations / CSCV partitions) with ``prange``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from quantlib._timing_nb import WARMUP, timing_state_nb

__all__ = ["cscv_logits_nb", "timing_weights_nb"]


@njit(cache=True, parallel=True)
def timing_weights_nb(sma, ma_fast, ma_confirm, trend, money, s_idx, l_idx, threshold, k_idx,
                      range_weight, use_rules, out):  # pragma: no cover - numba
    """Fill ``out`` (T, B) with the target weight of every combination, bar by bar.

    ``sma`` (W, T): every MA window needed; ``trend``/``money`` (K, T): trend line and money
    effect per trend definition; per combination b: rows ``s_idx[b]``, ``l_idx[b]`` of ``sma``,
    ``threshold[b]``, row ``k_idx[b]`` of ``trend``/``money``, ``range_weight[b]`` and
    ``use_rules[b]``. The raw regime is ``(MA_s - MA_l) / MA_l`` against +-threshold (NaN:
    warm-up); with rules the final regime is :func:`quantlib._timing_nb.timing_state_nb`'s.
    Weight: up 1, range ``range_weight``, down 0, warm-up 0 (cash).
    """
    n_t, n_b = out.shape
    for b in prange(n_b):
        s = sma[s_idx[b]]
        lg = sma[l_idx[b]]
        th = threshold[b]
        raw = np.empty(n_t, dtype=np.int8)
        for t in range(n_t):
            d = (s[t] - lg[t]) / lg[t]
            if np.isnan(d):
                raw[t] = WARMUP
            elif d > th:
                raw[t] = 1
            elif d < -th:
                raw[t] = -1
            else:
                raw[t] = 0
        if use_rules[b]:
            final = timing_state_nb(raw, ma_fast, trend[k_idx[b]], ma_confirm,
                                    money[k_idx[b]])[0]
        else:
            final = raw
        rw = range_weight[b]
        for t in range(n_t):
            if raw[t] == WARMUP:
                out[t, b] = 0.0
            elif final[t] == 1:
                out[t, b] = 1.0
            elif final[t] == 0:
                out[t, b] = rw
            else:
                out[t, b] = 0.0


@njit(cache=True, parallel=True)
def cscv_logits_nb(block_mean, block_m2, n_per_block, parts, out):  # pragma: no cover - numba
    """Fill ``out[c]`` with the CSCV logit of partition ``c``.

    ``block_mean``/``block_m2`` (N, S): per strategy and block, the mean and the sum of squared
    deviations of the returns (each block has ``n_per_block`` returns). ``parts`` (C, S/2): the
    in-sample blocks of each partition. Performance = Sharpe ratio ``mean / std(ddof=1)`` of the
    concatenated blocks (``+-inf`` / 0 when the std is 0). For each partition: ``n*`` = the
    in-sample best (first on ties), ``w = rank_oos(n*) / (N + 1)`` with ties averaged, logit
    ``ln(w / (1 - w))``.
    """
    n_n, n_s = block_mean.shape
    half = parts.shape[1]
    tot_a = np.zeros(n_n)
    tot_b = np.zeros(n_n)
    tot_c = np.zeros(n_n)
    for n in range(n_n):
        for j in range(n_s):
            tot_a[n] += block_mean[n, j]
            tot_b[n] += block_mean[n, j] ** 2
            tot_c[n] += block_m2[n, j]
    for c in prange(parts.shape[0]):
        best = -np.inf
        best_n = 0
        oos = np.empty(n_n)
        for n in range(n_n):
            a = 0.0
            b = 0.0
            m2 = 0.0
            for j in range(half):
                blk = parts[c, j]
                a += block_mean[n, blk]
                b += block_mean[n, blk] ** 2
                m2 += block_m2[n, blk]
            sr_is = _sharpe(a, b, m2, half, n_per_block)
            oos[n] = _sharpe(tot_a[n] - a, tot_b[n] - b, tot_c[n] - m2, n_s - half, n_per_block)
            if n == 0 or sr_is > best:
                best = sr_is
                best_n = n
        target = oos[best_n]
        less = 0
        equal = 0
        for n in range(n_n):
            if oos[n] < target:
                less += 1
            elif oos[n] == target:
                equal += 1
        w = (less + (equal + 1) / 2.0) / (n_n + 1.0)
        out[c] = np.log(w / (1.0 - w))


@njit(cache=True, inline="always")
def _sharpe(sum_mean, sum_mean_sq, sum_m2, k, n_per_block):  # pragma: no cover - numba
    """Sharpe of k equal blocks from their sums of means, squared means and M2 (Chan et al.)."""
    mu = sum_mean / k
    ss = sum_m2 + n_per_block * max(sum_mean_sq - k * mu * mu, 0.0)
    var = ss / (k * n_per_block - 1)
    if var <= 0.0:
        if mu > 0:
            return np.inf
        if mu < 0:
            return -np.inf
        return 0.0
    return mu / np.sqrt(var)
