"""Numba kernel of the sweep: CSCV logits.

Imported lazily (this module imports numba). It runs in parallel over the CSCV partitions
with ``prange``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["cscv_logits_grouped_nb", "cscv_logits_nb"]


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


@njit(cache=True, parallel=True, error_model="numpy")
def cscv_logits_grouped_nb(block_mean, block_m2, n_per_block, parts, out,
                           tile=1024):  # pragma: no cover - numba
    """:func:`cscv_logits_nb` with about 4x fewer operations, for 10^5 strategies.

    * Every partition's out-of-sample half is another partition's in-sample half (the
      complement), so partitions are taken in complementary pairs: one half's sums are read
      from tables, the other's are the totals minus them, and both partitions of the pair
      are served by the same two value vectors.
    * Blocks are cut into groups of 4; per strategy, the sums of the block means and of the
      raw sums of squares ``m2 + n * mean^2`` over each of the 16 subsets of a group are
      tabulated once per tile of strategies, so a half costs 4 table reads per sum instead of
      8 additions.
    * The ranking value of a half with sums ``M``, ``E`` (k blocks of n returns) is
      ``M |M| / (E - n M^2 / k)``: the signed squared Sharpe up to a positive factor common to
      every strategy, so the in-sample argmax and the out-of-sample ranks are the Sharpe
      ratio's (``+-inf`` / 0 when the variance is 0, as in :func:`_sharpe`).

    A half is always computed by the same operations (as the primary half of its pair, the
    one holding block 0, or as the totals minus it), so the in-sample best's out-of-sample
    value is found again bit for bit when ranking. Inputs as :func:`cscv_logits_nb`.
    """
    n_s, n_n = block_mean.shape
    n_c, half = parts.shape
    n_g = (n_s + 3) // 4
    code = np.zeros((n_c, n_g), dtype=np.int64)
    key = np.zeros(n_c, dtype=np.int64)
    for c in range(n_c):
        for j in range(half):
            blk = parts[c, j]
            code[c, blk // 4] |= 1 << (blk % 4)
            key[c] |= 1 << blk
    full = (1 << n_s) - 1
    order = np.argsort(key)
    comp = np.full(n_c, -1, dtype=np.int64)
    for c in range(n_c):  # complement of c: binary search of its bit set
        want = full ^ key[c]
        lo_, hi_ = 0, n_c
        while lo_ < hi_:
            mid = (lo_ + hi_) // 2
            if key[order[mid]] < want:
                lo_ = mid + 1
            else:
                hi_ = mid
        comp[c] = order[lo_]
    n_p = n_c // 2
    prim = np.empty(n_p, dtype=np.int64)
    k = 0
    for c in range(n_c):
        if key[c] & 1:  # the half holding block 0 is the primary one
            prim[k] = c
            k += 1
    coef = n_per_block / half  # both halves have S / 2 blocks
    best = np.full(n_c, -np.inf)
    best_n = np.zeros(n_c, dtype=np.int64)
    target = np.zeros(n_c)
    less = np.zeros(n_c)
    equal = np.zeros(n_c)
    n_chunks = min(n_p, 64)
    per_chunk = (n_p + n_chunks - 1) // n_chunks
    for oos_pass in (False, True):
        for t0 in range(0, n_n, tile):
            t1 = min(t0 + tile, n_n)
            tm, te, tot_m, tot_e = _subset_tables(block_mean, block_m2, n_per_block, t0, t1,
                                                  n_g)
            m = t1 - t0
            for chunk in prange(n_chunks):  # buffers once per chunk of pairs, not per pair
                sm = np.empty(m)
                se = np.empty(m)
                vp = np.empty(m)
                vc = np.empty(m)
                for q in range(chunk * per_chunk, min((chunk + 1) * per_chunk, n_p)):
                    c = prim[q]
                    cc = comp[c]
                    if n_g <= 4:  # S <= 16: one pass, sums in registers
                        _pair_values4(tm, te, tot_m, tot_e, code[c], coef, vp, vc)
                    else:
                        _pair_values(tm, te, tot_m, tot_e, code[c], coef, sm, se, vp, vc)
                    if not oos_pass:
                        _argmax_into(vp, t0, best, best_n, c)
                        _argmax_into(vc, t0, best, best_n, cc)
                    else:
                        _count_into(vc, target[c], less, equal, c)  # c's out-of-sample: cc
                        _count_into(vp, target[cc], less, equal, cc)
        if not oos_pass:
            for q in prange(n_p):
                c = prim[q]
                cc = comp[c]
                for part, other in ((c, False), (cc, True)):
                    n = best_n[part]
                    tm, te, tot_m, tot_e = _subset_tables(block_mean, block_m2, n_per_block,
                                                          n, n + 1, n_g)
                    one = np.empty((4, 1))
                    _pair_values(tm, te, tot_m, tot_e, code[c], coef, one[0], one[1], one[2],
                                 one[3])
                    target[part] = one[2, 0] if other else one[3, 0]
    for c in range(n_c):
        w = (less[c] + (equal[c] + 1) / 2.0) / (n_n + 1.0)
        out[c] = np.log(w / (1.0 - w))


@njit(cache=True, error_model="numpy")
def _argmax_into(val, t0, best, best_n, c):  # pragma: no cover - numba
    b, bn = best[c], best_n[c]  # locals: no false sharing between threads
    for i in range(val.shape[0]):
        if (t0 + i == 0) or val[i] > b:
            b = val[i]
            bn = t0 + i
    best[c], best_n[c] = b, bn


@njit(cache=True, error_model="numpy")
def _count_into(val, tg, less, equal, c):  # pragma: no cover - numba
    lo = 0
    eq = 0
    for i in range(val.shape[0]):
        lo += val[i] < tg
        eq += val[i] == tg
    less[c] += lo
    equal[c] += eq


@njit(cache=True, error_model="numpy")
def _subset_tables(mean, m2, n_per_block, t0, t1, n_g):  # pragma: no cover - numba
    """Sums over every subset (bit mask) of each group of 4 blocks, for strategies t0..t1:
    (n_g * 16, m) of the block means and of ``m2 + n * mean^2`` (unused codes: NaN), and the
    totals over all blocks (the full subsets, summed group by group)."""
    n_s = mean.shape[0]
    m = t1 - t0
    tm = np.empty((n_g * 16, m))
    te = np.empty((n_g * 16, m))
    for g in range(n_g):
        base = g * 16
        for i in range(m):
            tm[base, i] = 0.0
            te[base, i] = 0.0
        for code in range(1, 16):
            low = code & -code
            bit = 0
            while (1 << bit) != low:
                bit += 1
            blk = 4 * g + bit
            rest = base + (code ^ low)
            row = base + code
            if blk >= n_s:
                for i in range(m):
                    tm[row, i] = np.nan
                    te[row, i] = np.nan
                continue
            for i in range(m):
                mu = mean[blk, t0 + i]
                tm[row, i] = tm[rest, i] + mu
                te[row, i] = te[rest, i] + (m2[blk, t0 + i] + n_per_block * mu * mu)
    tot_m = np.zeros(m)
    tot_e = np.zeros(m)
    for g in range(n_g):
        row = g * 16 + (1 << min(4, n_s - 4 * g)) - 1
        for i in range(m):
            tot_m[i] += tm[row, i]
            tot_e[i] += te[row, i]
    return tm, te, tot_m, tot_e


@njit(cache=True, error_model="numpy")
def _pair_values(tm, te, tot_m, tot_e, codes, coef, sm, se, vp,
                 vc):  # pragma: no cover - numba
    """Fill ``vp``/``vc`` with the ranking values ``M |M| / (E - coef M^2)`` of the half with
    group subset codes ``codes`` and of its complement (totals minus the half), for every
    strategy (``sm``/``se``: scratch). Branch-free loops over contiguous strategies, so they
    compile to SIMD."""
    m = tm.shape[1]
    r0 = codes[0]
    for i in range(m):
        sm[i] = tm[r0, i]
        se[i] = te[r0, i]
    for g in range(1, codes.shape[0]):
        row = g * 16 + codes[g]
        for i in range(m):
            sm[i] += tm[row, i]
            se[i] += te[row, i]
    _values_into(sm, se, coef, vp)
    for i in range(m):
        sm[i] = tot_m[i] - sm[i]
        se[i] = tot_e[i] - se[i]
    _values_into(sm, se, coef, vc)


@njit(cache=True, error_model="numpy")
def _pair_values4(tm, te, tot_m, tot_e, codes, coef, vp, vc):  # pragma: no cover - numba
    """:func:`_pair_values` for at most 4 groups (S <= 16 blocks) in one loop over the
    strategies: each strategy's two sums stay in registers, added in the same order (group 0,
    1, 2, 3), so the values are bit for bit those of :func:`_pair_values` (a missing group
    reads group 0's empty-subset row, exactly 0.0, and ``x + 0.0 == x``: the sums are never
    -0.0). About half the CPU time of the seven passes over scratch buffers."""
    n_g = codes.shape[0]
    r0 = codes[0]
    r1 = 16 + codes[1] if n_g > 1 else 0
    r2 = 32 + codes[2] if n_g > 2 else 0
    r3 = 48 + codes[3] if n_g > 3 else 0
    for i in range(tm.shape[1]):
        a = tm[r0, i]
        e = te[r0, i]
        a += tm[r1, i]
        e += te[r1, i]
        a += tm[r2, i]
        e += te[r2, i]
        a += tm[r3, i]
        e += te[r3, i]
        d = e - coef * a * a
        q = a * abs(a) / d
        alt = np.inf if a > 0.0 else (-np.inf if a < 0.0 else 0.0)
        vp[i] = q if d > 0.0 else alt
        a = tot_m[i] - a
        e = tot_e[i] - e
        d = e - coef * a * a
        q = a * abs(a) / d
        alt = np.inf if a > 0.0 else (-np.inf if a < 0.0 else 0.0)
        vc[i] = q if d > 0.0 else alt


@njit(cache=True, error_model="numpy")
def _values_into(sm, se, coef, out):  # pragma: no cover - numba
    """``out = M |M| / (E - coef M^2)``; where that denominator is not > 0 (no variance):
    +inf, -inf or 0 by the sign of M, as :func:`_sharpe`."""
    for i in range(sm.shape[0]):
        mm = sm[i]
        d = se[i] - coef * mm * mm
        q = mm * abs(mm) / d
        alt = np.inf if mm > 0.0 else (-np.inf if mm < 0.0 else 0.0)
        out[i] = q if d > 0.0 else alt
